import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiError } from '@communities/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Moderation's writes under concurrency on the server databases: one open report per reporter
 * and target whatever the race, and violation counting that mutes exactly once at the threshold.
 */
async function settle(tasks: Array<() => Promise<unknown>>): Promise<{ ok: number; codes: string[] }> {
  const out = { ok: 0, codes: [] as string[] };
  await Promise.all(
    tasks.map(async (t) => {
      try {
        await t();
        out.ok++;
      } catch (e) {
        out.codes.push(e instanceof ApiError ? `${e.status} ${e.code}` : String(e));
      }
    }),
  );
  return out;
}

for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`moderation under concurrency on ${dialect}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    let c: { id: number; slug: string };
    let general: number;
    let st: number[];
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-mod-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: { messages: { max: 100_000, window_seconds: 1 }, reports: { max: 100_000, window_seconds: 1 } },
        moderation: { bad_words: ['darn'], actions: { auto_mute_threshold: 5, auto_ban_threshold: 0, auto_mute_minutes: 30 } },
      });
      st = s.demo.studentIds;
      c = await makeCommunity(s, { name: `Concurrent Moderation ${dialect}` });
      for (const u of st.slice(0, 6)) await addMember(s, c.id, u);
      general = (await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
    });
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    it('20 simultaneous reports of one message by one reporter leave exactly one open report; others 409', async () => {
      const m = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'report me' } });
      const body = { target_type: 'channel_message' as const, target_id: m.id, reason: 'spam' as const };
      const r = await settle(Array.from({ length: 20 }, () => () => s.as(st[1]!).moderation.report({ body })));
      // Four more reporters at once, each once.
      const others = await settle(st.slice(2, 6).map((u) => () => s.as(u).moderation.report({ body })));
      expect(r.ok).toBe(1);
      expect(r.codes).toEqual(Array.from({ length: 19 }, () => '409 conflict'));
      expect(others).toEqual({ ok: 4, codes: [] });
      const rows = await s.ctx.db.db
        .selectFrom('moderation_reports')
        .select(['reporter_id', 'status'])
        .where('target_type', '=', 'channel_message')
        .where('target_id', '=', m.id)
        .execute();
      expect(rows.filter((x) => x.reporter_id === st[1]).length).toBe(1);
      expect(rows.length).toBe(5);
    });

    it('12 violations at once count exactly: one automatic mute at the threshold, never two', async () => {
      const u = st[5]!;
      const res = await settle(
        Array.from({ length: 12 }, () => () => s.as(u).channels.post({ params: { channelId: general }, body: { content: 'darn' } })),
      );
      await s.ctx.bus.idle();
      expect(res.codes.filter((x) => !x.startsWith('403'))).toEqual([]);
      const violations = await s.ctx.db.db
        .selectFrom('moderation_violations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', u)
        .executeTakeFirstOrThrow();
      expect(Number(violations.n)).toBe(res.ok);
      expect(res.ok).toBeGreaterThanOrEqual(5);
      const mutes = await s.ctx.db.db
        .selectFrom('user_moderation_actions')
        .select(['action', 'source'])
        .where('user_id', '=', u)
        .where('community_id', '=', c.id)
        .execute();
      expect(mutes).toEqual([{ action: 'mute', source: 'auto' }]);
      const member = await s.ctx.db.db
        .selectFrom('community_members')
        .select('status')
        .where('community_id', '=', c.id)
        .where('user_id', '=', u)
        .executeTakeFirstOrThrow();
      expect(member.status).toBe('muted');
    });
  });
}
