import { z } from 'zod';

import { NOTIFICATION_KINDS, type NotificationKind } from '../config';
import { cursorQuery, endpoint, isoTime } from '../endpoint';

import { userSummarySchema } from './communities';

export { NOTIFICATION_KINDS, type NotificationKind } from '../config';

/** What a member hears of a community or a channel: everything, only mentions of them (and DMs), or nothing. */
export const NOTIFICATION_LEVELS = ['all', 'mentions', 'nothing'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

const id = z.number().int();

export const notificationSchema = z.object({
  id,
  kind: z.enum(NOTIFICATION_KINDS),
  /** Rendered in English for the record; clients render from `kind` and `data` in their own language. */
  title: z.string(),
  body: z.string().nullable().describe('an excerpt of the content; null when the recipient can no longer see it'),
  actor: userSummarySchema.nullable().describe('who caused it (null for system notifications)'),
  count: id.describe('how many events this item coalesces (reactions on one post), 1 otherwise'),
  community_id: id.nullable(),
  channel_id: id.nullable(),
  message_id: id.nullable().describe('a channel or DM message: open the channel or thread "around" it'),
  thread_id: id.nullable().describe('a DM thread'),
  feed_item_id: id.nullable().describe('a feed post'),
  data: z.record(z.string(), z.unknown()).describe('kind-specific values (level, badge, tier, decision, emoji…)'),
  read: z.boolean(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationPageSchema = z.object({
  items: z.array(notificationSchema),
  next_cursor: z.string().nullable(),
  unread_count: id,
});
export type NotificationPage = z.infer<typeof notificationPageSchema>;

const kindSwitch = z.object({ in_app: z.boolean(), host: z.boolean() });
export const kindPrefsSchema = z.object(
  Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, kindSwitch])) as Record<NotificationKind, typeof kindSwitch>,
);
export type KindPrefs = z.infer<typeof kindPrefsSchema>;

export const scopePrefsSchema = z.object({
  community_id: id,
  community_name: z.string(),
  /** 0: the whole community. */
  channel_id: id,
  /** null: the whole community. */
  channel_name: z.string().nullable(),
  muted: z.boolean(),
  /** null: as the user's default. */
  level: z.enum(NOTIFICATION_LEVELS).nullable(),
});
export type ScopePrefs = z.infer<typeof scopePrefsSchema>;

export const notificationPrefsSchema = z.object({
  /** The user's default for communities and channels with no override. */
  level: z.enum(NOTIFICATION_LEVELS),
  kinds: kindPrefsSchema.describe('per kind: in the bell (in_app) and in RocketLMS (host)'),
  /** What the school allows: a kind off here is never delivered there, whatever the user chooses. */
  allowed: kindPrefsSchema,
  scopes: z.array(scopePrefsSchema),
});
export type NotificationPrefs = z.infer<typeof notificationPrefsSchema>;

const partialKinds = z
  .object(
    Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, kindSwitch.partial().strict()])) as Record<
      NotificationKind,
      z.ZodObject<{ in_app: z.ZodOptional<z.ZodBoolean>; host: z.ZodOptional<z.ZodBoolean> }>
    >,
  )
  .partial()
  .strict();

export const notificationPrefsPatchSchema = z
  .object({
    /** Without it: the user's defaults. */
    community_id: z.number().int().positive().optional(),
    /** With community_id: one channel of it. */
    channel_id: z.number().int().positive().optional(),
    muted: z.boolean().optional(),
    level: z.enum(NOTIFICATION_LEVELS).nullable().optional(),
    kinds: partialKinds.optional(),
  })
  .strict()
  .refine((b) => b.channel_id === undefined || b.community_id !== undefined, {
    message: 'channel_id needs community_id',
    path: ['channel_id'],
  })
  .refine((b) => b.community_id !== undefined || b.muted === undefined, { message: 'mute a community or a channel', path: ['muted'] })
  .refine((b) => b.community_id === undefined || b.kinds === undefined, { message: 'kinds are set for the user', path: ['kinds'] })
  .refine((b) => b.community_id !== undefined || b.level !== null, { message: 'the default level cannot be null', path: ['level'] });
export type NotificationPrefsPatch = z.infer<typeof notificationPrefsPatchSchema>;

export const notifications = {
  list: endpoint({
    method: 'GET',
    path: '/api/communities/notifications',
    summary:
      "The caller's notifications, newest first (keyset paged), with the unread count; items about content the caller can no longer see lose their body",
    tag: 'notifications',
    query: z.object({ ...cursorQuery, unread: z.enum(['true', 'false']).optional().describe('true: unread only') }).strict(),
    response: notificationPageSchema,
  }),
  markRead: endpoint({
    method: 'POST',
    path: '/api/communities/notifications/read',
    summary: 'Marks the given notifications (or all) read; answers the unread count',
    tag: 'notifications',
    body: z
      .object({ ids: z.array(z.number().int().positive()).min(1).max(200).optional(), all: z.literal(true).optional() })
      .strict()
      .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give ids or all', path: ['ids'] }),
    response: z.object({ unread_count: id }),
  }),
  preferences: endpoint({
    method: 'GET',
    path: '/api/communities/notifications/preferences',
    summary: "The caller's notification preferences: default level, per-kind switches, muted or mentions-only communities and channels",
    tag: 'notifications',
    response: notificationPrefsSchema,
  }),
  updatePreferences: endpoint({
    method: 'PATCH',
    path: '/api/communities/notifications/preferences',
    summary:
      'Changes the defaults (level, kinds) or one community or channel (muted, level; level null: as the default); a community or channel the caller cannot see is 404',
    tag: 'notifications',
    body: notificationPrefsPatchSchema,
    response: notificationPrefsSchema,
    errors: ['not_found'],
  }),
};
