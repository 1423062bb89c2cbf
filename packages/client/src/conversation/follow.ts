import { REALTIME_EVENTS } from '@communities/contract';

import { watchMessages, type Realtime } from '../realtime';

import { decodeRealtime } from './decode';
import type { ConversationMachine } from './machine';
import { TYPING_EVENT, type TypingTracker } from './typing';
import type { AnyMessage } from './types';

/** One pushed conversation event (other than message.created), decoded, into the machine. */
export function applyLiveEvent<M extends AnyMessage>(machine: ConversationMachine<M>, event: string, data: unknown): void {
  switch (event) {
    case REALTIME_EVENTS.messageUpdated: {
      const d = decodeRealtime(REALTIME_EVENTS.messageUpdated, data);
      if (d) machine.updated(d);
      return;
    }
    case REALTIME_EVENTS.messageDeleted: {
      const d = decodeRealtime(REALTIME_EVENTS.messageDeleted, data);
      if (d) machine.removed(d.id);
      return;
    }
    case REALTIME_EVENTS.reactionChanged: {
      const d = decodeRealtime(REALTIME_EVENTS.reactionChanged, data);
      if (d) machine.reaction(d);
      return;
    }
    case REALTIME_EVENTS.messagePinned: {
      const d = decodeRealtime(REALTIME_EVENTS.messagePinned, data);
      if (d) machine.pinned(d.id, d.is_pinned);
      return;
    }
    case REALTIME_EVENTS.uploadScanned: {
      const d = decodeRealtime(REALTIME_EVENTS.uploadScanned, data);
      if (d) machine.attachmentScanned(d);
      return;
    }
  }
}

/**
 * Follows a conversation's realtime channel once its first page is loaded: pushed messages
 * merged by id (watchMessages catches up through REST, with an overlap, after every
 * (re)subscription, and the changes among shown messages), the other events decoded into the
 * machine, and the connection's state (sends waiting for it go again when it is back).
 * Returns the function that stops following; leaving the channel is the caller's.
 */
export function followConversation<M extends AnyMessage>(
  machine: ConversationMachine<M>,
  rt: Realtime,
  channel: string,
  onError?: (error: unknown) => void,
): () => void {
  let stream: { stop(): void } | null = null;
  const start = () => {
    if (stream || machine.getSnapshot().status !== 'ready') return;
    const fetchChanges = machine.fetchChanges;
    stream = watchMessages<M>(rt, {
      channel,
      lastSeenId: machine.lastId(),
      fetchAfter: machine.fetchAfter,
      decode: (d) => decodeRealtime(REALTIME_EVENTS.messageCreated, d) as M | null,
      ...(fetchChanges
        ? {
            changes: {
              since: machine.since(),
              oldestId: () => machine.firstId(),
              fetch: fetchChanges,
              onChanged: (m) => machine.replace(m),
            },
          }
        : {}),
      onMessage: (m) => machine.receive(m, 'live'),
      onEvent: (event, data) => applyLiveEvent(machine, event, data),
      ...(onError ? { onError } : {}),
    });
  };
  const unwatch = machine.subscribe(start);
  start();
  const conn = rt.pusher.connection;
  const onState = (s: { current: string }) => machine.setOnline(s.current === 'connected');
  conn.bind('state_change', onState);
  machine.setOnline(conn.state === 'connected');
  return () => {
    unwatch();
    conn.unbind('state_change', onState);
    stream?.stop();
  };
}

interface PresenceChannel {
  subscribed: boolean;
  members?: { count: number; each(fn: (m: { id: string; info?: { name?: string; avatar_url?: string | null } }) => void): void };
  trigger(event: string, data: unknown): boolean;
  bind(event: string, fn: (d: unknown) => void): void;
  unbind(event: string, fn: (d: unknown) => void): void;
}

export interface PresentMember {
  id: number;
  name: string;
  avatar_url: string | null;
}

/**
 * A conversation's presence channel: who is here (`onMembers`: the people listed and how many
 * are here in all), and typing both ways through `tracker`. Returns the function that stops
 * following; leaving the channel is the caller's.
 *
 * A big channel (past the server's `chat.presence_member_limit`) lists only some of those here
 * and sends the count as `pusher:subscription_count`; the member frames after it move the count
 * by as much as they move pusher-js's own `members.count`, so the count is the last one sent
 * plus that change. A small channel never sends one: the count is `members.count`.
 */
export function followPresence(
  tracker: TypingTracker,
  rt: Realtime,
  channel: string,
  onMembers?: (members: PresentMember[], count: number) => void,
): () => void {
  const ch = rt.pusher.subscribe(channel) as unknown as PresenceChannel;
  /** The last count the server sent, and pusher-js's member count then (null: none since subscribing). */
  let sent: { count: number; at: number } | null = null;
  const publish = () => {
    if (!onMembers || !ch.members) return;
    const people: PresentMember[] = [];
    ch.members.each((m) => people.push({ id: Number(m.id), name: m.info?.name ?? '', avatar_url: m.info?.avatar_url ?? null }));
    const count = sent ? sent.count + ch.members.count - sent.at : ch.members.count;
    onMembers(people, Math.max(count, people.length));
  };
  const onSubscribed = () => {
    sent = null;
    publish();
  };
  const onCount = (d: unknown) => {
    const n = (d as { subscription_count?: unknown } | null)?.subscription_count;
    if (typeof n !== 'number' || !ch.members) return;
    sent = { count: n, at: ch.members.count };
    publish();
  };
  const onTyping = (d: unknown) => tracker.received(d);
  const onLeft = (d: unknown) => {
    tracker.stopped(Number((d as { id?: unknown } | null)?.id));
    publish();
  };
  ch.bind('pusher:subscription_succeeded', onSubscribed);
  ch.bind('pusher:subscription_count', onCount);
  ch.bind('pusher:member_added', publish);
  ch.bind('pusher:member_removed', onLeft);
  ch.bind(TYPING_EVENT, onTyping);
  if (ch.subscribed) publish();
  // Client events exist on presence channels only, once subscribed.
  tracker.connect((payload) => ch.subscribed && ch.trigger(TYPING_EVENT, payload));
  return () => {
    ch.unbind('pusher:subscription_succeeded', onSubscribed);
    ch.unbind('pusher:subscription_count', onCount);
    ch.unbind('pusher:member_added', publish);
    ch.unbind('pusher:member_removed', onLeft);
    ch.unbind(TYPING_EVENT, onTyping);
    tracker.connect(null);
  };
}

/** A message from someone ends their typing. */
export function endTypingOnMessage<M extends AnyMessage>(machine: ConversationMachine<M>, tracker: TypingTracker): () => void {
  let last = machine.getSnapshot().messages.at(-1);
  return machine.subscribe(() => {
    const now = machine.getSnapshot().messages.at(-1);
    if (now && now !== last && now.id !== last?.id) tracker.stopped(now.author.id);
    last = now;
  });
}
