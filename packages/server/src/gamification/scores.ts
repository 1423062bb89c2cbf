import type { DialectName } from '../platform/db/connect';
import type { DbHandle, Tx } from '../platform/db/transaction';
import { upsertRows } from '../platform/db/upsert';

/** Ids an IN list carries. */
const READ_CHUNK = 1000;
/** A score row's key (unique on every dialect; on SQLite the primary key's columns, in another order). */
const SCORE_KEY = ['community_id', 'period', 'user_id'] as const;

/** Site-wide scores are stored under community 0. */
export const GLOBAL = 0;

export interface ScoreRow {
  user_id: number;
  points: number;
  level: number;
}

export interface ScoreDelta {
  communityId: number;
  period: string;
  userId: number;
  delta: number;
}

/**
 * Leaderboard scores in SQL: one row per (community, period, member). The all-time rows are
 * moved in each award's transaction; the week and month rows too on SQLite, and on MariaDB and
 * PostgreSQL they are folded in from the ledger afterwards (ledger.ts, fold.ts). The reads here
 * add what is not folded yet (`unfolded`; on SQLite only rows an earlier version left). Ranks and
 * top N are read from the in-memory or Redis boards (boards.ts), which load from here and heal
 * from here. Order: points descending, then user id ascending (LEADERBOARD_TIE_BREAK).
 */
export class SqlScores {
  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Moves many score rows at once (a round's awards, a fold's batch): deltas on the same row are
   * summed, rows are written in multi-row upserts compiled once (upsertRows) in a fixed order
   * so two writers never wait on each other in a circle: the table's key order, (community,
   * period, member), except on SQLite (member, community, period): its rows are clustered by
   * member (migration 0018), and a member's rows one after another find their page without a
   * descent each (raw SQLite, 1,000,000 members, rounds of 1,000: ~20 µs CPU less per award
   * of six rows than in the other order). The all-time totals of the members moved come back
   * from the upsert (RETURNING; on MariaDB a read after it, of rows the upsert locked until
   * commit), so before = after - the round's delta is exact; then their levels are set. Returns
   * the summed deltas (for the boards) and `community|user` → all-time before and after.
   */
  async addMany(
    trx: Tx,
    deltas: readonly ScoreDelta[],
    now: string,
    levelFor: (points: number) => number,
  ): Promise<{ moved: ScoreDelta[]; totals: Map<string, { before: number; after: number }> }> {
    const sum = new Map<string, ScoreDelta>();
    for (const d of deltas) {
      const k = `${d.communityId}|${d.period}|${d.userId}`;
      const had = sum.get(k);
      if (had) had.delta += d.delta;
      else sum.set(k, { ...d });
    }
    const period = (a: ScoreDelta, b: ScoreDelta) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0);
    const moved = [...sum.values()]
      .filter((d) => d.delta !== 0)
      .sort(
        this.dialect === 'sqlite'
          ? (a, b) => a.userId - b.userId || a.communityId - b.communityId || period(a, b)
          : (a, b) => a.communityId - b.communityId || period(a, b) || a.userId - b.userId,
      );
    const totals = new Map<string, { before: number; after: number }>();
    if (moved.length === 0) return { moved, totals };
    // The all-time rows' round deltas, by `community|user`: their totals come back for levels and profiles.
    const allTime = new Map<string, number>();
    for (const d of moved) if (d.period === 'all') allTime.set(`${d.communityId}|${d.userId}`, d.delta);
    const levelsToSet: Array<{ communityId: number; userId: number; level: number }> = [];
    const seen = (r: { community_id: number; user_id: number; points: number; level: number }) => {
      const k = `${Number(r.community_id)}|${Number(r.user_id)}`;
      const delta = allTime.get(k);
      if (delta === undefined) return;
      const after = Number(r.points);
      totals.set(k, { before: after - delta, after });
      const level = levelFor(after);
      if (level !== Number(r.level)) levelsToSet.push({ communityId: Number(r.community_id), userId: Number(r.user_id), level });
    };
    const rows = moved.map((d) => ({
      community_id: d.communityId,
      period: d.period,
      user_id: d.userId,
      points: d.delta,
      level: 1,
      updated_at: now,
    }));
    // One statement per up to 1,024 rows, compiled once (upsert.ts). SQLite and PostgreSQL hand
    // the rows back as the upsert left them (the all-time totals after the round): no second
    // read of the rows just written.
    const back = await upsertRows<{ community_id: number; period: string; user_id: number; points: number; level: number }>(
      trx,
      this.dialect,
      'gamification_scores',
      SCORE_KEY,
      rows,
      ['updated_at'],
      ['points'],
      this.dialect === 'mysql' ? [] : ['community_id', 'period', 'user_id', 'points', 'level'],
    );
    for (const r of back) if (r.period === 'all') seen(r);
    if (this.dialect === 'mysql') {
      // MariaDB has no RETURNING on an upsert: the all-time rows are read back (locked by the
      // upsert until commit, so before = after - the round's delta is exact).
      const byCommunity = new Map<number, number[]>();
      for (const d of moved) {
        if (d.period !== 'all') continue;
        let ids = byCommunity.get(d.communityId);
        if (!ids) byCommunity.set(d.communityId, (ids = []));
        ids.push(d.userId);
      }
      for (const [c, ids] of byCommunity)
        for (let i = 0; i < ids.length; i += READ_CHUNK) {
          const rows = await trx
            .selectFrom('gamification_scores')
            .select(['community_id', 'user_id', 'points', 'level'])
            .where('community_id', '=', c)
            .where('period', '=', 'all')
            .where('user_id', 'in', ids.slice(i, i + READ_CHUNK))
            .execute();
          for (const r of rows) seen(r);
        }
    }
    for (const l of levelsToSet) await this.setLevel(trx, l.communityId, l.userId, l.level);
    return { moved, totals };
  }

  /** Sets the level on a member's all-time row (rows are named by their key: SQLite's have no id, migration 0018). */
  private async setLevel(trx: Tx, communityId: number, userId: number, level: number): Promise<void> {
    await trx
      .updateTable('gamification_scores')
      .set({ level })
      .where('community_id', '=', communityId)
      .where('period', '=', 'all')
      .where('user_id', '=', userId)
      .execute();
  }

  /**
   * Points of ledger rows not yet folded into one week or month board (fold.ts), by member: what
   * a read of that period adds to the rows. The all-time rows are written with each award: no
   * tail. Reads the unfolded rows through `(folded, id)`: as many as the folder is behind.
   */
  async unfolded(communityId: number, period: string, userIds?: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (period === 'all' || userIds?.length === 0) return out;
    let q = this.db
      .selectFrom('gamification_events')
      .select(['user_id', (eb) => eb.fn.sum<number>('points').as('n')])
      .where('folded', '=', 0)
      .where(period.startsWith('m') ? 'month_key' : 'week_key', '=', period);
    if (communityId !== GLOBAL) q = q.where('community_id', '=', communityId);
    if (userIds) q = q.where('user_id', 'in', [...userIds]);
    for (const r of await q.groupBy('user_id').execute()) if (Number(r.n) !== 0) out.set(Number(r.user_id), Number(r.n));
    return out;
  }

  /** Every member's total on one board (unordered), for loading it into memory or Redis (unfolded awards included). */
  async board(communityId: number, period: string): Promise<Array<{ user_id: number; points: number }>> {
    const rows = await this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points'])
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('points', '!=', 0)
      .execute();
    const tail = await this.unfolded(communityId, period);
    const out = rows.map((r) => {
      const user_id = Number(r.user_id);
      const more = tail.get(user_id);
      if (more !== undefined) tail.delete(user_id);
      return { user_id, points: Number(r.points) + (more ?? 0) };
    });
    for (const [user_id, points] of tail) out.push({ user_id, points });
    return out.filter((r) => r.points !== 0);
  }

  /** Totals of some members on one board (members without points are left out; unfolded awards included). */
  async many(communityId: number, period: string, userIds: readonly number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points'])
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('user_id', 'in', [...userIds])
      .execute();
    const out = new Map(rows.map((r) => [Number(r.user_id), Number(r.points)]));
    for (const [u, n] of await this.unfolded(communityId, period, userIds)) out.set(u, (out.get(u) ?? 0) + n);
    return out;
  }

  /**
   * The first `limit` members with points, in leaderboard order (the SQL fallback and the tests'
   * truth), unfolded rows included: each member with unfolded rows moves at most one other
   * member out of the SQL order's first `limit`, so the first `limit` + that many rows, with
   * those members' totals corrected, hold the true first `limit`.
   */
  async page(communityId: number, period: string, limit: number): Promise<ScoreRow[]> {
    const tail = await this.unfolded(communityId, period);
    const rows = await this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points', 'level'])
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('points', '>', 0)
      .orderBy('points', 'desc')
      .orderBy('user_id', 'asc')
      .limit(limit + tail.size)
      .execute();
    const out = rows.map((r) => ({ user_id: Number(r.user_id), points: Number(r.points), level: Number(r.level) }));
    if (tail.size === 0) return out;
    const byUser = new Map(out.map((r) => [r.user_id, r]));
    const missing = [...tail.keys()].filter((u) => !byUser.has(u));
    const stored = await this.rows(communityId, period, missing);
    for (const [u, n] of tail) {
      const had = byUser.get(u) ?? stored.get(u) ?? { user_id: u, points: 0, level: 1 };
      byUser.set(u, { ...had, points: had.points + n });
    }
    return [...byUser.values()]
      .filter((r) => r.points > 0)
      .sort((a, b) => b.points - a.points || a.user_id - b.user_id)
      .slice(0, limit);
  }

  private async rows(communityId: number, period: string, userIds: readonly number[]): Promise<Map<number, ScoreRow>> {
    const out = new Map<number, ScoreRow>();
    for (let i = 0; i < userIds.length; i += READ_CHUNK) {
      const rows = await this.db
        .selectFrom('gamification_scores')
        .select(['user_id', 'points', 'level'])
        .where('community_id', '=', communityId)
        .where('period', '=', period)
        .where('user_id', 'in', userIds.slice(i, i + READ_CHUNK))
        .execute();
      for (const r of rows) out.set(Number(r.user_id), { user_id: Number(r.user_id), points: Number(r.points), level: Number(r.level) });
    }
    return out;
  }

  /** A member's row on one board, unfolded awards included (null: no row and none unfolded). */
  async get(communityId: number, period: string, userId: number): Promise<ScoreRow | null> {
    const r = await this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points', 'level'])
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const row = r ? { user_id: Number(r.user_id), points: Number(r.points), level: Number(r.level) } : null;
    if (period === 'all') return row;
    const more = (await this.unfolded(communityId, period, [userId])).get(userId);
    if (more === undefined) return row;
    return { user_id: userId, points: (row?.points ?? 0) + more, level: row?.level ?? 1 };
  }

  /**
   * 1-based rank by counting: the fallback for a board the in-memory structure cannot hold
   * (totals or ids past its exact range). Costs the number of members above. On a week or month
   * board it counts the folded rows: members with awards not yet folded count as they stood.
   */
  async rank(communityId: number, period: string, userId: number, points: number): Promise<number> {
    const r = await this.db
      .selectFrom('gamification_scores')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where((eb) => eb.or([eb('points', '>', points), eb.and([eb('points', '=', points), eb('user_id', '<', userId)])]))
      .executeTakeFirst();
    return Number(r?.n ?? 0) + 1;
  }
}
