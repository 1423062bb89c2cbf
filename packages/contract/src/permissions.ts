import { z } from 'zod';

/** Permission names stored in `community_roles.permissions`. */
export const COMMUNITY_PERMISSIONS = [
  'view',
  'post_feed',
  'comment',
  'react',
  'send_messages',
  'announce',
  'attach_files',
  'mention_everyone',
  'pin',
  'delete_any',
  'manage_channels',
  'manage_members',
  'manage_roles',
  'invite',
  'manage_community',
  'view_analytics',
  'moderate',
] as const;
export type CommunityPermission = (typeof COMMUNITY_PERMISSIONS)[number];
export const communityPermissionSchema = z.enum(COMMUNITY_PERMISSIONS);

/** What routes ask the access engine. */
export const ACTIONS = [
  'community.create',
  'community.view',
  'community.update',
  'community.delete',
  'community.join',
  'community.leave',
  'community.transfer',
  'members.list',
  /** The whole roster: `members.list`, and when the owner hides the member list (show_member_list off) only those who run the community. */
  'members.browse',
  'members.manage',
  'members.change_role',
  'roles.manage',
  'invites.manage',
  'courses.manage',
  'pricing.manage',
  'analytics.view',
  'feed.read',
  'feed.post',
  'feed.announce',
  'feed.comment',
  'feed.react',
  'feed.pin',
  'feed.delete_any',
  'channel.view',
  'channel.manage',
  'channel.post',
  'channel.react',
  'channel.attach',
  'channel.pin',
  'channel.delete_any',
  'channel.mention_everyone',
  'moderation.review',
  'dm.read',
  'dm.post',
  'dm.manage',
  'dm.edit_group',
  'admin.global',
  'admin.manage_communities',
  'admin.manage_community_settings',
  'admin.view_community_analytics',
  'admin.manage_community_moderation',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The addon's site-wide admin permissions. RocketLMS admins (roles.is_admin) hold all four;
 * `communities.admin_permissions` in the config grants them to other host roles by name.
 */
export const ADMIN_PERMISSIONS = [
  'manage_communities',
  'manage_community_settings',
  'view_community_analytics',
  'manage_community_moderation',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];
export const adminPermissionSchema = z.enum(ADMIN_PERMISSIONS);

export const roleSlugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _');

export interface RoleDefinition {
  slug: string;
  name: string;
  rank: number;
  permissions: readonly CommunityPermission[];
}

/**
 * The roles every community starts with (also stored once with community_id null as the
 * global defaults). Rank orders them: one may only manage members of a lower rank.
 * Members may invite (Skool and Circle let members share invite links); guests read and react.
 */
export const DEFAULT_ROLES: readonly RoleDefinition[] = [
  { slug: 'owner', name: 'Owner', rank: 100, permissions: COMMUNITY_PERMISSIONS },
  {
    slug: 'moderator',
    name: 'Moderator',
    rank: 50,
    permissions: COMMUNITY_PERMISSIONS.filter((p) => p !== 'manage_roles' && p !== 'manage_community'),
  },
  {
    slug: 'member',
    name: 'Member',
    rank: 10,
    permissions: ['view', 'post_feed', 'comment', 'react', 'send_messages', 'attach_files', 'invite'],
  },
  { slug: 'guest', name: 'Guest', rank: 0, permissions: ['view', 'react'] },
];

/**
 * What a paid tier's `features` switch: taking part in the community (the community permission
 * of the same name). Once any active tier of a community names a feature (true or false), a
 * member needs an active tier that sets it true, besides the role's permission; a free tier
 * (price 0) that sets it true gives it to every member. Owners and managers are exempt. Other
 * keys in `features` are the owner's own labels and gate nothing.
 */
export const TIER_FEATURES = [
  'post_feed',
  'comment',
  'react',
  'send_messages',
  'attach_files',
] as const satisfies readonly CommunityPermission[];
export type TierFeature = (typeof TIER_FEATURES)[number];
export const tierFeaturesSchema = z
  .object({
    post_feed: z.boolean().optional().describe('post in the feed'),
    comment: z.boolean().optional().describe('comment on feed posts'),
    react: z.boolean().optional().describe('react to posts and messages'),
    send_messages: z.boolean().optional().describe('post in chat channels'),
    attach_files: z.boolean().optional().describe('attach files in chat'),
  })
  .catchall(z.unknown());
