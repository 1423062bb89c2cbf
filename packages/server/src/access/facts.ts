import type { Action, AdminPermission, TierFeature } from '@communities/contract';

export type { Action };

export interface Actor {
  userId: number;
  globalRole: 'admin' | 'instructor' | 'student';
  isAdmin: boolean;
  /** The RocketLMS role name (users.role_name), for config that names host roles; absent for system actors. */
  hostRole?: string;
}

/** A channel permission override of one role or one member: deny removes, allow adds (role first, then member). */
export interface ChannelOverrideFacts {
  roleSlug?: string;
  userId?: number;
  allow: readonly string[];
  deny: readonly string[];
}

export interface CommunityFacts {
  id: number;
  ownerId: number;
  visibility: 'public' | 'private' | 'hidden';
  status: 'draft' | 'active' | 'archived';
  /** Tiers one of which a member must hold to read or write; empty = free. */
  requiredTierIds: number[];
  /**
   * Features (TIER_FEATURES) some active tier names: the tiers that give each. A member needs one
   * of them to do it; absent: not gated (a free tier giving it, or no tier naming it).
   */
  featureTierIds?: Partial<Record<TierFeature, number[]>>;
  /** Paid tiers gate nothing here (`pricing.enable_per_community_subscriptions` off): a channel's tiers are ignored too. */
  tiersOff?: boolean;
  settings: {
    chat_enabled: boolean;
    feed_enabled: boolean;
    dms_between_members: boolean;
    join_approval: boolean;
    /** Off: the roster (`members.browse`) is for those who run the community and site admins. */
    show_member_list: boolean;
  };
}

export interface RoleFacts {
  slug: string;
  rank: number;
  permissions: readonly string[];
}

export interface MembershipFacts {
  status: 'active' | 'pending' | 'muted' | 'banned';
  /** When a mute or ban ends; an ended one counts as active. Null = until lifted. */
  statusExpiresAt: Date | null;
  /** Why the member is muted or banned (moderator's words or the automatic rule's), for the 403. */
  statusReason?: string | null;
  role: RoleFacts;
  activeTierIds: number[];
  /** The member's gamification level in this community (1 when they have no points yet). */
  level?: number;
}

export interface ChannelFacts {
  id: number;
  type: 'category' | 'text' | 'announcement' | 'voice_future';
  isPrivate: boolean;
  allowedRoleSlugs: string[];
  allowedUserIds: number[];
  requiredTierIds: number[];
  slowModeSeconds: number;
  archived?: boolean;
  /** Level a member needs in the community to open the channel (gamification unlocks); 1 or absent: none. */
  minLevel?: number;
  /** Per-role and per-member permission overrides (Discord-style). */
  overrides?: readonly ChannelOverrideFacts[];
}

export interface DmFacts {
  /** Current participants (left ones excluded). */
  participantUserIds: number[];
  ownerUserId: number;
  type: 'dm' | 'group';
  /** For 1:1 threads: either side blocked the other. */
  blockedBetween: boolean;
}

export interface TargetFacts {
  /** Author of the post/message acted on. */
  authorId?: number;
  /** The author's or the managed member's membership (for rank comparisons). */
  targetMembership?: MembershipFacts | null;
  targetUserId?: number;
  /** For role changes: the rank of the role being given. */
  newRoleRank?: number;
}

/** A site-wide mute or ban in force (an admin's, from user_moderation_actions with no community). */
export interface SiteSanctionFacts {
  status: 'muted' | 'banned';
  /** Null = until lifted. */
  expiresAt: Date | null;
  reason: string | null;
}

export interface AccessContext {
  community?: CommunityFacts;
  membership?: MembershipFacts | null;
  channel?: ChannelFacts;
  dm?: DmFacts;
  target?: TargetFacts;
  hasValidInvite?: boolean;
  /** The actor's site-wide sanction, loaded where it matters (joining, posting DMs); absent = none. */
  siteSanction?: SiteSanctionFacts | null;
  /** The actor holds an "open as owner" support grant in this community: owner powers, audit-logged. */
  ownerGrant?: boolean;
  now: Date;
  config: {
    whoCanCreate: ReadonlyArray<'admin' | 'instructor' | 'student'>;
    /** RocketLMS role names that may create communities besides whoCanCreate. */
    createHostRoles?: readonly string[];
    /** RocketLMS role name → the admin permissions it grants (admins hold all). */
    adminPermissions?: Readonly<Record<string, readonly AdminPermission[]>>;
  };
}

export type DenyReason =
  | 'unauthenticated'
  | 'not_a_group'
  | 'not_visible'
  | 'not_member'
  | 'pending'
  | 'muted'
  | 'banned'
  | 'missing_permission'
  | 'tier_required'
  | 'hierarchy'
  | 'archived'
  | 'announcement_only'
  | 'not_postable'
  | 'blocked'
  | 'not_participant'
  | 'not_allowed_role'
  | 'level_required'
  | 'member_list_hidden';

/** A refusal of a sanctioned member carries the sanction (`error.details`: until, sanction_reason, scope). */
export interface SanctionFacts {
  until: string | null;
  sanction_reason: string | null;
  scope: 'community' | 'site';
}
export type Decision = { allowed: true } | { allowed: false; reason: DenyReason; status: 401 | 403 | 404; sanction?: SanctionFacts };
