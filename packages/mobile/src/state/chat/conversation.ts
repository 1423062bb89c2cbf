import { pageChanges, type ChangesPage, type ChangesRequest } from '@communities/client';
import type { Attachment, UserSummary } from '@communities/contract';

import { newNonce } from '../../lib/nonce';

export interface ReactionSummary {
  emoji: string;
  count: number;
  me: boolean;
}
export interface ReplyPreview {
  id: number;
  author: UserSummary;
  excerpt: string | null;
}

/** What channel messages and DM messages share (the contract's message base). */
export interface ChatMessage {
  id: number;
  author: UserSummary;
  content: string | null;
  deleted: boolean;
  reply_to: ReplyPreview | null;
  mentions: number[];
  attachments: Attachment[];
  reactions: ReactionSummary[];
  nonce: string | null;
  created_at: string;
  edited_at: string | null;
  viewer_can?: { react: boolean; edit: boolean; delete: boolean };
}

export interface HistoryPage<M> {
  items: M[];
  has_more_before: boolean;
  has_more_after: boolean;
  /** When the page was read: the `since` of the next changes request. */
  as_of?: string;
}

export interface SendBody {
  content: string;
  reply_to_id?: number;
  attachment_ids: number[];
  nonce: string;
}

/** The API calls a conversation needs: a channel and a DM thread each provide them. */
export interface ConversationSource<M extends ChatMessage> {
  history(query: { before?: number; after?: number; limit: number }): Promise<HistoryPage<M>>;
  post(body: SendBody): Promise<M>;
  react(messageId: number, emoji: string): Promise<{ reacted: boolean; reactions: ReactionSummary[] }>;
  edit(messageId: number, content: string): Promise<M>;
  remove(messageId: number): Promise<unknown>;
  read?(messageId: number): Promise<unknown>;
  /** What changed in messages already shown (channels.changes / dm.changes). */
  changes?(query: ChangesRequest): Promise<ChangesPage<M>>;
}

export interface PendingMessage {
  nonce: string;
  content: string;
  reply_to: ReplyPreview | null;
  attachments: Attachment[];
  status: 'sending' | 'failed';
  error: unknown;
  created_at: string;
}

export interface ConversationSnapshot<M> {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: unknown;
  /** Confirmed messages, oldest first. */
  messages: M[];
  /** Optimistic sends not yet confirmed, oldest first. */
  pending: PendingMessage[];
  hasMoreBefore: boolean;
  loadingOlder: boolean;
  /** The last failed reaction or page load, for a passing notice. */
  actionError: unknown;
}

export type SendResult = 'sent' | 'empty' | 'too_long';
export type EditResult = 'saved' | 'empty' | 'too_long' | 'failed';

export interface ReactionEvent {
  message_id: number;
  user_id: number;
  emoji: string;
  reacted: boolean;
  counts: Array<{ emoji: string; count: number }>;
}

/**
 * One conversation (a channel or a DM thread) as a small state machine, read through
 * `subscribe`/`getSnapshot` (useSyncExternalStore). Sends are optimistic: a pending copy with a
 * client nonce shows at once and is replaced by the server's message carrying the same nonce; a
 * failed send stays, marked, until retried with the same nonce (so it is never posted twice).
 */
export class Conversation<M extends ChatMessage> {
  private snapshot: ConversationSnapshot<M> = {
    status: 'idle',
    error: null,
    messages: [],
    pending: [],
    hasMoreBefore: false,
    loadingOlder: false,
    actionError: null,
  };
  private readonly listeners = new Set<() => void>();
  private readonly bodies = new Map<string, SendBody>();
  private lastRead = 0;
  /** as_of of the last read of what is shown: where the changes catch-up starts. */
  private since: string | undefined;

  constructor(
    private readonly source: ConversationSource<M>,
    private readonly options: {
      /** Names the conversation, e.g. `channel:12` or `dm:3`. */
      key?: string;
      me: () => UserSummary | null;
      pageSize?: number;
      maxLength: number;
    },
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ConversationSnapshot<M> => this.snapshot;

  get key(): string | undefined {
    return this.options.key;
  }

  private set(patch: Partial<ConversationSnapshot<M>>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }

  private get pageSize(): number {
    return this.options.pageSize ?? 50;
  }

  /** The latest page. */
  async load(): Promise<void> {
    this.set({ status: 'loading', error: null });
    try {
      const page = await this.source.history({ limit: this.pageSize });
      this.since = page.as_of;
      this.set({ status: 'ready', messages: page.items, hasMoreBefore: page.has_more_before });
      this.markRead();
    } catch (error) {
      this.set({ status: 'error', error });
    }
  }

  /** The page before the oldest message held (infinite scroll upwards). */
  async loadOlder(): Promise<void> {
    const s = this.snapshot;
    const oldest = s.messages[0];
    if (s.status !== 'ready' || s.loadingOlder || !s.hasMoreBefore || !oldest) return;
    this.set({ loadingOlder: true });
    try {
      const page = await this.source.history({ before: oldest.id, limit: this.pageSize });
      this.set({ loadingOlder: false, messages: merge(this.snapshot.messages, page.items), hasMoreBefore: page.has_more_before });
    } catch (error) {
      this.set({ loadingOlder: false, actionError: error });
    }
  }

  /** Everything after the newest message held: on a realtime nudge or after a reconnect. */
  async catchUp(): Promise<void> {
    if (this.snapshot.status !== 'ready') return;
    let newest = this.snapshot.messages[this.snapshot.messages.length - 1]?.id;
    for (let i = 0; i < 20; i++) {
      const page = await this.source.history(newest ? { after: newest, limit: this.pageSize } : { limit: this.pageSize });
      for (const m of page.items) this.reconcile(m);
      newest = this.snapshot.messages[this.snapshot.messages.length - 1]?.id;
      if (!page.has_more_after || page.items.length === 0) break;
    }
    this.markRead();
  }

  /**
   * After a reconnect: the messages that arrived meanwhile, then what changed in the ones
   * already shown (edits, deletions, reactions, pins, finished scans).
   */
  async resync(): Promise<void> {
    if (this.snapshot.status !== 'ready') return;
    const shown = this.snapshot.messages;
    const [from, to] = [shown[0]?.id, shown[shown.length - 1]?.id];
    await this.catchUp();
    const source = this.source;
    if (!source.changes || this.since === undefined || from === undefined || to === undefined) return;
    this.since = await pageChanges(
      (q) => source.changes!(q),
      { since: this.since, from_id: from, to_id: to },
      (m) => this.reconcile({ ...m, nonce: null }),
      20,
    );
  }

  /** Validates, shows the message at once, then posts it. */
  send(input: { content: string; replyTo?: ReplyPreview | null; attachments?: Attachment[] }): SendResult {
    const content = input.content.trim();
    const attachments = input.attachments ?? [];
    if (!content && attachments.length === 0) return 'empty';
    if (content.length > this.options.maxLength) return 'too_long';
    const nonce = newNonce();
    const body: SendBody = {
      content,
      attachment_ids: attachments.map((a) => a.id),
      nonce,
      ...(input.replyTo ? { reply_to_id: input.replyTo.id } : {}),
    };
    this.bodies.set(nonce, body);
    const pending: PendingMessage = {
      nonce,
      content,
      reply_to: input.replyTo ?? null,
      attachments,
      status: 'sending',
      error: null,
      created_at: new Date().toISOString(),
    };
    this.set({ pending: [...this.snapshot.pending, pending] });
    void this.post(nonce);
    return 'sent';
  }

  /** Sends a failed message again with its original nonce. */
  retry(nonce: string): void {
    if (!this.bodies.has(nonce)) return;
    this.set({ pending: this.snapshot.pending.map((p) => (p.nonce === nonce ? { ...p, status: 'sending', error: null } : p)) });
    void this.post(nonce);
  }

  discard(nonce: string): void {
    this.bodies.delete(nonce);
    this.set({ pending: this.snapshot.pending.filter((p) => p.nonce !== nonce) });
  }

  private async post(nonce: string): Promise<void> {
    const body = this.bodies.get(nonce);
    if (!body) return;
    try {
      const message = await this.source.post(body);
      this.reconcile({ ...message, nonce: message.nonce ?? nonce });
      this.markRead();
    } catch (error) {
      if (!this.bodies.has(nonce)) return;
      this.set({ pending: this.snapshot.pending.map((p) => (p.nonce === nonce ? { ...p, status: 'failed', error } : p)) });
    }
  }

  /** A message from the server (a send's answer, history, or a realtime push): replaces its pending copy. */
  reconcile(message: M): void {
    let pending = this.snapshot.pending;
    if (message.nonce) pending = pending.filter((p) => p.nonce !== message.nonce);
    else if (message.author.id === this.options.me()?.id) {
      // Our own message pushed to everyone (without the nonce) may beat the POST's answer.
      const twin = pending.find((p) => p.status === 'sending' && p.content === (message.content ?? ''));
      if (twin) pending = pending.filter((p) => p !== twin);
    }
    for (const p of this.snapshot.pending) if (!pending.includes(p)) this.bodies.delete(p.nonce);
    const existing = this.snapshot.messages.find((m) => m.id === message.id);
    const merged = existing ? ({ ...existing, ...message, viewer_can: message.viewer_can ?? existing.viewer_can } as M) : message;
    this.set({ pending, messages: merge(this.snapshot.messages, [merged]) });
  }

  /** An edit pushed by the server: it carries an ordinary member's viewer_can, so ours is kept. */
  update(message: M): void {
    const held = this.snapshot.messages.find((m) => m.id === message.id);
    if (held) this.replace({ ...message, viewer_can: held.viewer_can ?? message.viewer_can });
  }

  /** A newer copy of a message held (an edit), leaving pending sends alone. */
  private replace(message: M): void {
    this.set({ messages: this.snapshot.messages.map((m) => (m.id === message.id ? { ...m, ...message, nonce: m.nonce } : m)) });
  }

  /** A deletion (ours, a moderator's, or pushed): the tombstone stays, and replies lose their excerpt. */
  markDeleted(messageId: number): void {
    this.set({
      messages: this.snapshot.messages.map((m) =>
        m.id === messageId
          ? { ...m, deleted: true, content: null, attachments: [], reactions: [] }
          : m.reply_to?.id === messageId
            ? { ...m, reply_to: { ...m.reply_to, excerpt: null } }
            : m,
      ),
    });
  }

  /** Saves an edit of our message; the server's copy (with edited_at) replaces the one held. */
  async edit(messageId: number, input: string): Promise<EditResult> {
    const content = input.trim();
    if (!content) return 'empty';
    if (content.length > this.options.maxLength) return 'too_long';
    try {
      this.replace(await this.source.edit(messageId, content));
      return 'saved';
    } catch (error) {
      this.set({ actionError: error });
      return 'failed';
    }
  }

  /** Deletes a message (ours, or another's for a moderator) once the server agrees. */
  async remove(messageId: number): Promise<boolean> {
    try {
      await this.source.remove(messageId);
      this.markDeleted(messageId);
      return true;
    } catch (error) {
      this.set({ actionError: error });
      return false;
    }
  }

  /** Toggles a reaction at once, then settles on the server's counts (or undoes it). */
  async react(messageId: number, emoji: string): Promise<void> {
    const before = this.snapshot.messages.find((m) => m.id === messageId);
    if (!before) return;
    this.replaceReactions(messageId, toggle(before.reactions, emoji));
    try {
      const res = await this.source.react(messageId, emoji);
      this.replaceReactions(messageId, res.reactions);
    } catch (error) {
      this.replaceReactions(messageId, before.reactions);
      this.set({ actionError: error });
    }
  }

  /** Someone's reaction, pushed by the server: counts for all, "me" only for our own. */
  applyReaction(event: ReactionEvent): void {
    const m = this.snapshot.messages.find((x) => x.id === event.message_id);
    if (!m) return;
    const mine = new Set(m.reactions.filter((r) => r.me).map((r) => r.emoji));
    if (event.user_id === this.options.me()?.id) {
      if (event.reacted) mine.add(event.emoji);
      else mine.delete(event.emoji);
    }
    this.replaceReactions(
      m.id,
      event.counts.filter((c) => c.count > 0).map((c) => ({ emoji: c.emoji, count: c.count, me: mine.has(c.emoji) })),
    );
  }

  clearActionError(): void {
    if (this.snapshot.actionError) this.set({ actionError: null });
  }

  private replaceReactions(messageId: number, reactions: ReactionSummary[]): void {
    this.set({ messages: this.snapshot.messages.map((m) => (m.id === messageId ? { ...m, reactions } : m)) });
  }

  private markRead(): void {
    const newest = this.snapshot.messages[this.snapshot.messages.length - 1];
    if (!newest || newest.id <= this.lastRead || !this.source.read) return;
    this.lastRead = newest.id;
    this.source.read(newest.id).catch(() => {
      // A missed read marker only leaves an unread badge; the next read moves it.
      this.lastRead = 0;
    });
  }
}

/** Messages by id, oldest first, later copies winning. */
function merge<M extends ChatMessage>(held: M[], incoming: M[]): M[] {
  const byId = new Map(held.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

export function toggle(reactions: ReactionSummary[], emoji: string): ReactionSummary[] {
  const r = reactions.find((x) => x.emoji === emoji);
  if (!r) return [...reactions, { emoji, count: 1, me: true }];
  if (r.me) return reactions.flatMap((x) => (x.emoji !== emoji ? [x] : x.count > 1 ? [{ ...x, count: x.count - 1, me: false }] : []));
  return reactions.map((x) => (x.emoji === emoji ? { ...x, count: x.count + 1, me: true } : x));
}
