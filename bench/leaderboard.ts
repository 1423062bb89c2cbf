import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { loadavg } from 'node:os';

import { Leaderboards } from '../packages/server/src/gamification/boards';
import { ScoreFolder } from '../packages/server/src/gamification/fold';
import { AwardRound, Ledger } from '../packages/server/src/gamification/ledger';
import { periodKeys } from '../packages/server/src/gamification/periods';
import { RedisScores } from '../packages/server/src/gamification/redis-scores';
import { GLOBAL, SqlScores, type ScoreDelta } from '../packages/server/src/gamification/scores';
import { levelOf } from '../packages/server/src/gamification/levels';
import { GamificationSettings } from '../packages/server/src/gamification/settings';
import { verifyGamification } from '../packages/server/src/gamification/verify';
import { connect } from '../packages/server/src/platform/db/connect';
import { migrateToLatest } from '../packages/server/src/platform/db/migrate';
import { parseConfig } from '../packages/server/src/platform/config';
import { createLogger } from '../packages/server/src/platform/logger';

const COMMUNITY = 1;

function quantile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor(s.length * q))]!.toFixed(3));
}
const p99 = (samples: number[]) => quantile(samples, 0.99);
const p50 = (samples: number[]) => quantile(samples, 0.5);
/** Wall-clock ms of each call; `cpu` gets each call's CPU ms (what it costs when the scheduler does not take the core away). */
async function timeEach(n: number, fn: (i: number) => unknown, cpu?: number[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cpu ? process.cpuUsage() : null;
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
    if (c && cpu) {
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
  }
  return out;
}
/** A deterministic, skewed points distribution: most members have little, a few a lot (ties are common low down). */
function pointsOf(i: number): number {
  const r = ((i * 2654435761) % 4294967296) / 4294967296;
  return 1 + Math.floor(50_000 * r ** 4);
}

/**
 * Leaderboard at `members` members in one community, read the way the server reads it
 * (gamification/boards.ts): the board loads once from `gamification_scores`, then top-50 and
 * own-rank reads come from it, each healing the members it shows from SQL. Beside them: a plain
 * COUNT(*) rank on the same table. Score updates are awards written as the points subscriber
 * writes them (Ledger.collect, then Ledger.flush a round of 1,000 at a time), with the boards
 * moved after each commit. On SQLite an award's transaction writes everything: its ledger row
 * (already folded), its six score rows (community and site-wide × all time, week, month) in one
 * multi-row upsert and the member's profile. The folder (ScoreFolder, the MariaDB and PostgreSQL
 * path's projection of the week and month rows and the profiles) then runs over the same awards,
 * timed apart: it finds nothing to fold, and its time counts in the figures "with the fold".
 * Durable board updates count one member's total moved on one board (the unit of the Redis
 * ZADD baseline): six per award. Apart: whole awards through `Ledger.award`, one transaction
 * each. With Redis: the same reads on a board in a sorted set, beside raw ZREVRANK and ZADD.
 * `gamification:verify` runs at the end and must report zero drift and no unfolded row.
 */
export async function benchLeaderboard(opts: { members?: number; updates?: number; reads?: number; redisUrl?: string | null } = {}) {
  const members = opts.members ?? Number(process.env.BENCH_LEADERBOARD_MEMBERS ?? 1_000_000);
  const updates = opts.updates ?? Number(process.env.BENCH_LEADERBOARD_UPDATES ?? 200_000);
  const reads = opts.reads ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-lb-'));
  const d = connect(`sqlite://${join(dir, 'lb.sqlite')}`);
  const logger = createLogger('silent');
  const result: Record<string, unknown> = { members, updates };
  try {
    await migrateToLatest(d);
    const raw = d.sqlite!;
    raw.pragma('synchronous = NORMAL');
    const now = new Date();
    const at = now.toISOString();
    const [, week, month] = periodKeys(now, 'UTC') as [string, string, string];
    const periods = ['all', week, month];

    // Seed through the ledger: one award per member, then the scores built from it (direct
    // inserts: prepared statements in one transaction, then INSERT … SELECT), with the levels
    // the totals reach, as the ledger keeps them (else each member's first award would also pay
    // for a level change the seed left out).
    const settings = new GamificationSettings(d.db, 'sqlite', parseConfig({}).gamification, () => new Date());
    const thresholds = (await settings.rules()).level_thresholds;
    raw.function('bench_level_of', { deterministic: true }, (p: unknown) => levelOf(Number(p), thresholds));
    const t0 = performance.now();
    const ins = raw.prepare(
      `insert into gamification_events (user_id, community_id, type, points, metadata, occurred_at, source_key, week_key, month_key, created_at, updated_at) values (?, ?, 'bench_seed', ?, '{}', ?, ?, ?, ?, ?, ?)`,
    );
    raw.transaction(() => {
      for (let u = 1; u <= members; u++) ins.run(u, COMMUNITY, pointsOf(u), at, `seed:${u}`, week, month, at, at);
    })();
    raw.transaction(() => {
      for (const c of [COMMUNITY, GLOBAL])
        for (const p of periods)
          raw
            .prepare(
              `insert into gamification_scores (community_id, period, user_id, points, level, updated_at) select ?, ?, user_id, sum(points), case when ? = 'all' then bench_level_of(sum(points)) else 1 end, ? from gamification_events group by user_id`,
            )
            .run(c, p, p, at);
      raw
        .prepare(
          `insert into gamification_profiles (user_id, total_points, level, xp, settings, created_at, updated_at) select user_id, points, level, points, '{}', ?, ? from gamification_scores where community_id = 0 and period = 'all'`,
        )
        .run(at, at);
    })();
    raw.exec('analyze');
    result.sqlite_seed_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));

    const scores = new SqlScores(d.db, 'sqlite');
    const boards = new Leaderboards(scores, null, '', logger, { refreshMs: null });
    const rnd = (i: number) => 1 + ((i * 7919 + 13) % members);
    const tLoad = performance.now();
    await boards.top(COMMUNITY, 'all', 0, 50); // loads the board
    const loadSeconds = (performance.now() - tLoad) / 1000;
    const topCpu: number[] = [];
    const top = await timeEach(reads, () => boards.top(COMMUNITY, 'all', 0, 50), topCpu);
    await boards.settled();
    // As the service does it: the viewer's SQL total, then the rank.
    const ownCpu: number[] = [];
    const own = await timeEach(
      reads,
      async (i) => {
        const u = rnd(i);
        const row = await scores.get(COMMUNITY, 'all', u);
        return boards.rank(COMMUNITY, 'all', u, row!.points);
      },
      ownCpu,
    );
    // Baseline: the plain rank query, on the same table and index.
    const plain = raw.prepare(`select count(*) as n from gamification_scores where community_id = ? and period = 'all' and points > ?`);
    const count = await timeEach(Math.min(50, reads), (i) => plain.get(COMMUNITY, pointsOf(rnd(i))));
    // Score updates as the points subscriber writes them: awards collected through the ledger's
    // checks (duplicate key, daily cap) a round at a time, each round written in one transaction
    // (Ledger.flush: multi-row ledger insert, one summed upsert of the six score rows, the
    // profiles), the boards moved after each commit.
    const ledger = new Ledger(d.db, 'sqlite', scores, boards, settings, 'UTC', () => new Date());
    const ROUND = 1000;
    // CPU is the process's (the SQLite checkpoint worker thread included), split between the
    // checks (collect) and the writes (flush: statements, commit, the boards after it).
    const cpuMicros = (from: NodeJS.CpuUsage) => {
      const c = process.cpuUsage(from);
      return c.user + c.system;
    };
    let collectMicros = 0;
    let flushMicros = 0;
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < updates; i += ROUND) {
      const round = new AwardRound();
      const c0 = process.cpuUsage();
      for (let j = i; j < Math.min(updates, i + ROUND); j++)
        await ledger.collect(
          { userId: rnd(j * 31 + 7), communityId: COMMUNITY, action: 'post_message', sourceKey: `bench:${j}`, occurredAt: now },
          round,
        );
      collectMicros += cpuMicros(c0);
      const f0 = process.cpuUsage();
      await ledger.flush(round);
      flushMicros += cpuMicros(f0);
    }
    const updSeconds = (performance.now() - t1) / 1000;
    const updCpuSeconds = cpuMicros(cpu0) / 1e6;
    // The projection of the ledger-first path (ScoreFolder, 5,000 ledger rows a transaction),
    // over the same awards, timed apart: on SQLite the awards were written folded, so it finds
    // nothing (a server runs it at start-up, for rows an earlier version left).
    const levels = async () => (p: number) => levelOf(p, thresholds);
    const folder = new ScoreFolder(d.db, 'sqlite', scores, levels, () => new Date(), logger);
    const tf = performance.now();
    const fcpu = process.cpuUsage();
    const folded = await folder.drain();
    const foldSeconds = (performance.now() - tf) / 1000;
    const foldCpuSeconds = cpuMicros(fcpu) / 1e6;
    // The board alone (the order-statistic structure reads come from): 200k moves of random members.
    const boardDeltas: ScoreDelta[] = [];
    for (let i = 0; i < updates; i++)
      boardDeltas.push({ communityId: COMMUNITY, period: 'all', userId: rnd(i * 13 + 5), delta: 1 + (i % 3) });
    const tb = performance.now();
    for (let i = 0; i < updates; i += 1000) await boards.applied(boardDeltas.slice(i, i + 1000));
    const boardSeconds = (performance.now() - tb) / 1000;
    // Take the moves back (they were the board's only), so the board and SQL agree again.
    const back = boardDeltas.map((x) => ({ ...x, delta: -x.delta }));
    for (let i = 0; i < updates; i += 1000) await boards.applied(back.slice(i, i + 1000));
    // Baseline: whole awards through the ledger one transaction each (Ledger.award, what a
    // subscriber handling one event at a time writes).
    const awards = Math.min(5000, updates);
    const t3 = performance.now();
    for (let i = 0; i < awards; i++)
      await ledger.award({
        userId: rnd(i * 17 + 3),
        communityId: COMMUNITY,
        action: 'post_message',
        sourceKey: `bench-award:${i}`,
        occurredAt: now,
      });
    const awardSeconds = (performance.now() - t3) / 1000;
    await folder.drain();
    // After all of it, the board still agrees with SQL at the top.
    const topNow = await boards.top(COMMUNITY, 'all', 0, 50);
    const topSql = await scores.page(COMMUNITY, 'all', 50);
    result.sqlite = {
      board_load_seconds: Number(loadSeconds.toFixed(2)),
      top50_p50_ms: p50(top),
      top50_p99_ms: p99(top),
      top50_cpu_p99_ms: p99(topCpu),
      own_rank_p50_ms: p50(own),
      own_rank_p99_ms: p99(own),
      own_rank_cpu_p99_ms: p99(ownCpu),
      baseline_count_rank_p99_ms: p99(count),
      board_updates_per_second: Math.round(updates / boardSeconds),
      score_updates_per_second: Math.round(updates / updSeconds),
      score_row_updates_per_second: Math.round((updates * 6) / updSeconds),
      round_size: ROUND,
      // Per CPU-second: what the rate would be with a core to itself (the wall-clock rate suffers on a shared machine).
      score_updates_per_cpu_second: Math.round(updates / updCpuSeconds),
      score_update_collect_cpu_us: Math.round(collectMicros / updates),
      score_update_flush_cpu_us: Math.round(flushMicros / updates),
      // The folder, over the same awards: rows folded (SQLite: none, written folded), per second and per CPU-second, CPU µs per award.
      fold_rows: folded,
      fold_rows_per_second: Math.round(folded / foldSeconds),
      fold_rows_per_cpu_second: Math.round(folded / foldCpuSeconds),
      fold_cpu_us: Math.round((foldCpuSeconds * 1e6) / updates),
      // An award and its fold together, per wall second and per CPU-second: what one core sustains with the folder keeping up.
      score_updates_with_fold_per_second: Math.round(updates / (updSeconds + foldSeconds)),
      score_updates_with_fold_per_cpu_second: Math.round(updates / (updCpuSeconds + foldCpuSeconds)),
      // The same in durable board updates: one member's total on one board, the unit of the Redis
      // ZADD baseline; an award moves six boards (community and site-wide × all time, week, month).
      durable_board_updates_per_award: 6,
      durable_board_updates_with_fold_per_second: Math.round((updates * 6) / (updSeconds + foldSeconds)),
      durable_board_updates_with_fold_per_cpu_second: Math.round((updates * 6) / (updCpuSeconds + foldCpuSeconds)),
      baseline_award_per_transaction_per_second: Math.round(awards / awardSeconds),
      board_matches_sql_top50: JSON.stringify(topNow) === JSON.stringify(topSql.map((r) => ({ user_id: r.user_id, points: r.points }))),
      loadavg_1m: loadavg()[0],
    };

    const url = opts.redisUrl === undefined ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : opts.redisUrl;
    if (url) result.redis = await benchRedis(url, scores, logger, members, updates, reads, rnd);

    const t2 = performance.now();
    const v = await verifyGamification(d.db);
    result.verify = {
      drift_count: v.drift_count,
      ledger_rows: v.ledger_rows,
      unfolded_rows: v.unfolded_rows,
      scores_checked: v.scores_checked,
      seconds: Number(((performance.now() - t2) / 1000).toFixed(1)),
    };
  } finally {
    await d.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** The same board in a Redis sorted set (loaded from the seeded SQL), read through Leaderboards. */
async function benchRedis(
  url: string,
  scores: SqlScores,
  logger: ReturnType<typeof createLogger>,
  members: number,
  updates: number,
  reads: number,
  rnd: (i: number) => number,
): Promise<Record<string, unknown>> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const prefix = `bench:${process.pid}:`;
    const boards = new Leaderboards(scores, redis, prefix, logger, { refreshMs: null });
    const store = new RedisScores(redis, prefix);
    const t0 = performance.now();
    await boards.top(COMMUNITY, 'all', 0, 50); // loads the board into Redis
    const seed = (performance.now() - t0) / 1000;
    const top = await timeEach(reads, () => boards.top(COMMUNITY, 'all', 0, 50));
    const own = await timeEach(reads, async (i) => {
      const u = rnd(i);
      const row = await scores.get(COMMUNITY, 'all', u);
      return boards.rank(COMMUNITY, 'all', u, row!.points);
    });
    // Board updates as the ledger sends them after a commit: six boards an award, 500 awards a round trip.
    const t1 = performance.now();
    for (let i = 0; i < updates; i += 500) {
      const batch: ScoreDelta[] = [];
      for (let j = i; j < Math.min(updates, i + 500); j++)
        batch.push({ communityId: COMMUNITY, period: 'all', userId: rnd(j * 31 + 7), delta: 1 + (j % 3) });
      await store.addIfPresent(batch);
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
    await redis.del(store.key(COMMUNITY, 'all'), rawKey);
    return {
      board_load_seconds: Number(seed.toFixed(1)),
      top50_p50_ms: p50(top),
      top50_p99_ms: p99(top),
      own_rank_p50_ms: p50(own),
      own_rank_p99_ms: p99(own),
      updates_per_second: Math.round(updates / upd),
      baseline_raw_zrevrank_p99_ms: p99(rawRank),
      baseline_raw_zadd_per_second: Math.round(updates / rawUpd),
    };
  } catch (error) {
    return { skipped: (error as Error).message };
  } finally {
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchLeaderboard(), null, 2)}\n`);
  process.exit(0);
}
