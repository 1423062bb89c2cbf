import type { ChannelMessage } from '@communities/contract';
import { REALTIME_EVENTS } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { ApiError } from '../api';
import type { Realtime } from '../realtime';

import { endTypingOnMessage, followConversation, followPresence } from './follow';
import { ConversationMachine } from './machine';
import { ME, meUser, msg, pushed, settle } from './test-support';
import { TYPING_EVENT, TypingTracker } from './typing';
import type { HistoryQuery } from './types';

type Handler = (data: unknown) => void;

/**
 * Just enough of pusher-js to drive the followers: the test emits what the gateway would push.
 * (Real pusher-js against the real gateway is covered by the server's realtime suites and the
 * web e2e tests.)
 */
function fakePusher() {
  const handlers = new Map<string, Set<Handler>>();
  const globals = new Set<(event: string, data: unknown) => void>();
  const triggered: Array<[string, unknown]> = [];
  const channel = {
    subscribed: false,
    members: {
      count: 1,
      each: (fn: (m: { id: string; info: { name: string; avatar_url: null } }) => void) =>
        fn({ id: '9', info: { name: 'Ana', avatar_url: null } }),
    },
    bind: (event: string, fn: Handler) => void (handlers.get(event) ?? handlers.set(event, new Set()).get(event)!).add(fn),
    unbind: (event: string, fn: Handler) => void handlers.get(event)?.delete(fn),
    bind_global: (fn: (event: string, data: unknown) => void) => void globals.add(fn),
    unbind_global: (fn: (event: string, data: unknown) => void) => void globals.delete(fn),
    trigger: (event: string, data: unknown) => (triggered.push([event, data]), true),
    emit(event: string, data: unknown) {
      for (const fn of handlers.get(event) ?? []) fn(data);
      for (const fn of globals) fn(event, data);
    },
  };
  const connHandlers = new Set<(s: { current: string }) => void>();
  const connection = {
    state: 'connected',
    bind: (_e: string, fn: (s: { current: string }) => void) => void connHandlers.add(fn),
    unbind: (_e: string, fn: (s: { current: string }) => void) => void connHandlers.delete(fn),
    set: (current: string) => connHandlers.forEach((fn) => fn({ current })),
  };
  const rt = { pusher: { subscribe: () => channel, connection } } as unknown as Realtime;
  return { channel, connection, rt, triggered };
}

/** A channel's messages as REST serves them. */
function server(initial: ChannelMessage[]) {
  const committed = new Map(initial.map((m) => [m.id, m]));
  const queries: HistoryQuery[] = [];
  let down = false;
  return {
    committed,
    queries,
    setDown: (d: boolean) => (down = d),
    history: async (q: HistoryQuery) => {
      queries.push(q);
      const all = [...committed.values()].sort((a, b) => a.id - b.id);
      const items = q.after ? all.filter((m) => m.id > q.after!) : all.slice(-50);
      return { items, has_more_before: false, has_more_after: false };
    },
    post: async (b: { content: string; nonce: string }) => {
      if (down) throw new ApiError(0, 'network_error', 'Failed to fetch');
      const m = msg(100 + committed.size, { author: meUser, content: b.content, nonce: b.nonce });
      committed.set(m.id, m);
      return m;
    },
  };
}

describe('followConversation', () => {
  it('starts once the first page is loaded, merges pushed messages by id and catches up what a reconnect missed', async () => {
    const { channel, connection, rt } = fakePusher();
    const api = server([msg(1), msg(2)]);
    const s = new ConversationMachine(api, { me: () => meUser });
    const stop = followConversation(s, rt, 'private-channel.1');
    await s.load();
    channel.subscribed = true;
    channel.emit('pusher:subscription_succeeded', {});
    await settle();
    channel.emit(REALTIME_EVENTS.messageCreated, msg(4));
    channel.emit(REALTIME_EVENTS.messageCreated, msg(3));
    // Malformed pushes are dropped, not shown.
    channel.emit(REALTIME_EVENTS.messageCreated, { id: 5 });
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);

    // The socket drops; 5 and 6 commit meanwhile; on resubscription they come through REST.
    connection.set('unavailable');
    expect(s.getSnapshot().online).toBe(false);
    api.committed.set(5, msg(5));
    api.committed.set(6, msg(6));
    connection.set('connected');
    channel.emit('pusher:subscription_succeeded', {});
    await settle();
    expect(s.getSnapshot().messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6]);
    stop();
    channel.emit(REALTIME_EVENTS.messageCreated, msg(7));
    expect(s.lastId()).toBe(6);
  });

  it('routes pushed edits, deletions, reactions and pins through the decoder into the machine', async () => {
    const { channel, rt } = fakePusher();
    const api = server([msg(1), msg(2, { reply_to: { id: 1, author: meUser, excerpt: 'm1' } })]);
    const s = new ConversationMachine(api, { me: () => meUser });
    followConversation(s, rt, 'c');
    await s.load();
    channel.emit(REALTIME_EVENTS.messageUpdated, {
      ...pushed(msg(2, { reply_to: { id: 1, author: meUser, excerpt: 'm1' } })),
      content: 'edited',
    });
    channel.emit(REALTIME_EVENTS.reactionChanged, {
      message_id: 2,
      channel_id: 1,
      user_id: ME,
      emoji: '👍',
      reacted: true,
      counts: [{ emoji: '👍', count: 1 }],
    });
    channel.emit(REALTIME_EVENTS.messagePinned, { id: 2, channel_id: 1, is_pinned: true });
    channel.emit(REALTIME_EVENTS.messageDeleted, { id: 1, channel_id: 1 });
    channel.emit(REALTIME_EVENTS.messageDeleted, { id: 'bad' });
    const [one, two] = s.getSnapshot().messages;
    expect(one).toMatchObject({ deleted: true, content: null });
    expect(two).toMatchObject({ content: 'edited', is_pinned: true, reactions: [{ emoji: '👍', count: 1, me: true }] });
    expect(two!.reply_to!.excerpt).toBeNull();
  });

  it('sends again, by itself, what waited for the connection', async () => {
    const { connection, rt } = fakePusher();
    const api = server([]);
    const s = new ConversationMachine(api, { me: () => meUser, nonce: () => 'n-offline' });
    followConversation(s, rt, 'c');
    await s.load();
    connection.set('unavailable');
    api.setDown(true);
    s.send({ content: 'sent while offline' });
    await settle();
    expect(s.getSnapshot().pending.map((p) => p.status)).toEqual(['waiting']);
    api.setDown(false);
    connection.set('connected');
    await settle();
    expect(s.getSnapshot().pending).toEqual([]);
    expect(s.getSnapshot().messages.map((m) => [m.content, m.nonce])).toEqual([['sent while offline', 'n-offline']]);
  });
});

describe('followPresence', () => {
  it('lists who is here, shows others typing, ends it on their message, and sends ours once subscribed', async () => {
    const { channel, rt, triggered } = fakePusher();
    const tracker = new TypingTracker({ me: () => ({ id: ME, name: 'Me' }) });
    const members: unknown[] = [];
    const stop = followPresence(tracker, rt, 'presence-channel.1', (m) => members.push(m));
    expect(tracker.typed()).toBe(false);
    channel.subscribed = true;
    channel.emit('pusher:subscription_succeeded', {});
    expect(members).toEqual([[{ id: 9, name: 'Ana', avatar_url: null }]]);
    channel.emit(TYPING_EVENT, { user_id: 9, name: 'Ana' });
    expect(tracker.getSnapshot()).toEqual(['Ana']);

    const api = server([msg(1)]);
    const s = new ConversationMachine(api, { me: () => meUser });
    endTypingOnMessage(s, tracker);
    await s.load();
    expect(tracker.getSnapshot()).toEqual([]);

    expect(tracker.typed()).toBe(true);
    expect(triggered).toEqual([[TYPING_EVENT, { user_id: ME, name: 'Me' }]]);
    stop();
    tracker.dispose();
  });
  it('a big channel: the count is the last one the gateway sent plus what member frames moved since, until the next subscription', () => {
    const { channel, rt } = fakePusher();
    const tracker = new TypingTracker({ me: () => ({ id: ME, name: 'Me' }) });
    const counts: number[] = [];
    const stop = followPresence(tracker, rt, 'presence-channel.1', (_m, count) => counts.push(count));
    channel.subscribed = true;
    channel.emit('pusher:subscription_succeeded', {});
    channel.emit('pusher:subscription_count', { subscription_count: 250 });
    // A listed member left and nobody took the place: pusher-js's count went down by one.
    channel.members.count = 0;
    channel.emit('pusher:member_removed', { id: '7' });
    // Resubscribed: pusher-js's count is the true one again (from subscription_succeeded).
    channel.members.count = 180;
    channel.emit('pusher:subscription_succeeded', {});
    channel.emit('pusher:subscription_count', { subscription_count: 'many' });
    expect(counts).toEqual([1, 250, 249, 180]);
    stop();
    tracker.dispose();
  });
});
