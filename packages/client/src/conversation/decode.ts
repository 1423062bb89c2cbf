import {
  REALTIME_EVENTS,
  type Attachment,
  type ChannelActivity,
  type ChannelMessage,
  type DmMessage,
  type MentionCreated,
  type RealtimeMessage,
  parseRealtimeEvent,
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

/**
 * A pushed message is the message as everyone sees it (`RealtimeMessage`): no rights, no nonce,
 * reactions as counts. Screens hold the viewer's form: rights start closed (the machine grants
 * them from the viewer's own permissions), and no reaction is the viewer's until they react.
 */
function asViewerForm(m: RealtimeMessage): ChannelMessage | DmMessage {
  const reactions = m.reactions.map((r) => ({ emoji: r.emoji, count: r.count, me: false }));
  if ('channel_id' in m)
    return { ...m, nonce: null, reactions, viewer_can: { edit: false, delete: false, pin: false, react: true, mark_helpful: false } };
  return { ...m, nonce: null, reactions, viewer_can: { edit: false, delete: false, react: true } };
}

/**
 * The one place a pushed realtime payload becomes typed data: every client handler goes
 * through here. Each payload is parsed by its event's schema in the contract
 * (`parseRealtimeEvent`); null for an unknown event or a payload that does not match (such a
 * push is dropped; REST catch-up still brings the truth).
 */
export function decodeRealtime<E extends keyof RealtimePayloads>(event: E, data: unknown): RealtimePayloads[E] | null {
  const r = parseRealtimeEvent(event, data);
  if (!r.ok) return null;
  if (event === REALTIME_EVENTS.messageCreated) return asViewerForm(r.data as RealtimeMessage) as RealtimePayloads[E];
  return r.data as unknown as RealtimePayloads[E];
}

/** The typing client event: who, under which name (cut to 80 characters). */
export function decodeTyping(data: unknown): TypingSignal | null {
  if (!isObj(data) || !isInt(data.user_id) || typeof data.name !== 'string') return null;
  return { user_id: data.user_id, name: data.name.slice(0, 80) };
}
