import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Leaderboards } from '../src/gamification/boards';
import { Ledger } from '../src/gamification/ledger';
import { SqlScores } from '../src/gamification/scores';
import { GamificationSettings } from '../src/gamification/settings';
import { verifyGamification } from '../src/gamification/verify';
import { parseConfig } from '../src/platform/config';
import { migrateToLatest } from '../src/platform/db/migrate';
import { createLogger } from '../src/platform/logger';

import { createTestDatabase, type TestDatabase } from './support/databases';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const C = 3;
const logger = createLogger('silent');

/**
 * Leaderboards on the server databases, with boards in Redis shared by two nodes and in memory:
 * awards written concurrently through the ledger reach every board, two nodes answer alike, a
 * board Redis lost is rebuilt from SQL, and an unreachable Redis answers from SQL.
 */
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`leaderboard boards on ${dialect}`, () => {
    let db: TestDatabase;
    let redis: Redis;
    const prefix = `test:lb:${randomBytes(4).toString('hex')}:`;
    const now = new Date();
    let scores: SqlScores;
    let settings: GamificationSettings;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await migrateToLatest(db.db);
      redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
      scores = new SqlScores(db.db.db, dialect);
      settings = new GamificationSettings(
        db.db.db,
        dialect,
        parseConfig({ gamification: { anti_farming: { daily_caps: { post_message: 100_000 } } } }).gamification,
        () => now,
      );
    }, 60_000);
    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db?.drop();
    });

    const truth = async () => (await scores.page(C, 'all', 1000)).map((r) => ({ user_id: r.user_id, points: r.points }));

    it('agree with SQL on two nodes after 4 × 60 concurrent awards, and rebuild a board Redis lost', async () => {
      const nodeA = new Leaderboards(scores, redis, prefix, logger, { refreshMs: null });
      const nodeB = new Leaderboards(scores, redis, prefix, logger, { refreshMs: null });
      const memory = new Leaderboards(scores, null, '', logger, { refreshMs: null });
      await nodeA.top(C, 'all', 0, 1); // loaded (empty) before the awards
      await memory.top(C, 'all', 0, 1);
      const ledgerA = new Ledger(db.db.db, dialect, scores, nodeA, settings, 'UTC', () => now);
      const ledgerB = new Ledger(db.db.db, dialect, scores, nodeB, settings, 'UTC', () => now);
      // Four rounds of 60 at once (the pool holds 10 connections).
      for (let round = 0; round < 4; round++) {
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, j) => {
            const i = round * 60 + j;
            return (i % 2 ? ledgerA : ledgerB).award({
              userId: 1 + ((i * 7) % 23),
              communityId: C,
              action: 'post_message',
              sourceKey: `s:${i}`,
              occurredAt: now,
            });
          }),
        );
        expect(results.every((r) => r.awarded)).toBe(true);
      }
      const want = await truth();
      expect(want).toHaveLength(23);
      expect(await nodeA.top(C, 'all', 0, 50)).toEqual(want);
      expect(await nodeB.top(C, 'all', 0, 50)).toEqual(want);
      for (const [i, r] of want.entries()) {
        expect(await nodeB.rank(C, 'all', r.user_id, r.points)).toBe(i + 1);
        expect(await memory.rank(C, 'all', r.user_id, r.points)).toBe(i + 1);
      }
      // Site-wide boards move too (community 0).
      expect((await nodeA.top(0, 'all', 0, 50)).length).toBe(23);

      await redis.del(`${prefix}lb:${C}:all`);
      expect(await nodeB.top(C, 'all', 0, 50)).toEqual(want);
      expect((await verifyGamification(db.db.db)).drift_count).toBe(0);
    });

    it('answer from SQL, quickly, when Redis cannot be reached', async () => {
      const down = new Redis('redis://127.0.0.1:1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      down.on('error', () => {});
      const b = new Leaderboards(scores, down, prefix, logger, { refreshMs: null });
      const t = Date.now();
      expect(await b.top(C, 'all', 0, 50)).toEqual(await truth());
      const first = (await truth())[0]!;
      expect(await b.rank(C, 'all', first.user_id, first.points)).toBe(1);
      expect(Date.now() - t).toBeLessThan(5000);
      down.disconnect();
    });
  });
}
