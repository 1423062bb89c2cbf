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
}

export interface SendInput {
  content: string;
  reply_to: AnyMessage['reply_to'];
  attachments: Attachment[];
}

export interface PendingMessage extends SendInput {
  nonce: string;
  status: 'sending' | 'failed';
  created_at: string;
  error: unknown;
}

export interface ChatIO<M> {
  page(query: { before?: number; after?: number; limit: number }): Promise<HistoryPage<M>>;
  send(body: { content: string; reply_to_id?: number; attachment_ids: number[]; nonce: string }): Promise<M>;
}

export interface ChatSnapshot<M> {
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  messages: M[];
  pending: PendingMessage[];
  hasMoreBefore: boolean;
  loadingOlder: boolean;
}

export interface ReactionChange {
  message_id: number;
  user_id: number;
  emoji: string;
  reacted: boolean;
  counts: Array<{ emoji: string; count: number }>;
}

const PAGE = 50;
export const newNonce = (): string => crypto.randomUUID().replace(/-/g, '');

export class ChatStore<M extends AnyMessage> {
  private snap: ChatSnapshot<M> = { status: 'loading', error: null, messages: [], pending: [], hasMoreBefore: false, loadingOlder: false };
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly io: ChatIO<M>,
    private readonly me: number,
    private readonly makeNonce: () => string = newNonce,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot<M> => this.snap;

  /** The newest message id shown (0 when none): where realtime catch-up starts. */
  lastId(): number {
    return this.snap.messages.at(-1)?.id ?? 0;
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
      this.set({ status: 'ready', messages: merge(this.snap.messages, page.items), hasMoreBefore: page.has_more_before });
    } catch (error) {
      this.set({ status: 'error', error });
    }
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
  receive(m: M, source: 'rest' | 'live'): void {
    let pending = this.snap.pending;
    if (m.nonce) pending = pending.filter((p) => p.nonce !== m.nonce);
    else if (m.author.id === this.me && source === 'live') {
      // Our own echo can beat the POST response: it settles the oldest matching send.
      const i = pending.findIndex((p) => p.status === 'sending' && p.content.trim() === (m.content ?? '').trim());
      if (i >= 0) pending = pending.filter((_, j) => j !== i);
    }
    const existing = this.snap.messages.find((x) => x.id === m.id);
    const next = existing && source === 'live' ? ({ ...m, viewer_can: existing.viewer_can, nonce: existing.nonce } as M) : m;
    this.set({ messages: merge(this.snap.messages, [next]), pending });
  }

  /** message.updated: new content, edits, attachments; the viewer's rights stay as they were. */
  updated(m: Partial<M> & { id: number }): void {
    this.mapMessages((x) => (x.id === m.id ? { ...x, ...m, viewer_can: x.viewer_can, nonce: x.nonce } : x));
  }

  removed(id: number): void {
    this.mapMessages((x) => (x.id === id ? { ...x, deleted: true, content: null, attachments: [], reactions: [] } : x));
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
    if (!p || p.status !== 'failed') return;
    this.setPending(nonce, { status: 'sending', error: null });
    void this.deliver(p);
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
      if (this.snap.pending.some((x) => x.nonce === p.nonce)) this.setPending(p.nonce, { status: 'failed', error });
    }
  }
}

/** Both lists sorted by id; the second wins on equal ids. */
function merge<M extends { id: number }>(a: M[], b: M[]): M[] {
  if (b.length === 0) return a;
  const byId = new Map<number, M>();
  for (const m of a) byId.set(m.id, m);
  for (const m of b) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => x.id - y.id);
}
