import type { DialectName } from '../platform/db/connect';
import type { Logger } from '../platform/logger';
import { inTransaction, type DbHandle, type Tx } from '../platform/db/transaction';
import { updateWhereIn, upsertRows } from '../platform/db/upsert';

import { GLOBAL, type ScoreDelta, type SqlScores } from './scores';

/** Ledger rows one fold transaction takes at most (each moves up to four period rows and a profile). */
const FOLD_BATCH = 5000;
/** Ids an IN list carries. */
const CHUNK = 1000;
/** After a failed fold, the next attempt waits this long. */
const RETRY_MS = 1000;

export interface FoldOptions {
  /** Ledger rows a fold transaction takes at most. */
  batch?: number;
  /**
   * Called inside the fold's transaction after the upserts, before the rows are marked folded.
   * Tests throw here to stand for a process killed mid-fold: the transaction rolls back whole.
   */
  beforeMark?: (rows: number) => void | Promise<void>;
}

export interface ProfileTotal {
  user_id: number;
  points: number;
  level: number;
}

/**
 * Sets members' profiles to their site-wide totals and levels, in member order, in multi-row
 * upserts compiled once (upsertRows): the fold's, and on SQLite the award's own (ledger.ts).
 */
export async function upsertProfiles(trx: Tx, dialect: DialectName, rows: readonly ProfileTotal[], now: string): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.user_id - b.user_id);
  const values = sorted.map((r) => ({
    user_id: r.user_id,
    settings: '{}',
    created_at: now,
    total_points: r.points,
    level: r.level,
    xp: r.points,
    last_awarded_at: now,
    updated_at: now,
  }));
  await upsertRows(trx, dialect, 'gamification_profiles', ['user_id'], values, [
    'total_points',
    'level',
    'xp',
    'last_awarded_at',
    'updated_at',
  ]);
}

/**
 * Folds the ledger into the week and month score rows and the profiles (#17, ledger-first).
 * On MariaDB and PostgreSQL an award's (or a reversal's) own transaction writes its ledger row
 * (`folded = 0`) and its two all-time score rows. On SQLite it writes everything, its ledger
 * row already folded (Ledger, `foldAtOnce`): there this folder only finds rows an earlier
 * version left, and finds none in steady state (it still runs at start-up). It takes the
 * unfolded rows a batch at a time and, in one transaction, adds each (community, period,
 * member)'s summed points (many awards to one key become one upsert), copies the members'
 * site-wide all-time totals into their profiles, and marks the rows folded. The upserts and
 * the marks commit together, so a row is folded exactly once whatever crashes (a fold cut short
 * rolls back whole and its rows are taken again). The rows are named by id, never by an id
 * range: on MariaDB and PostgreSQL ids commit out of order. One process folds at a time: the
 * fold locks its `gamification_folds` row first (SQLite has one writer anyway). Until a row is
 * folded, reads of its periods add it from the ledger (SqlScores.unfolded), so nothing reads a
 * period short.
 */
export class ScoreFolder {
  private running: Promise<void> | null = null;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly batch: number;

  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
    private readonly scores: SqlScores,
    private readonly levelFor: () => Promise<(points: number) => number>,
    private readonly now: () => Date,
    private readonly logger: Logger | null,
    private readonly opts: FoldOptions = {},
  ) {
    this.batch = opts.batch ?? FOLD_BATCH;
  }

  /** Folds up to one batch of unfolded ledger rows in one transaction; returns how many it folded. */
  async foldOnce(): Promise<number> {
    const levelFor = await this.levelFor();
    return inTransaction(this.db, async (trx) => {
      if (this.dialect !== 'sqlite')
        await trx.selectFrom('gamification_folds').select('id').where('name', '=', 'scores').forUpdate().execute();
      const rows = await trx
        .selectFrom('gamification_events')
        .select(['id', 'user_id', 'community_id', 'points', 'week_key', 'month_key'])
        .where('folded', '=', 0)
        .orderBy('id')
        .limit(this.batch)
        .execute();
      if (rows.length === 0) return 0;
      const now = this.now().toISOString();
      const moves: ScoreDelta[] = [];
      const users = new Set<number>();
      for (const r of rows) {
        const userId = Number(r.user_id);
        const points = Number(r.points);
        users.add(userId);
        const communities = r.community_id === null ? [GLOBAL] : [Number(r.community_id), GLOBAL];
        for (const communityId of communities)
          for (const period of [r.week_key, r.month_key]) if (period) moves.push({ communityId, period, userId, delta: points });
      }
      await this.scores.addMany(trx, moves, now, levelFor);
      // Profiles copy the site-wide all-time totals. Read without a lock (MariaDB: as of this
      // transaction's snapshot), they may miss a row committed meanwhile; that row is not folded
      // yet, and its fold copies the total again, so the last fold leaves the profile exact.
      const ids = [...users];
      const profiles: Array<{ user_id: number; points: number; level: number }> = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const totals = await trx
          .selectFrom('gamification_scores')
          .select(['user_id', 'points'])
          .where('community_id', '=', GLOBAL)
          .where('period', '=', 'all')
          .where('user_id', 'in', ids.slice(i, i + CHUNK))
          .execute();
        for (const t of totals) profiles.push({ user_id: Number(t.user_id), points: Number(t.points), level: levelFor(Number(t.points)) });
      }
      await upsertProfiles(trx, this.dialect, profiles, now);
      await this.opts.beforeMark?.(rows.length);
      await updateWhereIn(
        trx,
        'gamification_events',
        { folded: 1 },
        'id',
        rows.map((r) => Number(r.id)),
      );
      await trx
        .updateTable('gamification_folds')
        .set((eb) => ({ rows_folded: eb('rows_folded', '+', rows.length), updated_at: now }))
        .where('name', '=', 'scores')
        .execute();
      return rows.length;
    });
  }

  /** Folds until no unfolded row is left (as this process sees it); returns how many it folded. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.foldOnce();
      total += n;
      if (n < this.batch) return total;
    }
  }

  /**
   * Folds in the background soon, until nothing is left: called after each award round commits
   * (and at start-up, for rows a stopped process left). Calls while a fold runs make it go round
   * once more. A failed fold is logged and tried again a second later.
   */
  schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    // Let the caller's round finish first: the fold takes the rows once the round is in.
    await new Promise<void>((resolve) => setImmediate(resolve));
    do {
      this.again = false;
      try {
        await this.drain();
      } catch (error) {
        if (this.closed) return;
        this.logger?.warn({ err: error }, 'folding points into the period scores failed; trying again');
        if (!this.retry)
          this.retry = setTimeout(() => {
            this.retry = null;
            this.schedule();
          }, RETRY_MS);
        this.retry.unref?.();
        return;
      }
    } while (this.again && !this.closed);
  }

  /** Waits for the fold under way (if any); tests and shutdown use it. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops folding in the background (the rows left are folded by the next process to start). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.idle();
  }
}
