import {
  REALTIME_EVENTS,
  type Attachment,
  type ChannelActivity,
  type ChannelMessage,
  type DmMessage,
  type MentionCreated,
  type RealtimeEventName,
} from '@communities/contract';

/** message.updated: the message as members see it, without the per-viewer fields. */
export type MessageUpdated = Partial<ChannelMessage | DmMessage> & { id: number };
/** message.deleted */
export interface MessageDeleted {
  id: number;
  channel_id?: number;
  thread_id?: number;
}
/** reaction.changed */
export interface ReactionChanged {
  message_id: number;
  user_id: number;
  emoji: string;
  reacted: boolean;
  counts: Array<{ emoji: string; count: number }>;
}
/** message.pinned */
export interface MessagePinned {
  id: number;
  channel_id: number;
  is_pinned: boolean;
}
/** read_state.updated */
export interface ReadStateUpdated {
  channel_id?: number;
  thread_id?: number;
  last_read_message_id: number;
  unread_count: number;
  mention_count: number;
}
/** client-typing (a presence channel's client event, relayed between members). */
export interface TypingSignal {
  user_id: number;
  name: string;
}

/** What each realtime event carries once decoded. */
export interface RealtimePayloads {
  'message.created': ChannelMessage | DmMessage;
  'message.updated': MessageUpdated;
  'message.deleted': MessageDeleted;
  'reaction.changed': ReactionChanged;
  'message.pinned': MessagePinned;
  'channel.activity': ChannelActivity;
  'mention.created': MentionCreated;
  'read_state.updated': ReadStateUpdated;
  'channel.created': { channel_id: number };
  'channel.updated': { channel_id?: number; reordered?: boolean };
  'channel.deleted': { channel_id: number };
  'member.joined': { user_id: number };
  'member.left': { user_id: number };
  'dm_thread.updated': { thread_id?: number; reason: string; last_message?: unknown };
  'upload.scanned': Attachment;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** The fields each payload must carry (a structural check until the contract's zod schemas land). */
const REQUIRED: Record<RealtimeEventName, (d: Obj) => boolean> = {
  [REALTIME_EVENTS.messageCreated]: (d) =>
    isInt(d.id) && isObj(d.author) && isInt(d.author.id) && Array.isArray(d.attachments) && Array.isArray(d.reactions),
  [REALTIME_EVENTS.messageUpdated]: (d) => isInt(d.id),
  [REALTIME_EVENTS.messageDeleted]: (d) => isInt(d.id),
  [REALTIME_EVENTS.reactionChanged]: (d) =>
    isInt(d.message_id) && isInt(d.user_id) && typeof d.emoji === 'string' && typeof d.reacted === 'boolean' && Array.isArray(d.counts),
  [REALTIME_EVENTS.messagePinned]: (d) => isInt(d.id) && typeof d.is_pinned === 'boolean',
  [REALTIME_EVENTS.channelActivity]: (d) => isInt(d.channel_id) && isInt(d.message_id),
  [REALTIME_EVENTS.mentionCreated]: (d) => isInt(d.channel_id) && isInt(d.message_id),
  [REALTIME_EVENTS.readStateUpdated]: (d) => isInt(d.last_read_message_id),
  [REALTIME_EVENTS.channelCreated]: (d) => isInt(d.channel_id),
  [REALTIME_EVENTS.channelUpdated]: () => true,
  [REALTIME_EVENTS.channelDeleted]: (d) => isInt(d.channel_id),
  [REALTIME_EVENTS.memberJoined]: (d) => isInt(d.user_id),
  [REALTIME_EVENTS.memberLeft]: (d) => isInt(d.user_id),
  [REALTIME_EVENTS.dmThreadUpdated]: (d) => typeof d.reason === 'string',
  [REALTIME_EVENTS.uploadScanned]: (d) => isInt(d.id) && typeof d.kind === 'string' && typeof d.scan_status === 'string',
};

/**
 * The one place a pushed realtime payload becomes typed data: every client handler goes
 * through here. Null for an unknown event or a payload that lacks what its event promises
 * (such a push is dropped; REST catch-up still brings the truth).
 */
export function decodeRealtime<E extends RealtimeEventName>(event: E, data: unknown): RealtimePayloads[E] | null {
  const check = REQUIRED[event] as ((d: Obj) => boolean) | undefined;
  if (!check || !isObj(data) || !check(data)) return null;
  return data as unknown as RealtimePayloads[E];
}

/** The typing client event: who, under which name (cut to 80 characters). */
export function decodeTyping(data: unknown): TypingSignal | null {
  if (!isObj(data) || !isInt(data.user_id) || typeof data.name !== 'string') return null;
  return { user_id: data.user_id, name: data.name.slice(0, 80) };
}
