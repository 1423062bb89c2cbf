import type { DomainEvent } from '@communities/contract';

import type { DialectName } from '../platform/db/connect';
import { inTransaction, type DbHandle } from '../platform/db/transaction';

import { rollupDay } from './daily';
import { ALL, applyBatch, periodStarts, RollupBatch, type Activity } from './rollup';
import { activitiesOfEvents, LOGGED_EVENTS, SYSTEM_FEED_TYPES } from './sources';
import { addDays, dayOfYear, encodeYear, utcDate, YEAR_DAYS } from './tz';

const PAGE = 2000;

export interface RebuildResult {
  from: string;
  to: string;
  activities: number;
  days: number;
}

/**
 * `communities stats:rebuild --from --to`: recomputes the rollups of UTC dates [from, to] from the
 * source tables (channel messages, DMs, feed posts and comments as stored, deleted ones
 * included as the live count included them; reactions, course completions, joins, leaves and
 * join requests from the `domain_events` log, since removed reactions and past memberships
 * leave no row), then reruns the daily job for each date. Run it with the workers stopped or
 * idle: events applied live while it runs could be counted twice in the range.
 */
export async function rebuildStats(
  db: DbHandle,
  dialect: DialectName,
  from: string,
  to: string,
  now: () => Date,
  onProgress?: (msg: string) => void,
): Promise<RebuildResult> {
  if (from > to) throw new Error('--from must not be after --to');
  const lo = `${from}T00:00:00.000Z`;
  const hi = `${addDays(to, 1)}T00:00:00.000Z`;
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('activity_counts').where('date', '>=', from).where('date', '<=', to).execute();
    await trx.deleteFrom('user_activity_stats').where('date', '>=', from).where('date', '<=', to).execute();
    await trx.deleteFrom('community_activity_stats').where('date', '>=', from).where('date', '<=', to).execute();
    await trx.deleteFrom('channel_activity_counts').where('date', '>=', from).where('date', '<=', to).execute();
  });
  let total = 0;
  const write = async (acts: Activity[]) => {
    const batch = new RollupBatch();
    for (const a of acts) batch.add(a);
    const ids = batch.communityIds();
    if (ids.length) {
      const exists = await db.selectFrom('communities').select('id').where('id', 'in', ids).execute();
      batch.keepCommunities(new Set(exists.map((r) => Number(r.id))));
    }
    await inTransaction(db, (trx) => applyBatch(trx, batch, now().toISOString(), dialect));
    total += acts.length;
  };
  const inRange = (a: Activity) => a.at >= Date.parse(lo) && a.at < Date.parse(hi);

  // Each source paged by id.
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('channel_messages')
      .innerJoin('channels', 'channels.id', 'channel_messages.channel_id')
      .select([
        'channel_messages.id',
        'channel_messages.user_id',
        'channel_messages.channel_id',
        'channel_messages.created_at',
        'channels.community_id',
      ])
      .where('channel_messages.created_at', '>=', lo)
      .where('channel_messages.created_at', '<', hi)
      .where('channel_messages.id', '>', after)
      .orderBy('channel_messages.id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.id);
    await write(
      rows.map((r) => ({
        kind: 'message',
        userId: Number(r.user_id),
        communityId: Number(r.community_id),
        channelId: Number(r.channel_id),
        at: Date.parse(r.created_at),
      })),
    );
  }
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('dm_messages')
      .select(['id', 'user_id', 'created_at'])
      .where('created_at', '>=', lo)
      .where('created_at', '<', hi)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.id);
    await write(rows.map((r) => ({ kind: 'dm', userId: Number(r.user_id), communityId: 0, at: Date.parse(r.created_at) })));
  }
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('central_feed_items')
      .select(['id', 'user_id', 'community_id', 'created_at'])
      .where('created_at', '>=', lo)
      .where('created_at', '<', hi)
      .where('type', 'not in', SYSTEM_FEED_TYPES)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.id);
    await write(
      rows.map((r) => ({
        kind: 'post',
        userId: Number(r.user_id),
        communityId: Number(r.community_id ?? 0),
        at: Date.parse(r.created_at),
      })),
    );
  }
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('central_feed_comments')
      .innerJoin('central_feed_items', 'central_feed_items.id', 'central_feed_comments.feed_item_id')
      .select([
        'central_feed_comments.id',
        'central_feed_comments.user_id',
        'central_feed_comments.created_at',
        'central_feed_items.community_id',
      ])
      .where('central_feed_comments.created_at', '>=', lo)
      .where('central_feed_comments.created_at', '<', hi)
      .where('central_feed_comments.id', '>', after)
      .orderBy('central_feed_comments.id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.id);
    await write(
      rows.map((r) => ({
        kind: 'comment',
        userId: Number(r.user_id),
        communityId: Number(r.community_id ?? 0),
        at: Date.parse(r.created_at),
      })),
    );
  }
  // Logged events: completions carry their own time (completed_at), so those are read whole and filtered.
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('domain_events')
      .select(['id', 'event_id', 'name', 'payload', 'occurred_at'])
      .where('name', 'in', LOGGED_EVENTS)
      .where((eb) => eb.or([eb.and([eb('occurred_at', '>=', lo), eb('occurred_at', '<', hi)]), eb('name', '=', 'CourseCompleted')]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.id);
    const events = rows.map((r) => {
      const { id, ...payload } = JSON.parse(r.payload) as Record<string, unknown>;
      return { id: r.event_id ?? String(id), name: r.name, payload, occurred_at: r.occurred_at } as DomainEvent;
    });
    await write((await activitiesOfEvents(db, events)).filter(inRange));
  }
  onProgress?.(`counted ${total} activities from ${from} to ${to}; member periods and daily aggregates…`);
  await recomputeMemberPeriods(db, from, to, now().toISOString());
  await recomputeMemberYears(db, from, to, now().toISOString());
  let days = 0;
  for (let d = from; d <= to; d = addDays(d, 1), days++) await rollupDay(db, d, now().toISOString());
  return { from, to, activities: total, days };
}

/**
 * Every member's week and month rows (member_activity_periods) of the periods that touch UTC
 * dates [from, to], recomputed from the `*` rows of activity_counts over each whole period
 * (dates outside the range keep counting as they were).
 */
export async function recomputeMemberPeriods(db: DbHandle, from: string, to: string, now: string): Promise<void> {
  const periods = new Map<string, ['week' | 'month', string]>();
  for (let d = from; d <= to; d = addDays(d, 1)) for (const p of periodStarts(d)) periods.set(p.join('|'), p);
  for (const [period, start] of periods.values()) {
    const end = period === 'week' ? addDays(start, 6) : utcDate(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)), 0));
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('member_activity_periods').where('period', '=', period).where('starts_on', '=', start).execute();
      const rows = await trx
        .selectFrom('activity_counts')
        .select(['community_id', 'user_id', (eb) => eb.fn.sum<number>('total').as('n')])
        .where('kind', '=', ALL)
        .where('user_id', '>', 0)
        .where('community_id', '>', 0)
        .where('date', '>=', start)
        .where('date', '<=', end)
        .groupBy(['community_id', 'user_id'])
        .execute();
      // Only the active kinds count towards a member's periods (DMs are never in a community).
      const values = rows.map((r) => ({
        community_id: Number(r.community_id),
        period,
        starts_on: start,
        user_id: Number(r.user_id),
        total: Number(r.n),
        updated_at: now,
      }));
      for (let i = 0; i < values.length; i += 200)
        await trx
          .insertInto('member_activity_periods')
          .values(values.slice(i, i + 200))
          .execute();
    });
  }
}

/** Every member's year rows (member_activity_years) of the UTC years that touch [from, to], from the `*` rows. */
export async function recomputeMemberYears(db: DbHandle, from: string, to: string, now: string): Promise<void> {
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('member_activity_years').where('year', '=', year).execute();
      const rows = await trx
        .selectFrom('activity_counts')
        .select(['community_id', 'user_id', 'date', 'total'])
        .where('kind', '=', ALL)
        .where('user_id', '>', 0)
        .where('community_id', '>', 0)
        .where('date', '>=', `${year}-01-01`)
        .where('date', '<=', `${year}-12-31`)
        .execute();
      const members = new Map<string, number[]>();
      for (const r of rows) {
        const k = `${Number(r.community_id)}|${Number(r.user_id)}`;
        let days = members.get(k);
        if (!days) members.set(k, (days = new Array<number>(YEAR_DAYS).fill(0)));
        days[dayOfYear(r.date)]! += Number(r.total);
      }
      const values = [...members].map(([k, days]) => {
        const [c, u] = k.split('|');
        return { community_id: Number(c), year, user_id: Number(u), cum: encodeYear(days), updated_at: now };
      });
      for (let i = 0; i < values.length; i += 200)
        await trx
          .insertInto('member_activity_years')
          .values(values.slice(i, i + 200))
          .execute();
    });
  }
}
