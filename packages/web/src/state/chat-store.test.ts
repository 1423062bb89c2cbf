import { ApiError } from '@communities/client';
import type { ChannelMessage } from '@communities/contract';
import { describe, expect, it, vi } from 'vitest';

import { ChatStore, type ChatIO, type HistoryPage } from './chat-store';

const ME = 7;
const msg = (id: number, over: Partial<ChannelMessage> = {}): ChannelMessage => ({
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
  created_at: new Date(2025, 0, 1, 10, 0, id).toISOString(),
  edited_at: null,
  is_pinned: false,
  viewer_can: { edit: false, delete: false, pin: false, react: true },
  ...over,
});

function io(pages: Array<HistoryPage<ChannelMessage>>, send: ChatIO<ChannelMessage>['send'] = async () => msg(99)) {
  const calls: unknown[] = [];
  return {
    calls,
    io: {
      page: async (q: object) => {
        calls.push(q);
        return pages.shift()!;
      },
      send,
    } satisfies ChatIO<ChannelMessage>,
  };
}

describe('ChatStore', () => {
  it('loads the latest page, then older pages before the first id, oldest first', async () => {
    const { io: api, calls } = io([
      { items: [msg(3), msg(4)], has_more_before: true, has_more_after: false },
      { items: [msg(1), msg(2)], has_more_before: false, has_more_after: true },
    ]);
    const s = new ChatStore(api, ME);
    await s.loadLatest();
    await s.loadOlder();
    expect(calls).toEqual([{ limit: 50 }, { before: 3, limit: 50 }]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(s.getSnapshot().hasMoreBefore).toBe(false);
    expect(s.lastId()).toBe(4);
  });

  it('shows a send at once and replaces it with the server message of the same nonce', async () => {
    let resolve!: (m: ChannelMessage) => void;
    const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }], () => new Promise((r) => (resolve = r)));
    const s = new ChatStore(api, ME, () => 'nonce-0001');
    await s.loadLatest();
    s.send({ content: 'hello', reply_to: null, attachments: [] });
    expect(s.getSnapshot().pending).toMatchObject([{ nonce: 'nonce-0001', status: 'sending', content: 'hello' }]);
    resolve(msg(5, { author: { id: ME, name: 'Me', avatar_url: null }, content: 'hello', nonce: 'nonce-0001' }));
    await Promise.resolve();
    await Promise.resolve();
    expect(s.getSnapshot().pending).toEqual([]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([5]);
  });

  it('settles a send by its realtime echo (no nonce) and keeps one copy when the response follows', async () => {
    let resolve!: (m: ChannelMessage) => void;
    const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }], () => new Promise((r) => (resolve = r)));
    const s = new ChatStore(api, ME, () => 'nonce-0002');
    await s.loadLatest();
    s.send({ content: 'hi there', reply_to: null, attachments: [] });
    const mine = msg(6, { author: { id: ME, name: 'Me', avatar_url: null }, content: 'hi there' });
    s.receive(mine, 'live');
    expect(s.getSnapshot().pending).toEqual([]);
    resolve({ ...mine, nonce: 'nonce-0002', viewer_can: { edit: true, delete: true, pin: false, react: true } });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.getSnapshot().messages).toHaveLength(1);
    expect(s.getSnapshot().messages[0]!.viewer_can.edit).toBe(true);
  });

  it('marks a failed send for retry and resends it with the same nonce', async () => {
    const nonces: string[] = [];
    let fail = true;
    const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }], async (body) => {
      nonces.push(body.nonce);
      if (fail) throw new Error('offline');
      return msg(8, { author: { id: ME, name: 'Me', avatar_url: null }, content: body.content, nonce: body.nonce });
    });
    const s = new ChatStore(api, ME, () => 'nonce-0003');
    await s.loadLatest();
    s.send({ content: 'try', reply_to: null, attachments: [] });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.getSnapshot().pending[0]!.status).toBe('failed');
    fail = false;
    s.retry('nonce-0003');
    await new Promise((r) => setTimeout(r, 0));
    expect(nonces).toEqual(['nonce-0003', 'nonce-0003']);
    expect(s.getSnapshot().pending).toEqual([]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([8]);
  });

  it("gives live messages the viewer's own rights, not the pushed payload's", async () => {
    const pushed = { edit: false, delete: false, pin: false, react: true };
    const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }]);
    const moderator = new ChatStore(
      api,
      ME,
      () => 'n',
      () => ({ deleteAny: true, pin: true }),
    );
    await moderator.loadLatest();
    moderator.receive(msg(5, { viewer_can: pushed }), 'live');
    moderator.receive(msg(6, { author: { id: ME, name: 'Me', avatar_url: null }, viewer_can: pushed }), 'live');
    expect(moderator.getSnapshot().messages.map((m) => m.viewer_can)).toEqual([
      { edit: false, delete: true, pin: true, react: true },
      { edit: true, delete: true, pin: true, react: true },
    ]);

    const { io: api2 } = io([{ items: [], has_more_before: false, has_more_after: false }]);
    const member = new ChatStore(api2, ME);
    await member.loadLatest();
    member.receive(msg(5, { viewer_can: { ...pushed, delete: true, pin: true } }), 'live');
    expect(member.getSnapshot().messages[0]!.viewer_can).toEqual({ edit: false, delete: false, pin: false, react: true });
  });

  it('sends again on reconnect what never reached the server, with the same nonce; refusals wait for the reader', async () => {
    const nonces: string[] = [];
    let fail: ApiError | null = new ApiError(0, 'network_error', 'Failed to fetch');
    const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }], async (body) => {
      nonces.push(body.nonce);
      if (fail) throw fail;
      return msg(8, { author: { id: ME, name: 'Me', avatar_url: null }, content: body.content, nonce: body.nonce });
    });
    let n = 0;
    const s = new ChatStore(api, ME, () => `nonce-${++n}`);
    await s.loadLatest();
    s.send({ content: 'offline', reply_to: null, attachments: [] });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.getSnapshot().pending.map((p) => p.status)).toEqual(['waiting']);

    fail = new ApiError(429, 'slow_mode', 'Slow down');
    s.send({ content: 'refused', reply_to: null, attachments: [] });
    await new Promise((r) => setTimeout(r, 0));
    expect(s.getSnapshot().pending.map((p) => p.status)).toEqual(['waiting', 'failed']);

    fail = null;
    s.reconnected();
    await new Promise((r) => setTimeout(r, 0));
    expect(nonces).toEqual(['nonce-1', 'nonce-2', 'nonce-1']);
    expect(s.getSnapshot().messages.map((m) => m.nonce)).toEqual(['nonce-1']);
    expect(s.getSnapshot().pending.map((p) => [p.nonce, p.status])).toEqual([['nonce-2', 'failed']]);
  });

  it('holds a send refused by slow mode (429 with Retry-After) and sends it again by itself, never marked failed', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const nonces: string[] = [];
      const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }], async (body) => {
        nonces.push(body.nonce);
        if (nonces.length === 1) throw new ApiError(429, 'rate_limited', 'Slow down', [], {}, 3);
        return msg(8, { author: { id: ME, name: 'Me', avatar_url: null }, content: body.content, nonce: body.nonce });
      });
      const s = new ChatStore(api, ME, () => 'nonce-0004');
      await s.loadLatest();
      s.send({ content: 'wait for it', reply_to: null, attachments: [] });
      await vi.advanceTimersByTimeAsync(0);
      expect(s.getSnapshot().pending[0]).toMatchObject({ status: 'sending', retry_at: 1_003_000 });
      await vi.advanceTimersByTimeAsync(2_999);
      expect(nonces).toEqual(['nonce-0004']);
      await vi.advanceTimersByTimeAsync(1);
      expect(nonces).toEqual(['nonce-0004', 'nonce-0004']);
      expect(s.getSnapshot().pending).toEqual([]);
      expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([8]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not send a held message the user discarded', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const { io: api } = io([{ items: [], has_more_before: false, has_more_after: false }], async () => {
        calls++;
        throw new ApiError(429, 'rate_limited', 'Slow down', [], {}, 2);
      });
      const s = new ChatStore(api, ME, () => 'nonce-0005');
      await s.loadLatest();
      s.send({ content: 'never mind', reply_to: null, attachments: [] });
      await vi.advanceTimersByTimeAsync(0);
      s.discard('nonce-0005');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(calls).toBe(1);
      expect(s.getSnapshot().pending).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("applies live edits, deletions and reactions, keeping the viewer's own rights and reaction marks", async () => {
    const own = msg(2, {
      author: { id: ME, name: 'Me', avatar_url: null },
      viewer_can: { edit: true, delete: true, pin: false, react: true },
    });
    const { io: api } = io([
      { items: [msg(1, { reactions: [{ emoji: '🎉', count: 1, me: true }] }), own], has_more_before: false, has_more_after: false },
    ]);
    const s = new ChatStore(api, ME);
    await s.loadLatest();
    s.updated({ ...own, content: 'edited', viewer_can: undefined });
    expect(s.getSnapshot().messages[1]).toMatchObject({ content: 'edited', viewer_can: { edit: true } });
    s.reaction({
      message_id: 1,
      user_id: 3,
      emoji: '👍',
      reacted: true,
      counts: [
        { emoji: '🎉', count: 1 },
        { emoji: '👍', count: 1 },
      ],
    });
    expect(s.getSnapshot().messages[0]!.reactions).toEqual([
      { emoji: '🎉', count: 1, me: true },
      { emoji: '👍', count: 1, me: false },
    ]);
    s.removed(1);
    expect(s.getSnapshot().messages[0]).toMatchObject({ deleted: true, content: null, reactions: [] });
  });

  it('applies a finished scan from message.updated, for a message shown and one held back', async () => {
    const file = { id: 4, kind: 'channel', scan_status: 'pending' } as unknown as ChannelMessage['attachments'][number];
    const { io: api } = io([{ items: [msg(1, { attachments: [file] })], has_more_before: false, has_more_after: false }]);
    const s = new ChatStore(api, ME);
    await s.loadLatest();
    const { viewer_can: _v, nonce: _n, reactions: _r, ...shared } = msg(1, { attachments: [{ ...file, scan_status: 'clean' }] });
    s.updated(shared);
    expect(s.getSnapshot().messages[0]!.attachments[0]!.scan_status).toBe('clean');
  });

  it('jumps to a message that is not loaded, holds live messages back, and returns to the present', async () => {
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => msg(a + i));
    const { io: api, calls } = io([
      { items: range(100, 149), has_more_before: true, has_more_after: false },
      { items: range(1, 26), has_more_before: false, has_more_after: true },
      { items: range(27, 76), has_more_before: true, has_more_after: true },
      { items: range(101, 150), has_more_before: true, has_more_after: false },
    ]);
    const s = new ChatStore(api, ME);
    await s.loadLatest();
    expect(await s.jumpTo(120)).toBe(true);
    expect(await s.jumpTo(1)).toBe(true);
    expect(s.getSnapshot()).toMatchObject({ hasMoreBefore: false, hasMoreAfter: true });
    expect(s.firstId()).toBe(1);

    // A live message does not land after the old stretch; it waits, and counts as known.
    s.receive(msg(150), 'live');
    s.updated({ id: 150, content: 'edited live' });
    expect(s.getSnapshot().messages.at(-1)!.id).toBe(26);
    expect(s.lastId()).toBe(150);

    await s.loadNewer();
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual(range(1, 76).map((m) => m.id));
    await s.toPresent();
    expect(calls).toEqual([{ limit: 50 }, { around: 1, limit: 50 }, { after: 26, limit: 50 }, { limit: 50 }]);
    expect(s.getSnapshot()).toMatchObject({ hasMoreAfter: false, hasMoreBefore: true });
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual(range(101, 150).map((m) => m.id));
    s.receive(msg(151), 'live');
    expect(s.lastId()).toBe(151);
  });

  it('says when the message jumped to is gone', async () => {
    const { io: api } = io([
      { items: [msg(60)], has_more_before: true, has_more_after: false },
      { items: [msg(3), msg(5)], has_more_before: false, has_more_after: true },
    ]);
    const s = new ChatStore(api, ME);
    await s.loadLatest();
    expect(await s.jumpTo(4)).toBe(false);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([60]);
  });

  it('replaces shown messages from a catch-up of changes and adds none', async () => {
    const { io: api } = io([{ items: [msg(1), msg(2)], has_more_before: false, has_more_after: false, as_of: '2025-01-01T10:00:00.000Z' }]);
    const s = new ChatStore(api, ME);
    await s.loadLatest();
    expect(s.since()).toBe('2025-01-01T10:00:00.000Z');
    s.replace(msg(2, { content: 'changed', reactions: [{ emoji: '🎉', count: 2, me: true }] }));
    s.replace(msg(9));
    expect(s.getSnapshot().messages.map((m) => [m.id, m.content])).toEqual([
      [1, 'm1'],
      [2, 'changed'],
    ]);
  });
});
