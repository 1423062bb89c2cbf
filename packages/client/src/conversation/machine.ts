import type { Attachment } from '@communities/contract';

import { ApiError } from '../api';
import type { ChangesPage, ChangesRequest } from '../realtime';

import type { MessageUpdated, ReactionChanged } from './decode';
import { newNonce } from './nonce';
import type {
  AnyMessage,
  ConversationIO,
  ConversationOptions,
  ConversationSnapshot,
  ConversationStatus,
  EditResult,
  HistoryPage,
  PendingMessage,
  ReactionSummary,
  SendInput,
  SendResult,
  SendStatus,
  Timers,
  ViewerRights,
} from './types';

/** What moves the conversation as a whole from one status to the next. */
export type ConversationEvent = 'load' | 'loaded' | 'failed';

/** The conversation's life: a status not listed for an event ignores it. */
export const TRANSITIONS: Record<ConversationStatus, Partial<Record<ConversationEvent, ConversationStatus>>> = {
  idle: { load: 'loading' },
  loading: { loaded: 'ready', failed: 'error' },
  ready: {},
  error: { load: 'loading' },
};

/** What happens to one send. `sent` and `discard` end it from any status. */
export type SendEvent = 'network_error' | 'refused' | 'held' | 'retry' | 'reconnected';

/**
 * A send's life. `waiting`: the request never reached the server (goes again by itself when the
 * connection is back, or every few seconds while it seems up); `failed`: the server refused it
 * (waits for the reader); `held`: a 429 (slow mode) keeps it `sending` until its Retry-After.
 */
export const SEND_TRANSITIONS: Record<SendStatus, Partial<Record<SendEvent, SendStatus>>> = {
  sending: { network_error: 'waiting', refused: 'failed', held: 'sending' },
  waiting: { retry: 'sending', reconnected: 'sending' },
  failed: { retry: 'sending' },
};

const PAGE = 50;
/** Live messages kept while an older stretch is shown; past this the tail reloads anyway. */
const HELD = 500;
/** While the connection seems up yet a send never reached the server, it goes again this often. */
export const WAITING_RETRY_MS = 3000;

const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * One conversation (a channel or a DM thread) as an explicit state machine, shared by web and
 * mobile: history both ways, jump-to with a held live tail, live events, optimistic sends
 * reconciled by nonce (with automatic retry after a reconnect and slow-mode holds), edits,
 * deletes, reactions, pins, scan statuses and the read marker. Framework-free; React reads it
 * through `subscribe`/`getSnapshot` (useSyncExternalStore).
 */
export class ConversationMachine<M extends AnyMessage> {
  private snap: ConversationSnapshot<M> = {
    status: 'idle',
    error: null,
    messages: [],
    pending: [],
    hasMoreBefore: false,
    loadingOlder: false,
    hasMoreAfter: false,
    loadingNewer: false,
    actionError: null,
    online: true,
  };
  private readonly listeners = new Set<() => void>();
  /** Live messages that arrived while an older stretch was shown. */
  private held: M[] = [];
  private asOf: string | undefined;
  private lastRead = 0;
  private readonly timers: Timers;
  private readonly scheduled = new Map<string, unknown>();

  constructor(
    private readonly io: ConversationIO<M>,
    private readonly options: ConversationOptions,
  ) {
    this.timers = options.timers ?? systemTimers;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): ConversationSnapshot<M> => this.snap;

  /** The newest message id known (0 when none): where realtime catch-up starts. */
  lastId(): number {
    return Math.max(this.snap.messages.at(-1)?.id ?? 0, this.held.at(-1)?.id ?? 0);
  }

  /** REST catch-up for the live stream: messages after an id, oldest first (the newest page for 0). */
  fetchAfter = (after: number): Promise<HistoryPage<M>> =>
    this.io.history(after > 0 ? { after, limit: this.pageSize } : { limit: this.pageSize });

  /** REST catch-up of changes among the messages shown, when the API has it. */
  get fetchChanges(): ((q: ChangesRequest) => Promise<ChangesPage<M>>) | undefined {
    const changes = this.io.changes?.bind(this.io);
    return changes;
  }

  /** The oldest message id shown (0 when none). */
  firstId(): number {
    return this.snap.messages[0]?.id ?? 0;
  }

  /** When the first history page was read: the catch-up of changes starts there. */
  since(): string | undefined {
    return this.asOf;
  }

  /** Stops pending timers (slow-mode holds, waiting retries), e.g. when the screen closes. */
  dispose(): void {
    for (const h of this.scheduled.values()) this.timers.clearTimeout(h);
    this.scheduled.clear();
  }

  private get me(): number | undefined {
    return this.options.me()?.id;
  }

  private get pageSize(): number {
    return this.options.pageSize ?? PAGE;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private set(patch: Partial<ConversationSnapshot<M>>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  /** Moves the conversation's status through TRANSITIONS; false when the event does not apply. */
  private dispatch(event: ConversationEvent, patch: Partial<ConversationSnapshot<M>> = {}): boolean {
    const next = TRANSITIONS[this.snap.status][event];
    if (!next) return false;
    this.set({ ...patch, status: next });
    return true;
  }

  private mapMessages(fn: (m: M) => M): void {
    let changed = false;
    const messages = this.snap.messages.map((m) => {
      const next = fn(m);
      if (next !== m) changed = true;
      return next;
    });
    this.held = this.held.map(fn);
    if (changed) this.set({ messages });
  }

  // History ------------------------------------------------------------------------------------

  /** The latest page (again after an error). */
  async load(): Promise<void> {
    if (!this.dispatch('load', { error: null })) return;
    try {
      const page = await this.io.history({ limit: this.pageSize });
      this.asOf ??= page.as_of;
      this.dispatch('loaded', { messages: merge(this.snap.messages, page.items), hasMoreBefore: page.has_more_before });
    } catch (error) {
      this.dispatch('failed', { error });
    }
  }

  /** The page before the oldest message shown (infinite scroll upwards). */
  async loadOlder(): Promise<void> {
    const first = this.snap.messages[0];
    if (this.snap.status !== 'ready' || !first || this.snap.loadingOlder || !this.snap.hasMoreBefore) return;
    this.set({ loadingOlder: true });
    try {
      const page = await this.io.history({ before: first.id, limit: this.pageSize });
      this.set({ messages: merge(page.items, this.snap.messages), hasMoreBefore: page.has_more_before, loadingOlder: false });
    } catch (error) {
      this.set({ loadingOlder: false, actionError: error });
    }
  }

  /** The next page down while an older stretch is shown; reaching the tail rejoins the live stream. */
  async loadNewer(): Promise<void> {
    const last = this.snap.messages.at(-1);
    if (!last || this.snap.loadingNewer || !this.snap.hasMoreAfter) return;
    this.set({ loadingNewer: true });
    try {
      const page = await this.io.history({ after: last.id, limit: this.pageSize });
      if (!this.snap.hasMoreAfter) return;
      const tail = !page.has_more_after;
      const items = tail ? merge(this.takeHeld(page.items), page.items) : page.items;
      this.set({ messages: merge(this.snap.messages, items), hasMoreAfter: !tail, loadingNewer: false });
    } catch (error) {
      this.set({ loadingNewer: false, actionError: error });
    }
  }

  /**
   * Shows message `id`: at once when loaded, else the stretch of history around it (the live
   * tail is held until the reader comes back). False when the server no longer has it.
   */
  async jumpTo(id: number): Promise<boolean> {
    if (this.snap.messages.some((m) => m.id === id)) return true;
    try {
      const page = await this.io.history({ around: id, limit: this.pageSize });
      if (!page.items.some((m) => m.id === id)) return false;
      const tail = !page.has_more_after;
      // Reaching the tail, keep what is newer than the page: held messages, or the live ones shown.
      const end = page.items.at(-1)!.id;
      const newer = this.snap.hasMoreAfter ? this.takeHeld(page.items) : this.snap.messages.filter((m) => m.id > end);
      this.set({
        messages: tail ? merge(newer, page.items) : page.items,
        hasMoreBefore: page.has_more_before,
        hasMoreAfter: !tail,
        loadingOlder: false,
        loadingNewer: false,
      });
      return true;
    } catch (error) {
      this.set({ actionError: error });
      throw error;
    }
  }

  /** Back to the live tail ("jump to present"): the latest page, with what arrived meanwhile. */
  async toPresent(): Promise<void> {
    if (!this.snap.hasMoreAfter) return;
    try {
      const page = await this.io.history({ limit: this.pageSize });
      this.set({
        messages: merge(this.takeHeld(page.items), page.items),
        hasMoreBefore: page.has_more_before,
        hasMoreAfter: false,
        loadingNewer: false,
      });
    } catch (error) {
      this.set({ actionError: error });
      throw error;
    }
  }

  /** Held live messages that continue `page` without a gap (older ones are in it or before it). */
  private takeHeld(page: M[]): M[] {
    const from = page[0]?.id ?? 0;
    const held = this.held.filter((m) => m.id > from);
    this.held = [];
    return held;
  }

  // Live events --------------------------------------------------------------------------------

  /**
   * A message from the server. `live` ones come from realtime, presented as an ordinary member
   * sees someone else's message (no nonce, no rights): they get the viewer's own rights, and an
   * existing copy keeps its own.
   */
  receive(incoming: M, source: 'rest' | 'live'): void {
    const m = source === 'live' ? this.asViewer(incoming) : incoming;
    let pending = this.snap.pending;
    if (m.nonce) pending = pending.filter((p) => p.nonce !== m.nonce);
    else if (m.author.id === this.me && source === 'live') {
      // Our own echo can beat the POST's answer: it settles the oldest matching send.
      const i = pending.findIndex((p) => p.status === 'sending' && p.content.trim() === (m.content ?? '').trim());
      if (i >= 0) pending = pending.filter((_, j) => j !== i);
    }
    for (const p of this.snap.pending) if (!pending.includes(p)) this.unschedule(p.nonce);
    const existing = this.snap.messages.find((x) => x.id === m.id) ?? this.held.find((x) => x.id === m.id);
    const next = existing && source === 'live' ? ({ ...m, viewer_can: existing.viewer_can, nonce: existing.nonce } as M) : m;
    if (!this.snap.messages.some((x) => x.id === m.id) && this.snap.hasMoreAfter) {
      // Newer than the stretch shown: kept for when the reader is back at the tail.
      this.held = merge(this.held, [next]).slice(-HELD);
      if (pending !== this.snap.pending) this.set({ pending });
      return;
    }
    this.set({ messages: merge(this.snap.messages, [next]), pending });
  }

  /** A pushed message with the viewer's rights: their own to edit and delete, others' by permission. */
  private asViewer(m: M): M {
    const mine = m.author.id === this.me;
    const { deleteAny, pin, helpful = 'asker' }: ViewerRights = this.options.rights?.() ?? { deleteAny: false, pin: false };
    const markHelpful =
      helpful !== 'off' && !mine && !m.deleted && m.reply_to !== null && (helpful === 'moderator' || m.reply_to.author.id === this.me);
    const can = {
      ...m.viewer_can,
      edit: mine,
      delete: mine || deleteAny,
      ...('pin' in m.viewer_can ? { pin, mark_helpful: markHelpful } : {}),
    };
    return { ...m, viewer_can: can };
  }

  /** message.updated: new content, edits, attachments; the viewer's rights, nonce and reactions stay. */
  updated(m: MessageUpdated): void {
    this.mapMessages((x) => (x.id === m.id ? { ...x, ...m, viewer_can: x.viewer_can, nonce: x.nonce, reactions: x.reactions } : x));
  }

  /** A message as the viewer sees it (a catch-up of changes): replaces the shown copy, adds nothing. */
  replace(m: M): void {
    if (m.deleted) this.removed(m.id);
    this.mapMessages((x) => (x.id === m.id ? { ...m, nonce: x.nonce } : x));
  }

  /** A deletion (ours, a moderator's, or pushed): the tombstone stays, and replies to it lose their excerpt. */
  removed(id: number): void {
    this.mapMessages((x) =>
      x.id === id
        ? x.deleted && x.content === null && x.attachments.length === 0 && x.reactions.length === 0
          ? x
          : { ...x, deleted: true, content: null, attachments: [], reactions: [] }
        : x.reply_to?.id === id && x.reply_to.excerpt !== null
          ? { ...x, reply_to: { ...x.reply_to, excerpt: null } }
          : x,
    );
  }

  /** reaction.changed: counts for all (a count of 0 drops the reaction), "me" only for our own. */
  reaction(e: ReactionChanged): void {
    this.mapMessages((x) => {
      if (x.id !== e.message_id) return x;
      const mine = new Set(x.reactions.filter((r) => r.me).map((r) => r.emoji));
      if (e.user_id === this.me) {
        if (e.reacted) mine.add(e.emoji);
        else mine.delete(e.emoji);
      }
      const reactions = e.counts.filter((c) => c.count > 0).map((c) => ({ emoji: c.emoji, count: c.count, me: mine.has(c.emoji) }));
      return { ...x, reactions };
    });
  }

  /** message.pinned */
  pinned(id: number, isPinned: boolean): void {
    this.mapMessages((x) => (x.id === id && 'is_pinned' in x && x.is_pinned !== isPinned ? { ...x, is_pinned: isPinned } : x));
  }

  /** upload.scanned, or a polled status: the attachment wherever it is shown. */
  attachmentScanned(a: Attachment): void {
    const swap = (list: Attachment[]) =>
      list.some((x) => x.id === a.id && x.kind === a.kind) ? list.map((x) => (x.id === a.id && x.kind === a.kind ? a : x)) : list;
    this.mapMessages((x) => {
      const attachments = swap(x.attachments);
      return attachments === x.attachments ? x : { ...x, attachments };
    });
    if (this.snap.pending.some((p) => swap(p.attachments) !== p.attachments))
      this.set({ pending: this.snap.pending.map((p) => ({ ...p, attachments: swap(p.attachments) })) });
  }

  // Sends --------------------------------------------------------------------------------------

  /** Validates, shows the message at once and sends it. */
  send(input: SendInput): SendResult {
    const content = input.content.trim();
    const attachments = input.attachments ?? [];
    if (!content && attachments.length === 0) return 'empty';
    if (this.options.maxLength !== undefined && content.length > this.options.maxLength) return 'too_long';
    const p: PendingMessage = {
      nonce: (this.options.nonce ?? newNonce)(),
      content,
      reply_to: input.replyTo ?? null,
      attachments,
      status: 'sending',
      retry_at: null,
      created_at: new Date(this.now()).toISOString(),
      error: null,
    };
    this.set({ pending: [...this.snap.pending, p] });
    void this.deliver(p.nonce);
    return 'sent';
  }

  /** The reader asks again (a failed or waiting send); same nonce, so never posted twice. */
  retry(nonce: string): void {
    this.sendEvent(nonce, 'retry');
  }

  discard(nonce: string): void {
    this.unschedule(nonce);
    this.set({ pending: this.snap.pending.filter((p) => p.nonce !== nonce) });
  }

  /**
   * The connection as the transport sees it. Coming back online, sends that never reached the
   * server go again with their nonce (the server keeps one message per nonce).
   */
  setOnline(online: boolean): void {
    if (online === this.snap.online) return;
    this.set({ online });
    if (online) for (const p of this.snap.pending) if (p.status === 'waiting') this.sendEvent(p.nonce, 'reconnected');
  }

  /** Moves one send through SEND_TRANSITIONS; a move to `sending` posts it (again). */
  private sendEvent(nonce: string, event: SendEvent, patch: Partial<PendingMessage> = {}): void {
    const p = this.snap.pending.find((x) => x.nonce === nonce);
    const next = p && SEND_TRANSITIONS[p.status][event];
    if (!p || !next) return;
    this.set({ pending: this.snap.pending.map((x) => (x.nonce === nonce ? { ...x, ...patch, status: next } : x)) });
    if (event === 'retry' || event === 'reconnected') {
      this.unschedule(nonce);
      this.setPending(nonce, { error: null });
      void this.deliver(nonce);
    }
    // The socket seems up, yet the request never arrived: try again in a while.
    if (next === 'waiting' && this.snap.online) this.schedule(nonce, WAITING_RETRY_MS, () => this.sendEvent(nonce, 'retry'));
  }

  private setPending(nonce: string, patch: Partial<PendingMessage>): void {
    this.set({ pending: this.snap.pending.map((p) => (p.nonce === nonce ? { ...p, ...patch } : p)) });
  }

  private schedule(key: string, ms: number, fn: () => void): void {
    this.unschedule(key);
    this.scheduled.set(
      key,
      this.timers.setTimeout(() => {
        this.scheduled.delete(key);
        fn();
      }, ms),
    );
  }

  private unschedule(key: string): void {
    if (!this.scheduled.has(key)) return;
    this.timers.clearTimeout(this.scheduled.get(key));
    this.scheduled.delete(key);
  }

  private async deliver(nonce: string): Promise<void> {
    const p = this.snap.pending.find((x) => x.nonce === nonce);
    if (!p) return;
    try {
      const m = await this.io.post({
        content: p.content,
        ...(p.reply_to ? { reply_to_id: p.reply_to.id } : {}),
        attachment_ids: p.attachments.map((a) => a.id),
        nonce,
      });
      // The same nonce sent again after a timeout returns the same message: never a duplicate.
      this.receive({ ...m, nonce: m.nonce ?? nonce }, 'rest');
    } catch (error) {
      if (!this.snap.pending.some((x) => x.nonce === nonce)) return;
      // Slow mode (or the message rate limit) is no failure the reader must retry by hand: the
      // message waits for the Retry-After and goes by itself (the same nonce, so never twice).
      const wait = rateLimitWait(error);
      if (wait !== null) {
        this.sendEvent(nonce, 'held', { retry_at: this.now() + wait * 1000, error });
        this.schedule(nonce, wait * 1000, () => {
          if (!this.snap.pending.some((x) => x.nonce === nonce)) return;
          this.setPending(nonce, { retry_at: null, error: null });
          void this.deliver(nonce);
        });
        return;
      }
      const network = error instanceof ApiError ? error.isNetwork : error instanceof TypeError;
      this.sendEvent(nonce, network ? 'network_error' : 'refused', { error });
    }
  }

  // The viewer's actions -----------------------------------------------------------------------

  /** Saves an edit of our message; the server's copy (with edited_at) replaces the one shown. */
  async edit(messageId: number, input: string): Promise<EditResult> {
    const content = input.trim();
    if (!content) return 'empty';
    if (this.options.maxLength !== undefined && content.length > this.options.maxLength) return 'too_long';
    if (!this.io.edit) return 'failed';
    try {
      this.receive(await this.io.edit(messageId, content), 'rest');
      return 'saved';
    } catch (error) {
      this.set({ actionError: error });
      return 'failed';
    }
  }

  /** Deletes a message (ours, or another's for a moderator) once the server agrees. */
  async remove(messageId: number): Promise<boolean> {
    if (!this.io.remove) return false;
    try {
      await this.io.remove(messageId);
      this.removed(messageId);
      return true;
    } catch (error) {
      this.set({ actionError: error });
      return false;
    }
  }

  /** Toggles our reaction at once, then settles on the server's counts (or undoes it). */
  async react(messageId: number, emoji: string): Promise<void> {
    const before = this.snap.messages.find((m) => m.id === messageId);
    if (!before || !this.io.react) return;
    this.setReactions(messageId, toggleReaction(before.reactions, emoji));
    try {
      this.setReactions(messageId, (await this.io.react(messageId, emoji)).reactions);
    } catch (error) {
      this.setReactions(messageId, before.reactions);
      this.set({ actionError: error });
    }
  }

  private setReactions(id: number, reactions: ReactionSummary[]): void {
    this.mapMessages((x) => (x.id === id ? { ...x, reactions: reactions.filter((r) => r.count > 0) } : x));
  }

  /** Pins or unpins (channels only), with the server's copy. */
  async pin(messageId: number, pinned: boolean): Promise<boolean> {
    if (!this.io.pin) return false;
    try {
      this.receive(await this.io.pin(messageId, pinned), 'rest');
      return true;
    } catch (error) {
      this.set({ actionError: error });
      return false;
    }
  }

  /** Marks a reply helpful or takes the mark back (channels only); shown once the server agrees. */
  async markHelpful(messageId: number, helpful: boolean): Promise<boolean> {
    if (!this.io.helpful) return false;
    try {
      const r = await this.io.helpful(messageId, helpful);
      this.mapMessages((x) => (x.id === messageId && 'helpful' in x ? { ...x, helpful: r.helpful } : x));
      return true;
    } catch (error) {
      this.set({ actionError: error });
      return false;
    }
  }

  clearActionError(): void {
    if (this.snap.actionError) this.set({ actionError: null });
  }

  /**
   * Moves the read marker to the newest message shown (the caller decides when the reader sees
   * it). Returns the id marked, or null when nothing newer was there to mark.
   */
  markRead(): number | null {
    const newest = this.snap.hasMoreAfter ? undefined : this.snap.messages.at(-1);
    if (!newest || newest.id <= this.lastRead || !this.io.read) return null;
    const id = newest.id;
    this.lastRead = id;
    this.io.read(id).catch(() => {
      // A missed read marker only leaves an unread badge; the next read moves it.
      if (this.lastRead === id) this.lastRead = 0;
    });
    return id;
  }

  /** The marker as the screen loaded it, so that older messages are not marked again. */
  readUpTo(id: number): void {
    this.lastRead = Math.max(this.lastRead, id);
  }
}

/** Seconds to wait when `error` is a 429 with a Retry-After, else null. */
export function rateLimitWait(error: unknown): number | null {
  const e = error as { status?: unknown; retryAfterSeconds?: unknown } | null;
  if (!e || e.status !== 429 || typeof e.retryAfterSeconds !== 'number') return null;
  return Math.max(1, e.retryAfterSeconds);
}

/** Our reaction toggled: added, counted up, or taken back (dropped at 0). */
export function toggleReaction(reactions: ReactionSummary[], emoji: string): ReactionSummary[] {
  const r = reactions.find((x) => x.emoji === emoji);
  if (!r) return [...reactions, { emoji, count: 1, me: true }];
  if (r.me) return reactions.flatMap((x) => (x.emoji !== emoji ? [x] : x.count > 1 ? [{ ...x, count: x.count - 1, me: false }] : []));
  return reactions.map((x) => (x.emoji === emoji ? { ...x, count: x.count + 1, me: true } : x));
}

/** Both lists sorted by id; the second wins on equal ids. */
function merge<M extends { id: number }>(a: M[], b: M[]): M[] {
  if (b.length === 0) return a;
  const byId = new Map<number, M>();
  for (const m of a) byId.set(m.id, m);
  for (const m of b) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.id - y.id);
}
