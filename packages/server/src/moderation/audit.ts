import type { AuditEntry, auditExportQuery, auditQuery, ModerationAction } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, type Actor } from '../access';
import { pageById } from '../platform/cursor';
import type { DbHandle, Tx } from '../platform/db/transaction';

import type { ModerationDeps } from './deps';
import { summary } from './present';

type Filters = z.output<typeof auditExportQuery>;
type Query = z.output<typeof auditQuery>;

export interface AuditWrite {
  action: ModerationAction;
  /** The user acted on (0 when none, e.g. a report about deleted content). */
  userId: number;
  communityId: number | null;
  by: number | null;
  reason: string | null;
  expiresAt?: string | null;
  source?: 'manual' | 'auto' | 'job' | 'site';
  target?: { type: string; id: number };
}

/** At most this many rows in one CSV export (filters narrow it). */
export const EXPORT_LIMIT = 10_000;

const csvCell = (v: string | number | null | undefined): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quoted always; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
};

/**
 * The audit log: `user_moderation_actions` holds sanctions (warning, mute, ban, kick, lifts)
 * and moderators' actions on content and reports, each with who, whom, why, when and the target.
 */
export class AuditLog {
  constructor(private readonly ctx: Pick<ModerationDeps, 'clock' | 'db' | 'facts' | 'host'>) {}

  async write(trx: Tx | DbHandle, e: AuditWrite): Promise<void> {
    const now = this.ctx.clock.now().toISOString();
    await trx
      .insertInto('user_moderation_actions')
      .values({
        user_id: e.userId,
        community_id: e.communityId,
        action: e.action,
        reason: e.reason?.slice(0, 1000) ?? null,
        expires_at: e.expiresAt ?? null,
        performed_by: e.by,
        source: e.source ?? (e.by === null ? 'auto' : 'manual'),
        target_type: e.target?.type ?? null,
        target_id: e.target?.id ?? null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  private filtered(communityId: number | 'all', f: Filters) {
    let q = this.ctx.db.db.selectFrom('user_moderation_actions').selectAll();
    if (communityId !== 'all') q = q.where('community_id', '=', communityId);
    if (f.user_id) q = q.where('user_id', '=', f.user_id);
    if (f.moderator_id) q = q.where('performed_by', '=', f.moderator_id);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.from) q = q.where('created_at', '>=', new Date(f.from).toISOString());
    if (f.to) q = q.where('created_at', '<', new Date(f.to).toISOString());
    return q;
  }

  private async scope(actor: Actor, idOrSlug: string | null): Promise<number | 'all'> {
    if (idOrSlug === null) {
      assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
      return 'all';
    }
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'moderation.review', access);
    return community.id;
  }

  async list(actor: Actor, idOrSlug: string | null, q: Query): Promise<{ items: AuditEntry[]; next_cursor: string | null }> {
    const scope = await this.scope(actor, idOrSlug);
    const page = await pageById(this.filtered(scope, q), q, 'desc');
    return { items: await this.present(page.items), next_cursor: page.next_cursor };
  }

  async csv(actor: Actor, idOrSlug: string | null, f: Filters): Promise<string> {
    const scope = await this.scope(actor, idOrSlug);
    const rows = await this.filtered(scope, f).orderBy('id', 'desc').limit(EXPORT_LIMIT).execute();
    const items = await this.present(rows);
    const head = [
      'id',
      'created_at',
      'community_id',
      'action',
      'user_id',
      'user',
      'moderator_id',
      'moderator',
      'reason',
      'target_type',
      'target_id',
      'expires_at',
      'source',
    ];
    const lines = items.map((e) =>
      [
        e.id,
        e.created_at,
        e.community_id,
        e.action,
        e.user?.id,
        e.user?.name,
        e.moderator?.id,
        e.moderator?.name,
        e.reason,
        e.target_type,
        e.target_id,
        e.expires_at,
        e.source,
      ]
        .map(csvCell)
        .join(','),
    );
    return [head.join(','), ...lines].join('\r\n') + '\r\n';
  }

  private async present(
    rows: Array<{
      id: number;
      community_id: number | null;
      action: string;
      user_id: number;
      performed_by: number | null;
      reason: string | null;
      target_type: string | null;
      target_id: number | null;
      expires_at: string | null;
      source: string;
      created_at: string;
    }>,
  ): Promise<AuditEntry[]> {
    const ids = [...new Set(rows.flatMap((r) => [r.user_id, r.performed_by ?? 0]).filter((id) => id > 0))];
    const users = await this.ctx.host.identities.getUsers(ids);
    return rows.map((r) => ({
      id: r.id,
      community_id: r.community_id,
      action: r.action as ModerationAction,
      user: summary(users, r.user_id),
      moderator: summary(users, r.performed_by),
      reason: r.reason,
      target_type: r.target_type,
      target_id: r.target_id,
      expires_at: r.expires_at,
      source: r.source,
      created_at: r.created_at,
    }));
  }
}
