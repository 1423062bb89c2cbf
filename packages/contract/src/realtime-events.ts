import { z } from 'zod';

import { channelMessageSchema, dmMessageSchema, dmThreadSchema } from './endpoints/chat';
import { notificationSchema } from './endpoints/notifications';
import { attachmentSchema } from './endpoints/uploads';
import { feedRealtimeSchemas } from './realtime-feed';
import { gamificationRealtimeSchemas } from './realtime-gamification';
import { moderationRealtimeSchemas } from './realtime-moderation';
import { parseChannelName, REALTIME_EVENTS, type RealtimeChannelKind, type RealtimeEventName } from './realtime';

/**
 * Realtime payloads: one zod schema per event in REALTIME_EVENTS, with where it is published,
 * when and to whom. The server validates what it publishes against these outside production,
 * clients parse what they receive with them, and docs/EVENTS.md is generated from them.
 */

const id = z.number().int();

/** Where an event goes: a kind of realtime channel (see realtimeChannel), or its presence twin. */
export type RealtimeEventPlace = RealtimeChannelKind | 'channel presence' | 'dm presence';

export interface RealtimeEventDef<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** The kinds of channel it is published on. */
  on: readonly RealtimeEventPlace[];
  /** When it is published (docs). */
  when: string;
  /** Who receives it (docs). */
  to: string;
}

const def = <S extends z.ZodType>(d: RealtimeEventDef<S>): RealtimeEventDef<S> => d;

/** A payload that names either a chat channel or a DM thread: one variant per kind. */
const inChannelOrThread = <T extends z.ZodRawShape>(shape: T) =>
  z.union([z.object({ ...shape, channel_id: id }).describe('channel'), z.object({ ...shape, thread_id: id }).describe('dm')]);

/** Reaction counts without the viewer's own `me`: everyone receives the same ones. */
export const reactionCountSchema = z.object({ emoji: z.string(), count: id });

/** What a REST message holds for its viewer only. */
const perViewer = { viewer_can: true, nonce: true, reactions: true } as const;
const reactionCounts = z.array(reactionCountSchema).describe('`{ emoji, count }` per emoji (no `me`: clients keep their own)');

/**
 * The message as everyone sees it, in a chat channel or a DM thread: what message.created and
 * message.updated carry. Nothing in it depends on who receives it: no `viewer_can` (clients
 * derive the viewer's rights from their own permissions), no `nonce`, and reactions as counts
 * (clients keep their own `me`).
 */
export const realtimeMessageSchema = z
  .union([
    channelMessageSchema.omit(perViewer).extend({ reactions: reactionCounts }).describe('channel'),
    dmMessageSchema.omit(perViewer).extend({ reactions: reactionCounts }).describe('dm'),
  ])
  .describe(
    "The message as everyone sees it (`RealtimeMessage`): the REST message without `viewer_can` and `nonce`, reactions as counts. Clients derive the viewer's rights from the viewer's own permissions.",
  );
export type RealtimeMessage = z.infer<typeof realtimeMessageSchema>;
export type RealtimeChannelMessage = Extract<RealtimeMessage, { channel_id: number }>;
export type RealtimeDmMessage = Extract<RealtimeMessage, { thread_id: number }>;

export const messageDeletedSchema = inChannelOrThread({ id });
export type MessageDeleted = z.infer<typeof messageDeletedSchema>;

export const reactionChangedSchema = inChannelOrThread({
  message_id: id,
  user_id: id.describe('who reacted or took the reaction back (clients set their own `me` when it is them)'),
  emoji: z.string(),
  reacted: z.boolean().describe('true: the reaction was added; false: removed'),
  counts: z.array(reactionCountSchema).describe("the message's reactions after the change"),
});
export type ReactionChanged = z.infer<typeof reactionChangedSchema>;

export const messagePinnedSchema = z.object({ id, channel_id: id, is_pinned: z.boolean() });
export type MessagePinned = z.infer<typeof messagePinnedSchema>;

export const channelActivitySchema = z.object({
  channel_id: id,
  message_id: id,
  author_id: id,
  everyone: z.boolean().describe('the message pings @everyone'),
});
/** channel.activity: a new message, for badges. */
export type ChannelActivity = z.infer<typeof channelActivitySchema>;

export const mentionCreatedSchema = z.object({ community_id: id, channel_id: id, message_id: id, author_id: id });
/** mention.created: a message mentions the user (by name or role). */
export type MentionCreated = z.infer<typeof mentionCreatedSchema>;

export const readStateUpdatedSchema = inChannelOrThread({
  last_read_message_id: id,
  unread_count: id,
  mention_count: id.describe('always 0 for DM threads'),
});
export type ReadStateUpdated = z.infer<typeof readStateUpdatedSchema>;

export const channelRefSchema = z.object({ channel_id: id });
export type ChannelRef = z.infer<typeof channelRefSchema>;

export const channelUpdatedSchema = z.union([
  channelRefSchema.describe('one channel'),
  z.object({ reordered: z.literal(true) }).describe('reordered'),
]);
export type ChannelUpdated = z.infer<typeof channelUpdatedSchema>;

export const memberRefSchema = z.object({ user_id: id });
export type MemberRef = z.infer<typeof memberRefSchema>;

export const dmThreadUpdatedSchema = z.union([
  z.object({ thread_id: id, reason: z.enum(['created', 'renamed', 'participants']) }).describe('thread'),
  z
    .object({
      thread_id: id,
      reason: z.literal('message'),
      last_message: dmThreadSchema.shape.last_message.unwrap(),
    })
    .describe('message'),
  z.object({ reason: z.enum(['blocked', 'unblocked']) }).describe('block'),
]);
export type DmThreadUpdated = z.infer<typeof dmThreadUpdatedSchema>;

export const typingSchema = z.object({ user_id: id, name: z.string() });
export type Typing = z.infer<typeof typingSchema>;

const E = REALTIME_EVENTS;

/**
 * Every realtime event: schema and docs. To add events (e.g. the feed's), spread their
 * definitions in here and their names into REALTIME_EVENTS; the `satisfies` keeps both complete.
 */
export const REALTIME_EVENT_DEFS = {
  [E.messageCreated]: def({
    schema: realtimeMessageSchema,
    on: ['channel', 'dm'],
    when: 'a message is posted',
    to: 'everyone subscribed to the channel or thread, the author included (their other devices)',
  }),
  [E.messageUpdated]: def({
    schema: realtimeMessageSchema,
    on: ['channel', 'dm'],
    when: "a message is edited, or one of its attachments' scan finished",
    to: 'everyone subscribed to the channel or thread',
  }),
  [E.messageDeleted]: def({
    schema: messageDeletedSchema,
    on: ['channel', 'dm'],
    when: 'a message is deleted (by its author or a moderator)',
    to: 'everyone subscribed to the channel or thread',
  }),
  [E.reactionChanged]: def({
    schema: reactionChangedSchema,
    on: ['channel', 'dm'],
    when: 'someone adds or removes a reaction',
    to: 'everyone subscribed to the channel or thread',
  }),
  [E.messagePinned]: def({
    schema: messagePinnedSchema,
    on: ['channel'],
    when: 'a message is pinned or unpinned',
    to: 'everyone subscribed to the channel',
  }),
  [E.channelActivity]: def({
    schema: channelActivitySchema,
    on: ['community', 'channel'],
    when: "a message is posted in a chat channel: on the community's channel for open channels, on the channel itself for private or tier-gated ones (see the channel's `activity_on`)",
    to: 'whoever may read the channel, for unread badges without subscribing to every channel',
  }),
  [E.mentionCreated]: def({
    schema: mentionCreatedSchema,
    on: ['user'],
    when: 'a message mentions members, by name or role',
    to: 'each mentioned member who may read the channel, the author left out',
  }),
  [E.readStateUpdated]: def({
    schema: readStateUpdatedSchema,
    on: ['user'],
    when: 'the user marks a channel or thread read',
    to: "the reader's own channel, for their other devices",
  }),
  [E.channelCreated]: def({
    schema: channelRefSchema,
    on: ['community'],
    when: 'a channel or category is created',
    to: 'community subscribers; they list channels again, since what each may see depends on them',
  }),
  [E.channelUpdated]: def({
    schema: channelUpdatedSchema,
    on: ['community'],
    when: 'a channel is changed (`channel_id`), or the channels are reordered (`reordered`)',
    to: 'community subscribers; they list channels again',
  }),
  [E.channelDeleted]: def({
    schema: channelRefSchema,
    on: ['community', 'channel'],
    when: 'a channel is deleted',
    to: "community subscribers and the channel's own subscribers",
  }),
  [E.memberJoined]: def({
    schema: memberRefSchema,
    on: ['community'],
    when: 'someone becomes an active member',
    to: 'community subscribers (member lists, online panels)',
  }),
  [E.memberLeft]: def({
    schema: memberRefSchema,
    on: ['community'],
    when: 'a member leaves, is removed or loses access',
    to: 'community subscribers',
  }),
  [E.dmThreadUpdated]: def({
    schema: dmThreadUpdatedSchema,
    on: ['user'],
    when: 'a DM thread is created, gets a message, is renamed or changes participants; or the user blocks or unblocks someone (`reason` blocked or unblocked, without a thread)',
    to: "each participant's own channel (both sides of a block), to refresh the inbox",
  }),
  [E.uploadScanned]: def({
    schema: attachmentSchema,
    on: ['user'],
    when: "an upload's malware scan finished: the attachment with its final `scan_status`",
    to: 'its uploader',
  }),
  [E.clientTyping]: def({
    schema: typingSchema,
    on: ['channel presence', 'dm presence'],
    when: 'a member types (a client event: members send it, the gateway relays it, rate-limited by `chat.client_events_per_second`)',
    to: 'the other members on the presence channel',
  }),
  [E.feedPostCreated]: def({
    schema: feedRealtimeSchemas['feed.post.created'],
    on: ['community'],
    when: 'a post or announcement is published in the community feed',
    to: 'community subscribers (the members who may read it); the post as every member sees it, without `viewer_can` and `reactions`',
  }),
  [E.feedPostUpdated]: def({
    schema: feedRealtimeSchemas['feed.post.updated'],
    on: ['community'],
    when: "a post is edited, pinned or unpinned, or one of its attachments' scan finished",
    to: 'community subscribers; without `viewer_can` and `reactions` (clients keep theirs)',
  }),
  [E.feedPostDeleted]: def({
    schema: feedRealtimeSchemas['feed.post.deleted'],
    on: ['community'],
    when: 'a post is deleted',
    to: 'community subscribers',
  }),
  [E.feedCommentCreated]: def({
    schema: feedRealtimeSchemas['feed.comment.created'],
    on: ['community'],
    when: "someone comments on a post or replies to a comment: the comment (without `viewer_can` and `reactions`) and its post's new comment count",
    to: 'community subscribers',
  }),
  [E.feedCommentUpdated]: def({
    schema: feedRealtimeSchemas['feed.comment.updated'],
    on: ['community'],
    when: 'a comment is edited',
    to: 'community subscribers; without `viewer_can` and `reactions`',
  }),
  [E.feedCommentDeleted]: def({
    schema: feedRealtimeSchemas['feed.comment.deleted'],
    on: ['community'],
    when: 'a comment is deleted (the thread keeps a "deleted" placeholder)',
    to: 'community subscribers',
  }),
  [E.feedReactionChanged]: def({
    schema: feedRealtimeSchemas['feed.reaction.changed'],
    on: ['community'],
    when: 'someone reacts to a post or a comment, or takes a reaction back: the reactions after the change (`comment_id` null for a post), each `{ emoji, count }`',
    to: 'community subscribers (without `me`: clients keep theirs)',
  }),
  [E.moderationReportCreated]: def({
    schema: moderationRealtimeSchemas['moderation.report_created'],
    on: ['user'],
    when: 'a report (by a member, the word filter or a spam rule) enters a moderation queue',
    to: "each moderator of the report's community (site admins for DM and site-wide reports)",
  }),
  [E.moderationReportOutcome]: def({
    schema: moderationRealtimeSchemas['moderation.report_outcome'],
    on: ['user'],
    when: 'a report is resolved or dismissed',
    to: 'its reporter (never who else reported)',
  }),
  [E.moderationSanction]: def({
    schema: moderationRealtimeSchemas['moderation.sanction'],
    on: ['user'],
    when: 'a warning, mute, ban or kick is applied (by a moderator, automatically, or site-wide), or one is lifted',
    to: 'the sanctioned user, with the reason and the end',
  }),
  [E.moderationAutoSanction]: def({
    schema: moderationRealtimeSchemas['moderation.auto_sanction'],
    on: ['user'],
    when: "a member's filter violations reach `moderation.actions.auto_mute_threshold` or `auto_ban_threshold` and they are muted or banned automatically",
    to: 'each moderator of the community (owners and roles that may moderate), besides the `moderation.sanction` to the member',
  }),
  [E.gamificationLevelUp]: def({
    schema: gamificationRealtimeSchemas['gamification.level_up'],
    on: ['user'],
    when: 'points lift the user to a higher level, in a community or site-wide (`community_id` null)',
    to: 'the user, shown as a toast',
  }),
  [E.gamificationBadgeAwarded]: def({
    schema: gamificationRealtimeSchemas['gamification.badge_awarded'],
    on: ['user'],
    when: 'the user earns a badge (once per badge and community)',
    to: 'the user',
  }),
  [E.membershipRequestDecided]: def({
    schema: z.object({
      community_id: id,
      slug: z.string(),
      name: z.string(),
      decision: z.enum(['approved', 'rejected']),
      message: z.string().nullable().describe("the owner's or moderator's optional words to the requester"),
    }),
    on: ['user'],
    when: 'an owner or moderator approves or rejects a join request',
    to: 'the requester, so the community page turns into the member view (or says no) without a reload',
  }),
  [E.subscriptionChanged]: def({
    schema: z.object({
      community_id: id,
      slug: z.string(),
      name: z.string().describe("the community's name"),
      tier_id: id,
      tier_name: z.string(),
      change: z
        .enum(['activated', 'renewed', 'expiring', 'past_due', 'expired', 'cancelled'])
        .describe(
          'activated (a sale or a grant), renewed (a new sale extends it), expiring (3 days before the end), past_due (the term ran out, access kept for the grace period), expired, cancelled (refunded or withdrawn)',
        ),
      status: z.enum(['active', 'past_due', 'expired', 'cancelled']).describe("the subscription's status after the change"),
      expires_at: z.string().nullable().describe('when the term ends (ISO); null: never'),
      message: z.string().describe('what the member is told, also written to their in-app notifications'),
    }),
    on: ['user'],
    when: 'a paid-tier subscription starts, renews, is about to end, lapses, expires or is cancelled (the host sync, "Check my purchase" or an owner\'s grant)',
    to: 'the subscriber, so gated channels and the feed open or close without a reload (clients list channels again) and a toast says why',
  }),
  [E.notificationCreated]: def({
    schema: z.object({
      notification: notificationSchema,
      unread_count: id.describe("the recipient's unread notifications after this one"),
    }),
    on: ['user'],
    when: 'a notification is stored for the user (a new one, or a coalesced one that counts one more reaction)',
    to: 'the recipient, so the bell counts it and the list shows it without a reload (clients may show their own toast or push)',
  }),
  [E.notificationsRead]: def({
    schema: z.object({ unread_count: id, ids: z.array(id).nullable().describe('null: all were marked read') }),
    on: ['user'],
    when: 'the user marks notifications read (in any tab or device)',
    to: "the user's other tabs and devices, so their bells agree",
  }),
} satisfies { [N in RealtimeEventName]: RealtimeEventDef };

type Defs = typeof REALTIME_EVENT_DEFS;

/** Each event's payload schema, by name. */
export const REALTIME_EVENT_SCHEMAS = Object.fromEntries(Object.entries(REALTIME_EVENT_DEFS).map(([n, d]) => [n, d.schema])) as {
  [N in RealtimeEventName]: Defs[N]['schema'];
};

/** The payload an event carries. */
export type RealtimeEventData<N extends RealtimeEventName> = z.infer<Defs[N]['schema']>;

export type RealtimeEventResult<N extends RealtimeEventName = RealtimeEventName> =
  { ok: true; name: N; data: RealtimeEventData<N> } | { ok: false; name: string; error: string };

const isEventName = (name: string): name is RealtimeEventName => Object.hasOwn(REALTIME_EVENT_DEFS, name);

const describeIssues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');

/**
 * A received payload checked against its event's schema: the typed data (unknown fields
 * dropped, so an older client reads a newer server's payloads), or why not. Never throws.
 */
export function parseRealtimeEvent<N extends RealtimeEventName>(name: N, data: unknown): RealtimeEventResult<N>;
export function parseRealtimeEvent(name: string, data: unknown): RealtimeEventResult;
export function parseRealtimeEvent(name: string, data: unknown): RealtimeEventResult {
  if (!isEventName(name)) return { ok: false, name, error: `unknown realtime event ${JSON.stringify(name)}` };
  const r = (REALTIME_EVENT_SCHEMAS[name] as z.ZodType).safeParse(data);
  return r.success ? ({ ok: true, name, data: r.data } as RealtimeEventResult) : { ok: false, name, error: describeIssues(r.error) };
}

/** Fields present in `input` (and not undefined) that parsing dropped: the schema does not declare them. */
function undeclared(input: unknown, parsed: unknown, path: string): string[] {
  if (Array.isArray(input) && Array.isArray(parsed)) return input.flatMap((v, i) => undeclared(v, parsed[i], `${path}[${i}]`));
  if (!input || typeof input !== 'object' || !parsed || typeof parsed !== 'object') return [];
  const p = parsed as Record<string, unknown>;
  return Object.entries(input).flatMap(([k, v]) => {
    const at = path ? `${path}.${k}` : k;
    if (v === undefined) return [];
    return Object.hasOwn(p, k) ? undeclared(v, p[k], at) : [at];
  });
}

/**
 * What a publisher must send: the schema, no field it does not declare (a drift such as a
 * per-viewer field leaking into a shared payload), and, given channel names and their prefix,
 * only channels of a kind the event is published on. Never throws.
 */
export function checkRealtimeEvent(
  name: string,
  data: unknown,
  channels?: { names: readonly string[]; prefix: string },
): RealtimeEventResult {
  const r = parseRealtimeEvent(name, data);
  if (!r.ok) return r;
  const extra = undeclared(data, r.data, '');
  if (extra.length) return { ok: false, name, error: `fields the schema does not declare: ${extra.join(', ')}` };
  const on: readonly RealtimeEventPlace[] = REALTIME_EVENT_DEFS[r.name].on;
  for (const channel of channels?.names ?? []) {
    const c = parseChannelName(channel, channels!.prefix);
    const place: RealtimeEventPlace | null = c ? (c.presence ? (`${c.kind} presence` as RealtimeEventPlace) : c.kind) : null;
    if (!place || !on.includes(place)) return { ok: false, name, error: `published on ${channel}, not on ${on.join(' or ')}` };
  }
  return r;
}

/** Docs per event (docs/EVENTS.md), schemas apart. */
export const REALTIME_EVENT_DOCS = Object.fromEntries(
  Object.entries(REALTIME_EVENT_DEFS).map(([n, d]) => [n, { on: d.on, when: d.when, to: d.to }]),
) as { [N in RealtimeEventName]: Omit<RealtimeEventDef, 'schema'> };
