import { ApiError } from '@communities/client';
import type { Attachment, ChannelMessage, DmMessage } from '@communities/contract';

/**
 * One conversation (a channel or a DM thread) as an explicit state machine: history pages,
 * live events and optimistic sends. Sends carry a client nonce; the server's message replaces
 * the pending one when it arrives, whether through the POST response or the realtime echo.
 * Exposed through subscribe/getSnapshot for React's useSyncExternalStore.
 */
export type AnyMessage = ChannelMessage | DmMessage;

export interface HistoryPage<M> {
  items: M[];
  has_more_before: boolean;
  has_more_after: boolean;
  /** When the server read the page: where a catch-up of changes starts. */
  as_of?: string;
}

export interface ChangesQuery {
  since: string;
  after_id?: number;
  from_id: number;
  to_id: number;
}

export interface ChangesPage<M> {
  items: M[];
  next: { since: string; after_id: number } | null;
  as_of: string;
}

export interface SendInput {
  content: string;
  reply_to: AnyMessage['reply_to'];
  attachments: Attachment[];
}

export interface PendingMessage extends SendInput {
  nonce: string;
  /** `waiting`: the request never reached the server; sent again when the connection is back. */
  status: 'sending' | 'waiting' | 'failed';
  /** Held by a rate limit (slow mode): sent again by itself at this time (ms since epoch). */
  retry_at?: number | null;
  created_at: string;
  error: unknown;
}

export interface ChatIO<M> {
  page(query: { before?: number; after?: number; around?: number; limit: number }): Promise<HistoryPage<M>>;
  send(body: { content: string; reply_to_id?: number; attachment_ids: number[]; nonce: string }): Promise<M>;
  /** What changed among shown messages since a page's as_of (edits, scans…), for catch-up after a reconnect. */
  changes?(query: ChangesQuery): Promise<ChangesPage<M>>;
}

export interface ChatSnapshot<M> {
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  messages: M[];
  pending: PendingMessage[];
  hasMoreBefore: boolean;
  loadingOlder: boolean;
  /**
   * True while an older stretch is shown (after a jump to a reply) rather than the live tail:
   * newer pages load on the way down, and live messages wait until the tail is reached.
   */
  hasMoreAfter: boolean;
  loadingNewer: boolean;
}

export interface ReactionChange {
  message_id: number;
  user_id: number;
  emoji: string;
  reacted: boolean;
  counts: Array<{ emoji: string; count: number }>;
}

/**
 * The viewer's own rights in the conversation, for messages pushed live: their payload carries
 * an ordinary member's `viewer_can`, whoever watches.
 */
export interface ViewerRights {
  /** May delete other people's messages (owner, moderators). */
  deleteAny: boolean;
  /** May pin messages. */
  pin: boolean;
}

const PAGE = 50;
/** Live messages kept while an older stretch is shown; past this the tail reloads anyway. */
const HELD = 500;
export const newNonce = (): string => crypto.randomUUID().replace(/-/g, '');

export class ChatStore<M extends AnyMessage> {
  private snap: ChatSnapshot<M> = {
    status: 'loading',
    error: null,
    messages: [],
    pending: [],
    hasMoreBefore: false,
    loadingOlder: false,
    hasMoreAfter: false,
    loadingNewer: false,
  };
  private readonly listeners = new Set<() => void>();
  /** Live messages that arrived while an older stretch was shown. */
  private held: M[] = [];
  private asOf: string | undefined;

  constructor(
    private readonly io: ChatIO<M>,
    private readonly me: number,
    private readonly makeNonce: () => string = newNonce,
    private readonly rights: () => ViewerRights = () => ({ deleteAny: false, pin: false }),
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot<M> => this.snap;

  /** The newest message id known (0 when none): where realtime catch-up starts. */
  lastId(): number {
    return Math.max(this.snap.messages.at(-1)?.id ?? 0, this.held.at(-1)?.id ?? 0);
  }

  /** The oldest message id shown (0 when none). */
  firstId(): number {
    return this.snap.messages[0]?.id ?? 0;
  }

  /** When the first history page was read: the catch-up of changes starts there. */
  since(): string | undefined {
    return this.asOf;
  }

  private set(patch: Partial<ChatSnapshot<M>>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  private mapMessages(fn: (m: M) => M): void {
    let changed = false;
    const messages = this.snap.messages.map((m) => {
      const next = fn(m);
      if (next !== m) changed = true;
      return next;
    });
    if (changed) this.set({ messages });
  }

  async loadLatest(): Promise<void> {
    this.set({ status: 'loading', error: null });
    try {
      const page = await this.io.page({ limit: PAGE });
      this.asOf ??= page.as_of;
      this.set({ status: 'ready', messages: merge(this.snap.messages, page.items), hasMoreBefore: page.has_more_before });
    } catch (error) {
      this.set({ status: 'error', error });
    }
  }

  /**
   * Shows message `id`: at once when loaded, else the stretch of history around it (the
   * live tail is left until the reader comes back). False when the server no longer has it.
   */
  async jumpTo(id: number): Promise<boolean> {
    if (this.snap.messages.some((m) => m.id === id)) return true;
    try {
      const page = await this.io.page({ around: id, limit: PAGE });
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
      this.set({ error });
      throw error;
    }
  }

  /** Back to the live tail: the latest page, with what arrived meanwhile. */
  async toPresent(): Promise<void> {
    if (!this.snap.hasMoreAfter) return;
    try {
      const page = await this.io.page({ limit: PAGE });
      this.set({
        messages: merge(this.takeHeld(page.items), page.items),
        hasMoreBefore: page.has_more_before,
        hasMoreAfter: false,
        loadingNewer: false,
      });
    } catch (error) {
      this.set({ error });
      throw error;
    }
  }

  /** The next page down while an older stretch is shown; reaching the tail rejoins the live stream. */
  async loadNewer(): Promise<void> {
    const last = this.snap.messages.at(-1);
    if (!last || this.snap.loadingNewer || !this.snap.hasMoreAfter) return;
    this.set({ loadingNewer: true });
    try {
      const page = await this.io.page({ after: last.id, limit: PAGE });
      if (!this.snap.hasMoreAfter) return;
      const tail = !page.has_more_after;
      const items = tail ? merge(this.takeHeld(page.items), page.items) : page.items;
      this.set({ messages: merge(this.snap.messages, items), hasMoreAfter: !tail, loadingNewer: false });
    } catch (error) {
      this.set({ loadingNewer: false, error });
    }
  }

  /** Held live messages that continue `page` without a gap (older ones are in it or before it). */
  private takeHeld(page: M[]): M[] {
    const from = page[0]?.id ?? 0;
    const held = this.held.filter((m) => m.id > from);
    this.held = [];
    return held;
  }

  async loadOlder(): Promise<void> {
    const first = this.snap.messages[0];
    if (!first || this.snap.loadingOlder || !this.snap.hasMoreBefore) return;
    this.set({ loadingOlder: true });
    try {
      const page = await this.io.page({ before: first.id, limit: PAGE });
      this.set({ messages: merge(page.items, this.snap.messages), hasMoreBefore: page.has_more_before, loadingOlder: false });
    } catch (error) {
      this.set({ loadingOlder: false, error });
    }
  }

  /**
   * A message from the server. `live` ones come from realtime, presented as an ordinary member
   * sees someone else's message (no nonce, no edit rights): an existing copy keeps its own.
   */
  receive(live: M, source: 'rest' | 'live'): void {
    const m = source === 'live' ? this.asViewer(live) : live;
    let pending = this.snap.pending;
    if (m.nonce) pending = pending.filter((p) => p.nonce !== m.nonce);
    else if (m.author.id === this.me && source === 'live') {
      // Our own echo can beat the POST response: it settles the oldest matching send.
      const i = pending.findIndex((p) => p.status === 'sending' && p.content.trim() === (m.content ?? '').trim());
      if (i >= 0) pending = pending.filter((_, j) => j !== i);
    }
    const existing = this.snap.messages.find((x) => x.id === m.id);
    if (!existing && this.snap.hasMoreAfter) {
      // Newer than the stretch shown: kept for when the reader is back at the tail.
      this.held = merge(this.held, [m]).slice(-HELD);
      if (pending !== this.snap.pending) this.set({ pending });
      return;
    }
    const next = existing && source === 'live' ? ({ ...m, viewer_can: existing.viewer_can, nonce: existing.nonce } as M) : m;
    this.set({ messages: merge(this.snap.messages, [next]), pending });
  }

  /** A pushed message with the viewer's rights: their own to edit and delete, others' by permission. */
  private asViewer(m: M): M {
    const mine = m.author.id === this.me;
    const { deleteAny, pin } = this.rights();
    const can = { ...m.viewer_can, edit: mine, delete: mine || deleteAny, ...('pin' in m.viewer_can ? { pin } : {}) };
    return { ...m, viewer_can: can };
  }

  /** message.updated: new content, edits, attachments; the viewer's rights stay as they were. */
  updated(m: Partial<M> & { id: number }): void {
    const apply = (x: M): M => (x.id === m.id ? { ...x, ...m, viewer_can: x.viewer_can, nonce: x.nonce, reactions: x.reactions } : x);
    this.held = this.held.map(apply);
    this.mapMessages(apply);
  }

  /** A message as the caller sees it (a catch-up of changes): replaces the shown copy, adds nothing. */
  replace(m: M): void {
    this.mapMessages((x) => (x.id === m.id ? m : x));
  }

  removed(id: number): void {
    const gone = (x: M): M => (x.id === id ? { ...x, deleted: true, content: null, attachments: [], reactions: [] } : x);
    this.held = this.held.map(gone);
    this.mapMessages(gone);
  }

  reaction(e: ReactionChange): void {
    this.mapMessages((x) => {
      if (x.id !== e.message_id) return x;
      const reactions = e.counts.map((c) => ({
        emoji: c.emoji,
        count: c.count,
        me: e.user_id === this.me && c.emoji === e.emoji ? e.reacted : (x.reactions.find((r) => r.emoji === c.emoji)?.me ?? false),
      }));
      return { ...x, reactions };
    });
  }

  setReactions(id: number, reactions: M['reactions']): void {
    this.mapMessages((x) => (x.id === id ? { ...x, reactions } : x));
  }

  pinned(id: number, isPinned: boolean): void {
    this.mapMessages((x) => (x.id === id && 'is_pinned' in x ? { ...x, is_pinned: isPinned } : x));
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

  /** Shows the message at once and sends it; returns its nonce. */
  send(input: SendInput): string {
    const p: PendingMessage = { ...input, nonce: this.makeNonce(), status: 'sending', created_at: new Date().toISOString(), error: null };
    this.set({ pending: [...this.snap.pending, p] });
    void this.deliver(p);
    return p.nonce;
  }

  retry(nonce: string): void {
    const p = this.snap.pending.find((x) => x.nonce === nonce);
    if (!p || p.status === 'sending') return;
    this.setPending(nonce, { status: 'sending', error: null });
    void this.deliver(p);
  }

  /** The connection is back: sends that never reached the server go again, with their nonce. */
  reconnected(): void {
    for (const p of this.snap.pending) if (p.status === 'waiting') this.retry(p.nonce);
  }

  discard(nonce: string): void {
    this.set({ pending: this.snap.pending.filter((p) => p.nonce !== nonce) });
  }

  private setPending(nonce: string, patch: Partial<PendingMessage>): void {
    this.set({ pending: this.snap.pending.map((p) => (p.nonce === nonce ? { ...p, ...patch } : p)) });
  }

  private async deliver(p: PendingMessage): Promise<void> {
    try {
      const m = await this.io.send({
        content: p.content,
        ...(p.reply_to ? { reply_to_id: p.reply_to.id } : {}),
        attachment_ids: p.attachments.map((a) => a.id),
        nonce: p.nonce,
      });
      // The same nonce resent after a timeout returns the same message: never a duplicate.
      this.receive({ ...m, nonce: m.nonce ?? p.nonce }, 'rest');
    } catch (error) {
      if (!this.snap.pending.some((x) => x.nonce === p.nonce)) return;
      // Slow mode (or the message rate limit): not a failure the user must retry by hand; the
      // message waits for the Retry-After and goes by itself (the same nonce, so never twice).
      const wait = rateLimitWait(error);
      if (wait !== null) {
        this.setPending(p.nonce, { retry_at: Date.now() + wait * 1000 });
        setTimeout(() => {
          if (!this.snap.pending.some((x) => x.nonce === p.nonce)) return;
          this.setPending(p.nonce, { retry_at: null });
          void this.deliver(p);
        }, wait * 1000);
        return;
      }
      // A refusal (4xx, 5xx) waits for the reader; a request that never arrived goes again on reconnect.
      const network = error instanceof ApiError ? error.isNetwork : error instanceof TypeError;
      this.setPending(p.nonce, { status: network ? 'waiting' : 'failed', error });
    }
  }
}

/** Seconds to wait when `error` is a 429 with a Retry-After, else null. */
export function rateLimitWait(error: unknown): number | null {
  const e = error as { status?: unknown; retryAfterSeconds?: unknown } | null;
  if (!e || e.status !== 429 || typeof e.retryAfterSeconds !== 'number') return null;
  return Math.max(1, e.retryAfterSeconds);
}

/** Both lists sorted by id; the second wins on equal ids. */
function merge<M extends { id: number }>(a: M[], b: M[]): M[] {
  if (b.length === 0) return a;
  const byId = new Map<number, M>();
  for (const m of a) byId.set(m.id, m);
  for (const m of b) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.id - y.id);
}
