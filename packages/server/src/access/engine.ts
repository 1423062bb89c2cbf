import { ADMIN_PERMISSIONS, type Action, type AdminPermission, type CommunityPermission, type TierFeature } from '@communities/contract';

import type { AccessContext, Actor, ChannelFacts, Decision, DenyReason, MembershipFacts, SanctionFacts, SiteSanctionFacts } from './facts';

const ALLOW: Decision = { allowed: true };
const deny = (reason: DenyReason, status: 401 | 403 | 404 = 403): Decision => ({ allowed: false, reason, status });
const hidden = (reason: DenyReason = 'not_visible'): Decision => deny(reason, 404);
/** A mute or ban refusal with what the member is told: until when, and why. */
const sanctioned = (reason: 'muted' | 'banned', m: MembershipFacts): Decision => {
  const note = m.statusReason ?? null;
  const site = note?.startsWith('site: ') ?? false;
  return {
    allowed: false,
    reason,
    status: 403,
    sanction: {
      until: m.statusExpiresAt ? m.statusExpiresAt.toISOString() : null,
      sanction_reason: site ? note!.slice(6) : note,
      scope: site ? 'site' : 'community',
    },
  };
};

/** A site-wide mute or ban still in force at `now` (one whose time is up does not count). */
function siteSanctionIn(ctx: AccessContext): SiteSanctionFacts | null {
  const s = ctx.siteSanction;
  if (!s || (s.expiresAt && s.expiresAt.getTime() <= ctx.now.getTime())) return null;
  return s;
}

/** The refusal of a site-sanctioned user: the same details as a community sanction's, scope `site`. */
const siteSanctioned = (s: SiteSanctionFacts): Decision => ({
  allowed: false,
  reason: s.status,
  status: 403,
  sanction: { until: s.expiresAt ? s.expiresAt.toISOString() : null, sanction_reason: s.reason, scope: 'site' },
});

/** Reading a community's content (not its card). */
const READS = new Set<Action>(['feed.read', 'members.list', 'channel.view']);
/** Reads that pass the same gates as READS before their own rule. */
const READ_LIKE = new Set<Action>([...READS, 'members.browse']);
/** Taking part: blocked for muted, pending and archived. */
const PARTICIPATION: Partial<Record<Action, CommunityPermission>> = {
  'feed.post': 'post_feed',
  'feed.announce': 'announce',
  'feed.comment': 'comment',
  'feed.react': 'react',
  'channel.post': 'send_messages',
  'channel.react': 'react',
  'channel.attach': 'attach_files',
  'channel.mention_everyone': 'mention_everyone',
};
/** Running the community: permission-gated, allowed while muted (a mute silences, it doesn't demote). */
const MANAGEMENT: Partial<Record<Action, CommunityPermission>> = {
  'community.update': 'manage_community',
  'courses.manage': 'manage_community',
  'pricing.manage': 'manage_community',
  'roles.manage': 'manage_roles',
  'invites.manage': 'invite',
  'analytics.view': 'view_analytics',
  'moderation.review': 'moderate',
  'channel.manage': 'manage_channels',
  'feed.pin': 'pin',
  'channel.pin': 'pin',
  'feed.delete_any': 'delete_any',
  'channel.delete_any': 'delete_any',
  'members.manage': 'manage_members',
  'members.change_role': 'manage_members',
};
const OWNER_ONLY = new Set<Action>(['community.delete', 'community.transfer']);
const HIERARCHY = new Set<Action>(['members.manage', 'members.change_role', 'feed.delete_any', 'channel.delete_any']);

/** A mute or ban whose time is up counts as active membership. */
export function effectiveStatus(m: MembershipFacts | null | undefined, now: Date): MembershipFacts['status'] | null {
  if (!m) return null;
  if ((m.status === 'muted' || m.status === 'banned') && m.statusExpiresAt && m.statusExpiresAt.getTime() <= now.getTime()) return 'active';
  return m.status;
}

function dmDecision(actor: Actor, action: Action, ctx: AccessContext): Decision {
  const dm = ctx.dm;
  // DMs are private even from admins: moderation of DMs goes through reports, not browsing.
  if (!dm || !dm.participantUserIds.includes(actor.userId)) return hidden('not_participant');
  if (action === 'dm.read') return ALLOW;
  if (action === 'dm.post') {
    // A site-wide mute or ban silences the user in DMs as well (community sanctions do not reach DMs).
    const site = siteSanctionIn(ctx);
    if (site) return siteSanctioned(site);
    return dm.blockedBetween ? deny('blocked') : ALLOW;
  }
  // A group is its members': any of them adds people or renames it; removing others is the owner's.
  if (action === 'dm.edit_group') return dm.type === 'group' ? ALLOW : deny('not_a_group');
  return dm.type === 'group' && dm.ownerUserId === actor.userId ? ALLOW : deny('missing_permission');
}

/** The addon admin permissions an actor holds: all for RocketLMS admins, else what config maps to their host role. */
export function adminPermissionsOf(actor: Actor | null, config: AccessContext['config']): AdminPermission[] {
  if (!actor) return [];
  if (actor.isAdmin) return [...ADMIN_PERMISSIONS];
  const mapped = actor.hostRole ? (config.adminPermissions?.[actor.hostRole] ?? []) : [];
  return ADMIN_PERMISSIONS.filter((p) => mapped.includes(p));
}

/** Whether the actor may create communities: admins, the global roles in who_can_create, the host roles in create_host_roles. */
export function mayCreateCommunity(actor: Actor, config: AccessContext['config']): boolean {
  return (
    actor.isAdmin ||
    config.whoCanCreate.includes(actor.globalRole) ||
    (actor.hostRole !== undefined && (config.createHostRoles ?? []).includes(actor.hostRole))
  );
}

const ADMIN_ACTIONS: Partial<Record<Action, AdminPermission>> = {
  'admin.manage_communities': 'manage_communities',
  'admin.manage_community_settings': 'manage_community_settings',
  'admin.view_community_analytics': 'view_community_analytics',
  'admin.manage_community_moderation': 'manage_community_moderation',
};

/** A member's permissions in a channel after its overrides: the role's, then the member's (deny, then allow). */
function withOverrides(perms: Set<string>, ch: ChannelFacts | undefined, roleSlug: string | undefined, userId: number): Set<string> {
  if (!ch?.overrides?.length || perms.has('*')) return perms;
  const out = new Set(perms);
  const apply = (o: { allow: readonly string[]; deny: readonly string[] } | undefined) => {
    if (!o) return;
    for (const p of o.deny) out.delete(p);
    for (const p of o.allow) out.add(p);
  };
  apply(roleSlug === undefined ? undefined : ch.overrides.find((o) => o.roleSlug === roleSlug));
  apply(ch.overrides.find((o) => o.userId === userId));
  return out;
}

/** Whether a permission set grants `p` (`*`: every permission). */
function holds(perms: Set<string>, p: CommunityPermission): boolean {
  return perms.has('*') || perms.has(p);
}

/**
 * Whether a channel admits the user: public, or they may manage channels (or own the community),
 * or a member whose override, role or name the private channel lists.
 */
function admittedTo(x: ChannelFacts, userId: number, m: MembershipFacts | null, member: boolean, manages: boolean): boolean {
  if (!x.isPrivate || manages) return true;
  if (member && (x.overrides ?? []).some((o) => (o.userId === userId || o.roleSlug === m?.role.slug) && o.allow.includes('view')))
    return true;
  if (member && m !== null && x.allowedRoleSlugs.includes(m.role.slug)) return true;
  return x.allowedUserIds.includes(userId);
}

/**
 * The one access decision: every route and the realtime channel authoriser call this.
 * Existence is private where it should be: hidden communities, drafts, private channels
 * and DMs answer 404 to those who may not see them; what one may see but not do answers 403.
 */
export function can(actor: Actor | null, action: Action, ctx: AccessContext): Decision {
  if (!actor) return deny('unauthenticated', 401);
  if (action === 'admin.global') return actor.isAdmin ? ALLOW : deny('missing_permission');
  const adminPermission = ADMIN_ACTIONS[action];
  if (adminPermission) return adminPermissionsOf(actor, ctx.config).includes(adminPermission) ? ALLOW : deny('missing_permission');
  if (action === 'community.create') return mayCreateCommunity(actor, ctx.config) ? ALLOW : deny('missing_permission');
  if (action.startsWith('dm.')) return dmDecision(actor, action, ctx);

  const c = ctx.community;
  if (!c) throw new Error(`can(${action}) needs the community's facts`);
  const ch = ctx.channel;
  if (action.startsWith('channel.') && (!c.settings.chat_enabled || !ch)) return hidden();
  if (action.startsWith('feed.') && !c.settings.feed_enabled) return hidden();
  if (actor.isAdmin) return ALLOW;

  const m = ctx.membership ?? null;
  const status = effectiveStatus(m, ctx.now);
  const isOwner =
    c.ownerId === actor.userId || ctx.ownerGrant === true || (status !== null && status !== 'banned' && m?.role.slug === 'owner');
  const perms = withOverrides(
    new Set<string>(isOwner ? ['*'] : status === 'active' || status === 'muted' ? (m?.role.permissions ?? []) : []),
    ch,
    status === 'active' || status === 'muted' ? m?.role.slug : undefined,
    actor.userId,
  );
  const rank = isOwner ? Number.POSITIVE_INFINITY : (m?.role.rank ?? -1);

  // Existence.
  if (c.status === 'draft' && !isOwner) return hidden();
  const knowsIt = (status !== null && status !== 'banned') || ctx.ownerGrant === true;
  if (c.visibility === 'hidden' && !knowsIt && !(ctx.hasValidInvite && (action === 'community.view' || action === 'community.join')))
    return hidden();
  // A private channel is invisible to whoever it does not admit: pending, banned and outsiders get
  // the 404 of a channel that does not exist, not a 403 that confirms it does.
  // An "open as owner" grant stands in for the owner's membership.
  const member = status === 'active' || status === 'muted' || ctx.ownerGrant === true;
  if (ch && !admittedTo(ch, actor.userId, m, member, isOwner || holds(perms, 'manage_channels'))) return hidden('not_allowed_role');
  if (status === 'banned') return c.visibility === 'public' ? sanctioned('banned', m!) : hidden('banned');

  if (action === 'community.view') return ALLOW;
  if (action === 'community.join') {
    if (c.status === 'archived') return deny('archived');
    // A site-wide ban keeps the user out of every community while it lasts, joined before or not.
    const site = siteSanctionIn(ctx);
    if (site?.status === 'banned') return siteSanctioned(site);
    return ALLOW;
  }
  if (action === 'community.leave') return status === null ? deny('not_member') : ALLOW;
  if (OWNER_ONLY.has(action)) return isOwner ? ALLOW : deny('missing_permission');

  // Content: members read; anyone signed in reads a public community, as Skool's public groups.
  // A pending requester reads what any outsider reads (a public community), nothing more yet.
  if (status === 'pending' && (c.visibility !== 'public' || !READ_LIKE.has(action))) return deny('pending');
  if (!member && (c.visibility !== 'public' || !READ_LIKE.has(action))) return deny('not_member');
  if (member && !holds(perms, 'view') && READ_LIKE.has(action)) return deny('missing_permission');
  const tierExempt = isOwner || holds(perms, 'manage_community');
  if (c.requiredTierIds.length > 0 && !tierExempt && !c.requiredTierIds.some((t) => m?.activeTierIds.includes(t)))
    return deny('tier_required');

  if (ch) {
    if (ch.requiredTierIds.length > 0 && !c.tiersOff && !tierExempt && !ch.requiredTierIds.some((t) => m?.activeTierIds.includes(t)))
      return deny('tier_required');
    // Gamification unlocks: below the channel's level a member sees it locked (403, listed with
    // its lock); those who run the community or its channels are never locked out.
    const minLevel = ch.minLevel ?? 1;
    if (minLevel > 1 && !tierExempt && !holds(perms, 'manage_channels') && !holds(perms, 'moderate') && (m?.level ?? 1) < minLevel)
      return deny('level_required');
  }
  if (READS.has(action)) return ALLOW;
  // The roster: whoever may list members, unless the owner hides the member list; then only those
  // who run the community (owner, managers of members, moderators) and site admins (allowed above).
  if (action === 'members.browse') {
    if (c.settings.show_member_list !== false || isOwner || holds(perms, 'manage_members') || holds(perms, 'moderate')) return ALLOW;
    return deny('member_list_hidden');
  }

  const participation = PARTICIPATION[action];
  if (participation) {
    if (c.status === 'archived' || ch?.archived) return deny('archived');
    if (status === 'muted') return sanctioned('muted', m!);
    if (ch && action === 'channel.post') {
      if (ch.type === 'category' || ch.type === 'voice_future') return deny('not_postable');
      if (ch.type === 'announcement' && !holds(perms, 'announce')) return deny('announcement_only');
    }
    if (!holds(perms, participation)) return deny('missing_permission');
    // A paid tier's features: the role allows it, and the member must also hold a tier giving it.
    const givers = c.featureTierIds?.[participation as TierFeature];
    if (givers && !tierExempt && !givers.some((t) => m?.activeTierIds.includes(t))) return deny('tier_required');
    return ALLOW;
  }

  const management = MANAGEMENT[action];
  if (!management) return deny('missing_permission');
  if (!holds(perms, management)) return deny('missing_permission');
  if (HIERARCHY.has(action)) {
    const t = ctx.target;
    if (action === 'feed.delete_any' || action === 'channel.delete_any') {
      if (t?.authorId === actor.userId) return ALLOW;
    } else if (t?.targetUserId === actor.userId) {
      return deny('hierarchy');
    }
    const targetRank =
      t?.targetUserId === c.ownerId || t?.authorId === c.ownerId ? Number.POSITIVE_INFINITY : (t?.targetMembership?.role.rank ?? -1);
    if (targetRank >= rank) return deny('hierarchy');
    if (action === 'members.change_role' && t?.newRoleRank !== undefined && t.newRoleRank >= rank) return deny('hierarchy');
  }
  return ALLOW;
}

/** Authors may always edit and delete their own posts and messages, unless muted or banned there. */
export function canEditOwn(actor: Actor, authorId: number, ctx: AccessContext): boolean {
  if (actor.userId !== authorId) return false;
  const status = effectiveStatus(ctx.membership, ctx.now);
  return status === 'active' || actor.isAdmin;
}

export class AccessDeniedError extends Error {
  readonly code: 'forbidden' | 'not_found' | 'unauthenticated';

  constructor(
    readonly reason: DenyReason,
    readonly status: 401 | 403 | 404,
    readonly sanction?: SanctionFacts,
  ) {
    super(`access denied: ${reason}`);
    this.code = status === 404 ? 'not_found' : status === 401 ? 'unauthenticated' : 'forbidden';
  }
}

export function assertCan(actor: Actor | null, action: Action, ctx: AccessContext): void {
  const d = can(actor, action, ctx);
  if (!d.allowed) throw new AccessDeniedError(d.reason, d.status, d.sanction);
}
