import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AwardRound } from '../src/gamification/ledger';
import { verifyGamification } from '../src/gamification/verify';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Points under concurrency on the server databases: many members posting and reacting at once
 * through HTTP, and the same award delivered many times at once (an event redelivered while a
 * first delivery still runs). Nothing is lost, nothing is counted twice, and the ledger and the
 * scores agree (gamification:verify finds no drift).
 */
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`gamification on ${dialect}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: { messages: { max: 100_000, window_seconds: 1 }, reactions: { max: 100_000, window_seconds: 1 } },
        gamification: {
          anti_farming: { daily_caps: { post_message: 10_000, receive_reaction: 10_000 }, reactions_per_reactor_per_author_per_day: 1000 },
        },
      });
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    it('awards every message and reaction once when 12 members write at once', async () => {
      const c = await makeCommunity(s);
      const people = s.demo.studentIds.slice(0, 12);
      for (const u of people) await addMember(s, c.id, u);
      const channel = (await s.as(people[0]!).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
      const posted = await Promise.all(
        people.flatMap((u) =>
          [0, 1, 2].map((i) =>
            s.as(u).channels.post({ params: { channelId: channel.id }, body: { content: `concurrent message ${u} ${i}` } }),
          ),
        ),
      );
      const target = posted[0]!;
      await Promise.all(people.slice(1).map((u) => s.as(u).channels.react({ params: { messageId: target.id }, body: { emoji: '👍' } })));
      await s.ctx.bus.idle();
      const rows = await s.ctx.db.db
        .selectFrom('gamification_events')
        .select(['type', 'user_id'])
        .where('community_id', '=', c.id)
        .where('type', 'in', ['post_message', 'receive_reaction'])
        .execute();
      expect(rows.filter((r) => r.type === 'post_message')).toHaveLength(people.length * 3);
      expect(rows.filter((r) => r.type === 'receive_reaction')).toHaveLength(people.length - 1);
      expect((await verifyGamification(s.ctx.db.db)).drift).toEqual([]);
    });

    it('the same award delivered 8 times at once lands once; distinct awards to one member all land', async () => {
      const c = await makeCommunity(s);
      const u = s.demo.studentIds[20]!;
      await addMember(s, c.id, u);
      await s.ctx.bus.idle();
      const ledger = s.ctx.services.gamification.ledger;
      const award = (key: string) =>
        ledger.award({
          userId: u,
          communityId: c.id,
          action: 'post_message',
          sourceKey: key,
          occurredAt: new Date(),
          target: { type: 'svc_target', id: c.id },
        });
      const same = await Promise.all(Array.from({ length: 8 }, () => award(`svc:${c.id}:same`)));
      expect(same.filter((o) => o.awarded)).toHaveLength(1);
      const distinct = await Promise.all(Array.from({ length: 8 }, (_, i) => award(`svc:${c.id}:${i}`)));
      expect(distinct.filter((o) => o.awarded)).toHaveLength(8);
      const score = await s.ctx.services.gamification.scores.get(c.id, 'all', u);
      // join (5) + early member (10) + 9 messages.
      expect(score?.points).toBe(24);
      // Reversing the same target from 4 deliveries at once takes each award back once.
      const back = await Promise.all(Array.from({ length: 4 }, () => ledger.reverse({ type: 'svc_target', id: c.id })));
      expect(back.reduce((a, b) => a + b, 0)).toBe(9);
      expect((await s.ctx.services.gamification.scores.get(c.id, 'all', u))?.points).toBe(15);
      expect((await verifyGamification(s.ctx.db.db)).drift).toEqual([]);
    });

    it('six rounds written at once, over the same members and partly the same events, land each award once', async () => {
      const c1 = await makeCommunity(s);
      const c2 = await makeCommunity(s);
      await s.ctx.bus.idle();
      const ledger = s.ctx.services.gamification.ledger;
      const users = s.demo.studentIds.slice(30, 38);
      const per = (await s.ctx.services.gamification.settings.rules()).points.post_message;
      // Round r holds events r*20 .. r*20+39: each event is in two rounds (a page redelivered
      // while the first delivery still runs), members and score rows overlap across all six.
      const key = (e: number) => `svc-round:${c1.id}:${e}`;
      const input = (e: number) => ({
        userId: users[e % users.length]!,
        communityId: e % 3 === 0 ? c2.id : c1.id,
        action: 'post_message' as const,
        sourceKey: key(e),
        occurredAt: new Date(),
      });
      const rounds = [];
      for (let r = 0; r < 6; r++) {
        const round = new AwardRound();
        for (let e = r * 20 + 39; e >= r * 20; e--) await ledger.collect(input(e), round);
        rounds.push(round);
      }
      const done = await Promise.all(rounds.map((r) => ledger.flush(r)));
      const events = 6 * 20 + 20;
      expect(done.reduce((a, d) => a + d.awarded.length, 0)).toBe(events);
      const rows = await s.ctx.db.db
        .selectFrom('gamification_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('source_key', 'like', `svc-round:${c1.id}:%`)
        .executeTakeFirst();
      expect(Number(rows?.n)).toBe(events);
      for (const [i, u] of users.entries()) {
        const mine = Array.from({ length: events }, (_, e) => e).filter((e) => e % users.length === i);
        const inC1 = mine.filter((e) => e % 3 !== 0).length;
        expect((await s.ctx.services.gamification.scores.get(c1.id, 'all', u))?.points ?? 0).toBe(inC1 * per);
        expect((await s.ctx.services.gamification.scores.get(c2.id, 'all', u))?.points ?? 0).toBe((mine.length - inC1) * per);
      }
      expect((await verifyGamification(s.ctx.db.db)).drift).toEqual([]);
    });
  });
}
