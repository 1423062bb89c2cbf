import type { EventBus } from '../platform/bus';
import type { Db } from '../platform/db/connect';
import type { NewRow } from '../platform/db/schema';
import { upsertRows } from '../platform/db/upsert';

/** Rows per insert statement: well under every dialect's bound-parameter limit. */
const BATCH = 200;

/**
 * Writes every domain event to `domain_events`, the analytics log other addons and the
 * admin dashboards read (kept for good; the outbox itself is pruned). A durable subscriber of
 * the outbox: it gets each page of events as one batch, one multi-row insert, and the event id
 * is unique in the log, so an event delivered again after a crash is logged once.
 */
export function subscribeEventLog(bus: EventBus, db: Db): void {
  bus.durable({
    name: 'analytics.event-log',
    events: '*',
    // In the transaction that moves its cursor: one commit with it (on SQLite, with the requests' writes too).
    async batchInTransaction(trx, events) {
      const rows: Array<NewRow<'domain_events'>> = events.map((event) => {
        const payload = event.payload as { user_id?: number; community_id?: number | null };
        return {
          event_id: event.id,
          name: event.name,
          payload: JSON.stringify({ id: event.id, ...event.payload }),
          user_id: payload.user_id ?? null,
          community_id: payload.community_id ?? null,
          occurred_at: event.occurred_at,
        };
      });
      for (let i = 0; i < rows.length; i += BATCH)
        await upsertRows(trx, db.dialect, 'domain_events', ['event_id'], rows.slice(i, i + BATCH), []);
    },
  });
}
