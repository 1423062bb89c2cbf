import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { boot } from '../src/boot';
import { parseConfig } from '../src/platform/config';
import { migrationStatus } from '../src/platform/db/migrate';

const dir = mkdtempSync(join(tmpdir(), 'boot-roles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = () =>
  parseConfig({ log_level: 'silent', database: { url: `sqlite://${join(dir, 'db.sqlite')}` }, storage: { path: join(dir, 'uploads') } });

describe('serve --roles at boot', () => {
  it('a gateway alone never migrates or seeds: it waits for a process that does, and then delivers no durable events', async () => {
    await expect(boot(config(), { roles: new Set(['gateway']), schemaWaitMs: 300 })).rejects.toThrow(
      /the database is not migrated \(pending: .*\): run `communities migrate` or start a process with the api or worker role/,
    );
    // A gateway waiting while a worker migrates starts once the schema is there.
    const gatewayBooting = boot(config(), { roles: new Set(['gateway']), schemaWaitMs: 60_000 });
    const worker = await boot(config(), { roles: new Set(['worker']) });
    const gateway = await gatewayBooting;
    try {
      expect((await migrationStatus(gateway.ctx.db)).every((m) => m.executedAt !== null)).toBe(true);
      expect(gateway.demo).toBeNull();
      expect(worker.demo).not.toBeNull();
      // An event recorded by the gateway's process is delivered by the worker, never by the gateway.
      await worker.ctx.close();
      await gateway.ctx.bus.record(gateway.ctx.db.db, 'CommunityJoined', { community_id: 1, user_id: 1 } as never);
      await new Promise((r) => setTimeout(r, 1_500));
      const leases = await gateway.ctx.db.db.selectFrom('event_cursors').select(['subscriber', 'lease_owner']).execute();
      expect(leases.filter((l) => l.lease_owner !== null)).toEqual([]);
    } finally {
      await gateway.ctx.close();
    }
  }, 120_000);
});
