import type { Redis } from 'ioredis';

import type { Logger } from '../platform/logger';

import { RankList } from './rank-list';
import { RedisScores } from './redis-scores';
import type { ScoreDelta, SqlScores } from './scores';

export interface BoardRow {
  user_id: number;
  points: number;
}

/** Past this many members held in memory, the least recently read boards are dropped. */
const MEMORY_MEMBERS = 4_000_000;

interface MemoryBoard {
  list: RankList | null;
  /** Set while loading: deltas that arrive meanwhile, re-read from SQL once the load is in. */
  touched: Set<number> | null;
  loading: Promise<void> | null;
  loadedAt: number;
  usedAt: number;
  /** The board's totals are past what RankList holds exactly: reads count in SQL instead. */
  sqlOnly: boolean;
}

export interface BoardsOptions {
  /**
   * Reload a memory board older than this (ms), for nodes that share a SQL database without
   * Redis: other nodes' awards reach this node's boards that way. null: never (one process).
   */
  refreshMs: number | null;
  /**
   * How often (ms) a board's shown rows are checked against SQL, at most; 1,000 by default.
   * The check runs after the answer, so a read costs the board's time only.
   */
  healMs?: number;
}

const HEAL_MS = 1000;

/**
 * Leaderboard reads: top N and a member's rank, from boards built from `gamification_scores`
 * (the durable totals). With Redis, a board is a sorted set every node shares; without, it is
 * an in-memory RankList per node. The ledger applies each award's deltas after commit; reads
 * heal what they show from SQL (the members on the page, at most once a second per board, after
 * answering; and the viewer's own total), so a delta lost to a crash, an outage, another process
 * or a race between a load and a write never shows for long.
 */
export class Leaderboards {
  private readonly memory = new Map<string, MemoryBoard>();
  private readonly redis: RedisScores | null;
  /** Per board: when its shown rows were last checked against SQL, and the check under way. */
  private readonly healedAt = new Map<string, number>();
  private readonly healing = new Map<string, Promise<void>>();

  constructor(
    private readonly sql: SqlScores,
    redis: Redis | null,
    redisPrefix: string,
    private readonly logger: Logger,
    private readonly opts: BoardsOptions,
  ) {
    this.redis = redis ? new RedisScores(redis, redisPrefix) : null;
  }

  /** `limit` members from position `offset` (0-based), best first. */
  async top(communityId: number, period: string, offset: number, limit: number): Promise<BoardRow[]> {
    if (this.redis) {
      if (!(await this.redisReady(communityId, period))) return this.sqlTop(communityId, period, offset, limit);
      const rows = await this.redis.range(communityId, period, offset, limit);
      const redis = this.redis;
      this.healLater(communityId, period, rows, (u, t) => redis.set(communityId, period, u, t));
      return rows;
    }
    const b = await this.board(communityId, period);
    if (!b.list) return this.sqlTop(communityId, period, offset, limit);
    const rows = b.list.slice(offset, limit);
    this.healLater(communityId, period, rows, (u, t) => this.setMemory(b, u, t));
    return rows;
  }

  /**
   * Checks the rows just shown against SQL, after the answer and at most once per `healMs` per
   * board: a change that never reached the board (another process's write, a lost Redis update)
   * shows on the reads after, not on every read's clock.
   */
  private healLater(
    communityId: number,
    period: string,
    rows: readonly BoardRow[],
    set: (userId: number, points: number) => unknown,
  ): void {
    const key = boardKey(communityId, period);
    const now = Date.now();
    if (this.healing.has(key) || now - (this.healedAt.get(key) ?? 0) < (this.opts.healMs ?? HEAL_MS)) return;
    this.healedAt.set(key, now);
    const done = this.heal(communityId, period, rows, set)
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'leaderboard heal failed'))
      .finally(() => this.healing.delete(key));
    this.healing.set(key, done);
  }

  /** Resolves once the checks against SQL under way have finished. */
  async settled(): Promise<void> {
    await Promise.all(this.healing.values());
  }

  /** 1-based rank of a member whose SQL total is `points`, or null without points. */
  async rank(communityId: number, period: string, userId: number, points: number): Promise<number | null> {
    if (points <= 0) return null;
    if (this.redis) {
      if (!(await this.redisReady(communityId, period))) return this.sql.rank(communityId, period, userId, points);
      const r = await this.redis.rank(communityId, period, userId);
      if (r && r.points === points) return r.rank;
      await this.redis.set(communityId, period, userId, points);
      return (await this.redis.rank(communityId, period, userId))?.rank ?? null;
    }
    const b = await this.board(communityId, period);
    if (!b.list) return this.sql.rank(communityId, period, userId, points);
    if (b.list.pointsOf(userId) !== points) this.setMemory(b, userId, points);
    return b.list?.rank(userId) ?? this.sql.rank(communityId, period, userId, points);
  }

  /** After a commit: moves the boards that are loaded (a board not loaded yet reads SQL when it is). */
  async applied(deltas: readonly ScoreDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    if (this.redis) {
      await this.redis.addIfPresent(deltas).catch((error: unknown) => {
        // The boards heal from SQL on read; a board missing updates for long is dropped and reloaded.
        this.logger.warn({ err: error }, 'leaderboard update to Redis failed');
      });
      return;
    }
    for (const d of deltas) {
      const b = this.memory.get(boardKey(d.communityId, d.period));
      if (!b) continue;
      if (b.touched) b.touched.add(d.userId);
      if (b.list) this.setMemory(b, d.userId, b.list.pointsOf(d.userId) + d.delta);
    }
  }

  private setMemory(b: MemoryBoard, userId: number, points: number): void {
    try {
      b.list!.set(userId, points);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      b.list = null;
      b.sqlOnly = true;
    }
  }

  /** Sets shown members whose board total differs from SQL; true when something changed. */
  private async heal(
    communityId: number,
    period: string,
    rows: readonly BoardRow[],
    set: (userId: number, points: number) => unknown,
  ): Promise<boolean> {
    const truth = await this.sql.many(
      communityId,
      period,
      rows.map((r) => r.user_id),
    );
    let changed = false;
    for (const r of rows) {
      const t = truth.get(r.user_id) ?? 0;
      if (t !== r.points) {
        await set(r.user_id, t);
        changed = true;
      }
    }
    return changed;
  }

  private async sqlTop(communityId: number, period: string, offset: number, limit: number): Promise<BoardRow[]> {
    return (await this.sql.page(communityId, period, offset + limit)).slice(offset).map((r) => ({ user_id: r.user_id, points: r.points }));
  }

  /** Loads a Redis board from SQL when its key is missing (first read, or Redis lost it). */
  private async redisReady(communityId: number, period: string): Promise<boolean> {
    const r = this.redis!;
    try {
      if (await r.loaded(communityId, period)) return true;
      await r.load(communityId, period, await this.sql.board(communityId, period));
      return true;
    } catch (error) {
      this.logger.warn({ err: error }, 'leaderboard board in Redis unavailable, reading SQL');
      return false;
    }
  }

  private async board(communityId: number, period: string): Promise<MemoryBoard> {
    const key = boardKey(communityId, period);
    let b = this.memory.get(key);
    const now = Date.now();
    if (!b) {
      b = { list: null, touched: null, loading: null, loadedAt: 0, usedAt: now, sqlOnly: false };
      this.memory.set(key, b);
      await this.load(b, communityId, period).catch((error: unknown) => {
        this.memory.delete(key);
        throw error;
      });
    } else if (b.loading) await b.loading;
    else if (!b.sqlOnly && this.opts.refreshMs !== null && now - b.loadedAt > this.opts.refreshMs)
      // Served from the old board meanwhile; the fresh one replaces it when loaded.
      void this.load(b, communityId, period).catch((error: unknown) => this.logger.warn({ err: error }, 'leaderboard reload failed'));
    b.usedAt = now;
    return b;
  }

  private load(b: MemoryBoard, communityId: number, period: string): Promise<void> {
    b.touched = new Set();
    b.loading = (async () => {
      try {
        const list = RankList.from(await this.sql.board(communityId, period));
        // Members moved while the board loaded may or may not be in what was read: read them again.
        const again = await this.sql.many(communityId, period, [...b.touched!]);
        for (const u of b.touched!) list.set(u, again.get(u) ?? 0);
        b.list = list;
        b.sqlOnly = false;
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        b.list = null;
        b.sqlOnly = true;
      } finally {
        b.loadedAt = Date.now();
        b.touched = null;
        b.loading = null;
      }
      this.evict();
    })();
    return b.loading;
  }

  private evict(): void {
    let total = 0;
    for (const b of this.memory.values()) total += b.list?.size ?? 0;
    if (total <= MEMORY_MEMBERS) return;
    const byAge = [...this.memory].filter(([, b]) => !b.loading).sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [k, b] of byAge) {
      if (total <= MEMORY_MEMBERS) break;
      total -= b.list?.size ?? 0;
      this.memory.delete(k);
    }
  }
}

const boardKey = (communityId: number, period: string) => `${communityId}:${period}`;
