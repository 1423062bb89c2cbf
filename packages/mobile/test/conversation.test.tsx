import {
  ConversationMachine as Conversation,
  activeTypers,
  followConversation,
  type ConversationIO as ConversationSource,
  type Realtime,
  type SendBody,
} from '@communities/client';
import type { DmMessage as ChatMessage } from '@communities/contract';
import { describe, expect, it } from '@jest/globals';

const me = { id: 1, name: 'Me', avatar_url: null };
const other = { id: 2, name: 'Other', avatar_url: null };
const msg = (id: number, content: string, author = other, nonce: string | null = null): ChatMessage => ({
  id,
  author,
  content,
  deleted: false,
  reply_to: null,
  mentions: [],
  attachments: [],
  reactions: [],
  nonce,
  created_at: new Date(0).toISOString(),
  edited_at: null,
  thread_id: 1,
  viewer_can: { react: true, edit: author.id === me.id, delete: author.id === me.id },
});

/** An in-memory conversation: the state machine's rules, without the network. */
function memory(initial: ChatMessage[]) {
  const held = [...initial];
  const posts: Array<{ body: SendBody; answer: (m: ChatMessage) => void }> = [];
  const source: ConversationSource<ChatMessage> = {
    history: async ({ before, after, limit }) => {
      const pool = held.filter((m) => (before ? m.id < before : true) && (after ? m.id > after : true));
      const items = after ? pool.slice(0, limit) : pool.slice(-limit);
      return {
        items,
        has_more_before: before || !after ? pool.length > items.length : false,
        has_more_after: after ? pool.length > items.length : false,
      };
    },
    post: (body) => new Promise((answer) => posts.push({ body, answer })),
    react: async () => ({ reacted: true, reactions: [{ emoji: '👍', count: 1, me: true }] }),
    edit: async (id, content) => {
      if (content === 'refused') throw new Error('refused');
      return { ...held.find((x) => x.id === id)!, content, edited_at: new Date(1).toISOString() };
    },
    remove: async () => ({ ok: true }),
  };
  return { held, posts, source };
}

describe('Conversation (optimistic chat state)', () => {
  it('pages older messages in without duplicates, oldest first', async () => {
    const m = memory(Array.from({ length: 7 }, (_, i) => msg(i + 1, `m${i + 1}`)));
    const c = new Conversation(m.source, { me: () => me, pageSize: 3, maxLength: 10 });
    await c.load();
    expect(c.getSnapshot().messages.map((x) => x.id)).toEqual([5, 6, 7]);
    await c.loadOlder();
    await c.loadOlder();
    expect(c.getSnapshot().messages.map((x) => x.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(c.getSnapshot().hasMoreBefore).toBe(false);
  });

  it('refuses empty and over-long messages before sending anything', async () => {
    const m = memory([]);
    const c = new Conversation(m.source, { me: () => me, maxLength: 5 });
    await c.load();
    expect(c.send({ content: '   ' })).toBe('empty');
    expect(c.send({ content: '123456' })).toBe('too_long');
    expect(c.send({ content: ' 12345 ' })).toBe('sent');
    expect(m.posts.map((p) => p.body.content)).toEqual(['12345']);
  });

  it('keeps one copy when our own message is pushed before the POST answers', async () => {
    const m = memory([]);
    const c = new Conversation(m.source, { me: () => me, maxLength: 100 });
    await c.load();
    c.send({ content: 'hello' });
    const { body, answer } = m.posts[0]!;
    // the realtime push (everyone's copy, no nonce) beats the answer
    c.receive(msg(10, 'hello', me, null), 'live');
    expect(c.getSnapshot().pending).toEqual([]);
    answer(msg(10, 'hello', me, body.nonce));
    await Promise.resolve();
    expect(c.getSnapshot().messages.map((x) => x.id)).toEqual([10]);
  });

  it('applies pushed reaction counts, marking "me" only for our own reaction', async () => {
    const m = memory([msg(1, 'x')]);
    const c = new Conversation(m.source, { me: () => me, maxLength: 100 });
    await c.load();
    c.reaction({ message_id: 1, user_id: other.id, emoji: '🔥', reacted: true, counts: [{ emoji: '🔥', count: 1 }] });
    expect(c.getSnapshot().messages[0]!.reactions).toEqual([{ emoji: '🔥', count: 1, me: false }]);
    c.reaction({ message_id: 1, user_id: me.id, emoji: '🔥', reacted: true, counts: [{ emoji: '🔥', count: 2 }] });
    expect(c.getSnapshot().messages[0]!.reactions).toEqual([{ emoji: '🔥', count: 2, me: true }]);
    c.removed(1);
    expect(c.getSnapshot().messages[0]).toMatchObject({ deleted: true, content: null, reactions: [] });
  });

  it('keeps our own rights when an edit is pushed with an ordinary member’s', async () => {
    const mine = { ...msg(1, 'first', me), viewer_can: { react: true, edit: true, delete: true } };
    const m = memory([mine]);
    const c = new Conversation(m.source, { me: () => me, maxLength: 100 });
    await c.load();
    c.updated({ ...mine, content: 'second', viewer_can: { react: true, edit: false, delete: false } });
    expect(c.getSnapshot().messages[0]).toMatchObject({ content: 'second', viewer_can: { edit: true, delete: true } });
  });

  it('edits with the server’s copy, refuses empty or over-long edits, and keeps a refusal as a notice', async () => {
    const m = memory([msg(1, 'typo', me)]);
    const c = new Conversation(m.source, { me: () => me, maxLength: 10 });
    await c.load();
    expect(await c.edit(1, '  ')).toBe('empty');
    expect(await c.edit(1, 'x'.repeat(11))).toBe('too_long');
    expect(await c.edit(1, ' fixed ')).toBe('saved');
    expect(c.getSnapshot().messages[0]).toMatchObject({ content: 'fixed', edited_at: new Date(1).toISOString() });
    expect(await c.edit(1, 'refused')).toBe('failed');
    expect(c.getSnapshot().messages[0]!.content).toBe('fixed');
    expect(c.getSnapshot().actionError).toBeInstanceOf(Error);
  });

  it('leaves a tombstone on delete, and replies to it lose their excerpt', async () => {
    const reply = { ...msg(2, 'me too'), reply_to: { id: 1, author: me, excerpt: 'hello' } };
    const m = memory([msg(1, 'hello', me), reply]);
    const c = new Conversation(m.source, { me: () => me, maxLength: 100 });
    await c.load();
    expect(await c.remove(1)).toBe(true);
    const [gone, after] = c.getSnapshot().messages;
    expect(gone).toMatchObject({ deleted: true, content: null });
    expect(after!.reply_to).toEqual({ id: 1, author: me, excerpt: null });
  });
});

/** Just enough of a pusher-js connection for followConversation: the test plays the gateway. */
function fakeRealtime() {
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  const channel = {
    subscribed: true,
    bind: (e: string, fn: (d: unknown) => void) => void (handlers.get(e) ?? handlers.set(e, new Set()).get(e)!).add(fn),
    unbind: (e: string, fn: (d: unknown) => void) => void handlers.get(e)?.delete(fn),
    bind_global: () => undefined,
    unbind_global: () => undefined,
  };
  const connection = { state: 'connected', bind: () => undefined, unbind: () => undefined };
  const rt = { pusher: { subscribe: () => channel, connection } } as unknown as Realtime;
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return {
    rt,
    /** pusher-js resubscribes after a reconnect: the follower catches up. */
    reconnect: async () => {
      for (const fn of handlers.get('pusher:subscription_succeeded') ?? []) fn({});
      await settle();
    },
    settle,
  };
}

describe('Conversation catch-up (after a reconnect)', () => {
  it('adds what arrived and applies what changed in the shown messages, paging through changes', async () => {
    const m = memory([msg(1, 'one'), msg(2, 'two'), msg(3, 'three')]);
    const asked: unknown[] = [];
    let reads = 0;
    const source: ConversationSource<ChatMessage> = {
      ...m.source,
      // The first page is read at t0; later catch-up pages at t4.
      history: async (q) => ({ ...(await m.source.history(q)), as_of: reads++ === 0 ? 't0' : 't4' }),
      changes: async (q) => {
        asked.push(q);
        return q.after_id === undefined
          ? { items: [{ ...msg(2, 'two, edited'), edited_at: 'later' }], next: { since: 't1', after_id: 2 }, as_of: 't5' }
          : { items: [{ ...msg(1, ''), deleted: true, content: null }], next: null, as_of: 't6' };
      },
    };
    const c = new Conversation(source, { me: () => me, pageSize: 10, maxLength: 100 });
    const live = fakeRealtime();
    await c.load();
    m.held.push(msg(4, 'four, sent while away'));
    followConversation(c, live.rt, 'private-dm.1');
    await live.settle();
    expect(c.getSnapshot().messages.map((x) => [x.id, x.content])).toEqual([
      [1, null],
      [2, 'two, edited'],
      [3, 'three'],
      [4, 'four, sent while away'],
    ]);
    // Changes are asked for the messages shown before the reconnect, from the load's as_of on.
    expect(asked).toEqual([
      { since: 't0', from_id: 1, to_id: 3 },
      { since: 't1', after_id: 2, from_id: 1, to_id: 3 },
    ]);
    // The next round starts from the earliest read of the last one.
    await live.reconnect();
    expect(asked[2]).toEqual({ since: 't4', from_id: 1, to_id: 4 });
  });
});

describe('activeTypers', () => {
  it('lists who typed in the last five seconds, oldest first, never ourselves', () => {
    const typers = new Map([
      [2, { name: 'Ana', at: 10_000 }],
      [3, { name: 'Ben', at: 8_000 }],
      [1, { name: 'Me', at: 10_500 }],
      [4, { name: 'Old', at: 4_000 }],
    ]);
    expect(activeTypers(typers, 11_000, 1)).toEqual(['Ben', 'Ana']);
    expect(activeTypers(typers, 13_500, 1)).toEqual(['Ana']);
  });
});
