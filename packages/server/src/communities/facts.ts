import {
  communitySettingsSchema,
  TIER_FEATURES,
  type CommunitiesConfig,
  type CommunitySettings,
  type TierFeature,
} from '@communities/contract';

import {
  adminPermissionsOf,
  type AccessContext,
  type Actor,
  type ChannelFacts,
  type CommunityFacts,
  type MembershipFacts,
  type SiteSanctionFacts,
} from '../access';
import { markActingAsOwner } from '../platform/request-scope';
import type { Clock } from '../platform/clock';
import { notFound } from '../platform/errors';
import type { ChannelRow, CommunityMemberRow, CommunityRow } from '../platform/db/schema';
import type { AdminOwnerGrantsTable } from '../platform/db/tables';
import type { Selectable } from 'kysely';

export type OwnerGrantRow = Selectable<AdminOwnerGrantsTable>;
import type { DbHandle, Tx } from '../platform/db/transaction';

import { accessFloor, HOLDING } from './subscription-terms';

export const parseSettings = (json: string | null): CommunitySettings => {
  try {
    return communitySettingsSchema.parse({ ...(JSON.parse(json ?? '{}') as object) });
  } catch {
    return communitySettingsSchema.parse({});
  }
};

const parseJson = <T>(json: string | null, fallback: T): T => {
  try {
    return (JSON.parse(json ?? '') as T) ?? fallback;
  } catch {
    return fallback;
  }
};

/** How long `cached` fact reads may be reused (see FactsLoader.memo). */
export const FACTS_TTL_MS = 1000;

export type MemberWithRole = CommunityMemberRow & { role_slug: string; role_name: string; role_rank: number; role_permissions: string };

export function membershipFacts(m: MemberWithRole, activeTierIds: number[]): MembershipFacts {
  const expires = m.status === 'banned' ? m.ban_expires_at : m.status === 'muted' ? m.mute_expires_at : null;
  return {
    status: m.status as MembershipFacts['status'],
    statusExpiresAt: expires ? new Date(expires) : null,
    statusReason: m.status === 'muted' || m.status === 'banned' ? m.ban_reason : null,
    role: { slug: m.role_slug, rank: m.role_rank, permissions: parseJson<string[]>(m.role_permissions, []) },
    activeTierIds,
  };
}

export function channelFacts(row: ChannelRow): ChannelFacts {
  const s = parseJson<{
    allowed_role_slugs?: string[];
    allowed_user_ids?: number[];
    required_tier_ids?: number[];
    slow_mode_seconds?: number;
    min_level?: number;
    overrides?: { role_slug?: string; user_id?: number; allow: string[]; deny: string[] }[];
  }>(row.settings, {});
  return {
    id: row.id,
    type: row.type as ChannelFacts['type'],
    isPrivate: row.is_private === 1,
    allowedRoleSlugs: s.allowed_role_slugs ?? [],
    allowedUserIds: s.allowed_user_ids ?? [],
    requiredTierIds: s.required_tier_ids ?? [],
    slowModeSeconds: s.slow_mode_seconds ?? 0,
    archived: row.archived_at !== null,
    minLevel: s.min_level ?? 1,
    overrides: (s.overrides ?? []).map((o) => ({
      ...(o.role_slug !== undefined ? { roleSlug: o.role_slug } : {}),
      ...(o.user_id !== undefined ? { userId: o.user_id } : {}),
      allow: o.allow,
      deny: o.deny,
    })),
  };
}

/**
 * Which features (TIER_FEATURES) the active tiers gate, and the tiers that give each: a feature
 * some tier names is gated, unless a free tier gives it (then every member has it). Unparsable
 * `features` name nothing.
 */
export function tierFeatureGates(
  tiers: ReadonlyArray<{ id: number; price_minor: number; features: string }>,
): CommunityFacts['featureTierIds'] | undefined {
  const out: NonNullable<CommunityFacts['featureTierIds']> = {};
  const open = new Set<TierFeature>();
  for (const t of tiers) {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(t.features) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!f || typeof f !== 'object') continue;
    for (const k of TIER_FEATURES) {
      if (typeof f[k] !== 'boolean') continue;
      out[k] ??= [];
      if (f[k] !== true) continue;
      if (t.price_minor <= 0) open.add(k);
      else out[k].push(t.id);
    }
  }
  for (const k of open) delete out[k];
  return Object.keys(out).length ? out : undefined;
}

/**
 * Whether every member who may listen on the community's realtime channel may read this one
 * (not private, not tier-gated): its channel.activity then goes there, else to the channel.
 */
export function openToCommunity(f: ChannelFacts): boolean {
  return !f.isPrivate && f.requiredTierIds.length === 0 && !(f.overrides ?? []).some((o) => o.deny.includes('view'));
}

/**
 * An open text channel: community-wide channel questions ("may this member manage channels?",
 * "may they see channels at all?") are asked of it before any particular channel exists.
 */
export const OPEN_CHANNEL: ChannelFacts = {
  id: 0,
  type: 'text',
  isPrivate: false,
  allowedRoleSlugs: [],
  allowedUserIds: [],
  requiredTierIds: [],
  slowModeSeconds: 0,
  archived: false,
};

/** Members joined with their role's slug, name, rank and permissions: the one shape every member list reads. */
export function memberWithRoleQuery(db: DbHandle) {
  return db
    .selectFrom('community_members')
    .innerJoin('community_roles', 'community_roles.id', 'community_members.role_id')
    .selectAll('community_members')
    .select([
      'community_roles.slug as role_slug',
      'community_roles.name as role_name',
      'community_roles.rank as role_rank',
      'community_roles.permissions as role_permissions',
    ]);
}

/**
 * Loads the facts the access engine decides on, from our tables. One place, so every route
 * and the realtime authoriser see a community, a membership and a channel the same way.
 */
/**
 * The user's site-wide mute or ban in force at `now` (an admin's, not lifted, not expired), a ban
 * before a mute; null when there is none. The site reason is stored bare on the action row.
 */
export async function siteSanctionOf(db: DbHandle | Tx, userId: number, now: Date): Promise<SiteSanctionFacts | null> {
  const iso = now.toISOString();
  const rows = await db
    .selectFrom('user_moderation_actions')
    .select(['action', 'expires_at', 'reason'])
    .where('user_id', '=', userId)
    .where('community_id', 'is', null)
    .where('action', 'in', ['mute', 'ban'])
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', iso)]))
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  const row = rows.find((r) => r.action === 'ban') ?? rows[0];
  if (!row) return null;
  return {
    status: row.action === 'ban' ? 'banned' : 'muted',
    expiresAt: row.expires_at ? new Date(row.expires_at) : null,
    reason: row.reason,
  };
}

export class FactsLoader {
  private readonly cache = new Map<string, { generation: number; at: number; value: Promise<unknown> }>();

  constructor(
    private readonly db: DbHandle,
    private readonly clock: Clock,
    private readonly options: {
      /** Read at every decision: admins change these at runtime (addon settings). */
      communities: CommunitiesConfig['communities'];
      pricingOn: boolean;
      /** pricing.grace_period_hours: a lapsed term keeps access this long (status past_due). */
      graceHours?: number;
      /** Counts this process's writes to the fact tables; any write empties the cache. */
      writes?: { generation: number };
    },
  ) {}

  /**
   * The hot chat path reads the same community, membership and channel for every message.
   * `cached` reads keep them for FACTS_TTL_MS, dropped at once by any write to those tables in
   * this process; another process's change (a mute, a role edit) bites within the TTL.
   */
  private memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const writes = this.options.writes;
    if (!writes) return load();
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.generation === writes.generation && now - hit.at < FACTS_TTL_MS) return hit.value as Promise<T>;
    if (this.cache.size > 10_000) this.cache.clear();
    const value = load();
    this.cache.set(key, { generation: writes.generation, at: now, value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private handle(trx?: Tx): DbHandle {
    return trx ?? this.db;
  }

  async community(
    idOrSlug: number | string,
    opts: { trx?: Tx; cached?: boolean } = {},
  ): Promise<{ row: CommunityRow; facts: CommunityFacts } | null> {
    if (opts.cached && !opts.trx) return this.memo(`c:${idOrSlug}`, () => this.community(idOrSlug, { trx: opts.trx }));
    const db = this.handle(opts.trx);
    const byId = typeof idOrSlug === 'number' || /^\d+$/.test(idOrSlug);
    const row = await db
      .selectFrom('communities')
      .selectAll()
      .where(byId ? 'id' : 'slug', '=', byId ? Number(idOrSlug) : String(idOrSlug))
      .executeTakeFirst();
    if (!row) return null;
    return { row, facts: await this.communityFacts(row, opts.trx) };
  }

  /**
   * A community is paid when pricing is on and it has active paid tiers but no active free one:
   * then reading and taking part need one of the paid tiers.
   */
  async communityFacts(row: CommunityRow, trx?: Tx): Promise<CommunityFacts> {
    let requiredTierIds: number[] = [];
    let featureTierIds: CommunityFacts['featureTierIds'];
    if (this.options.pricingOn) {
      const tiers = await this.handle(trx)
        .selectFrom('community_pricing_tiers')
        .select(['id', 'price_minor', 'features'])
        .where('community_id', '=', row.id)
        .where('is_active', '=', 1)
        .execute();
      if (tiers.length > 0 && tiers.every((t) => t.price_minor > 0)) requiredTierIds = tiers.map((t) => t.id);
      featureTierIds = tierFeatureGates(tiers);
    }
    const settings = parseSettings(row.settings);
    return {
      id: row.id,
      ownerId: row.owner_id,
      visibility: row.visibility as CommunityFacts['visibility'],
      status: row.status as CommunityFacts['status'],
      requiredTierIds,
      ...(featureTierIds ? { featureTierIds } : {}),
      ...(this.options.pricingOn ? {} : { tiersOff: true }),
      settings: {
        chat_enabled: settings.chat_enabled,
        feed_enabled: settings.feed_enabled,
        dms_between_members: settings.dms_between_members,
        join_approval: settings.join_approval,
        show_member_list: settings.show_member_list,
      },
    };
  }

  async membership(
    communityId: number,
    userId: number,
    opts: { trx?: Tx; cached?: boolean } = {},
  ): Promise<{ row: MemberWithRole; facts: MembershipFacts } | null> {
    if (opts.cached && !opts.trx) return this.memo(`m:${communityId}:${userId}`, () => this.membership(communityId, userId));
    const db = this.handle(opts.trx);
    const row = await memberWithRoleQuery(db)
      .where('community_members.community_id', '=', communityId)
      .where('community_members.user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return null;
    const facts = membershipFacts(row, await this.activeTierIds(communityId, userId, opts));
    // The member's level here (written by gamification with their score), for level-gated channels.
    const score = await db
      .selectFrom('gamification_scores')
      .select('level')
      .where('community_id', '=', communityId)
      .where('period', '=', 'all')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return { row, facts: { ...facts, level: Number(score?.level ?? 1) } };
  }

  /**
   * Tiers the user holds (members or not yet): an active or past-due subscription whose term has
   * not ended, or ended less than the grace period ago. Time decides, not only the status the sync
   * last wrote: a term runs out on time even before the sync marks it.
   */
  async activeTierIds(communityId: number, userId: number, opts: { trx?: Tx } = {}): Promise<number[]> {
    if (!this.options.pricingOn) return [];
    const floor = accessFloor(this.clock.now(), this.options.graceHours ?? 0);
    const rows = await this.handle(opts.trx)
      .selectFrom('community_member_subscriptions')
      .select('pricing_tier_id')
      .where('community_id', '=', communityId)
      .where('user_id', '=', userId)
      .where('status', 'in', [...HOLDING])
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', floor)]))
      .execute();
    return [...new Set(rows.map((t) => t.pricing_tier_id))];
  }

  /** Memberships of one user in many communities (discovery cards), with role slugs. */
  async memberships(userId: number, communityIds: number[]): Promise<Map<number, MemberWithRole>> {
    if (communityIds.length === 0) return new Map();
    const rows = await memberWithRoleQuery(this.db)
      .where('community_members.user_id', '=', userId)
      .where('community_members.community_id', 'in', communityIds)
      .execute();
    return new Map(rows.map((r) => [r.community_id, r]));
  }

  async channel(channelId: number, opts: { trx?: Tx; cached?: boolean } = {}): Promise<{ row: ChannelRow; facts: ChannelFacts } | null> {
    if (opts.cached && !opts.trx) return this.memo(`ch:${channelId}`, () => this.channel(channelId));
    const row = await this.handle(opts.trx).selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
    return row ? { row, facts: channelFacts(row) } : null;
  }

  /** The user's site-wide sanction in force now, for the access engine (see siteSanctionOf). */
  siteSanction(userId: number, trx?: Tx): Promise<SiteSanctionFacts | null> {
    return siteSanctionOf(this.handle(trx), userId, this.clock.now());
  }

  baseContext(): AccessContext {
    const c = this.options.communities;
    return {
      now: this.clock.now(),
      config: { whoCanCreate: c.who_can_create, createHostRoles: c.create_host_roles, adminPermissions: c.admin_permissions },
    };
  }

  /**
   * The actor's "open as owner" grant in force in a community, if any. Only actors who hold
   * manage_communities can have one, so nobody else pays for the look-up. Marks the request as
   * acting on the owner's behalf (its writes are audit-logged).
   */
  async ownerGrant(actor: Actor | null, communityId: number, trx?: Tx): Promise<OwnerGrantRow | null> {
    if (!actor || !adminPermissionsOf(actor, this.baseContext().config).includes('manage_communities')) return null;
    const now = this.clock.now().toISOString();
    const row = await this.handle(trx)
      .selectFrom('admin_owner_grants')
      .selectAll()
      .where('admin_user_id', '=', actor.userId)
      .where('community_id', '=', communityId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (row) markActingAsOwner(actor, { grantId: row.id, communityId, ownerId: row.owner_user_id, adminId: actor.userId });
    return row ?? null;
  }

  /** The community, the actor's membership and an AccessContext; 404 when there is no such community. */
  async forCommunity(
    actor: Actor | null,
    idOrSlug: number | string,
    extra: Partial<AccessContext> = {},
    opts: { trx?: Tx; cached?: boolean } = {},
  ): Promise<{ community: CommunityRow; membership: MemberWithRole | null; access: AccessContext; grant: OwnerGrantRow | null }> {
    const c = await this.community(idOrSlug, opts);
    if (!c) throw notFound(); // the same answer as a hidden community's
    const m = actor ? await this.membership(c.row.id, actor.userId, opts) : null;
    const grant = await this.ownerGrant(actor, c.row.id, opts.trx);
    return {
      community: c.row,
      membership: m?.row ?? null,
      grant,
      access: {
        ...this.baseContext(),
        community: c.facts,
        membership: m?.facts ?? null,
        ...(grant ? { ownerGrant: true } : {}),
        ...extra,
      },
    };
  }
}
