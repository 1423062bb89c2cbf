import type { DomainEvent } from '@communities/contract';

import type { EventBus } from '../platform/bus';
import type { DialectName } from '../platform/db/connect';
import { inTransaction, type AfterCommit, type DbHandle, type Tx } from '../platform/db/transaction';

import { applyBatch, KnownPeriods, RollupBatch } from './rollup';
import { activitiesOfEvents, ROLLUP_EVENTS } from './sources';

export const ROLLUP_SUBSCRIBER = 'analytics.rollups';

/**
 * Before the cursor moved in the rollups' own transaction, the subscriber recorded every event
 * it applied in `activity_seen`. Events such a version applied whose cursor it had not saved yet
 * are skipped by that record (read only; nothing writes it now, and the daily job empties it).
 */
export interface LegacySeen {
  /** Whether `activity_seen` had rows when first looked at (undefined: not looked yet). */
  rows?: boolean;
}
async function withoutLegacySeen(trx: Tx, events: DomainEvent[], legacy: LegacySeen): Promise<DomainEvent[]> {
  legacy.rows ??= (await trx.selectFrom('activity_seen').select('event_id').limit(1).executeTakeFirst()) !== undefined;
  if (!legacy.rows) return events;
  const seen = new Set(
    (
      await trx
        .selectFrom('activity_seen')
        .select('event_id')
        .where(
          'event_id',
          'in',
          events.map((e) => e.id),
        )
        .execute()
    ).map((r) => r.event_id),
  );
  return events.filter((e) => !seen.has(e.id));
}

/**
 * Applies a page of events to the rollups in `trx` (the dispatcher's, which also moves the
 * cursor); how many it counted. With `memo`, the member-period rows it wrote are remembered once
 * `afterCommit` says the page committed.
 */
export async function applyEventsIn(
  trx: Tx,
  dialect: DialectName,
  events: DomainEvent[],
  now: () => Date,
  legacy: LegacySeen = {},
  memo?: { known: KnownPeriods; afterCommit: AfterCommit },
): Promise<number> {
  const stamp = now().toISOString();
  const fresh = await withoutLegacySeen(trx, events, legacy);
  if (fresh.length === 0) return 0;
  const batch = new RollupBatch();
  for (const a of await activitiesOfEvents(trx, fresh)) batch.add(a);
  const ids = batch.communityIds();
  if (ids.length) {
    const exists = await trx.selectFrom('communities').select('id').where('id', 'in', ids).execute();
    batch.keepCommunities(new Set(exists.map((r) => Number(r.id))));
  }
  const applied = await applyBatch(trx, batch, stamp, dialect, memo?.known);
  memo?.afterCommit(() => memo.known.remember(applied.periods));
  return fresh.length;
}

/** Applies a page of events in a transaction of its own (all or nothing, like the batch). */
export async function applyEvents(db: DbHandle, dialect: DialectName, events: DomainEvent[], now: () => Date): Promise<number> {
  return inTransaction(db, (trx) => applyEventsIn(trx, dialect, events, now));
}

/**
 * The rollup subscriber ('analytics.rollups'): the outbox hands it each page of events (up to 200)
 * as one batch, aggregated in memory and written as one multi-row upsert per table, in the
 * transaction that also moves its cursor: a page is counted exactly once without a record of
 * seen events. Off the request path: posting a message never waits for it, and a busy channel's
 * day row is written once per page rather than once per message.
 */
export function subscribeRollups(bus: EventBus, dialect: DialectName, now: () => Date): void {
  const legacy: LegacySeen = {};
  const known = new KnownPeriods();
  bus.durable({
    name: ROLLUP_SUBSCRIBER,
    events: ROLLUP_EVENTS,
    batchInTransaction: async (trx, events, afterCommit) => {
      await applyEventsIn(trx, dialect, events, now, legacy, { known, afterCommit });
    },
  });
}
