import { describe, expect, it } from 'vitest';

import { CATCH_UP_OVERLAP, watchMessages, type Realtime } from './realtime';

type Handler = (data: unknown) => void;

/**
 * Just enough of a pusher-js channel to drive watchMessages: events are emitted by the test,
 * as the gateway would push them. (Real pusher-js against the real gateway is covered by the
 * server's chat-realtime and message-order service suites.)
 */
function fakeChannel() {
  const handlers = new Map<string, Set<Handler>>();
  const globals = new Set<(event: string, data: unknown) => void>();
  const channel = {
    subscribed: false,
    bind: (event: string, fn: Handler) => void (handlers.get(event) ?? handlers.set(event, new Set()).get(event)!).add(fn),
    unbind: (event: string, fn: Handler) => void handlers.get(event)?.delete(fn),
    bind_global: (fn: (event: string, data: unknown) => void) => void globals.add(fn),
    unbind_global: (fn: (event: string, data: unknown) => void) => void globals.delete(fn),
    emit(event: string, data: unknown) {
      for (const fn of handlers.get(event) ?? []) fn(data);
      for (const fn of globals) fn(event, data);
    },
  };
  const rt = { pusher: { subscribe: () => channel } } as unknown as Realtime;
  return { channel, rt };
}

/** Messages as REST serves them: those committed so far, by id, a page of 10 at a time. */
function store() {
  const committed = new Map<number, { id: number }>();
  const calls: number[] = [];
  return {
    commit: (id: number) => committed.set(id, { id }),
    calls,
    fetchAfter(after: number) {
      calls.push(after);
      const items = [...committed.values()].filter((m) => m.id > after).sort((a, b) => a.id - b.id);
      return Promise.resolve({ items: items.slice(0, 10), has_more_after: items.length > 10 });
    },
  };
}

/** The pushed payloads here are bare ids. */
const decode = (d: unknown) => d as { id: number };

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('watchMessages', () => {
  it('delivers a message that arrives after a newer one, and each message once', async () => {
    const { channel, rt } = fakeChannel();
    const rest = store();
    const got: number[] = [];
    const stream = watchMessages(rt, {
      channel: 'c',
      lastSeenId: 2,
      fetchAfter: rest.fetchAfter,
      decode,
      onMessage: (m) => got.push(m.id),
    });
    channel.subscribed = true;
    channel.emit('pusher:subscription_succeeded', {});
    await stream.ready;
    // Ids 3..6 were handed out in that order but committed (and pushed) as 3, 5, 6, 4.
    for (const id of [3, 5, 6, 4, 5, 3]) channel.emit('message.created', { id });
    expect(got).toEqual([3, 5, 6, 4]);
    expect(stream.lastSeenId()).toBe(6);
  });

  it('after a reconnect, catches up a message that was still committing when the socket dropped', async () => {
    const { channel, rt } = fakeChannel();
    const rest = store();
    const got: number[] = [];
    const stream = watchMessages(rt, {
      channel: 'c',
      lastSeenId: 0,
      fetchAfter: rest.fetchAfter,
      decode,
      onMessage: (m) => got.push(m.id),
    });
    channel.emit('pusher:subscription_succeeded', {});
    await stream.ready;
    const live = Array.from({ length: 40 }, (_, i) => i + 1).filter((id) => id !== 37);
    for (const id of live) {
      rest.commit(id);
      channel.emit('message.created', { id });
    }
    // The socket drops; 37 commits meanwhile (its push went nowhere), and 41 after it.
    rest.commit(37);
    rest.commit(41);
    channel.emit('pusher:subscription_succeeded', {});
    await settle();
    await settle();
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(got.length).toBe(41);
    // It went back a bounded number of messages, not to the start.
    expect(rest.calls.at(-1)).toBeGreaterThan(0);
    expect(Math.min(...rest.calls.slice(1))).toBeGreaterThanOrEqual(40 - CATCH_UP_OVERLAP - 1);
    stream.stop();
  });

  it('holds live messages during a catch-up and delivers them after it, without repeats', async () => {
    const { channel, rt } = fakeChannel();
    const rest = store();
    for (const id of [1, 2, 3]) rest.commit(id);
    const got: number[] = [];
    const stream = watchMessages(rt, {
      channel: 'c',
      lastSeenId: 0,
      fetchAfter: rest.fetchAfter,
      decode,
      onMessage: (m) => got.push(m.id),
    });
    channel.emit('pusher:subscription_succeeded', {});
    channel.emit('message.created', { id: 3 });
    channel.emit('message.created', { id: 4 });
    await stream.ready;
    expect(got).toEqual([1, 2, 3, 4]);
  });
});
