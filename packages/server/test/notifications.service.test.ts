import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Draft } from '../src/notifications/service';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Notification delivery under concurrency on the server databases: many members mentioning
 * and reacting at once through HTTP, and the same fan-out delivered several times at once (an
 * event redelivered while a first delivery still runs). Every recipient ends with exactly one
 * item per thing, and coalesced reactions count each reactor once.
 */
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`notifications on ${dialect}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: { messages: { max: 100_000, window_seconds: 1 }, reactions: { max: 100_000, window_seconds: 1 } },
        notifications: { fanout_batch: 10 },
      });
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    it('mentions and reactions written at once: one item per recipient and message, reactors counted once', async () => {
      const c = await makeCommunity(s);
      const people = s.demo.studentIds.slice(0, 12);
      for (const u of people) await addMember(s, c.id, u);
      const channel = (await s.as(people[0]!).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
      const target = people[0]!;
      const posted = await Promise.all(
        people
          .slice(1)
          .map((u) => s.as(u).channels.post({ params: { channelId: channel.id }, body: { content: `@[t](user:${target}) from ${u}` } })),
      );
      const mine = await s.as(target).channels.post({ params: { channelId: channel.id }, body: { content: 'react to this' } });
      await Promise.all(people.slice(1).map((u) => s.as(u).channels.react({ params: { messageId: mine.id }, body: { emoji: '👍' } })));
      await s.ctx.bus.idle();
      const rows = await s.ctx.db.db
        .selectFrom('community_notifications')
        .select(['type', 'message_id', 'count'])
        .where('user_id', '=', target)
        .where('community_id', '=', c.id)
        .execute();
      const mentions = rows.filter((r) => r.type === 'mention');
      expect(mentions.map((r) => r.message_id).sort((a, b) => a! - b!)).toEqual(posted.map((p) => p.id).sort((a, b) => a - b));
      expect(rows.filter((r) => r.type === 'reaction')).toEqual([{ type: 'reaction', message_id: mine.id, count: people.length - 1 }]);
    });

    it('the same fan-out delivered five times at once stores each recipient once', async () => {
      const c = await makeCommunity(s);
      const people = s.demo.studentIds.slice(0, 20);
      for (const u of people) await addMember(s, c.id, u);
      const key = `everyone:${dialect}:${Date.now()}`;
      const drafts: Draft[] = people.map((userId) => ({
        userId,
        kind: 'mention',
        key,
        actorId: s.demo.instructorIds[0]!,
        communityId: c.id,
        title: 'mention_everyone_title',
      }));
      await Promise.all([0, 1, 2, 3, 4].map(() => s.ctx.services.notifications.deliver(drafts)));
      // Once stored, a later redelivery finds every key taken and writes nothing.
      expect(await s.ctx.services.notifications.deliver(drafts)).toBe(0);
      const rows = await s.ctx.db.db.selectFrom('community_notifications').select('user_id').where('dedupe_key', '=', key).execute();
      expect(rows.map((r) => r.user_id).sort((a, b) => a - b)).toEqual([...people].sort((a, b) => a - b));
    });
  });
}
