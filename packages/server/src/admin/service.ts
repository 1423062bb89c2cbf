import type { ActAsOwnerGrant, AdminCommunity, AdminOverview, AdminSettings, admin as adminEndpoints } from '@communities/contract';
import { sql } from 'kysely';
import type { z } from 'zod';

import { assertCan, can, type Actor } from '../access';
import type { CommunityServices } from '../communities';
import { userSummary } from '../communities/presenters';
import type { HostPorts } from '../host/ports';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import { containsPattern, likeLower } from '../platform/db/like';
import { AppError, invalid, notFound } from '../platform/errors';

import type { AdminAudit } from './audit';
import type { AddonSettings } from './settings';

type CommunitiesQuery = z.output<(typeof adminEndpoints)['communities']['query']>;
type CommunityPatch = z.output<(typeof adminEndpoints)['updateCommunity']['body']>;
type AuditQuery = z.output<(typeof adminEndpoints)['audit']['query']>;
type Health = AdminOverview['health'];

/**
 * The addon's admin area: overview, runtime settings, every community, "open as owner".
 * Each method checks its admin permission through the access engine first.
 */
export class AdminService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      host: HostPorts;
      communities: CommunityServices;
      settings: AddonSettings;
      readonly audit: AdminAudit;
      maxGrantMinutes: () => number;
      running: () => Omit<AdminSettings['running'], 'features_off_at_boot'>;
    },
  ) {}

  private get db() {
    return this.deps.db.db;
  }

  get audit(): AdminAudit {
    return this.deps.audit;
  }

  private base() {
    return this.deps.communities.facts.baseContext();
  }

  async overview(actor: Actor, health: () => Promise<Health>): Promise<AdminOverview> {
    const ctx = this.base();
    const any = [
      'admin.manage_communities',
      'admin.manage_community_settings',
      'admin.view_community_analytics',
      'admin.manage_community_moderation',
    ] as const;
    if (!any.some((a) => can(actor, a, ctx).allowed)) assertCan(actor, 'admin.manage_communities', ctx);
    const count = (q: { executeTakeFirst(): Promise<{ n: number | string | bigint } | undefined> }) =>
      q.executeTakeFirst().then((r) => Number(r?.n ?? 0));
    const n = sql<number>`count(*)`.as('n');
    const [byStatus, hidden, members, pending, channels, openReports, flags, h] = await Promise.all([
      this.db.selectFrom('communities').select(['status', n]).groupBy('status').execute(),
      count(this.db.selectFrom('communities').select(n).where('visibility', '=', 'hidden')),
      count(this.db.selectFrom('community_members').select(n).where('status', 'in', ['active', 'muted'])),
      count(this.db.selectFrom('community_members').select(n).where('status', '=', 'pending')),
      count(this.db.selectFrom('channels').select(n).where('type', '!=', 'category')),
      count(this.db.selectFrom('moderation_reports').select(n).where('status', 'in', ['open', 'pending', 'reviewing'])),
      this.db
        .selectFrom('moderation_reports')
        .select(['id', 'community_id', 'target_type', 'reason', 'source', 'status', 'created_at'])
        .orderBy('id', 'desc')
        .limit(10)
        .execute(),
      health(),
    ]);
    const st = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    return {
      counts: {
        communities: byStatus.reduce((a, r) => a + Number(r.n), 0),
        active: st('active'),
        archived: st('archived'),
        drafts: st('draft'),
        hidden,
        members,
        pending_requests: pending,
        channels,
        open_reports: openReports,
      },
      health: h,
      recent_flags: flags.map((f) => ({ ...f, id: Number(f.id), community_id: f.community_id === null ? null : Number(f.community_id) })),
    };
  }

  async settings(actor: Actor): Promise<AdminSettings> {
    assertCan(actor, 'admin.manage_community_settings', this.base());
    const items = (await this.deps.settings.list()) as Array<AdminSettings['items'][number] & { _by?: number | null }>;
    const ids = [...new Set(items.flatMap((i) => (i._by ? [i._by] : [])))];
    const users = await this.deps.host.identities.getUsers(ids);
    return {
      items: items.map(({ _by, ...i }) => ({ ...i, updated_by: _by ? userSummary(_by, users) : null })),
      running: { ...this.deps.running(), features_off_at_boot: this.deps.settings.featuresOffAtBoot },
    };
  }

  async updateSettings(actor: Actor, values: Record<string, unknown>): Promise<AdminSettings> {
    assertCan(actor, 'admin.manage_community_settings', this.base());
    if (Object.keys(values).length === 0) throw invalid('body.values', 'Give at least one setting', 'empty');
    await this.deps.settings.update(values, actor.userId);
    return this.settings(actor);
  }

  async communities(actor: Actor, q: CommunitiesQuery): Promise<{ items: AdminCommunity[]; next_cursor: string | null; total: number }> {
    assertCan(actor, 'admin.manage_communities', this.base());
    let query = this.db.selectFrom('communities').selectAll();
    if (q.q) {
      const p = containsPattern(q.q);
      query = query.where((eb) => eb.or([likeLower('name', p), likeLower('slug', p), likeLower('description', p)]));
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.visibility) query = query.where('visibility', '=', q.visibility);
    if (q.featured !== undefined) query = query.where('is_featured', '=', q.featured ? 1 : 0);
    const total = Number(
      (
        await query
          .clearSelect()
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
    const sorted =
      q.sort === 'name'
        ? query.orderBy('name').orderBy('id')
        : q.sort === 'members'
          ? query.orderBy('member_count', 'desc').orderBy('id', 'desc')
          : q.sort === 'activity'
            ? query.orderBy(sql`coalesce(last_activity_at, '')`, 'desc').orderBy('id', 'desc')
            : q.sort === 'oldest'
              ? query.orderBy('id')
              : query.orderBy('id', 'desc');
    // A page of an admin list (tens to thousands of rows): an offset cursor keeps every sort simple.
    const offset = q.cursor ? Number(q.cursor) : 0;
    const rows = await sorted
      .limit(q.limit + 1)
      .offset(offset)
      .execute();
    const page = rows.slice(0, q.limit);
    return { items: await this.present(actor, page), next_cursor: rows.length > q.limit ? String(offset + q.limit) : null, total };
  }

  private async present(actor: Actor, rows: Parameters<CommunityServices['communities']['cards']>[0]): Promise<AdminCommunity[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [cards, owners, pending] = await Promise.all([
      this.deps.communities.communities.cards(rows, actor),
      this.deps.host.identities.getUsers([...new Set(rows.map((r) => r.owner_id))]),
      this.db
        .selectFrom('community_members')
        .select(['community_id', sql<number>`count(*)`.as('n')])
        .where('community_id', 'in', ids)
        .where('status', '=', 'pending')
        .groupBy('community_id')
        .execute(),
    ]);
    return rows.map((r, i) => ({
      ...cards[i]!,
      owner: userSummary(r.owner_id, owners),
      created_at: r.created_at,
      pending_requests: Number(pending.find((p) => Number(p.community_id) === r.id)?.n ?? 0),
    }));
  }

  private async row(id: number) {
    const row = await this.db.selectFrom('communities').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('No such community');
    return row;
  }

  /**
   * Feature, archive or restore, or hand over a community. The caller holds manage_communities,
   * which is the power to do these anywhere: the community services run them with site-admin
   * rights, and the admin audit log records who did it.
   */
  async updateCommunity(actor: Actor, id: number, body: CommunityPatch): Promise<AdminCommunity> {
    assertCan(actor, 'admin.manage_communities', this.base());
    const row = await this.row(id);
    const elevated: Actor = { ...actor, isAdmin: true };
    const s = this.deps.communities;
    if (body.owner_user_id !== undefined && body.owner_user_id !== row.owner_id) {
      if ((body.confirm_name ?? '').trim() !== row.name.trim())
        throw invalid('body.confirm_name', "Type the community's name to hand it over", 'confirm_mismatch');
      await s.membership.transfer(elevated, String(id), body.owner_user_id);
    }
    if (body.is_featured !== undefined || body.status !== undefined) {
      if (row.status === 'draft' && body.status !== undefined)
        throw new AppError('conflict', 'A draft is published from the wizard', { details: { reason: 'draft' } });
      await s.communities.update(elevated, String(id), {
        ...(body.is_featured !== undefined ? { is_featured: body.is_featured } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
      });
    }
    await this.deps.audit.write(null, {
      actorId: actor.userId,
      onBehalfOf: null,
      communityId: id,
      action: 'community.admin_update',
      detail: { ...body, previous_owner_id: row.owner_id, previous_status: row.status, previous_featured: row.is_featured === 1 },
    });
    return (await this.present(actor, [await this.row(id)]))[0]!;
  }

  async actAsOwner(actor: Actor, id: number, body: { reason: string; minutes: number }): Promise<ActAsOwnerGrant> {
    assertCan(actor, 'admin.manage_communities', this.base());
    const row = await this.row(id);
    const minutes = Math.min(body.minutes, this.deps.maxGrantMinutes());
    const now = this.deps.clock.now();
    const expires = new Date(now.getTime() + minutes * 60_000).toISOString();
    // One grant at a time per admin and community: a new one ends the previous.
    await this.db
      .updateTable('admin_owner_grants')
      .set({ ended_at: now.toISOString() })
      .where('admin_user_id', '=', actor.userId)
      .where('community_id', '=', id)
      .where('ended_at', 'is', null)
      .execute();
    await this.db
      .insertInto('admin_owner_grants')
      .values({
        admin_user_id: actor.userId,
        community_id: id,
        owner_user_id: row.owner_id,
        reason: body.reason,
        created_at: now.toISOString(),
        expires_at: expires,
        ended_at: null,
      })
      .executeTakeFirst();
    const grant = await this.db
      .selectFrom('admin_owner_grants')
      .selectAll()
      .where('admin_user_id', '=', actor.userId)
      .where('community_id', '=', id)
      .where('ended_at', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await this.deps.audit.write(null, {
      actorId: actor.userId,
      onBehalfOf: row.owner_id,
      communityId: id,
      action: 'owner_grant.start',
      detail: { grant_id: grant.id, reason: body.reason, minutes, expires_at: expires },
    });
    const users = await this.deps.host.identities.getUsers([actor.userId, row.owner_id]);
    return {
      id: grant.id,
      community_id: id,
      community_slug: row.slug,
      community_name: row.name,
      admin: userSummary(actor.userId, users),
      owner: userSummary(row.owner_id, users),
      reason: grant.reason,
      created_at: grant.created_at,
      expires_at: grant.expires_at,
    };
  }

  async endActAsOwner(actor: Actor, id: number): Promise<void> {
    assertCan(actor, 'admin.manage_communities', this.base());
    const now = this.deps.clock.now().toISOString();
    const ended = await this.db
      .updateTable('admin_owner_grants')
      .set({ ended_at: now })
      .where('admin_user_id', '=', actor.userId)
      .where('community_id', '=', id)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(ended.numUpdatedRows) === 0) throw notFound('No open-as-owner grant here');
    await this.deps.audit.write(null, { actorId: actor.userId, onBehalfOf: null, communityId: id, action: 'owner_grant.end', detail: {} });
  }

  async auditLog(actor: Actor, q: AuditQuery) {
    const ctx = this.base();
    if (!can(actor, 'admin.manage_community_settings', ctx).allowed) assertCan(actor, 'admin.manage_communities', ctx);
    const page = await this.deps.audit.page(q);
    const ids = [...new Set(page.items.flatMap((r) => [r.actor_user_id, ...(r.on_behalf_of_user_id ? [r.on_behalf_of_user_id] : [])]))];
    const users = await this.deps.host.identities.getUsers(ids);
    return {
      items: page.items.map((r) => ({
        id: r.id,
        actor: userSummary(r.actor_user_id, users),
        on_behalf_of: r.on_behalf_of_user_id ? userSummary(r.on_behalf_of_user_id, users) : null,
        community_id: r.community_id,
        action: r.action,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
        created_at: r.created_at,
      })),
      next_cursor: page.next_cursor,
    };
  }
}
