import type { EventBus } from '../platform/bus';
import type { NewRow } from '../platform/db/schema';
import type { DbHandle } from '../platform/db/transaction';

/** Rows per insert statement: well under every dialect's bound-parameter limit. */
const BATCH = 200;

/**
 * Writes every domain event to `domain_events`, the analytics log other addons and the
 * admin dashboards read. Subscribed once at start-up; it never blocks the publisher.
 * Events published in the same turn of the event loop go in one multi-row insert: under
 * load (a busy chat) that is one write instead of one per message.
 */
export function subscribeEventLog(bus: EventBus, db: DbHandle): () => void {
  let pending: Array<NewRow<'domain_events'>> = [];
  let flushing: Promise<void> | null = null;

  const flush = async (): Promise<void> => {
    const rows = pending;
    pending = [];
    flushing = null;
    for (let i = 0; i < rows.length; i += BATCH)
      await db
        .insertInto('domain_events')
        .values(rows.slice(i, i + BATCH))
        .execute();
  };

  return bus.subscribe('*', (event) => {
    const payload = event.payload as { user_id?: number; community_id?: number | null };
    pending.push({
      name: event.name,
      payload: JSON.stringify({ id: event.id, ...event.payload }),
      user_id: payload.user_id ?? null,
      community_id: payload.community_id ?? null,
      occurred_at: event.occurred_at,
    });
    // Every subscriber of this batch waits for the same write, so bus.idle() still means "logged".
    flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
    return flushing;
  });
}
