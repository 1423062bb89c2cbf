import type { DomainEvent } from '@communities/contract';

import type { EventBus } from '../platform/bus';
import type { DialectName } from '../platform/db/connect';
import { inTransaction, type DbHandle, type Tx } from '../platform/db/transaction';

import { applyBatch, RollupBatch } from './rollup';
import { activitiesOfEvents, ROLLUP_EVENTS } from './sources';

export const ROLLUP_SUBSCRIBER = 'analytics.rollups';

/** Events a batch has already applied are skipped: the outbox delivers at least once. */
async function unseen(trx: Tx, events: DomainEvent[], now: string, dialect: DialectName): Promise<DomainEvent[]> {
  const ids = events.map((e) => e.id);
  const seen = new Set(
    (await trx.selectFrom('activity_seen').select('event_id').where('event_id', 'in', ids).execute()).map((r) => r.event_id),
  );
  const fresh = events.filter((e) => !seen.has(e.id));
  if (fresh.length) {
    const insert = trx.insertInto('activity_seen').values(fresh.map((e) => ({ event_id: e.id, seen_at: now })));
    await (dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('event_id').doNothing())).execute();
  }
  return fresh;
}

/** Applies a page of events to the rollups in one transaction (all or nothing, like the batch). */
export async function applyEvents(db: DbHandle, dialect: DialectName, events: DomainEvent[], now: () => Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    const stamp = now().toISOString();
    const fresh = await unseen(trx, events, stamp, dialect);
    if (fresh.length === 0) return 0;
    const batch = new RollupBatch();
    for (const a of await activitiesOfEvents(trx, fresh)) batch.add(a);
    const ids = batch.communityIds();
    if (ids.length) {
      const exists = await trx.selectFrom('communities').select('id').where('id', 'in', ids).execute();
      batch.keepCommunities(new Set(exists.map((r) => Number(r.id))));
    }
    await applyBatch(trx, batch, stamp, dialect);
    return fresh.length;
  });
}

/**
 * The rollup subscriber ('analytics.rollups'): the outbox hands it each page of events (up to 200)
 * as one batch, aggregated in memory and written as one statement per touched row. Off the
 * request path: posting a message never waits for it, and a busy channel's day row is written
 * once per page rather than once per message.
 */
export function subscribeRollups(bus: EventBus, db: DbHandle, dialect: DialectName, now: () => Date): void {
  bus.durable({
    name: ROLLUP_SUBSCRIBER,
    events: ROLLUP_EVENTS,
    batch: async (events) => {
      await applyEvents(db, dialect, events, now);
    },
  });
}
