import type { Attachment, ChannelMessage, DmMessage, UserSummary } from '@communities/contract';

import type { ChangesPage, ChangesRequest } from '../realtime';

/** A message of a channel or of a DM thread. */
export type AnyMessage = ChannelMessage | DmMessage;
export type ReplyPreview = NonNullable<AnyMessage['reply_to']>;
export type ReactionSummary = AnyMessage['reactions'][number];

export interface HistoryPage<M> {
  items: M[];
  has_more_before: boolean;
  has_more_after: boolean;
  /** When the server read the page: where a catch-up of changes starts. */
  as_of?: string;
}

export interface HistoryQuery {
  before?: number;
  after?: number;
  around?: number;
  limit: number;
}

export interface SendBody {
  content: string;
  reply_to_id?: number;
  attachment_ids: number[];
  nonce: string;
}

/** The API calls one conversation (a channel or a DM thread) makes; each screen provides them. */
export interface ConversationIO<M extends AnyMessage> {
  history(query: HistoryQuery): Promise<HistoryPage<M>>;
  post(body: SendBody): Promise<M>;
  /** What changed among shown messages since a page's as_of (edits, scans…), for catch-up after a reconnect. */
  changes?(query: ChangesRequest): Promise<ChangesPage<M>>;
  edit?(messageId: number, content: string): Promise<M>;
  remove?(messageId: number): Promise<unknown>;
  react?(messageId: number, emoji: string): Promise<{ reactions: ReactionSummary[] }>;
  pin?(messageId: number, pinned: boolean): Promise<M>;
  /** Marks a reply helpful or takes the mark back (channels with gamification on). */
  helpful?(messageId: number, helpful: boolean): Promise<{ helpful: boolean }>;
  read?(messageId: number): Promise<unknown>;
}

/**
 * The viewer's own rights in the conversation, from the channel (or thread) and their
 * membership as the screen loaded them: pushed payloads carry an ordinary member's
 * `viewer_can`, whoever watches.
 */
export interface ViewerRights {
  /** May delete other people's messages (owner, moderators). */
  deleteAny: boolean;
  /** May pin messages. */
  pin: boolean;
  /**
   * Who may mark a pushed reply helpful: 'asker' (the default) the author of the message it
   * answers, 'moderator' any reply not the viewer's own, 'off' nobody (gamification off).
   */
  helpful?: 'off' | 'asker' | 'moderator';
}

/** The life of the conversation as a whole (see TRANSITIONS in machine.ts). */
export type ConversationStatus = 'idle' | 'loading' | 'ready' | 'error';

/** The life of one send (see SEND_TRANSITIONS in machine.ts). */
export type SendStatus = 'sending' | 'waiting' | 'failed';

export interface PendingMessage {
  nonce: string;
  content: string;
  reply_to: ReplyPreview | null;
  attachments: Attachment[];
  /** `waiting`: the request never reached the server; it goes again when the connection is back. */
  status: SendStatus;
  /** Held by a rate limit (slow mode): sent again by itself at this time (ms since epoch). */
  retry_at: number | null;
  created_at: string;
  error: unknown;
}

export interface ConversationSnapshot<M> {
  status: ConversationStatus;
  /** Why the first load failed. */
  error: unknown;
  /** Confirmed messages, oldest first. */
  messages: M[];
  /** Optimistic sends not yet confirmed, oldest first. */
  pending: PendingMessage[];
  hasMoreBefore: boolean;
  loadingOlder: boolean;
  /**
   * True while an older stretch is shown (after a jump) rather than the live tail: newer pages
   * load on the way down, and live messages are held until the tail is reached.
   */
  hasMoreAfter: boolean;
  loadingNewer: boolean;
  /** The last failed action (reaction, edit, delete, page), for a passing notice. */
  actionError: unknown;
  /** The connection as the machine last heard of it. */
  online: boolean;
}

export interface SendInput {
  content: string;
  replyTo?: ReplyPreview | null;
  attachments?: Attachment[];
}

export type SendResult = 'sent' | 'empty' | 'too_long';
export type EditResult = 'saved' | 'empty' | 'too_long' | 'failed';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ConversationOptions {
  /** The viewer. */
  me: () => UserSummary | { id: number } | null;
  rights?: () => ViewerRights;
  pageSize?: number;
  /** Longest message accepted (longer ones are refused before sending); none when absent. */
  maxLength?: number;
  nonce?: () => string;
  now?: () => number;
  timers?: Timers;
}
