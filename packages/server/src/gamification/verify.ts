import { SqliteAdapter } from 'kysely';

import type { DbHandle } from '../platform/db/transaction';

import { GLOBAL } from './scores';

export interface Drift {
  scope: 'score' | 'profile';
  community_id: number;
  period: string;
  user_id?: number;
  points?: number;
  expected: number;
  actual: number;
}

export interface VerifyReport {
  ledger_rows: number;
  /** Ledger rows not yet folded into their week and month rows and the profile (fold.ts): checked against the all-time rows only. */
  unfolded_rows: number;
  scores_checked: number;
  drift_count: number;
  /** The first 50 differences. */
  drift: Drift[];
}

/** Users checked per round: bounded memory whatever the member count. */
const CHUNK = 50_000;

/**
 * Recomputes every score from the ledger (`gamification_events`) and compares: each member's
 * points per community and site-wide, all time (every row) and per week and month (the keys
 * each ledger row carries; rows folded so far, fold.ts), and each profile's total (members with
 * no row left to fold). Read-only: run it beside a live server, or after a fold.
 */
export async function verifyGamification(handle: DbHandle): Promise<VerifyReport> {
  // In one transaction holding the fold's lock: a fold committing between the reads of the
  // ledger's folded rows and of the period rows showed as drift (seen on MariaDB and PostgreSQL
  // right after awards, with the folder running). SQLite's transaction reads one snapshot.
  return handle.transaction().execute(async (db) => {
    if (!(db.getExecutor().adapter instanceof SqliteAdapter))
      await db.selectFrom('gamification_folds').select('id').where('name', '=', 'scores').forUpdate().execute();
    return verifyIn(db);
  });
}

async function verifyIn(db: DbHandle): Promise<VerifyReport> {
  const report: VerifyReport = { ledger_rows: 0, unfolded_rows: 0, scores_checked: 0, drift_count: 0, drift: [] };
  const add = (d: Drift) => {
    report.drift_count++;
    if (report.drift.length < 50) report.drift.push(d);
  };
  const rows = await db
    .selectFrom('gamification_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  report.ledger_rows = Number(rows?.n ?? 0);
  const maxUser = Number(
    (
      await db
        .selectFrom('gamification_scores')
        .select((eb) => eb.fn.max('user_id').as('m'))
        .executeTakeFirst()
    )?.m ?? 0,
  );
  const maxLedgerUser = Number(
    (
      await db
        .selectFrom('gamification_events')
        .select((eb) => eb.fn.max('user_id').as('m'))
        .executeTakeFirst()
    )?.m ?? 0,
  );
  const top = Math.max(maxUser, maxLedgerUser);
  const key = (c: number, p: string, u: number) => `${c}|${p}|${u}`;
  for (let lo = 0; lo <= top; lo += CHUNK) {
    const hi = lo + CHUNK;
    const expected = new Map<string, number>();
    const bump = (c: number, p: string, u: number, n: number) => expected.set(key(c, p, u), (expected.get(key(c, p, u)) ?? 0) + n);
    const sums = await db
      .selectFrom('gamification_events')
      .select([
        'community_id',
        'user_id',
        'week_key',
        'month_key',
        'folded',
        (eb) => eb.fn.sum<number>('points').as('points'),
        (eb) => eb.fn.countAll<number>().as('n'),
      ])
      .where('user_id', '>=', lo)
      .where('user_id', '<', hi)
      .groupBy(['community_id', 'user_id', 'week_key', 'month_key', 'folded'])
      .execute();
    // Members with awards not folded yet: their profiles may still show the total before them.
    const folding = new Set<number>();
    for (const r of sums) {
      const u = Number(r.user_id);
      const n = Number(r.points);
      const folded = Number(r.folded) !== 0;
      if (!folded) {
        folding.add(u);
        report.unfolded_rows += Number(r.n);
      }
      for (const c of r.community_id === null ? [GLOBAL] : [Number(r.community_id), GLOBAL]) {
        bump(c, 'all', u, n);
        if (!folded) continue;
        if (r.week_key) bump(c, r.week_key, u, n);
        if (r.month_key) bump(c, r.month_key, u, n);
      }
    }
    const actual = await db
      .selectFrom('gamification_scores')
      .select(['community_id', 'period', 'user_id', 'points'])
      .where('user_id', '>=', lo)
      .where('user_id', '<', hi)
      .execute();
    for (const a of actual) {
      report.scores_checked++;
      const k = key(Number(a.community_id), a.period, Number(a.user_id));
      const want = expected.get(k) ?? 0;
      expected.delete(k);
      if (want !== Number(a.points))
        add({
          scope: 'score',
          community_id: Number(a.community_id),
          period: a.period,
          user_id: Number(a.user_id),
          expected: want,
          actual: Number(a.points),
        });
    }
    for (const [k, want] of expected) {
      if (want === 0) continue;
      const [c, p, u] = k.split('|');
      add({ scope: 'score', community_id: Number(c), period: p!, user_id: Number(u), expected: want, actual: 0 });
    }
    const profiles = await db
      .selectFrom('gamification_profiles as p')
      .leftJoin('gamification_scores as s', (j) =>
        j.onRef('s.user_id', '=', 'p.user_id').on('s.community_id', '=', GLOBAL).on('s.period', '=', 'all'),
      )
      .select(['p.user_id', 'p.total_points', 's.points'])
      .where('p.user_id', '>=', lo)
      .where('p.user_id', '<', hi)
      .execute();
    for (const p of profiles)
      if (!folding.has(Number(p.user_id)) && Number(p.total_points) !== Number(p.points ?? 0))
        add({
          scope: 'profile',
          community_id: GLOBAL,
          period: 'all',
          user_id: Number(p.user_id),
          expected: Number(p.points ?? 0),
          actual: Number(p.total_points),
        });
  }
  return report;
}

export function formatVerifyReport(r: VerifyReport): string {
  const lines = [
    `ledger rows: ${r.ledger_rows}${r.unfolded_rows ? ` (${r.unfolded_rows} not yet folded into week, month and profile)` : ''}`,
    `scores checked: ${r.scores_checked}`,
    r.drift_count === 0 ? 'drift: none (every score matches the ledger)' : `drift: ${r.drift_count}`,
  ];
  for (const d of r.drift)
    lines.push(
      `  ${d.scope} community ${d.community_id} ${d.period}${d.user_id !== undefined ? ` user ${d.user_id}` : ''}${d.points !== undefined ? ` at ${d.points} points` : ''}: expected ${d.expected}, found ${d.actual}`,
    );
  return lines.join('\n');
}
