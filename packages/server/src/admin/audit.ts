import type { Clock } from '../platform/clock';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import type { DbHandle, Tx } from '../platform/db/transaction';

export interface AdminAuditWrite {
  actorId: number;
  /** The owner, when the admin acted through an "open as owner" grant. */
  onBehalfOf: number | null;
  communityId: number | null;
  action: string;
  detail: Record<string, unknown>;
}

/** The admin audit log (`admin_audit_log`): settings changes, owner grants, and what admins did as owners. */
export class AdminAudit {
  constructor(
    private readonly db: DbHandle,
    private readonly clock: Clock,
  ) {}

  async write(trx: Tx | DbHandle | null, e: AdminAuditWrite): Promise<void> {
    await (trx ?? this.db)
      .insertInto('admin_audit_log')
      .values({
        actor_user_id: e.actorId,
        on_behalf_of_user_id: e.onBehalfOf,
        community_id: e.communityId,
        action: e.action.slice(0, 100),
        detail: JSON.stringify(e.detail).slice(0, 60_000),
        created_at: this.clock.now().toISOString(),
      })
      .execute();
  }

  async page(q: { community_id?: number | undefined; action?: string | undefined; cursor?: string | undefined; limit: number }) {
    let query = this.db.selectFrom('admin_audit_log').selectAll();
    if (q.community_id !== undefined) query = query.where('community_id', '=', q.community_id);
    if (q.action !== undefined) query = query.where('action', '=', q.action);
    const c = decodeCursor<{ id: number }>(q.cursor, { id: 'number' });
    if (c) query = query.where('id', '<', c.id);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    return { items, next_cursor: more ? encodeCursor({ id: items[items.length - 1]!.id }) : null };
  }
}
