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

/**
 * Every realtime event name. Each has a payload schema and docs in REALTIME_EVENT_DEFS
 * (realtime-events.ts); a contract test keeps the two in step.
 */
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
  feedPostCreated: 'feed.post.created',
  feedPostUpdated: 'feed.post.updated',
  feedPostDeleted: 'feed.post.deleted',
  feedCommentCreated: 'feed.comment.created',
  feedCommentUpdated: 'feed.comment.updated',
  feedCommentDeleted: 'feed.comment.deleted',
  feedReactionChanged: 'feed.reaction.changed',
  moderationReportCreated: 'moderation.report_created',
  moderationReportOutcome: 'moderation.report_outcome',
  moderationSanction: 'moderation.sanction',
  moderationAutoSanction: 'moderation.auto_sanction',
  gamificationLevelUp: 'gamification.level_up',
  gamificationBadgeAwarded: 'gamification.badge_awarded',
  membershipRequestDecided: 'membership.request_decided',
  subscriptionChanged: 'subscription.changed',
  notificationCreated: 'notification.created',
  notificationsRead: 'notification.read',
  /** A client event: members relay it to each other on presence channels; the server never publishes it. */
  clientTyping: 'client-typing',
} as const;
export type RealtimeEventName = (typeof REALTIME_EVENTS)[keyof typeof REALTIME_EVENTS];
/** Events members send each other over presence channels (Pusher `client-` events). */
export type RealtimeClientEventName = Extract<RealtimeEventName, `client-${string}`>;
/** Events the server publishes. */
export type RealtimeServerEventName = Exclude<RealtimeEventName, RealtimeClientEventName>;
