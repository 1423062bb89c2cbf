import { sql } from 'kysely';

import type { DialectName } from '../platform/db/connect';
import type { DbHandle, Tx } from '../platform/db/transaction';

/** Site-wide scores are stored under community 0. */
export const GLOBAL = 0;

export interface ScoreRow {
  user_id: number;
  points: number;
  level: number;
}

/**
 * Leaderboard scores in SQL: one row per (community, period, member) and a histogram of how
 * many members hold each exact total. Top N walks the (community, period, points, user_id)
 * index; a rank is the histogram's sum above the member's total plus the members tied with a
 * lower user id, so it costs the number of distinct totals above, not the number of members.
 * Order: points descending, then user id ascending (LEADERBOARD_TIE_BREAK).
 */
export class SqlScores {
  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
  ) {}

  /** Moves one member in or out of a total's count: the row is made if missing, then changed in place. */
  private async bump(trx: Tx, communityId: number, period: string, points: number, by: 1 | -1): Promise<void> {
    const insert = trx.insertInto('gamification_score_counts').values({ community_id: communityId, period, points, members: 0 });
    await (
      this.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.columns(['community_id', 'period', 'points']).doNothing())
    ).execute();
    await trx
      .updateTable('gamification_score_counts')
      .set({ members: sql<number>`members + ${by}` })
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('points', '=', points)
      .execute();
  }

  /**
   * Adds `delta` to a member's score in each period, keeping the histogram in step. Returns
   * the totals before and after, per period. Safe under concurrent writers: the row is created
   * if missing (insert-or-ignore), then locked before it is read and changed.
   */
  async add(
    trx: Tx,
    communityId: number,
    userId: number,
    periods: readonly string[],
    delta: number,
    now: string,
    levelFor?: (points: number) => number,
  ): Promise<Map<string, { before: number; after: number }>> {
    const out = new Map<string, { before: number; after: number }>();
    for (const period of periods) {
      const fresh = trx
        .insertInto('gamification_scores')
        .values({ community_id: communityId, period, user_id: userId, points: 0, level: 1, updated_at: now });
      const inserted = await (
        this.dialect === 'mysql' ? fresh.ignore() : fresh.onConflict((oc) => oc.columns(['community_id', 'period', 'user_id']).doNothing())
      ).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) await this.bump(trx, communityId, period, 0, 1);
      let q = trx
        .selectFrom('gamification_scores')
        .select(['id', 'points'])
        .where('community_id', '=', communityId)
        .where('period', '=', period)
        .where('user_id', '=', userId);
      if (this.dialect !== 'sqlite') q = q.forUpdate();
      const row = await q.executeTakeFirstOrThrow();
      const before = Number(row.points);
      const after = before + delta;
      if (delta !== 0) {
        await trx
          .updateTable('gamification_scores')
          .set({ points: after, updated_at: now, ...(period === 'all' && levelFor ? { level: levelFor(after) } : {}) })
          .where('id', '=', row.id)
          .execute();
        // Lower total first, in every transaction, so two writers never wait on each other in a circle.
        const moves: Array<[number, 1 | -1]> = [
          [before, -1],
          [after, 1],
        ];
        moves.sort((a, b) => a[0] - b[0]);
        for (const [points, by] of moves) await this.bump(trx, communityId, period, points, by);
      }
      out.set(period, { before, after });
    }
    return out;
  }

  /** The first `limit` members with points, from `after` (keyset) on. */
  async page(communityId: number, period: string, limit: number, after?: { points: number; userId: number }): Promise<ScoreRow[]> {
    let q = this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points', 'level'])
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('points', '>', 0);
    if (after)
      q = q.where((eb) =>
        eb.or([eb('points', '<', after.points), eb.and([eb('points', '=', after.points), eb('user_id', '>', after.userId)])]),
      );
    const rows = await q.orderBy('points', 'desc').orderBy('user_id', 'asc').limit(limit).execute();
    return rows.map((r) => ({ user_id: Number(r.user_id), points: Number(r.points), level: Number(r.level) }));
  }

  async get(communityId: number, period: string, userId: number): Promise<ScoreRow | null> {
    const r = await this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points', 'level'])
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r ? { user_id: Number(r.user_id), points: Number(r.points), level: Number(r.level) } : null;
  }

  /** 1-based rank of a member with `points` (> 0), counting every member with points. */
  async rank(communityId: number, period: string, userId: number, points: number): Promise<number> {
    const above = await this.db
      .selectFrom('gamification_score_counts')
      .select((eb) => eb.fn.sum<number>('members').as('n'))
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('points', '>', points)
      .executeTakeFirst();
    const tied = await this.db
      .selectFrom('gamification_scores')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('community_id', '=', communityId)
      .where('period', '=', period)
      .where('points', '=', points)
      .where('user_id', '<', userId)
      .executeTakeFirst();
    return Number(above?.n ?? 0) + Number(tied?.n ?? 0) + 1;
  }
}
