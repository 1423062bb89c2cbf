import type { Attachment, ChannelMessage } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { ApiError } from '../api';

import { ConversationMachine, SEND_TRANSITIONS, TRANSITIONS, WAITING_RETRY_MS, toggleReaction } from './machine';
import { slowModeUntil } from './slow-mode';
import { ME, empty, manualTime, meUser, msg, scripted, settle } from './test-support';
import type { ConversationIO, ConversationOptions, PendingMessage } from './types';

const mine = (id: number, over: Partial<ChannelMessage> = {}) => msg(id, { author: meUser, ...over });

function machine(io: ConversationIO<ChannelMessage>, over: Partial<ConversationOptions> = {}) {
  return new ConversationMachine(io, { me: () => meUser, ...over });
}

describe('transition tables', () => {
  it('loads only from idle or error, and settles a load as ready or error', () => {
    expect(TRANSITIONS.idle).toEqual({ load: 'loading' });
    expect(TRANSITIONS.loading).toEqual({ loaded: 'ready', failed: 'error' });
    expect(TRANSITIONS.ready).toEqual({});
    expect(TRANSITIONS.error).toEqual({ load: 'loading' });
  });

  it('lets the reader retry failed and waiting sends, and the connection retry waiting ones only', () => {
    expect(SEND_TRANSITIONS.failed).toEqual({ retry: 'sending' });
    expect(SEND_TRANSITIONS.waiting).toEqual({ retry: 'sending', reconnected: 'sending' });
    expect(SEND_TRANSITIONS.sending.reconnected).toBeUndefined();
  });
});

describe('ConversationMachine: history', () => {
  it('goes idle → loading → ready, then pages older messages before the first id, oldest first', async () => {
    const { io, calls } = scripted([
      { items: [msg(3), msg(4)], has_more_before: true, has_more_after: false },
      { items: [msg(1), msg(2)], has_more_before: false, has_more_after: true },
    ]);
    const s = machine(io);
    const seen: string[] = [];
    s.subscribe(() => seen.push(s.getSnapshot().status));
    expect(s.getSnapshot().status).toBe('idle');
    const loading = s.load();
    expect(s.getSnapshot().status).toBe('loading');
    await loading;
    await s.loadOlder();
    expect(seen.slice(0, 2)).toEqual(['loading', 'ready']);
    expect(calls).toEqual([{ limit: 50 }, { before: 3, limit: 50 }]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(s.getSnapshot().hasMoreBefore).toBe(false);
    expect(s.lastId()).toBe(4);
    // Nothing older: no further request.
    await s.loadOlder();
    expect(calls).toHaveLength(2);
  });

  it('ends a failed load in error, ignores a second load while ready, and loads again from error', async () => {
    let fail = true;
    const calls: unknown[] = [];
    const s = machine({
      history: async (q) => {
        calls.push(q);
        if (fail) throw new Error('down');
        return { items: [msg(1)], has_more_before: false, has_more_after: false };
      },
      post: async () => msg(1),
    });
    await s.load();
    expect(s.getSnapshot()).toMatchObject({ status: 'error', error: new Error('down') });
    fail = false;
    await s.load();
    expect(s.getSnapshot()).toMatchObject({ status: 'ready', error: null });
    await s.load();
    expect(calls).toHaveLength(2);
  });

  it('keeps a failed older page as a passing notice, not an error state', async () => {
    let n = 0;
    const s = machine({
      history: async () => {
        if (n++ > 0) throw new Error('older failed');
        return { items: [msg(5)], has_more_before: true, has_more_after: false };
      },
      post: async () => msg(1),
    });
    await s.load();
    await s.loadOlder();
    expect(s.getSnapshot()).toMatchObject({ status: 'ready', loadingOlder: false, actionError: new Error('older failed') });
    s.clearActionError();
    expect(s.getSnapshot().actionError).toBeNull();
  });

  it('jumps to a message not loaded, holds live messages back, loads newer pages and returns to the present', async () => {
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => msg(a + i));
    const { io, calls } = scripted([
      { items: range(100, 149), has_more_before: true, has_more_after: false },
      { items: range(1, 26), has_more_before: false, has_more_after: true },
      { items: range(27, 76), has_more_before: true, has_more_after: true },
      { items: range(101, 150), has_more_before: true, has_more_after: false },
    ]);
    const s = machine(io);
    await s.load();
    expect(await s.jumpTo(120)).toBe(true);
    expect(await s.jumpTo(1)).toBe(true);
    expect(s.getSnapshot()).toMatchObject({ hasMoreBefore: false, hasMoreAfter: true });
    expect(s.firstId()).toBe(1);

    // A live message does not land after the old stretch; it waits, and counts as known.
    s.receive(msg(150), 'live');
    s.updated({ id: 150, content: 'edited live' });
    expect(s.getSnapshot().messages.at(-1)!.id).toBe(26);
    expect(s.lastId()).toBe(150);
    // No read marker moves while an old stretch is shown.
    expect(s.markRead()).toBeNull();

    await s.loadNewer();
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual(range(1, 76).map((m) => m.id));
    await s.toPresent();
    expect(calls).toEqual([{ limit: 50 }, { around: 1, limit: 50 }, { after: 26, limit: 50 }, { limit: 50 }]);
    expect(s.getSnapshot()).toMatchObject({ hasMoreAfter: false, hasMoreBefore: true });
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual(range(101, 150).map((m) => m.id));
    s.receive(msg(151), 'live');
    expect(s.lastId()).toBe(151);
  });

  it('rejoins the live tail with the held messages when newer pages reach it', async () => {
    const { io } = scripted([
      { items: [msg(50), msg(51)], has_more_before: true, has_more_after: false },
      { items: [msg(10), msg(11)], has_more_before: true, has_more_after: true },
      { items: [msg(12), msg(51)], has_more_before: true, has_more_after: false },
    ]);
    const s = machine(io);
    await s.load();
    await s.jumpTo(10);
    s.receive(msg(52, { content: 'while away' }), 'live');
    await s.loadNewer();
    expect(s.getSnapshot().hasMoreAfter).toBe(false);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([10, 11, 12, 51, 52]);
  });

  it('says when the message jumped to is gone, and leaves what is shown', async () => {
    const { io } = scripted([
      { items: [msg(60)], has_more_before: true, has_more_after: false },
      { items: [msg(3), msg(5)], has_more_before: false, has_more_after: true },
    ]);
    const s = machine(io);
    await s.load();
    expect(await s.jumpTo(4)).toBe(false);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([60]);
    expect(await s.jumpTo(60)).toBe(true);
  });
});

describe('ConversationMachine: sends', () => {
  it('refuses empty and over-long messages before sending anything, and sends trimmed text', async () => {
    const bodies: string[] = [];
    const s = machine(
      scripted([empty], async (b) => {
        bodies.push(b.content);
        return mine(1, { content: b.content, nonce: b.nonce });
      }).io,
      { maxLength: 5 },
    );
    await s.load();
    expect(s.send({ content: '   ' })).toBe('empty');
    expect(s.send({ content: '123456' })).toBe('too_long');
    expect(s.send({ content: ' 12345 ' })).toBe('sent');
    expect(bodies).toEqual(['12345']);
  });

  it('shows a send at once with its reply and replaces it with the server message of the same nonce', async () => {
    let resolve!: (m: ChannelMessage) => void;
    const bodies: unknown[] = [];
    const { io } = scripted([empty], (b) => {
      bodies.push(b);
      return new Promise((r) => (resolve = r));
    });
    const s = machine(io, { nonce: () => 'nonce-0001' });
    await s.load();
    const replyTo = { id: 3, author: meUser, excerpt: 'hi' };
    s.send({ content: 'hello', replyTo });
    expect(s.getSnapshot().pending).toMatchObject([{ nonce: 'nonce-0001', status: 'sending', content: 'hello', reply_to: replyTo }]);
    expect(bodies).toEqual([{ content: 'hello', reply_to_id: 3, attachment_ids: [], nonce: 'nonce-0001' }]);
    resolve(mine(5, { content: 'hello', nonce: 'nonce-0001' }));
    await settle();
    expect(s.getSnapshot().pending).toEqual([]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([5]);
  });

  it('settles a send by its realtime echo (no nonce) and keeps one copy when the response follows', async () => {
    let resolve!: (m: ChannelMessage) => void;
    const { io } = scripted([empty], () => new Promise((r) => (resolve = r)));
    const s = machine(io, { nonce: () => 'nonce-0002' });
    await s.load();
    s.send({ content: 'hi there' });
    const echo = mine(6, { content: 'hi there' });
    s.receive(echo, 'live');
    expect(s.getSnapshot().pending).toEqual([]);
    resolve({ ...echo, nonce: 'nonce-0002', viewer_can: { edit: true, delete: true, pin: false, react: true, mark_helpful: false } });
    await settle();
    expect(s.getSnapshot().messages).toHaveLength(1);
    expect(s.getSnapshot().messages[0]!.viewer_can.edit).toBe(true);
  });

  it('marks a refused send failed until the reader retries it, with the same nonce', async () => {
    const nonces: string[] = [];
    let fail = true;
    const { io } = scripted([empty], async (b) => {
      nonces.push(b.nonce);
      if (fail) throw new ApiError(422, 'validation_failed', 'no');
      return mine(8, { content: b.content, nonce: b.nonce });
    });
    const s = machine(io, { nonce: () => 'nonce-0003' });
    await s.load();
    s.send({ content: 'try' });
    await settle();
    expect(s.getSnapshot().pending[0]).toMatchObject({ status: 'failed', error: { code: 'validation_failed' } });
    // The connection coming back does not resend a refusal.
    s.setOnline(false);
    s.setOnline(true);
    await settle();
    expect(nonces).toEqual(['nonce-0003']);
    fail = false;
    s.retry('nonce-0003');
    await settle();
    expect(nonces).toEqual(['nonce-0003', 'nonce-0003']);
    expect(s.getSnapshot().pending).toEqual([]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([8]);
  });

  it('waits while offline and sends again by itself when the connection is back, with the same nonce', async () => {
    const nonces: string[] = [];
    let fail: ApiError | null = new ApiError(0, 'network_error', 'Failed to fetch');
    const { io } = scripted([empty], async (b) => {
      nonces.push(b.nonce);
      if (fail) throw fail;
      return mine(8, { content: b.content, nonce: b.nonce });
    });
    let n = 0;
    const time = manualTime();
    const s = machine(io, { nonce: () => `nonce-${++n}`, timers: time.timers, now: time.now });
    await s.load();
    s.setOnline(false);
    s.send({ content: 'offline' });
    await settle();
    expect(s.getSnapshot().pending.map((p) => p.status)).toEqual(['waiting']);
    // Offline, nothing is tried on a timer.
    time.advance(WAITING_RETRY_MS * 3);
    expect(nonces).toEqual(['nonce-1']);

    fail = new ApiError(429, 'slow_mode', 'Slow down');
    s.send({ content: 'refused' });
    await settle();
    expect(s.getSnapshot().pending.map((p) => p.status)).toEqual(['waiting', 'failed']);

    fail = null;
    s.setOnline(true);
    expect(s.getSnapshot().pending.map((p) => p.status)).toEqual(['sending', 'failed']);
    await settle();
    expect(nonces).toEqual(['nonce-1', 'nonce-2', 'nonce-1']);
    expect(s.getSnapshot().messages.map((m) => m.nonce)).toEqual(['nonce-1']);
    expect(s.getSnapshot().pending.map((p) => [p.nonce, p.status])).toEqual([['nonce-2', 'failed']]);
  });

  it('while the connection seems up yet a send never arrives, tries again every few seconds', async () => {
    const nonces: string[] = [];
    let fails = 2;
    const { io } = scripted([empty], async (b) => {
      nonces.push(b.nonce);
      if (fails-- > 0) throw new TypeError('Failed to fetch');
      return mine(8, { content: b.content, nonce: b.nonce });
    });
    const time = manualTime();
    const s = machine(io, { nonce: () => 'n-1', timers: time.timers, now: time.now });
    await s.load();
    s.send({ content: 'flaky' });
    await settle();
    expect(s.getSnapshot().pending[0]!.status).toBe('waiting');
    time.advance(WAITING_RETRY_MS - 1);
    expect(nonces).toHaveLength(1);
    time.advance(1);
    await settle();
    expect(nonces).toHaveLength(2);
    time.advance(WAITING_RETRY_MS);
    await settle();
    expect(nonces).toEqual(['n-1', 'n-1', 'n-1']);
    expect(s.getSnapshot().pending).toEqual([]);
    expect(time.pending()).toBe(0);
  });

  it('holds a send refused by slow mode (429 with Retry-After) and sends it again by itself, never marked failed', async () => {
    const nonces: string[] = [];
    const { io } = scripted([empty], async (b) => {
      nonces.push(b.nonce);
      if (nonces.length === 1) throw new ApiError(429, 'rate_limited', 'Slow down', [], {}, 3);
      return mine(8, { content: b.content, nonce: b.nonce });
    });
    const time = manualTime(1_000_000);
    const s = machine(io, { nonce: () => 'nonce-0004', timers: time.timers, now: time.now });
    await s.load();
    s.send({ content: 'wait for it' });
    await settle();
    expect(s.getSnapshot().pending[0]).toMatchObject({ status: 'sending', retry_at: 1_003_000 });
    expect(slowModeUntil(s.getSnapshot(), ME, 0)).toEqual({ until: 1_003_000, heldUntil: 1_003_000 });
    time.advance(2_999);
    expect(nonces).toEqual(['nonce-0004']);
    // The reader cannot double it meanwhile.
    s.retry('nonce-0004');
    expect(nonces).toEqual(['nonce-0004']);
    time.advance(1);
    await settle();
    expect(nonces).toEqual(['nonce-0004', 'nonce-0004']);
    expect(s.getSnapshot().pending).toEqual([]);
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([8]);
  });

  it('does not send a held message the reader discarded', async () => {
    let calls = 0;
    const { io } = scripted([empty], async () => {
      calls++;
      throw new ApiError(429, 'rate_limited', 'Slow down', [], {}, 2);
    });
    const time = manualTime();
    const s = machine(io, { nonce: () => 'nonce-0005', timers: time.timers, now: time.now });
    await s.load();
    s.send({ content: 'never mind' });
    await settle();
    s.discard('nonce-0005');
    expect(time.pending()).toBe(0);
    time.advance(5_000);
    expect(calls).toBe(1);
    expect(s.getSnapshot().pending).toEqual([]);
  });

  it('stops its timers when disposed', async () => {
    const { io } = scripted([empty], async () => {
      throw new ApiError(429, 'rate_limited', 'Slow down', [], {}, 2);
    });
    const time = manualTime();
    const s = machine(io, { timers: time.timers, now: time.now });
    await s.load();
    s.send({ content: 'x' });
    await settle();
    expect(time.pending()).toBe(1);
    s.dispose();
    expect(time.pending()).toBe(0);
  });
});

describe('ConversationMachine: live events', () => {
  it("gives live messages the viewer's own rights from the channel, never the pushed payload's", async () => {
    const pushed = { edit: false, delete: false, pin: false, react: true, mark_helpful: false };
    const moderator = machine(scripted([empty]).io, { rights: () => ({ deleteAny: true, pin: true }) });
    await moderator.load();
    moderator.receive(msg(5, { viewer_can: pushed }), 'live');
    moderator.receive(mine(6, { viewer_can: pushed }), 'live');
    expect(moderator.getSnapshot().messages.map((m) => m.viewer_can)).toEqual([
      { edit: false, delete: true, pin: true, react: true, mark_helpful: false },
      { edit: true, delete: true, pin: true, react: true, mark_helpful: false },
    ]);

    const member = machine(scripted([empty]).io, { rights: () => ({ deleteAny: false, pin: false }) });
    await member.load();
    // A payload carrying its author's (a moderator's) rights grants the viewer nothing.
    member.receive(msg(5, { viewer_can: { ...pushed, delete: true, pin: true, edit: true } }), 'live');
    expect(member.getSnapshot().messages[0]!.viewer_can).toEqual({
      edit: false,
      delete: false,
      pin: false,
      react: true,
      mark_helpful: false,
    });
  });

  it('offers the helpful mark on a live reply to the asker (or any reply to a moderator), never on their own, never when off', async () => {
    const pushed = { edit: false, delete: false, pin: false, react: true, mark_helpful: false };
    const toMe = { id: 1, author: meUser, excerpt: 'my question' };
    const toAna = { id: 2, author: { id: 9, name: 'Ana', avatar_url: null }, excerpt: 'her question' };
    const marks = async (helpful?: 'off' | 'asker' | 'moderator') => {
      const m = machine(scripted([empty]).io, { rights: () => ({ deleteAny: false, pin: false, ...(helpful ? { helpful } : {}) }) });
      await m.load();
      m.receive(msg(5, { viewer_can: pushed, reply_to: toMe }), 'live');
      m.receive(msg(6, { viewer_can: pushed, reply_to: toAna }), 'live');
      m.receive(mine(8, { viewer_can: pushed, reply_to: toMe }), 'live');
      m.receive(msg(9, { viewer_can: pushed }), 'live');
      return m.getSnapshot().messages.map((x) => x.viewer_can.mark_helpful);
    };
    expect(await marks()).toEqual([true, false, false, false]);
    expect(await marks('moderator')).toEqual([true, true, false, false]);
    expect(await marks('off')).toEqual([false, false, false, false]);
  });

  it('marks a reply helpful once the server agrees, and keeps it unmarked when the server refuses', async () => {
    const reply = msg(5, { reply_to: { id: 1, author: meUser, excerpt: 'q' } });
    let refuse = false;
    const io = {
      ...scripted([{ ...empty, items: [reply] }]).io,
      helpful: async (_id: number, helpful: boolean) => {
        if (refuse) throw new Error('forbidden');
        return { helpful };
      },
    };
    const m = machine(io);
    await m.load();
    expect(await m.markHelpful(5, true)).toBe(true);
    expect(m.getSnapshot().messages[0]!.helpful).toBe(true);
    refuse = true;
    expect(await m.markHelpful(5, false)).toBe(false);
    expect(m.getSnapshot().messages[0]!.helpful).toBe(true);
    expect(m.getSnapshot().actionError).toBeInstanceOf(Error);
  });

  it('keeps the rights a message already has when its live copy arrives again', async () => {
    const own = mine(2, { viewer_can: { edit: true, delete: true, pin: true, react: true, mark_helpful: false }, nonce: 'n-own' });
    const s = machine(scripted([{ ...empty, items: [own] }]).io);
    await s.load();
    s.receive({ ...own, nonce: null, viewer_can: { edit: false, delete: false, pin: false, react: true, mark_helpful: false } }, 'live');
    expect(s.getSnapshot().messages[0]).toMatchObject({ viewer_can: { edit: true, pin: true }, nonce: 'n-own' });
  });

  it("applies live edits, keeping the viewer's rights, nonce and reaction marks", async () => {
    const own = mine(2, {
      viewer_can: { edit: true, delete: true, pin: false, react: true, mark_helpful: false },
      reactions: [{ emoji: '🎉', count: 1, me: true }],
    });
    const s = machine(scripted([{ ...empty, items: [msg(1), own] }]).io);
    await s.load();
    s.updated({ id: 2, content: 'edited', edited_at: '2025-01-02T00:00:00.000Z' });
    expect(s.getSnapshot().messages[1]).toMatchObject({
      content: 'edited',
      edited_at: '2025-01-02T00:00:00.000Z',
      viewer_can: { edit: true },
      reactions: [{ emoji: '🎉', count: 1, me: true }],
    });
  });

  it('applies reaction counts, marking "me" only for our own, and drops a reaction whose count reaches 0', async () => {
    const s = machine(scripted([{ ...empty, items: [msg(1, { reactions: [{ emoji: '🎉', count: 1, me: true }] })] }]).io);
    await s.load();
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
    s.reaction({
      message_id: 1,
      user_id: ME,
      emoji: '👍',
      reacted: true,
      counts: [
        { emoji: '🎉', count: 1 },
        { emoji: '👍', count: 2 },
      ],
    });
    expect(s.getSnapshot().messages[0]!.reactions[1]).toEqual({ emoji: '👍', count: 2, me: true });
    s.reaction({
      message_id: 1,
      user_id: ME,
      emoji: '🎉',
      reacted: false,
      counts: [
        { emoji: '🎉', count: 0 },
        { emoji: '👍', count: 2 },
      ],
    });
    expect(s.getSnapshot().messages[0]!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
  });

  it('leaves a tombstone on delete, and replies to it (shown or held) lose their excerpt', async () => {
    const reply = msg(2, { reply_to: { id: 1, author: meUser, excerpt: 'hello' } });
    const s = machine(
      scripted([{ ...empty, items: [mine(1, { content: 'hello', reactions: [{ emoji: '🎉', count: 1, me: false }] }), reply] }]).io,
    );
    await s.load();
    s.removed(1);
    const [gone, after] = s.getSnapshot().messages;
    expect(gone).toMatchObject({ deleted: true, content: null, attachments: [], reactions: [] });
    expect(after!.reply_to).toEqual({ id: 1, author: meUser, excerpt: null });
  });

  it('deletes through the API, and keeps a refusal as a passing notice', async () => {
    let refuse = false;
    const s = machine(
      scripted([{ ...empty, items: [mine(1), msg(2, { reply_to: { id: 1, author: meUser, excerpt: 'm1' } })] }], undefined, {
        remove: async () => {
          if (refuse) throw new ApiError(403, 'forbidden', 'no');
          return { ok: true };
        },
      }).io,
    );
    await s.load();
    refuse = true;
    expect(await s.remove(1)).toBe(false);
    expect(s.getSnapshot().messages[0]!.deleted).toBe(false);
    expect(s.getSnapshot().actionError).toMatchObject({ status: 403 });
    refuse = false;
    expect(await s.remove(1)).toBe(true);
    expect(s.getSnapshot().messages.map((m) => [m.deleted, m.reply_to ? m.reply_to.excerpt : 'none'])).toEqual([
      [true, 'none'],
      [false, null],
    ]);
  });

  it('pins from the live event and through the API', async () => {
    const s = machine(
      scripted([{ ...empty, items: [msg(1), msg(2)] }], undefined, {
        pin: async (id, pinned) =>
          msg(id, { is_pinned: pinned, viewer_can: { edit: false, delete: true, pin: true, react: true, mark_helpful: false } }),
      }).io,
    );
    await s.load();
    s.pinned(1, true);
    expect(s.getSnapshot().messages.map((m) => m.is_pinned)).toEqual([true, false]);
    expect(await s.pin(2, true)).toBe(true);
    expect(s.getSnapshot().messages[1]).toMatchObject({ is_pinned: true, viewer_can: { pin: true } });
  });

  it('applies a finished scan to shown messages, held ones and pending sends', async () => {
    const file = { id: 4, kind: 'channel', scan_status: 'pending' } as Attachment;
    let resolve!: (m: ChannelMessage) => void;
    const s = machine(scripted([{ ...empty, items: [msg(1, { attachments: [file] })] }], () => new Promise((r) => (resolve = r))).io, {
      nonce: () => 'n-file',
    });
    await s.load();
    s.send({ content: '', attachments: [file] });
    s.attachmentScanned({ ...file, scan_status: 'clean' });
    expect(s.getSnapshot().messages[0]!.attachments[0]!.scan_status).toBe('clean');
    expect(s.getSnapshot().pending[0]!.attachments[0]!.scan_status).toBe('clean');
    // The other kind with the same id is another file.
    s.attachmentScanned({ ...file, kind: 'dm', scan_status: 'infected' });
    expect(s.getSnapshot().messages[0]!.attachments[0]!.scan_status).toBe('clean');
    resolve(mine(2, { nonce: 'n-file' }));
    await settle();
    s.updated({ id: 1, attachments: [{ ...file, scan_status: 'infected' }] });
    expect(s.getSnapshot().messages[0]!.attachments[0]!.scan_status).toBe('infected');
  });

  it('replaces shown messages from a catch-up of changes, adds none, and clears excerpts of a deleted one', async () => {
    const s = machine(
      scripted([
        {
          items: [msg(1), msg(2, { reply_to: { id: 1, author: meUser, excerpt: 'm1' } })],
          has_more_before: false,
          has_more_after: false,
          as_of: '2025-01-01T10:00:00.000Z',
        },
      ]).io,
    );
    await s.load();
    expect(s.since()).toBe('2025-01-01T10:00:00.000Z');
    s.replace(
      msg(2, { content: 'changed', reply_to: { id: 1, author: meUser, excerpt: 'm1' }, reactions: [{ emoji: '🎉', count: 2, me: true }] }),
    );
    s.replace(msg(9));
    expect(s.getSnapshot().messages.map((m) => [m.id, m.content])).toEqual([
      [1, 'm1'],
      [2, 'changed'],
    ]);
    s.replace(msg(1, { deleted: true, content: null }));
    expect(s.getSnapshot().messages.map((m) => [m.deleted, m.reply_to ? m.reply_to.excerpt : 'none'])).toEqual([
      [true, 'none'],
      [false, null],
    ]);
  });
});

describe('ConversationMachine: the viewer’s actions', () => {
  it('toggles a reaction at once, settles on the server’s counts, and undoes it when refused', async () => {
    let answer: (() => Promise<{ reactions: ChannelMessage['reactions'] }>) | null = null;
    const s = machine(
      scripted([{ ...empty, items: [msg(1, { reactions: [{ emoji: '👍', count: 1, me: false }] })] }], undefined, {
        react: () => answer!(),
      }).io,
    );
    await s.load();
    let settleReact!: (r: { reactions: ChannelMessage['reactions'] }) => void;
    answer = () => new Promise((r) => (settleReact = r));
    const done = s.react(1, '👍');
    expect(s.getSnapshot().messages[0]!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    settleReact({ reactions: [{ emoji: '👍', count: 3, me: true }] });
    await done;
    expect(s.getSnapshot().messages[0]!.reactions).toEqual([{ emoji: '👍', count: 3, me: true }]);
    answer = () => Promise.reject(new ApiError(429, 'rate_limited', 'slow'));
    await s.react(1, '👍');
    expect(s.getSnapshot().messages[0]!.reactions).toEqual([{ emoji: '👍', count: 3, me: true }]);
    expect(s.getSnapshot().actionError).toMatchObject({ status: 429 });
  });

  it('toggles reactions: adds, counts up, takes back and drops at zero', () => {
    expect(toggleReaction([], '🔥')).toEqual([{ emoji: '🔥', count: 1, me: true }]);
    expect(toggleReaction([{ emoji: '🔥', count: 1, me: false }], '🔥')).toEqual([{ emoji: '🔥', count: 2, me: true }]);
    expect(toggleReaction([{ emoji: '🔥', count: 2, me: true }], '🔥')).toEqual([{ emoji: '🔥', count: 1, me: false }]);
    expect(toggleReaction([{ emoji: '🔥', count: 1, me: true }], '🔥')).toEqual([]);
  });

  it('edits with the server’s copy, refuses empty or over-long edits, and keeps a refusal as a notice', async () => {
    const s = machine(
      scripted([{ ...empty, items: [mine(1, { content: 'typo' })] }], undefined, {
        edit: async (id, content) => {
          if (content === 'refused') throw new Error('refused');
          return mine(id, { content, edited_at: new Date(1).toISOString() });
        },
      }).io,
      { maxLength: 10 },
    );
    await s.load();
    expect(await s.edit(1, '  ')).toBe('empty');
    expect(await s.edit(1, 'x'.repeat(11))).toBe('too_long');
    expect(await s.edit(1, ' fixed ')).toBe('saved');
    expect(s.getSnapshot().messages[0]).toMatchObject({ content: 'fixed', edited_at: new Date(1).toISOString() });
    expect(await s.edit(1, 'refused')).toBe('failed');
    expect(s.getSnapshot().messages[0]!.content).toBe('fixed');
    expect(s.getSnapshot().actionError).toBeInstanceOf(Error);
  });

  it('moves the read marker to the newest message once, past the marker the screen loaded, and again after a failure', async () => {
    const reads: number[] = [];
    let fail = false;
    const s = machine(
      scripted([{ ...empty, items: [msg(1), msg(2)] }], undefined, {
        read: async (id) => {
          reads.push(id);
          if (fail) throw new Error('down');
        },
      }).io,
    );
    s.readUpTo(2);
    await s.load();
    expect(s.markRead()).toBeNull();
    s.receive(msg(3), 'live');
    fail = true;
    expect(s.markRead()).toBe(3);
    await settle();
    fail = false;
    expect(s.markRead()).toBe(3);
    expect(s.markRead()).toBeNull();
    expect(reads).toEqual([3, 3]);
  });
});

describe('slowModeUntil', () => {
  it('counts from the viewer’s last message, and a held send wins when later', () => {
    const s = machine(scripted([empty]).io);
    const snap = { ...s.getSnapshot(), messages: [mine(1, { created_at: new Date(10_000).toISOString() }), msg(2)] };
    expect(slowModeUntil(snap, ME, 30)).toEqual({ until: 40_000, heldUntil: 0 });
    expect(slowModeUntil(snap, ME, 0)).toEqual({ until: 0, heldUntil: 0 });
    expect(slowModeUntil(snap, 12345, 30)).toEqual({ until: 0, heldUntil: 0 });
    const pending: PendingMessage = {
      nonce: 'n',
      content: 'x',
      reply_to: null,
      attachments: [],
      status: 'sending',
      retry_at: 50_000,
      created_at: '',
      error: null,
    };
    const held = { ...snap, pending: [pending] };
    expect(slowModeUntil(held, ME, 30)).toEqual({ until: 50_000, heldUntil: 50_000 });
  });
});
