/**
 * Realtime channel names and event names (Pusher Channels protocol 7). Everything that builds
 * or reads a channel name goes through here; no string literals elsewhere.
 */
export type RealtimeChannelKind = 'channel' | 'dm' | 'user' | 'community';

export const realtimeChannel = {
  channel: (prefix: string, id: number) => `private-${prefix}channel.${id}`,
  channelPresence: (prefix: string, id: number) => `presence-${prefix}channel.${id}`,
  dm: (prefix: string, id: number) => `private-${prefix}dm.${id}`,
  dmPresence: (prefix: string, id: number) => `presence-${prefix}dm.${id}`,
  user: (prefix: string, id: number) => `private-${prefix}user.${id}`,
  community: (prefix: string, id: number) => `private-${prefix}community.${id}`,
};

export function parseChannelName(name: string, prefix: string): { kind: RealtimeChannelKind; id: number; presence: boolean } | null {
  const m = /^(private|presence)-(.*)$/.exec(name);
  if (!m || !m[2]!.startsWith(prefix)) return null;
  const rest = /^(channel|dm|user|community)\.([1-9]\d{0,14})$/.exec(m[2]!.slice(prefix.length));
  if (!rest) return null;
  const kind = rest[1] as RealtimeChannelKind;
  const presence = m[1] === 'presence';
  // Presence (online members, typing) exists for chat channels and DM threads only.
  if (presence && kind !== 'channel' && kind !== 'dm') return null;
  return { kind, id: Number(rest[2]), presence };
}

export const REALTIME_EVENTS = {
  messageCreated: 'message.created',
  messageUpdated: 'message.updated',
  messageDeleted: 'message.deleted',
  reactionChanged: 'reaction.changed',
  messagePinned: 'message.pinned',
  channelActivity: 'channel.activity',
  mentionCreated: 'mention.created',
  readStateUpdated: 'read_state.updated',
  channelCreated: 'channel.created',
  channelUpdated: 'channel.updated',
  channelDeleted: 'channel.deleted',
  memberJoined: 'member.joined',
  memberLeft: 'member.left',
  dmThreadUpdated: 'dm_thread.updated',
  uploadScanned: 'upload.scanned',
} as const;
export type RealtimeEventName = (typeof REALTIME_EVENTS)[keyof typeof REALTIME_EVENTS];

/** channel.activity: a new message, for badges (see REALTIME_EVENT_DOCS). */
export interface ChannelActivity {
  channel_id: number;
  message_id: number;
  author_id: number;
  /** The message pings @everyone. */
  everyone: boolean;
}

/** mention.created: a message mentions the user (by name or role). */
export interface MentionCreated {
  community_id: number;
  channel_id: number;
  message_id: number;
  author_id: number;
}

/** Where each realtime event is published and what it carries (docs/EVENTS.md is generated from this). */
export const REALTIME_EVENT_DOCS: Record<RealtimeEventName, { on: string; data: string }> = {
  'message.created': {
    on: 'channel, dm',
    data: "the message as an ordinary member sees it (viewer_can for someone else's message; clients derive their own rights for their own messages)",
  },
  'message.updated': {
    on: 'channel, dm',
    data: "the message as members see it, after an edit or when an attachment's scan finished; without `reactions`, `viewer_can` and `nonce`, which are per viewer (clients keep theirs)",
  },
  'message.deleted': { on: 'channel, dm', data: '`{ id, channel_id | thread_id }`' },
  'reaction.changed': {
    on: 'channel, dm',
    data: '`{ message_id, channel_id | thread_id, user_id, emoji, reacted, counts: [{ emoji, count }] }` (clients set `me` when user_id is theirs)',
  },
  'message.pinned': { on: 'channel', data: '`{ id, channel_id, is_pinned }`' },
  'channel.activity': {
    on: 'community (open channels), channel (private or tier-gated ones)',
    data: '`{ channel_id, message_id, author_id, everyone }` for each new message: unread badges without subscribing to every channel (`everyone`: it pings @everyone)',
  },
  'mention.created': {
    on: 'user',
    data: '`{ community_id, channel_id, message_id, author_id }`, to each member a message mentions (by name or role) who may read the channel',
  },
  'read_state.updated': {
    on: 'user',
    data: "`{ channel_id | thread_id, last_read_message_id, unread_count, mention_count }`, to the reader's other devices",
  },
  'channel.created': { on: 'community', data: '`{ channel_id }` (clients re-list channels: what a member sees depends on them)' },
  'channel.updated': { on: 'community', data: '`{ channel_id }` or `{ reordered: true }`' },
  'channel.deleted': { on: 'community, channel', data: '`{ channel_id }`' },
  'member.joined': { on: 'community', data: '`{ user_id }`' },
  'member.left': { on: 'community', data: '`{ user_id }`' },
  'dm_thread.updated': {
    on: 'user',
    data: "`{ thread_id, reason: created | message | renamed | participants, last_message? }` or `{ reason: blocked | unblocked }`, to each participant's inbox",
  },
  'upload.scanned': { on: 'user', data: 'the attachment with its final scan status, to its uploader' },
};
