import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, it } from 'vitest';

import { expectRebuildEqualsLive } from './support/activity-workload';
import { createTestDatabase, type TestDatabase } from './support/databases';
import { startTestServer, type TestServer } from './support/server';

/**
 * The rollups on the server databases: after a random workload through HTTP (the outbox
 * delivering in batches, ids committing out of order), `stats:rebuild` from the source tables
 * gives exactly the rows the live subscriber and the daily job wrote.
 */
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`activity rollups on ${dialect}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      const many = { max: 100_000, window_seconds: 1 };
      s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: { messages: many, feed_posts: many, reactions: many, dm_messages: many },
      });
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    it('rebuild equals the live rollups after a random workload', async () => {
      await expectRebuildEqualsLive(s, dialect === 'mysql' ? 7 : 11, 60);
    }, 180_000);
  });
}
