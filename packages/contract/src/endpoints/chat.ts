import { z } from 'zod';

import { endpoint, isoTime, okResponse } from '../endpoint';

import { roleSlugSchema } from '../permissions';

import { communityRef, userSummarySchema } from './communities';
import { emojiSchema, reactionSummarySchema } from './feed';
import { attachmentSchema } from './uploads';

const idNum = z.coerce.number().int().positive();
const nonce = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)
  .optional()
  .describe('client idempotency key: the same nonce from the same user returns the same message');

export const CHANNEL_TYPES = ['category', 'text', 'announcement', 'voice_future'] as const;

export const channelSchema = z.object({
  id: z.number().int(),
  community_id: z.number().int(),
  /** The category a channel sits in; null for categories and uncategorised channels. */
  parent_id: z.number().int().nullable(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  slug: z.string(),
  topic: z.string().nullable(),
  position: z.number().int(),
  is_private: z.boolean(),
  allowed_role_slugs: z.array(z.string()),
  allowed_user_ids: z.array(z.number().int()),
  slow_mode_seconds: z.number().int(),
  /** Level a member needs in this community to read and post (1: none); gamification unlocks. */
  min_level: z.number().int().min(1),
  /** The caller may see the channel but not open it until they reach min_level: show a lock with the level needed. */
  locked: z.boolean(),
  /** Pricing tiers one of which opens the channel (empty: not tier-gated). */
  required_tier_ids: z.array(z.number().int()),
  /** Why the caller may see but not open it: a level to reach, or a tier to buy; null when it opens. */
  locked_reason: z.enum(['level_required', 'tier_required']).nullable(),
  last_message_id: z.number().int().nullable(),
  /** Where this channel's channel.activity is published: the community's realtime channel, or its own (private, tier-gated). */
  activity_on: z.enum(['community', 'channel']),
  /** For the caller: messages after their last read one, by others (capped at 100). */
  unread_count: z.number().int(),
  /** Unread messages that mention the caller, their role or @everyone. */
  mention_count: z.number().int(),
  last_read_message_id: z.number().int(),
  viewer_can: z.object({ post: z.boolean(), manage: z.boolean(), pin: z.boolean(), attach: z.boolean(), mention_everyone: z.boolean() }),
});
export type Channel = z.infer<typeof channelSchema>;

export const replyPreviewSchema = z.object({
  id: z.number().int(),
  author: userSummarySchema,
  /** Plain-text excerpt; null when the replied-to message was deleted. */
  excerpt: z.string().nullable(),
});

const messageBase = {
  id: z.number().int(),
  author: userSummarySchema,
  /** Markdown source; null when deleted (moderators see it with `deleted: true`). */
  content: z.string().nullable(),
  deleted: z.boolean(),
  reply_to: replyPreviewSchema.nullable(),
  mentions: z.array(z.number().int()),
  /** Infected or failed files stay listed with their status: clients show them as removed. */
  attachments: z.array(attachmentSchema),
  reactions: z.array(reactionSummarySchema),
  /** The nonce the caller sent, so optimistic sends reconcile; null on others' messages. */
  nonce: z.string().nullable(),
  created_at: isoTime,
  edited_at: isoTime.nullable(),
};

export const channelMessageSchema = z.object({
  ...messageBase,
  channel_id: z.number().int(),
  mention_everyone: z.boolean(),
  mention_roles: z.array(z.string()),
  is_pinned: z.boolean(),
  /** A reply the asker of the message it answers (or a moderator) marked helpful. */
  helpful: z.boolean(),
  viewer_can: z.object({
    edit: z.boolean(),
    delete: z.boolean(),
    pin: z.boolean(),
    react: z.boolean(),
    /** A reply, not the viewer's own, and the viewer asked the message it answers or moderates (gamification on). */
    mark_helpful: z.boolean(),
  }),
});
export type ChannelMessage = z.infer<typeof channelMessageSchema>;

export const dmMessageSchema = z.object({
  ...messageBase,
  thread_id: z.number().int(),
  viewer_can: z.object({ edit: z.boolean(), delete: z.boolean(), react: z.boolean() }),
});
export type DmMessage = z.infer<typeof dmMessageSchema>;

export const historyQuery = z
  .object({
    before: idNum.optional().describe('messages older than this id'),
    after: idNum.optional().describe('messages newer than this id (catch-up after a reconnect)'),
    around: idNum.optional().describe('messages around this id (jump to a reply or a pin)'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict()
  .refine((q) => [q.before, q.after, q.around].filter((v) => v !== undefined).length <= 1, {
    message: 'Use at most one of before, after, around',
  });

/** Oldest first; the flags say whether to page further back or forward. */
const history = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    has_more_before: z.boolean(),
    has_more_after: z.boolean(),
    /** Pass as `since` to the changes endpoint to learn what changed after this page was read. */
    as_of: isoTime,
  });

export const changesQuery = z
  .object({
    since: z.iso.datetime().describe('`as_of` of an earlier history or changes answer'),
    after_id: idNum.optional().describe("with `since`: continue after this message (from the last answer's `next`)"),
    from_id: idNum.describe('the oldest message the client shows'),
    to_id: idNum.describe('the newest message the client shows (newer ones come through `after`)'),
  })
  .strict()
  .refine((q) => q.from_id <= q.to_id, { message: 'from_id must not be above to_id', path: ['from_id'] });

/**
 * What changed since `since` among the messages a client shows (its newest 1,000 at most):
 * edits, deletions, reactions, pins and finished attachment scans, each message whole as the
 * caller sees it, in the order of change. `next` pages on; `as_of` is the next `since`.
 */
const changes = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z.object({ since: isoTime, after_id: z.number().int() }).nullable(),
    as_of: isoTime,
  });

export const messageBody = z
  .object({
    content: z.string().trim().max(100_000).default(''),
    reply_to_id: z.number().int().positive().optional(),
    attachment_ids: z.array(z.number().int().positive()).max(50).default([]),
    nonce,
  })
  .strict()
  .refine((b) => b.content.length > 0 || b.attachment_ids.length > 0, {
    message: 'A message needs text or an attachment',
    path: ['content'],
  });

const reactResponse = z.object({ reacted: z.boolean(), reactions: z.array(reactionSummarySchema) });
const readBody = z.object({ message_id: z.number().int().nonnegative() }).strict();
const readState = z.object({ last_read_message_id: z.number().int(), unread_count: z.number().int(), mention_count: z.number().int() });

const channelFields = {
  name: z.string().trim().min(1).max(100),
  topic: z.string().trim().max(500).nullable().optional(),
  parent_id: z.number().int().positive().nullable().optional(),
  is_private: z.boolean().optional(),
  allowed_role_slugs: z.array(roleSlugSchema).max(50).optional(),
  allowed_user_ids: z.array(z.number().int().positive()).max(500).optional(),
  slow_mode_seconds: z.number().int().min(0).max(21_600).optional(),
  min_level: z.number().int().min(1).max(100).optional().describe('level needed in this community to open the channel (1: none)'),
  required_tier_ids: z
    .array(z.number().int().positive())
    .max(20)
    .optional()
    .describe("pricing tiers of this community one of which opens the channel (empty: none); the community's own tiers only"),
};
const channelParams = z.object({ channelId: idNum }).strict();

/** Permissions a channel override may allow or deny (those that mean something inside a channel). */
export const CHANNEL_OVERRIDE_PERMISSIONS = [
  'view',
  'send_messages',
  'react',
  'attach_files',
  'mention_everyone',
  'pin',
  'delete_any',
  'announce',
] as const;
export const channelOverrideSchema = z.object({
  target: z.enum(['role', 'member']),
  role: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).nullable(),
  user: userSummarySchema.nullable(),
  allow: z.array(z.enum(CHANNEL_OVERRIDE_PERMISSIONS)),
  deny: z.array(z.enum(CHANNEL_OVERRIDE_PERMISSIONS)),
});
export type ChannelOverride = z.infer<typeof channelOverrideSchema>;
const channelOverrideInput = z
  .object({
    role_slug: roleSlugSchema.optional(),
    user_id: z.number().int().positive().optional(),
    allow: z.array(z.enum(CHANNEL_OVERRIDE_PERMISSIONS)).max(20).default([]),
    deny: z.array(z.enum(CHANNEL_OVERRIDE_PERMISSIONS)).max(20).default([]),
  })
  .strict()
  .refine((b) => (b.role_slug === undefined) !== (b.user_id === undefined), { message: 'Give role_slug or user_id', path: ['role_slug'] })
  .refine((b) => !b.allow.some((p) => b.deny.includes(p)), { message: 'A permission cannot be both allowed and denied', path: ['allow'] });
const messageParams = z.object({ messageId: idNum }).strict();

export const channels = {
  list: endpoint({
    method: 'GET',
    path: '/api/communities/:id/channels',
    summary: 'Categories and channels the caller may see, in order, with unread and mention counts',
    tag: 'channels',
    feature: 'channels',
    params: communityRef,
    response: z.object({ items: z.array(channelSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  create: endpoint({
    method: 'POST',
    path: '/api/communities/:id/channels',
    summary: 'Create a category or a channel (manage_channels)',
    tag: 'channels',
    feature: 'channels',
    params: communityRef,
    body: z.object({ type: z.enum(['category', 'text', 'announcement']).default('text'), ...channelFields }).strict(),
    response: channelSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  reorder: endpoint({
    method: 'PUT',
    path: '/api/communities/:id/channels/order',
    summary: 'Set positions and categories of channels in one go (drag and drop)',
    tag: 'channels',
    feature: 'channels',
    params: communityRef,
    body: z
      .object({
        items: z
          .array(
            z
              .object({
                id: z.number().int().positive(),
                parent_id: z.number().int().positive().nullable(),
                position: z.number().int().min(0),
              })
              .strict(),
          )
          .min(1)
          .max(500),
      })
      .strict(),
    response: z.object({ items: z.array(channelSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  get: endpoint({
    method: 'GET',
    path: '/api/communities/channels/:channelId',
    summary: 'One channel',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    response: channelSchema,
    errors: ['forbidden', 'not_found'],
  }),
  update: endpoint({
    method: 'PATCH',
    path: '/api/communities/channels/:channelId',
    summary: 'Rename, move, set topic, privacy, allowed roles, slow mode, minimum level, or make a channel announcement-only (type)',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    body: z
      .object({
        ...channelFields,
        name: channelFields.name.optional(),
        position: z.number().int().min(0).optional(),
        type: z.enum(['text', 'announcement']).optional().describe('announcement: only roles with announce may post'),
      })
      .strict(),
    response: channelSchema,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  overrides: endpoint({
    method: 'GET',
    path: '/api/communities/channels/:channelId/overrides',
    summary: "A channel's permission overrides per role and per member (manage_channels)",
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    response: z.object({ items: z.array(channelOverrideSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  setOverride: endpoint({
    method: 'PUT',
    path: '/api/communities/channels/:channelId/overrides',
    summary:
      'Set the override of one role or one member in a channel, as in Discord: deny removes, allow adds (role first, then member); empty allow and deny deletes it',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    body: channelOverrideInput,
    response: z.object({ items: z.array(channelOverrideSchema) }),
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  remove: endpoint({
    method: 'DELETE',
    path: '/api/communities/channels/:channelId',
    summary: "Delete a channel with its messages (a category's channels become uncategorised)",
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  messages: endpoint({
    method: 'GET',
    path: '/api/communities/channels/:channelId/messages',
    summary: 'Message history, oldest first: latest page, or before / after / around a message id',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    query: historyQuery,
    response: history(channelMessageSchema),
    errors: ['forbidden', 'not_found'],
  }),
  changes: endpoint({
    method: 'GET',
    path: '/api/communities/channels/:channelId/messages/changes',
    summary: 'Messages a client shows that changed since a time (catch-up of edits, deletions, reactions, pins after a reconnect)',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    query: changesQuery,
    response: changes(channelMessageSchema),
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  pins: endpoint({
    method: 'GET',
    path: '/api/communities/channels/:channelId/pins',
    summary: 'Pinned messages, newest pin first',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    response: z.object({ items: z.array(channelMessageSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  post: endpoint({
    method: 'POST',
    path: '/api/communities/channels/:channelId/messages',
    summary: 'Post a message (Markdown; @[Name](user:ID), @[Role](role:slug), @everyone; reply; attachments; nonce)',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    body: messageBody,
    response: channelMessageSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'rate_limited', 'validation_failed'],
  }),
  edit: endpoint({
    method: 'PATCH',
    path: '/api/communities/channels/messages/:messageId',
    summary: 'Edit your message',
    tag: 'channels',
    feature: 'channels',
    params: messageParams,
    body: z.object({ content: z.string().trim().min(1).max(100_000) }).strict(),
    response: channelMessageSchema,
    errors: ['forbidden', 'not_found'],
  }),
  removeMessage: endpoint({
    method: 'DELETE',
    path: '/api/communities/channels/messages/:messageId',
    summary: 'Delete a message (its author, or moderators above the author)',
    tag: 'channels',
    feature: 'channels',
    params: messageParams,
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  pin: endpoint({
    method: 'POST',
    path: '/api/communities/channels/messages/:messageId/pin',
    summary: 'Pin a message',
    tag: 'channels',
    feature: 'channels',
    params: messageParams,
    response: channelMessageSchema,
    errors: ['forbidden', 'not_found'],
  }),
  unpin: endpoint({
    method: 'DELETE',
    path: '/api/communities/channels/messages/:messageId/pin',
    summary: 'Unpin a message',
    tag: 'channels',
    feature: 'channels',
    params: messageParams,
    response: channelMessageSchema,
    errors: ['forbidden', 'not_found'],
  }),
  react: endpoint({
    method: 'POST',
    path: '/api/communities/channels/messages/:messageId/reactions',
    summary: 'Toggle a reaction',
    tag: 'channels',
    feature: 'channels',
    params: messageParams,
    body: z.object({ emoji: emojiSchema }).strict(),
    response: reactResponse,
    errors: ['forbidden', 'not_found'],
  }),
  read: endpoint({
    method: 'POST',
    path: '/api/communities/channels/:channelId/read',
    summary: 'Mark the channel read up to a message (never moves backwards)',
    tag: 'channels',
    feature: 'channels',
    params: channelParams,
    body: readBody,
    response: readState,
    errors: ['forbidden', 'not_found'],
  }),
} as const;

export const dmThreadSchema = z.object({
  id: z.number().int(),
  type: z.enum(['dm', 'group']),
  /** Group name; null for 1:1 threads and unnamed groups (clients list the participants). */
  title: z.string().nullable(),
  owner_id: z.number().int(),
  participants: z.array(userSummarySchema),
  last_message: z
    .object({ id: z.number().int(), author_id: z.number().int(), excerpt: z.string().nullable(), created_at: isoTime })
    .nullable(),
  last_message_at: isoTime.nullable(),
  unread_count: z.number().int(),
  last_read_message_id: z.number().int(),
  /** 1:1: either side blocked the other; the thread is read-only. */
  read_only: z.boolean(),
  created_at: isoTime,
});
export type DmThread = z.infer<typeof dmThreadSchema>;

const threadParams = z.object({ threadId: idNum }).strict();
const userIds = z.array(z.number().int().positive()).min(1).max(99);

export const dm = {
  inbox: endpoint({
    method: 'GET',
    path: '/api/communities/dm/threads',
    summary: "The caller's DM threads, latest activity first, with previews and unread counts",
    tag: 'dm',
    feature: 'dm',
    query: z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(30) }).strict(),
    response: z.object({ items: z.array(dmThreadSchema), next_cursor: z.string().nullable() }),
  }),
  unread: endpoint({
    method: 'GET',
    path: '/api/communities/dm/unread',
    summary: 'How many DM threads and messages are unread (the Messages badge)',
    tag: 'dm',
    feature: 'dm',
    response: z.object({ threads: z.number().int(), messages: z.number().int() }),
  }),
  start: endpoint({
    method: 'POST',
    path: '/api/communities/dm/threads',
    summary: 'Open a 1:1 thread (the existing one for the same pair) or start a group',
    tag: 'dm',
    feature: 'dm',
    body: z.object({ user_ids: userIds, title: z.string().trim().min(1).max(100).optional(), group: z.boolean().default(false) }).strict(),
    response: dmThreadSchema,
    errors: ['forbidden', 'not_found', 'validation_failed', 'rate_limited'],
  }),
  thread: endpoint({
    method: 'GET',
    path: '/api/communities/dm/threads/:threadId',
    summary: 'One thread',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    response: dmThreadSchema,
    errors: ['not_found'],
  }),
  rename: endpoint({
    method: 'PATCH',
    path: '/api/communities/dm/threads/:threadId',
    summary: 'Rename a group (any of its members)',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    body: z.object({ title: z.string().trim().min(1).max(100).nullable() }).strict(),
    response: dmThreadSchema,
    errors: ['forbidden', 'not_found'],
  }),
  invite: endpoint({
    method: 'POST',
    path: '/api/communities/dm/threads/:threadId/participants',
    summary: 'Add people to a group (any of its members), up to dm.max_group_participants',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    body: z.object({ user_ids: userIds }).strict(),
    response: dmThreadSchema,
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  removeParticipant: endpoint({
    method: 'DELETE',
    path: '/api/communities/dm/threads/:threadId/participants/:userId',
    summary: 'Remove someone from a group (its owner), or leave (yourself)',
    tag: 'dm',
    feature: 'dm',
    params: z.object({ threadId: idNum, userId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  messages: endpoint({
    method: 'GET',
    path: '/api/communities/dm/threads/:threadId/messages',
    summary: 'Thread history, oldest first: latest page, or before / after / around a message id',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    query: historyQuery,
    response: history(dmMessageSchema),
    errors: ['not_found'],
  }),
  changes: endpoint({
    method: 'GET',
    path: '/api/communities/dm/threads/:threadId/messages/changes',
    summary: 'Messages a client shows that changed since a time (catch-up after a reconnect)',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    query: changesQuery,
    response: changes(dmMessageSchema),
    errors: ['not_found', 'validation_failed'],
  }),
  post: endpoint({
    method: 'POST',
    path: '/api/communities/dm/threads/:threadId/messages',
    summary: 'Send a message (same rules as channels; blocked 1:1 threads are read-only)',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    body: messageBody,
    response: dmMessageSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'rate_limited', 'validation_failed'],
  }),
  edit: endpoint({
    method: 'PATCH',
    path: '/api/communities/dm/messages/:messageId',
    summary: 'Edit your message',
    tag: 'dm',
    feature: 'dm',
    params: messageParams,
    body: z.object({ content: z.string().trim().min(1).max(100_000) }).strict(),
    response: dmMessageSchema,
    errors: ['forbidden', 'not_found'],
  }),
  removeMessage: endpoint({
    method: 'DELETE',
    path: '/api/communities/dm/messages/:messageId',
    summary: 'Delete your message',
    tag: 'dm',
    feature: 'dm',
    params: messageParams,
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  react: endpoint({
    method: 'POST',
    path: '/api/communities/dm/messages/:messageId/reactions',
    summary: 'Toggle a reaction',
    tag: 'dm',
    feature: 'dm',
    params: messageParams,
    body: z.object({ emoji: emojiSchema }).strict(),
    response: reactResponse,
    errors: ['forbidden', 'not_found'],
  }),
  read: endpoint({
    method: 'POST',
    path: '/api/communities/dm/threads/:threadId/read',
    summary: 'Mark the thread read up to a message',
    tag: 'dm',
    feature: 'dm',
    params: threadParams,
    body: readBody,
    response: readState,
    errors: ['not_found'],
  }),
  blocks: endpoint({
    method: 'GET',
    path: '/api/communities/dm/blocks',
    summary: 'People the caller has blocked',
    tag: 'dm',
    feature: 'dm',
    response: z.object({ items: z.array(userSummarySchema) }),
  }),
  block: endpoint({
    method: 'PUT',
    path: '/api/communities/dm/blocks/:userId',
    summary: 'Block someone: no new DMs from them; your 1:1 thread becomes read-only',
    tag: 'dm',
    feature: 'dm',
    params: z.object({ userId: idNum }).strict(),
    response: okResponse,
    errors: ['not_found', 'validation_failed'],
  }),
  unblock: endpoint({
    method: 'DELETE',
    path: '/api/communities/dm/blocks/:userId',
    summary: 'Unblock someone',
    tag: 'dm',
    feature: 'dm',
    params: z.object({ userId: idNum }).strict(),
    response: okResponse,
  }),
} as const;
