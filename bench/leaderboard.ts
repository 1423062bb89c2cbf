import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { periodKeys } from '../packages/server/src/gamification/periods';
import { RedisScores } from '../packages/server/src/gamification/redis-scores';
import { GLOBAL, SqlScores } from '../packages/server/src/gamification/scores';
import { verifyGamification } from '../packages/server/src/gamification/verify';
import { connect } from '../packages/server/src/platform/db/connect';
import { migrateToLatest } from '../packages/server/src/platform/db/migrate';

const COMMUNITY = 1;

function p99(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!.toFixed(3));
}
async function timeEach(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}
/** A deterministic, skewed points distribution: most members have little, a few a lot (ties are common low down). */
function pointsOf(i: number): number {
  const r = ((i * 2654435761) % 4294967296) / 4294967296;
  return 1 + Math.floor(50_000 * r ** 4);
}

/**
 * Leaderboard at `members` members in one community: top-50 and own-rank reads and score
 * updates, on SQLite (the histogram store the server reads) beside a plain COUNT(*) rank, and
 * on Redis sorted sets beside raw ZADD/ZREVRANK. Every SQLite write is a ledger row plus its
 * six score rows (community and site-wide, all time, week, month), so `gamification:verify`
 * runs at the end and must report zero drift.
 */
export async function benchLeaderboard(opts: { members?: number; updates?: number; reads?: number; redisUrl?: string | null } = {}) {
  const members = opts.members ?? Number(process.env.BENCH_LEADERBOARD_MEMBERS ?? 1_000_000);
  const updates = opts.updates ?? 100_000;
  const reads = opts.reads ?? 2000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-lb-'));
  const d = connect(`sqlite://${join(dir, 'lb.sqlite')}`);
  const result: Record<string, unknown> = { members, updates };
  try {
    await migrateToLatest(d);
    const raw = d.sqlite!;
    raw.pragma('synchronous = NORMAL');
    const now = new Date();
    const at = now.toISOString();
    const [, week, month] = periodKeys(now, 'UTC') as [string, string, string];
    const periods = ['all', week, month];

    // Seed through the ledger: one award per member, then the scores and histogram built from it.
    const t0 = performance.now();
    const ins = raw.prepare(
      `insert into gamification_events (user_id, community_id, type, points, metadata, occurred_at, source_key, week_key, month_key, created_at, updated_at) values (?, ?, 'bench_seed', ?, '{}', ?, ?, ?, ?, ?, ?)`,
    );
    raw.transaction(() => {
      for (let u = 1; u <= members; u++) ins.run(u, COMMUNITY, pointsOf(u), at, `seed:${u}`, week, month, at, at);
    })();
    raw.transaction(() => {
      for (const c of [COMMUNITY, GLOBAL])
        for (const p of periods) {
          raw
            .prepare(
              `insert into gamification_scores (community_id, period, user_id, points, level, updated_at) select ?, ?, user_id, sum(points), 1, ? from gamification_events group by user_id`,
            )
            .run(c, p, at);
          raw
            .prepare(
              `insert into gamification_score_counts (community_id, period, points, members) select community_id, period, points, count(*) from gamification_scores where community_id = ? and period = ? group by points`,
            )
            .run(c, p);
        }
      raw
        .prepare(
          `insert into gamification_profiles (user_id, total_points, level, xp, settings, created_at, updated_at) select user_id, points, 1, points, '{}', ?, ? from gamification_scores where community_id = 0 and period = 'all'`,
        )
        .run(at, at);
    })();
    raw.exec('analyze');
    result.sqlite_seed_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));

    const scores = new SqlScores(d.db, 'sqlite');
    const rnd = (i: number) => 1 + ((i * 7919 + 13) % members);
    await scores.page(COMMUNITY, 'all', 50); // warm-up
    const top = await timeEach(reads, () => scores.page(COMMUNITY, 'all', 50));
    const own = await timeEach(reads, async (i) => {
      const u = rnd(i);
      const row = await scores.get(COMMUNITY, 'all', u);
      return scores.rank(COMMUNITY, 'all', u, row!.points);
    });
    // Baseline: the plain rank query, on the same table and index.
    const plain = raw.prepare(`select count(*) as n from gamification_scores where community_id = ? and period = 'all' and points > ?`);
    const count = await timeEach(Math.min(50, reads), (i) => plain.get(COMMUNITY, pointsOf(rnd(i))));
    // Each update: a ledger row and its six score rows with their histogram entries, in batched transactions.
    const ledgerIns = raw.prepare(
      `insert into gamification_events (user_id, community_id, type, points, metadata, occurred_at, source_key, week_key, month_key, created_at, updated_at) values (?, ?, 'post_message', ?, '{}', ?, ?, ?, ?, ?, ?)`,
    );
    const sel = raw.prepare(`select id, points from gamification_scores where community_id = ? and period = ? and user_id = ?`);
    const upd = raw.prepare(`update gamification_scores set points = ?, updated_at = ? where id = ?`);
    const bump = raw.prepare(
      `insert into gamification_score_counts (community_id, period, points, members) values (?, ?, ?, ?) on conflict (community_id, period, points) do update set members = members + excluded.members`,
    );
    const prof = raw.prepare(`update gamification_profiles set total_points = total_points + ?, xp = xp + ? where user_id = ?`);
    const apply = raw.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const u = rnd(i * 31 + 7);
        const delta = 1 + (i % 3);
        ledgerIns.run(u, COMMUNITY, delta, at, `bench:${i}`, week, month, at, at);
        for (const c of [COMMUNITY, GLOBAL])
          for (const p of periods) {
            const row = sel.get(c, p, u) as { id: number; points: number };
            upd.run(row.points + delta, at, row.id);
            bump.run(c, p, row.points, -1);
            bump.run(c, p, row.points + delta, 1);
          }
        prof.run(delta, delta, u);
      }
    });
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < updates; i += 1000) apply(i, Math.min(updates, i + 1000));
    const updSeconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const updCpuSeconds = (cpu.user + cpu.system) / 1e6;
    result.sqlite = {
      top50_p99_ms: p99(top),
      own_rank_p99_ms: p99(own),
      baseline_count_rank_p99_ms: p99(count),
      member_updates_per_second: Math.round(updates / updSeconds),
      leaderboard_row_updates_per_second: Math.round((updates * 6) / updSeconds),
      // Per CPU-second: what the rate would be with a core to itself (the wall-clock rate suffers on a shared machine).
      member_updates_per_cpu_second: Math.round(updates / updCpuSeconds),
      loadavg_1m: (await import('node:os')).loadavg()[0],
    };
    const t2 = performance.now();
    const v = await verifyGamification(d.db);
    result.verify = {
      drift_count: v.drift_count,
      ledger_rows: v.ledger_rows,
      scores_checked: v.scores_checked,
      seconds: Number(((performance.now() - t2) / 1000).toFixed(1)),
    };
  } finally {
    await d.destroy();
    rmSync(dir, { recursive: true, force: true });
  }

  const url = opts.redisUrl === undefined ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : opts.redisUrl;
  if (url) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const prefix = `bench:${process.pid}:`;
      const store = new RedisScores(redis, prefix);
      const t0 = performance.now();
      for (let u = 1; u <= members; u += 10_000) {
        const p = redis.pipeline();
        for (let v = u; v < Math.min(members + 1, u + 10_000); v++) p.zadd(store.key(COMMUNITY, 'all'), pointsOf(v), RedisScores.member(v));
        await p.exec();
      }
      const seed = (performance.now() - t0) / 1000;
      const rnd = (i: number) => 1 + ((i * 7919 + 13) % members);
      const top = await timeEach(reads, () => store.top(COMMUNITY, 'all', 50));
      const own = await timeEach(reads, (i) => store.rank(COMMUNITY, 'all', rnd(i)));
      const t1 = performance.now();
      for (let i = 0; i < updates; i += 500) {
        const batch = [];
        for (let j = i; j < Math.min(updates, i + 500); j++)
          batch.push({ communityId: COMMUNITY, period: 'all', userId: rnd(j * 31 + 7), delta: 1 + (j % 3) });
        await store.addMany(batch);
      }
      const upd = (performance.now() - t1) / 1000;
      // Baseline: raw commands on a plain sorted set (string members, no tie-break encoding).
      const rawKey = `${prefix}raw`;
      for (let u = 1; u <= members; u += 10_000) {
        const p = redis.pipeline();
        for (let v = u; v < Math.min(members + 1, u + 10_000); v++) p.zadd(rawKey, pointsOf(v), `u${v}`);
        await p.exec();
      }
      const rawRank = await timeEach(reads, (i) => redis.zrevrank(rawKey, `u${rnd(i)}`));
      const t2 = performance.now();
      for (let i = 0; i < updates; i += 500) {
        const p = redis.pipeline();
        for (let j = i; j < Math.min(updates, i + 500); j++) p.zadd(rawKey, 'INCR', 1 + (j % 3), `u${rnd(j * 31 + 7)}`);
        await p.exec();
      }
      const rawUpd = (performance.now() - t2) / 1000;
      result.redis = {
        seed_seconds: Number(seed.toFixed(1)),
        top50_p99_ms: p99(top),
        own_rank_p99_ms: p99(own),
        updates_per_second: Math.round(updates / upd),
        baseline_raw_zrevrank_p99_ms: p99(rawRank),
        baseline_raw_zadd_per_second: Math.round(updates / rawUpd),
      };
      await redis.del(store.key(COMMUNITY, 'all'), rawKey);
    } catch (error) {
      result.redis = { skipped: (error as Error).message };
    } finally {
      redis.disconnect();
    }
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchLeaderboard(), null, 2)}\n`);
  process.exit(0);
}
