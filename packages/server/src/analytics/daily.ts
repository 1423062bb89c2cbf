import { sql } from 'kysely';

import type { DbHandle } from '../platform/db/transaction';
import { inTransaction } from '../platform/db/transaction';

import { ACTIVE_KINDS } from './rollup';
import { addDays, utcDate, weekday } from './tz';

const SUMMED = [
  'messages',
  'feed_posts',
  'comments',
  'reactions',
  'course_completions',
  'new_members',
  'left_members',
  'join_requests',
  'points',
] as const;

/** Distinct active members per community over UTC dates [from, to]. */
async function distinctActives(db: DbHandle, from: string, to: string): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('activity_counts')
    .select(['community_id', sql<number>`count(distinct user_id)`.as('n')])
    .where('date', '>=', from)
    .where('date', '<=', to)
    .where('user_id', '>', 0)
    .where('community_id', '>', 0)
    .where('kind', 'in', ACTIVE_KINDS)
    .groupBy('community_id')
    .execute();
  return new Map(rows.map((r) => [Number(r.community_id), Number(r.n)]));
}

/**
 * The daily rollup for one UTC date: what cannot be summed from events as they come (distinct
 * active members that day, and over the 7, 30 and 90 days ending then), the points awarded that
 * day (from the gamification ledger), and the week (from Monday) and month it falls in. Idempotent:
 * it recomputes from `activity_counts` and the ledger, so running it again (a retry, a rebuild)
 * writes the same.
 */
export async function rollupDay(db: DbHandle, date: string, now: string): Promise<void> {
  const d1 = await distinctActives(db, date, date);
  const d7 = await distinctActives(db, addDays(date, -6), date);
  const d30 = await distinctActives(db, addDays(date, -29), date);
  const d90 = await distinctActives(db, addDays(date, -89), date);
  const points = new Map(
    (
      await db
        .selectFrom('gamification_events')
        .innerJoin('communities', 'communities.id', 'gamification_events.community_id')
        .select(['gamification_events.community_id', (eb) => eb.fn.sum<number>('gamification_events.points').as('n')])
        .where('gamification_events.occurred_at', '>=', `${date}T00:00:00.000Z`)
        .where('gamification_events.occurred_at', '<', `${addDays(date, 1)}T00:00:00.000Z`)
        .groupBy('gamification_events.community_id')
        .execute()
    ).map((r) => [Number(r.community_id), Number(r.n ?? 0)]),
  );
  await inTransaction(db, async (trx) => {
    const existing = await trx.selectFrom('community_activity_stats').select(['id', 'community_id']).where('date', '=', date).execute();
    const have = new Set(existing.map((r) => Number(r.community_id)));
    const values = (c: number) => ({
      active_members: d1.get(c) ?? 0,
      actives_7d: d7.get(c) ?? 0,
      actives_30d: d30.get(c) ?? 0,
      actives_90d: d90.get(c) ?? 0,
      points: points.get(c) ?? 0,
    });
    for (const r of existing)
      await trx
        .updateTable('community_activity_stats')
        .set({ ...values(Number(r.community_id)), updated_at: now })
        .where('id', '=', r.id)
        .execute();
    const fresh = [...new Set([...d90.keys(), ...points.keys()])].filter((c) => !have.has(c));
    if (fresh.length) {
      const live = new Set((await trx.selectFrom('communities').select('id').where('id', 'in', fresh).execute()).map((r) => Number(r.id)));
      const rows = fresh
        .filter((c) => live.has(c))
        .map((c) => ({ community_id: c, date, ...values(c), created_at: now, updated_at: now }))
        .filter((r) => r.active_members || r.actives_7d || r.actives_30d || r.actives_90d || r.points);
      for (let i = 0; i < rows.length; i += 100)
        await trx
          .insertInto('community_activity_stats')
          .values(rows.slice(i, i + 100))
          .execute();
    }
  });
  await rollupPeriod(db, 'week', addDays(date, -weekday(date)), now);
  await rollupPeriod(db, 'month', `${date.slice(0, 7)}-01`, now);
}

function periodEnd(period: 'week' | 'month', start: string): string {
  if (period === 'week') return addDays(start, 6);
  const d = new Date(`${start}T00:00:00Z`);
  return utcDate(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
}

/** A week's or month's aggregate per community: sums of the daily rows, distinct actives over the period. */
export async function rollupPeriod(db: DbHandle, period: 'week' | 'month', start: string, now: string): Promise<void> {
  const end = periodEnd(period, start);
  const sums = await db
    .selectFrom('community_activity_stats')
    .select(['community_id', ...SUMMED.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c))])
    .where('date', '>=', start)
    .where('date', '<=', end)
    .groupBy('community_id')
    .execute();
  const actives = await distinctActives(db, start, end);
  await inTransaction(db, async (trx) => {
    const existing = new Map(
      (
        await trx
          .selectFrom('community_activity_periods')
          .select(['id', 'community_id'])
          .where('period', '=', period)
          .where('starts_on', '=', start)
          .execute()
      ).map((r) => [Number(r.community_id), r.id]),
    );
    const seen = new Set<number>();
    for (const s of sums) {
      const c = Number(s.community_id);
      seen.add(c);
      const values = {
        active_members: actives.get(c) ?? 0,
        ...Object.fromEntries(SUMMED.map((col) => [col, Number((s as Record<string, unknown>)[col] ?? 0)])),
        updated_at: now,
      };
      const id = existing.get(c);
      if (id !== undefined) await trx.updateTable('community_activity_periods').set(values).where('id', '=', id).execute();
      else
        await trx
          .insertInto('community_activity_periods')
          .values({ community_id: c, period, starts_on: start, ...values })
          .execute();
    }
    const stale = [...existing].filter(([c]) => !seen.has(c)).map(([, id]) => id);
    if (stale.length) await trx.deleteFrom('community_activity_periods').where('id', 'in', stale).execute();
  });
}
