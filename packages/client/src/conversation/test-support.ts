import type { ChannelMessage } from '@communities/contract';

import type { ConversationIO, HistoryPage, Timers } from './types';

/** Shared by this folder's unit tests (not exported from the package). */
export const ME = 7;
export const meUser = { id: ME, name: 'Me', avatar_url: null };

export const msg = (id: number, over: Partial<ChannelMessage> = {}): ChannelMessage => ({
  id,
  channel_id: 1,
  author: { id: 9, name: 'Ana', avatar_url: null },
  content: `m${id}`,
  deleted: false,
  reply_to: null,
  mentions: [],
  mention_everyone: false,
  mention_roles: [],
  attachments: [],
  reactions: [],
  nonce: null,
  created_at: new Date(Date.UTC(2025, 0, 1, 10, 0, id)).toISOString(),
  edited_at: null,
  is_pinned: false,
  helpful: false,
  viewer_can: { edit: false, delete: false, pin: false, react: true, mark_helpful: false },
  ...over,
});

export const empty: HistoryPage<ChannelMessage> = { items: [], has_more_before: false, has_more_after: false };

/** History pages served in order; every query recorded. */
export function scripted(
  pages: Array<HistoryPage<ChannelMessage>>,
  post: ConversationIO<ChannelMessage>['post'] = async () => msg(99),
  more: Partial<ConversationIO<ChannelMessage>> = {},
) {
  const calls: unknown[] = [];
  const io: ConversationIO<ChannelMessage> = {
    history: async (q) => {
      calls.push(q);
      return pages.shift()!;
    },
    post,
    ...more,
  };
  return { calls, io };
}

/** A clock and timers the test moves by hand. */
export function manualTime(start = 1_000_000) {
  let now = start;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      due.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void due.delete(h as number),
  };
  return {
    timers,
    now: () => now,
    pending: () => due.size,
    /** Moves the clock, running each timer that falls due, in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
    },
  };
}

/** Lets the promise callbacks queued so far run (real timers). */
export const settle = () => new Promise((r) => setTimeout(r, 0));

/** A message as the server pushes it (`RealtimeMessage`): no rights, no nonce, reaction counts only. */
export function pushed(m: ChannelMessage): Omit<ChannelMessage, 'viewer_can' | 'nonce' | 'reactions'> & {
  reactions: Array<{ emoji: string; count: number }>;
} {
  const { viewer_can: _rights, nonce: _nonce, reactions, ...rest } = m;
  return { ...rest, reactions: reactions.map((r) => ({ emoji: r.emoji, count: r.count })) };
}
