import {
  ACTIONS,
  DEFAULT_ROLES,
  type CommunityCard,
  type CommunityDetail,
  type communities as communityEndpoints,
} from '@communities/contract';
import { sql } from 'kysely';
import type { z } from 'zod';

import { assertCan, can, effectiveStatus, type AccessContext, type Actor } from '../access';
import { decodeCursor, pageById, pageOf } from '../platform/cursor';
import { insertedId } from '../platform/db/insert';
import { containsPattern, likeLower } from '../platform/db/like';
import type { CommunityRow } from '../platform/db/schema';
import { inTransaction } from '../platform/db/transaction';
import { AppError, invalid } from '../platform/errors';
import type { Revoker } from '../realtime/revoke';

import { checkText } from '../chat/pipeline';
import type { CommunityDeps } from './deps';
import { OPEN_CHANNEL, type FactsLoader, parseSettings, type MemberWithRole } from './facts';
import { presentCard, presentDetail, userSummary } from './presenters';
import { assertSlugFree, DEFAULT_CHANNELS, freeSlug, mergeSettings, setUpCommunity } from './setup';

const slugifyRole = (name: string): string => {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return /^[a-z0-9]/.test(s) ? s : `role-${s}`.replace(/-+$/, '') || 'role';
};

/** Taking part, not running: an admin who is not a member is not offered these. */
const PARTICIPATION_ACTIONS = new Set<string>([
  'feed.post',
  'feed.announce',
  'feed.comment',
  'feed.react',
  'channel.post',
  'channel.react',
  'channel.attach',
  'channel.mention_everyone',
]);
/** Any of these opens the community's settings. */
const MANAGE_ACTIONS = [
  'community.update',
  'members.manage',
  'roles.manage',
  'channel.manage',
  'invites.manage',
  'courses.manage',
  'pricing.manage',
] as const;

type ListQuery = z.output<(typeof communityEndpoints)['list']['query']>;
type CreateInput = z.output<(typeof communityEndpoints)['create']['body']>;
type UpdateInput = z.output<(typeof communityEndpoints)['update']['body']>;

/** Communities: create, change, delete, read one, discover many. */
export class CommunityService {
  constructor(
    private readonly ctx: Pick<CommunityDeps, 'bus' | 'clock' | 'config' | 'db' | 'host' | 'services'>,
    readonly facts: FactsLoader,
    private readonly revoker: Revoker,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  uploadUrl = (uploadId: number | null): string | null =>
    uploadId ? `${this.ctx.config.http.base_path}/api/communities/uploads/channel/${uploadId}/download` : null;

  /** Default paid tier as the card's price tag, when paid tiers are on. */
  async prices(ids: number[]): Promise<Map<number, CommunityCard['price']>> {
    const out = new Map<number, CommunityCard['price']>();
    if (!this.pricingOn() || ids.length === 0) return out;
    const tiers = await this.db
      .selectFrom('community_pricing_tiers')
      .select(['community_id', 'price_minor', 'currency', 'billing_interval', 'is_default'])
      .where('community_id', 'in', ids)
      .where('is_active', '=', 1)
      .where('price_minor', '>', 0)
      .orderBy('is_default', 'desc')
      .orderBy('price_minor')
      .execute();
    for (const t of tiers) {
      if (!out.has(t.community_id)) {
        out.set(t.community_id, {
          amount_minor: t.price_minor,
          currency: t.currency,
          interval: t.billing_interval as 'monthly' | 'yearly' | 'once',
        });
      }
    }
    return out;
  }

  pricingOn(): boolean {
    return this.ctx.config.features.pricing_tiers && this.ctx.config.pricing.enable_per_community_subscriptions;
  }

  async cards(rows: CommunityRow[], actor: Actor | null): Promise<CommunityCard[]> {
    const ids = rows.map((r) => r.id);
    const [memberships, prices] = await Promise.all([
      actor ? this.facts.memberships(actor.userId, ids) : new Map<number, MemberWithRole>(),
      this.prices(ids),
    ]);
    const now = this.ctx.clock.now();
    return rows.map((r) =>
      presentCard(r, { membership: memberships.get(r.id), price: prices.get(r.id) ?? null, now, uploadUrl: this.uploadUrl }),
    );
  }

  async detail(actor: Actor, idOrSlug: number | string): Promise<CommunityDetail> {
    const { community, membership, access, grant } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.view', access);
    const [owner, prices] = await Promise.all([this.ctx.host.identities.getUsers([community.owner_id]), this.prices([community.id])]);
    // Channel rights depend on the channel; the community-wide answer is the one for an open text channel.
    const anyChannel = { ...access, channel: OPEN_CHANNEL };
    const status = membership ? effectiveStatus(access.membership, access.now) : null;
    const member = status === 'active' || status === 'muted';
    const isOwner = community.owner_id === actor.userId || (member && membership?.role_slug === 'owner');
    // An admin (or an admin acting as owner) who is not a member runs the community; taking part
    // (posting, reacting) is for members, so the page shows admin controls, not a composer.
    const adminOverride = !member && !isOwner && (actor.isAdmin || grant !== null);
    const permissions = ACTIONS.filter(
      (a) =>
        !a.startsWith('dm.') &&
        !a.startsWith('admin.') &&
        !(adminOverride && PARTICIPATION_ACTIONS.has(a)) &&
        can(actor, a, a.startsWith('channel.') ? anyChannel : access).allowed,
    );
    const may = (a: string) => permissions.includes(a as (typeof permissions)[number]);
    const settings = parseSettings(community.settings);
    const join: CommunityDetail['viewer_capabilities']['join'] =
      member || status === 'pending' || isOwner || !may('community.join')
        ? 'none'
        : actor.isAdmin || (community.visibility === 'public' && !settings.join_approval)
          ? 'join'
          : 'request';
    const grantOwner = grant ? await this.ctx.host.identities.getUsers([grant.owner_user_id]) : null;
    return presentDetail(community, {
      membership,
      price: prices.get(community.id) ?? null,
      now: this.ctx.clock.now(),
      uploadUrl: this.uploadUrl,
      owner: userSummary(community.owner_id, owner),
      permissions,
      capabilities: {
        member,
        join,
        compose: member && (may('feed.post') || may('channel.post')),
        manage: MANAGE_ACTIONS.some(may),
        admin_override: adminOverride,
      },
      actingAsOwner:
        grant && grantOwner
          ? { grant_id: grant.id, owner: userSummary(grant.owner_user_id, grantOwner), reason: grant.reason, expires_at: grant.expires_at }
          : null,
    });
  }

  async list(actor: Actor | null, q: ListQuery): Promise<{ items: CommunityCard[]; next_cursor: string | null }> {
    const now = this.ctx.clock.now();
    let query = this.db.selectFrom('communities').selectAll('communities').where('communities.status', '=', 'active');
    if (!actor) query = query.where('communities.visibility', '=', 'public');
    else if (!actor.isAdmin) {
      const mine = this.db
        .selectFrom('community_members')
        .select('community_id')
        .where('user_id', '=', actor.userId)
        .where('status', '!=', 'banned');
      query = query.where((eb) => eb.or([eb('communities.visibility', 'in', ['public', 'private']), eb('communities.id', 'in', mine)]));
    }
    if (q.q) {
      const p = containsPattern(q.q);
      query = query.where((eb) => eb.or([likeLower('communities.name', p), likeLower('communities.description', p)]));
    }
    if (q.category) query = query.where('communities.category', '=', q.category);
    if (q.featured !== undefined) query = query.where('communities.is_featured', '=', q.featured ? 1 : 0);
    if (q.price) {
      const paid = this.db
        .selectFrom('community_pricing_tiers')
        .select('community_id')
        .where('is_active', '=', 1)
        .where('price_minor', '>', 0);
      query =
        this.pricingOn() && q.price === 'paid'
          ? query.where('communities.id', 'in', paid)
          : q.price === 'free' && this.pricingOn()
            ? query.where('communities.id', 'not in', paid)
            : q.price === 'paid'
              ? query.where(sql<boolean>`1 = 0`)
              : query;
    }
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString();
    if (q.activity === 'active') query = query.where('communities.last_activity_at', '>=', weekAgo);
    if (q.activity === 'quiet')
      query = query.where((eb) =>
        eb.or([eb('communities.last_activity_at', 'is', null), eb('communities.last_activity_at', '<', weekAgo)]),
      );
    if (q.joined !== undefined) {
      if (!actor) throw new AppError('unauthenticated', 'Sign in to filter by your communities');
      const joined = this.db
        .selectFrom('community_members')
        .select('community_id')
        .where('user_id', '=', actor.userId)
        .where('status', 'in', ['active', 'muted']);
      query = query.where('communities.id', q.joined ? 'in' : 'not in', joined);
    }
    if (q.sort === 'newest') {
      const page = await pageById(query, q, 'desc', 'communities.id');
      return { items: await this.cards(page.items, actor), next_cursor: page.next_cursor };
    }
    if (q.sort === 'members') {
      const c = decodeCursor<{ m: number; id: number }>(q.cursor, { m: 'number', id: 'number' });
      if (c)
        query = query.where((eb) =>
          eb.or([
            eb('communities.member_count', '<', c.m),
            eb.and([eb('communities.member_count', '=', c.m), eb('communities.id', '<', c.id)]),
          ]),
        );
      const rows = await query
        .orderBy('communities.member_count', 'desc')
        .orderBy('communities.id', 'desc')
        .limit(q.limit + 1)
        .execute();
      const page = pageOf(rows, q.limit, (r) => ({ m: r.member_count, id: r.id }));
      return { items: await this.cards(page.items, actor), next_cursor: page.next_cursor };
    }
    // Most recently active first; never-active communities last (empty string sorts lowest).
    const activity = sql<string>`coalesce(${sql.ref('communities.last_activity_at')}, '')`;
    const c = decodeCursor<{ a: string; id: number }>(q.cursor, { a: 'string', id: 'number' });
    if (c) query = query.where((eb) => eb.or([eb(activity, '<', c.a), eb.and([eb(activity, '=', c.a), eb('communities.id', '<', c.id)])]));
    const rows = await query
      .orderBy(activity, 'desc')
      .orderBy('communities.id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = pageOf(rows, q.limit, (r) => ({ a: r.last_activity_at ?? '', id: r.id }));
    return { items: await this.cards(page.items, actor), next_cursor: page.next_cursor };
  }

  /** The same check on create, update and the wizard: the caller's own clean image, uploaded for that purpose. */
  async checkImages(
    actor: Actor,
    input: { icon_upload_id?: number | null | undefined; cover_upload_id?: number | null | undefined },
  ): Promise<void> {
    for (const field of ['icon_upload_id', 'cover_upload_id'] as const) {
      const id = input[field];
      if (id) await this.ctx.services.uploads.assertCommunityImage(actor, id, field);
    }
  }

  /** Names and descriptions go through the word filter (censored, or refused under `reject`). */
  private async filtered<T extends { name?: string | undefined; description?: string | null | undefined }>(
    userId: number,
    communityId: number | null,
    input: T,
  ): Promise<T> {
    const check = this.ctx.services.chat.contentCheck;
    const base = { userId, communityId, target: 'community' as const };
    const out = { ...input };
    if (input.name) out.name = await checkText(check, { ...base, content: input.name, field: 'name' });
    if (input.description) out.description = await checkText(check, { ...base, content: input.description, field: 'description' });
    return out;
  }

  async create(actor: Actor, input: CreateInput): Promise<CommunityDetail> {
    assertCan(actor, 'community.create', this.facts.baseContext());
    input = await this.filtered(actor.userId, null, input);
    await this.checkImages(actor, input);
    const now = this.ctx.clock.now().toISOString();
    const id = await inTransaction(this.db, async (trx) => {
      if (input.slug) await assertSlugFree(trx, input.slug);
      const slug = input.slug ?? (await freeSlug(trx, input.name));
      const communityId = await insertedId(
        trx,
        trx.insertInto('communities').values({
          owner_id: actor.userId,
          slug,
          name: input.name,
          description: input.description ?? null,
          visibility: input.visibility,
          status: 'active',
          settings: JSON.stringify(mergeSettings(parseSettings(null), input.settings)),
          category: input.category ?? null,
          icon_upload_id: input.icon_upload_id ?? null,
          cover_upload_id: input.cover_upload_id ?? null,
          published_at: now,
          created_at: now,
          updated_at: now,
        }),
      );
      await setUpCommunity(trx, {
        communityId,
        ownerId: actor.userId,
        now,
        channels: input.default_channels ? { category: 'General', list: DEFAULT_CHANNELS } : null,
      });
      await this.ctx.bus.record(trx, 'CommunityCreated', {
        community_id: communityId,
        user_id: actor.userId,
        slug,
        visibility: input.visibility,
      });
      return communityId;
    });
    return this.detail(actor, id);
  }

  async update(actor: Actor, idOrSlug: string, input: UpdateInput): Promise<CommunityDetail> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.update', access);
    input = await this.filtered(actor.userId, community.id, input);
    if (input.is_featured !== undefined && !actor.isAdmin)
      throw new AppError('forbidden', 'Only admins feature communities', { details: { reason: 'admin_only', field: 'is_featured' } });
    // Only a new image is checked: resending the current one (a settings form does) is no change.
    await this.checkImages(actor, {
      icon_upload_id: input.icon_upload_id === community.icon_upload_id ? undefined : input.icon_upload_id,
      cover_upload_id: input.cover_upload_id === community.cover_upload_id ? undefined : input.cover_upload_id,
    });
    const changed = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    await inTransaction(this.db, async (trx) => {
      if (input.slug && input.slug !== community.slug) await assertSlugFree(trx, input.slug, community.id);
      const now = this.ctx.clock.now().toISOString();
      await trx
        .updateTable('communities')
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.slug !== undefined ? { slug: input.slug } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
          ...(input.category !== undefined ? { category: input.category } : {}),
          ...(input.icon_upload_id !== undefined ? { icon_upload_id: input.icon_upload_id } : {}),
          ...(input.cover_upload_id !== undefined ? { cover_upload_id: input.cover_upload_id } : {}),
          ...(input.status !== undefined ? { status: input.status } : {}),
          ...(input.is_featured !== undefined ? { is_featured: input.is_featured ? 1 : 0 } : {}),
          ...(input.settings !== undefined
            ? { settings: JSON.stringify(mergeSettings(parseSettings(community.settings), input.settings)) }
            : {}),
          updated_at: now,
        })
        .where('id', '=', community.id)
        .execute();
      await this.ctx.bus.record(trx, 'CommunityUpdated', { community_id: community.id, user_id: actor.userId, changed });
      if (input.status === 'archived' && community.status !== 'archived')
        await this.ctx.bus.record(trx, 'CommunityArchived', { community_id: community.id, user_id: actor.userId });
    });
    return this.detail(actor, community.id);
  }

  async roles(communityId: number) {
    const rows = await this.db
      .selectFrom('community_roles')
      .selectAll()
      .where('community_id', '=', communityId)
      .orderBy('rank', 'desc')
      .execute();
    return { items: rows.map((r) => this.presentRole(r)) };
  }

  presentRole(r: { id: number; slug: string; name: string; rank: number; permissions: string; is_system: number }) {
    let permissions: string[] = [];
    try {
      permissions = JSON.parse(r.permissions) as string[];
    } catch {
      // an unreadable list grants nothing
    }
    return { id: r.id, slug: r.slug, name: r.name, rank: r.rank, permissions, is_system: r.is_system === 1 };
  }

  async updateRole(
    actor: Actor,
    idOrSlug: string,
    roleId: number,
    body: { name?: string | undefined; permissions?: string[] | undefined },
  ) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'roles.manage', access);
    const role = await this.db
      .selectFrom('community_roles')
      .selectAll()
      .where('id', '=', roleId)
      .where('community_id', '=', community.id)
      .executeTakeFirst();
    if (!role) throw new AppError('not_found', 'No such role');
    if (role.slug === 'owner' && body.permissions) throw new AppError('conflict', 'The owner role always has every permission');
    await this.db
      .updateTable('community_roles')
      .set({
        ...(body.name ? { name: body.name } : {}),
        ...(body.permissions ? { permissions: JSON.stringify([...new Set(body.permissions)]) } : {}),
        updated_at: this.ctx.clock.now().toISOString(),
      })
      .where('id', '=', role.id)
      .execute();
    // A role that loses `view` loses the community's content.
    if (body.permissions) this.revoker.revoke({ scope: { community: community.id } });
    return this.presentRole(await this.db.selectFrom('community_roles').selectAll().where('id', '=', role.id).executeTakeFirstOrThrow());
  }

  /** The rank the caller manages below: everything for owners, admins and owner grants, else their role's. */
  private callerRank(actor: Actor, access: AccessContext): number {
    if (actor.isAdmin || access.ownerGrant || access.community?.ownerId === actor.userId) return Number.POSITIVE_INFINITY;
    const m = access.membership;
    return m && m.role.slug === 'owner' ? Number.POSITIVE_INFINITY : (m?.role.rank ?? -1);
  }

  async createRole(
    actor: Actor,
    idOrSlug: string,
    body: { name: string; slug?: string | undefined; permissions: string[]; rank?: number | undefined },
  ) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'roles.manage', access);
    const mine = this.callerRank(actor, access);
    const existing = await this.db
      .selectFrom('community_roles')
      .select(['slug', 'rank'])
      .where('community_id', '=', community.id)
      .execute();
    const taken = new Set(existing.map((r) => r.slug));
    let slug = body.slug ?? slugifyRole(body.name);
    if (body.slug && taken.has(slug))
      throw new AppError('conflict', `A role "${slug}" exists here`, { details: { reason: 'role_exists', field: 'slug' } });
    for (let n = 2; taken.has(slug); n++) slug = `${slugifyRole(body.name).slice(0, 58)}-${n}`;
    // Just above member unless told; always below the caller (and below the owner's 100).
    const memberRank = existing.find((r) => r.slug === 'member')?.rank ?? 10;
    const rank = body.rank ?? memberRank + 1;
    if (rank >= mine)
      throw new AppError('forbidden', 'A new role must rank below yours', { details: { reason: 'hierarchy', field: 'rank' } });
    const now = this.ctx.clock.now().toISOString();
    const id = await insertedId(
      this.db,
      this.db.insertInto('community_roles').values({
        community_id: community.id,
        name: body.name,
        slug,
        permissions: JSON.stringify([...new Set(body.permissions)]),
        rank,
        is_system: 0,
        created_at: now,
        updated_at: now,
      }),
    );
    return this.presentRole(await this.db.selectFrom('community_roles').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  /** Ranks the roles between owner and guest in the order given (highest first), all below the caller. */
  async reorderRoles(actor: Actor, idOrSlug: string, roleIds: number[]) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'roles.manage', access);
    const rows = await this.db.selectFrom('community_roles').selectAll().where('community_id', '=', community.id).execute();
    const middle = rows.filter((r) => r.slug !== 'owner' && r.slug !== 'guest');
    const wanted = new Set(roleIds);
    if (wanted.size !== roleIds.length || middle.length !== roleIds.length || middle.some((r) => !wanted.has(r.id)))
      throw invalid('body.role_ids', 'List every role except owner and guest, once each', 'incomplete_order');
    const mine = this.callerRank(actor, access);
    const top = Math.min(99, Number.isFinite(mine) ? mine - 1 : 99);
    const step = Math.max(1, Math.floor(top / roleIds.length));
    const ranks = roleIds.map((id, i) => ({ id, rank: top - i * step }));
    // Below the caller: one who is not the owner may only order roles that already rank below them.
    if (ranks.some((r) => r.rank < 1) || middle.some((r) => r.rank >= mine))
      throw new AppError('forbidden', 'You can only order roles below yours', { details: { reason: 'hierarchy' } });
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      for (const r of ranks)
        await trx.updateTable('community_roles').set({ rank: r.rank, updated_at: now }).where('id', '=', r.id).execute();
    });
    this.revoker.revoke({ scope: { community: community.id } });
    return this.roles(community.id);
  }

  /** Deletes a role of the community's own (not a default one); its members become members. */
  async deleteRole(actor: Actor, idOrSlug: string, roleId: number): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'roles.manage', access);
    const role = await this.db
      .selectFrom('community_roles')
      .selectAll()
      .where('id', '=', roleId)
      .where('community_id', '=', community.id)
      .executeTakeFirst();
    if (!role) throw new AppError('not_found', 'No such role');
    if (role.is_system === 1 || DEFAULT_ROLES.some((d) => d.slug === role.slug))
      throw new AppError('conflict', 'Default roles cannot be deleted', { details: { reason: 'default_role' } });
    if (role.rank >= this.callerRank(actor, access))
      throw new AppError('forbidden', 'You can only delete roles below yours', { details: { reason: 'hierarchy' } });
    await inTransaction(this.db, async (trx) => {
      const member = await trx
        .selectFrom('community_roles')
        .select('id')
        .where('community_id', '=', community.id)
        .where('slug', '=', 'member')
        .executeTakeFirstOrThrow();
      const now = this.ctx.clock.now().toISOString();
      await trx.updateTable('community_members').set({ role_id: member.id, updated_at: now }).where('role_id', '=', role.id).execute();
      await trx.updateTable('communities').set({ default_role_id: null }).where('default_role_id', '=', role.id).execute();
      await trx.deleteFrom('community_roles').where('id', '=', role.id).execute();
    });
    this.revoker.revoke({ scope: { community: community.id } });
  }

  async remove(actor: Actor, idOrSlug: string, confirmName: string): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.delete', access);
    if (confirmName.trim() !== community.name.trim())
      throw invalid('body.confirm_name', "Type the community's name to delete it", 'confirm_mismatch');
    // Members go first: their role rows are protected from deletion while referenced.
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('community_members').where('community_id', '=', community.id).execute();
      await trx.deleteFrom('communities').where('id', '=', community.id).execute();
    });
    this.revoker.revoke({ scope: { community: community.id } });
  }
}
