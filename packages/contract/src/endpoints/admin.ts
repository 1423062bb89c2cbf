import { z } from 'zod';

import { endpoint, isoTime, okResponse } from '../endpoint';

import { communityCardSchema, userSummarySchema, VISIBILITIES } from './communities';

const idNum = z.coerce.number().int().positive();
const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The runtime-editable config keys (dotted paths into the config schema). Each value is
 * validated by the same zod schema as the config file; the file or environment gives the
 * default and may lock a key (`admin_settings.locked`). Secrets are never among them.
 */
export const RUNTIME_SETTING_KEYS = [
  'features.leaderboard',
  'features.central_feed',
  'features.channels',
  'features.gamification',
  'features.dm',
  'features.heatmap',
  'features.pricing_tiers',
  'features.chatroom',
  'features.file_scanning',
  'features.bad_word_filter',
  'communities.who_can_create',
  'communities.create_host_roles',
  'chat.max_message_length',
  'chat.max_attachments_per_message',
  'chat.edit_window_seconds',
  'dm.allow_from',
  'dm.max_group_participants',
  'file_scanner.allowed_mimetypes',
  'file_scanner.max_file_size',
  'file_scanner.on_infected',
  'moderation.replace_char',
  'moderation.filter_dms',
  'moderation.actions.on_detect',
  'moderation.actions.auto_mute_threshold',
  'moderation.actions.auto_ban_threshold',
  'moderation.actions.auto_mute_minutes',
  'moderation.actions.auto_ban_minutes',
  'moderation.actions.window_days',
  'moderation.spam.repeat_count',
  'moderation.spam.repeat_window_seconds',
  'moderation.spam.max_mentions',
  'moderation.spam.new_member_link_days',
  'moderation.spam.action',
  'moderation.dm_context_messages',
  'pricing.enable_per_community_subscriptions',
  'pricing.default_currency',
  'pricing.grace_period_hours',
] as const;
export type RuntimeSettingKey = (typeof RUNTIME_SETTING_KEYS)[number];

export const adminSettingSchema = z.object({
  key: z.enum(RUNTIME_SETTING_KEYS),
  value: z.unknown(),
  /** The file's or environment's value (or the schema default): what a reset returns to. */
  default_value: z.unknown(),
  /** database: an admin changed it at runtime; config: the file/environment value holds. */
  source: z.enum(['config', 'database']),
  /** Locked by `admin_settings.locked`: shown, not editable. */
  locked: z.boolean(),
  /** The accepted form, from the config schema's description. */
  description: z.string(),
  updated_at: isoTime.nullable(),
  updated_by: userSummarySchema.nullable(),
});
export type AdminSetting = z.infer<typeof adminSettingSchema>;

export const adminSettingsSchema = z.object({
  items: z.array(adminSettingSchema),
  /** Read-only facts about the running installation (no secrets). */
  running: z.object({
    chat_driver: z.enum(['broadcast', 'redis', 'pusher', 'database']),
    queue_driver: z.enum(['database', 'bullmq']),
    scanner_driver: z.enum(['clamav', 'http', 'null']),
    storage_driver: z.enum(['local', 's3']),
    host_adapter: z.enum(['rocketlms', 'demo']),
    redis: z.boolean(),
    database_dialect: z.enum(['sqlite', 'mysql', 'postgres']),
    /** Features that were off when this process started: turning them on serves their routes now, their background work after a restart. */
    features_off_at_boot: z.array(z.string()),
  }),
});
export type AdminSettings = z.infer<typeof adminSettingsSchema>;

export const adminSettingsPatchSchema = z
  .object({
    /** Key → new value; null resets the key to its config value. */
    values: z.partialRecord(z.enum(RUNTIME_SETTING_KEYS), z.unknown()),
  })
  .strict();

export const actAsOwnerGrantSchema = z.object({
  id: z.number().int(),
  community_id: z.number().int(),
  community_slug: z.string(),
  community_name: z.string(),
  admin: userSummarySchema,
  owner: userSummarySchema,
  reason: z.string(),
  created_at: isoTime,
  expires_at: isoTime,
});
export type ActAsOwnerGrant = z.infer<typeof actAsOwnerGrantSchema>;

export const adminCommunitySchema = communityCardSchema.extend({
  owner: userSummarySchema,
  created_at: isoTime,
  pending_requests: z.number().int(),
});
export type AdminCommunity = z.infer<typeof adminCommunitySchema>;

const healthCheck = z.object({ status: z.enum(['ok', 'down', 'disabled', 'warning']), detail: z.string().optional() });

export const adminOverviewSchema = z.object({
  counts: z.object({
    communities: z.number().int(),
    active: z.number().int(),
    archived: z.number().int(),
    drafts: z.number().int(),
    hidden: z.number().int(),
    members: z.number().int().describe('active memberships, all communities'),
    pending_requests: z.number().int(),
    channels: z.number().int(),
    open_reports: z.number().int(),
  }),
  health: z.object({ database: healthCheck, redis: healthCheck, scanner: healthCheck, queue: healthCheck }),
  recent_flags: z.array(
    z.object({
      id: z.number().int(),
      community_id: z.number().int().nullable(),
      target_type: z.string(),
      reason: z.string(),
      source: z.string(),
      status: z.string(),
      created_at: isoTime,
    }),
  ),
});
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

export const adminAuditEntrySchema = z.object({
  id: z.number().int(),
  actor: userSummarySchema,
  /** Set for actions done through "open as owner": the owner on whose behalf. */
  on_behalf_of: userSummarySchema.nullable(),
  community_id: z.number().int().nullable(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()),
  created_at: isoTime,
});

export const admin = {
  overview: endpoint({
    method: 'GET',
    path: '/api/communities/admin/overview',
    summary: 'Counts, health of the database, Redis, scanner and queue, and the latest flags (any admin permission)',
    tag: 'admin',
    response: adminOverviewSchema,
    errors: ['forbidden'],
  }),
  settings: endpoint({
    method: 'GET',
    path: '/api/communities/admin/settings',
    summary:
      'Runtime-editable settings with their config defaults and locks, and what runs (manage_community_settings); secrets are never returned',
    tag: 'admin',
    response: adminSettingsSchema,
    errors: ['forbidden'],
  }),
  updateSettings: endpoint({
    method: 'PATCH',
    path: '/api/communities/admin/settings',
    summary:
      'Change runtime settings (manage_community_settings): validated by the config schema, audit-logged, applied on every process without a restart; a locked key answers 409 (details.reason locked)',
    tag: 'admin',
    body: adminSettingsPatchSchema,
    response: adminSettingsSchema,
    errors: ['forbidden', 'validation_failed', 'conflict'],
  }),
  communities: endpoint({
    method: 'GET',
    path: '/api/communities/admin/communities',
    summary: 'Every community, hidden and drafts included: search, filters, sort (manage_communities)',
    tag: 'admin',
    query: z
      .object({
        q: z.string().trim().max(100).optional(),
        status: z.enum(['draft', 'active', 'archived']).optional(),
        visibility: z.enum(VISIBILITIES).optional(),
        featured: queryBool.optional(),
        sort: z.enum(['newest', 'oldest', 'name', 'members', 'activity']).default('newest'),
        cursor: z
          .string()
          .regex(/^\d{1,9}$/)
          .optional()
          .describe('opaque cursor from next_cursor'),
        limit: z.coerce.number().int().min(1).max(100).default(25),
      })
      .strict(),
    response: z.object({ items: z.array(adminCommunitySchema), next_cursor: z.string().nullable(), total: z.number().int() }),
    errors: ['forbidden'],
  }),
  updateCommunity: endpoint({
    method: 'PATCH',
    path: '/api/communities/admin/communities/:id',
    summary:
      'Feature, archive or restore a community, or hand it to another user (manage_communities); handing over needs confirm_name equal to its name',
    tag: 'admin',
    params: z.object({ id: idNum }).strict(),
    body: z
      .object({
        is_featured: z.boolean().optional(),
        status: z.enum(['active', 'archived']).optional(),
        owner_user_id: z.number().int().positive().optional(),
        confirm_name: z.string().max(200).optional(),
      })
      .strict()
      .refine((b) => b.is_featured !== undefined || b.status !== undefined || b.owner_user_id !== undefined, {
        message: 'Give is_featured, status or owner_user_id',
        path: ['is_featured'],
      }),
    response: adminCommunitySchema,
    errors: ['forbidden', 'not_found', 'validation_failed', 'conflict'],
  }),
  actAsOwner: endpoint({
    method: 'POST',
    path: '/api/communities/admin/communities/:id/act-as-owner',
    summary:
      "Open a community as its owner for support (manage_communities): owner powers there until expires_at; every change is audit-logged as the admin on the owner's behalf",
    tag: 'admin',
    params: z.object({ id: idNum }).strict(),
    body: z
      .object({
        reason: z.string().trim().min(3).max(500),
        minutes: z.number().int().min(5).max(1440).default(60),
      })
      .strict(),
    response: actAsOwnerGrantSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  endActAsOwner: endpoint({
    method: 'DELETE',
    path: '/api/communities/admin/communities/:id/act-as-owner',
    summary: "End the caller's open-as-owner grant in a community",
    tag: 'admin',
    params: z.object({ id: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  audit: endpoint({
    method: 'GET',
    path: '/api/communities/admin/audit',
    summary:
      'Admin audit log: settings changes and what admins did as owners, newest first (manage_communities or manage_community_settings)',
    tag: 'admin',
    query: z
      .object({
        community_id: idNum.optional(),
        action: z.string().max(100).optional(),
        cursor: z.string().max(200).optional().describe('opaque cursor from next_cursor'),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      })
      .strict(),
    response: z.object({ items: z.array(adminAuditEntrySchema), next_cursor: z.string().nullable() }),
    errors: ['forbidden'],
  }),
} as const;
