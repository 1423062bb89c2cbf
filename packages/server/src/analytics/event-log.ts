import type { EventBus } from '../platform/bus';
import type { DbHandle } from '../platform/db/transaction';

/**
 * Writes every domain event to `domain_events`, the analytics log other addons and the
 * admin dashboards read. Subscribed once at start-up; it never blocks the publisher.
 */
export function subscribeEventLog(bus: EventBus, db: DbHandle): () => void {
  return bus.subscribe('*', async (event) => {
    const payload = event.payload as { user_id?: number; community_id?: number | null };
    await db
      .insertInto('domain_events')
      .values({
        name: event.name,
        payload: JSON.stringify({ id: event.id, ...event.payload }),
        user_id: payload.user_id ?? null,
        community_id: payload.community_id ?? null,
        occurred_at: event.occurred_at,
      })
      .execute();
  });
}
