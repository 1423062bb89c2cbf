import { REALTIME_EVENTS, type FeaturesResponse, type RealtimeEventName } from '@communities/contract';
import Pusher from 'pusher-js';

import type { TokenProvider } from './api';
import { decodeRealtime } from './conversation/decode';

export interface RealtimeOptions {
  /** `features.realtime` from GET /api/communities/features. */
  realtime: FeaturesResponse['realtime'];
  /** Origin of the addon, e.g. https://school.example.com ('' on the same origin in a browser). */
  baseUrl: string;
  token?: TokenProvider;
  headers?: () => Record<string, string>;
  /** Injectable for React Native or tests; defaults to pusher-js for this platform. */
  Pusher?: typeof Pusher;
}

export interface Realtime {
  pusher: Pusher;
  /** Binds `handler` to `event` on `channel` (subscribing if needed); returns the unbinding function. */
  on(channel: string, event: string, handler: (data: unknown) => void): () => void;
  leave(channel: string): void;
  /** Resolves once subscribed; rejects with the HTTP status when authorisation was refused. */
  subscribed(channel: string): Promise<void>;
  disconnect(): void;
}

/**
 * pusher-js against the addon's gateway (or any Pusher-compatible server), authorising private
 * and presence channels through /api/communities/broadcasting/auth with the caller's token.
 */
export function createRealtime(o: RealtimeOptions): Realtime {
  const url = o.baseUrl ? new URL(o.baseUrl) : null;
  const builtIn = o.realtime.ws_host === null;
  const Ctor = o.Pusher ?? Pusher;
  const pusher = new Ctor(o.realtime.key, {
    cluster: o.realtime.cluster ?? 'mt1',
    forceTLS: builtIn ? url?.protocol === 'https:' : o.realtime.force_tls,
    wsHost: builtIn
      ? (url?.hostname ?? (globalThis as { location?: { hostname: string } }).location?.hostname ?? 'localhost')
      : o.realtime.ws_host!,
    wsPort: builtIn ? Number(url?.port || (url?.protocol === 'https:' ? 443 : 80)) : (o.realtime.ws_port ?? 80),
    wssPort: builtIn ? Number(url?.port || 443) : (o.realtime.ws_port ?? 443),
    ...(builtIn && o.realtime.ws_path ? { wsPath: o.realtime.ws_path } : {}),
    enabledTransports: ['ws', 'wss'],
    disableStats: true,
    channelAuthorization: {
      endpoint: `${o.baseUrl}${o.realtime.auth_endpoint}`,
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        void (async () => {
          try {
            const token = await o.token?.();
            const res = await fetch(`${o.baseUrl}${o.realtime.auth_endpoint}`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...(token ? { authorization: `Bearer ${token}` } : {}),
                ...(o.headers?.() ?? {}),
              },
              body: JSON.stringify({ socket_id: socketId, channel_name: channelName }),
              credentials: 'same-origin',
            });
            if (!res.ok) return callback(Object.assign(new Error(`auth ${res.status}`), { status: res.status }), null);
            callback(null, (await res.json()) as { auth: string; channel_data?: string });
          } catch (error) {
            callback(error as Error, null);
          }
        })();
      },
    },
  });
  // The gateway ends a subscription whose user lost access with pusher:subscription_error;
  // pusher-js would still count it as subscribed, and a later subscribe would not ask again.
  pusher.connection.bind('message', (e: { event?: string; channel?: string }) => {
    if (e.event !== 'pusher:subscription_error' || !e.channel) return;
    const ch = pusher.channel(e.channel);
    if (ch?.subscribed) ch.subscribed = false;
  });
  return {
    pusher,
    on(channel, event, handler) {
      // subscribe() is idempotent, and it also revives a subscription that a quick leave()
      // cancelled while pending; reusing pusher.channel() would leave that one cancelled.
      const ch = pusher.subscribe(channel);
      ch.bind(event, handler);
      return () => {
        ch.unbind(event, handler);
      };
    },
    leave: (channel) => pusher.unsubscribe(channel),
    subscribed(channel) {
      const ch = pusher.subscribe(channel);
      if (ch.subscribed) return Promise.resolve();
      return new Promise((resolve, reject) => {
        ch.bind('pusher:subscription_succeeded', () => resolve());
        ch.bind('pusher:subscription_error', (e: { status?: number; error?: string }) => {
          // pusher-js reports a custom handler's failure as text; the status is in it.
          const status = e.status ?? Number(/auth (\d{3})/.exec(e.error ?? '')?.[1] ?? 0);
          reject(Object.assign(new Error(`subscription refused (${status || '?'})`), { status }));
        });
      });
    },
    disconnect: () => pusher.disconnect(),
  };
}

export interface MessageStreamOptions<M extends { id: number }> {
  /** The realtime channel name, e.g. realtimeChannel.channel(prefix, id). */
  channel: string;
  /** The newest message id the caller already shows (0 for none). */
  lastSeenId: number;
  /** REST catch-up: messages after an id, oldest first (channels.messages / dm.messages with `after`). */
  fetchAfter: (afterId: number) => Promise<{ items: M[]; has_more_after: boolean; as_of?: string }>;
  /**
   * Catch-up of what changed in messages already shown (edits, deletions, reactions, pins,
   * finished scans) through channels.changes / dm.changes, on every (re)subscription once a
   * `since` is known: the `as_of` of the caller's own history load, or of fetchAfter's pages.
   */
  changes?: {
    since?: string;
    /** The oldest message id the caller shows (0 for none). */
    oldestId: () => number;
    fetch: (q: ChangesRequest) => Promise<ChangesPage<M>>;
    /** Each changed message whole, as the caller sees it. */
    onChanged: (message: M) => void;
  };
  /**
   * Each new message exactly once. Mostly in id order, but messages are pushed in commit order:
   * one that took longer to commit can come after a newer one, so callers merge by id.
   */
  onMessage: (message: M) => void;
  /** Other events on the channel (message.updated, message.deleted, reaction.changed, …). */
  onEvent?: (event: string, data: unknown) => void;
  /**
   * Turns a pushed created payload into a message, or null to drop it. By default the
   * contract's schema parses it (decodeRealtime: every payload is decoded in one place).
   */
  decode?: (data: unknown) => M | null;
  /** Created event name; `message.created` unless told. */
  createdEvent?: RealtimeEventName;
  onError?: (error: unknown) => void;
}

export interface ChangesRequest {
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

/**
 * Pages through a changes endpoint (channels.changes / dm.changes) from `q`, handing each
 * changed message to `onChanged` (at most `maxPages` answers); resolves to the first answer's
 * as_of, the next `since`.
 */
export async function pageChanges<M>(
  fetch: (q: ChangesRequest) => Promise<ChangesPage<M>>,
  q: ChangesRequest,
  onChanged: (message: M) => void,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<string> {
  let first: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await fetch(q);
    first ??= page.as_of;
    for (const m of page.items) onChanged(m);
    if (!page.next || pages >= maxPages) return first;
    q = { ...q, since: page.next.since, after_id: page.next.after_id };
  }
}

export interface MessageStream {
  /** The newest id delivered so far (older ones may still come: see onMessage). */
  lastSeenId(): number;
  /** Resolves once the first subscription and catch-up finished. */
  ready: Promise<void>;
  stop(): void;
}

/** How many of the newest delivered ids a catch-up fetches again (see watchMessages). */
export const CATCH_UP_OVERLAP = 25;
/** Delivered ids remembered to deliver each message once. */
const SEEN_LIMIT = 2_000;

/**
 * Live messages with catch-up: on every (re)subscription, which pusher-js performs after each
 * reconnect, it fetches through REST what arrived meanwhile, while holding back live messages
 * until that catch-up is done, so nothing is missed or repeated.
 *
 * Ids are handed out when a post starts and pushed when it commits, so a message can arrive
 * after a newer one (concurrent posters on MariaDB/PostgreSQL). Messages are therefore told
 * apart by the set of ids already delivered, never by "below the last id", and a catch-up
 * starts CATCH_UP_OVERLAP messages back, for one that was still committing when the socket
 * dropped.
 */
export function watchMessages<M extends { id: number }>(rt: Realtime, o: MessageStreamOptions<M>): MessageStream {
  const start = o.lastSeenId;
  let last = start;
  let catching = false;
  let stopped = false;
  const held: M[] = [];
  const seen = new Set<number>();
  /** Ids below this were forgotten by the bounded `seen`: anything that old is not new. */
  let floor = 0;
  const deliver = (m: M) => {
    if (stopped || m.id < floor || seen.has(m.id)) return;
    seen.add(m.id);
    if (seen.size > SEEN_LIMIT) {
      const keep = [...seen].sort((a, b) => a - b).slice(-SEEN_LIMIT / 2);
      seen.clear();
      for (const id of keep) seen.add(id);
      floor = keep[0]!;
    }
    last = Math.max(last, m.id);
    o.onMessage(m);
  };
  /**
   * Where a catch-up starts: CATCH_UP_OVERLAP delivered messages back, never before `start`,
   * and never 0 once something was delivered (fetchAfter(0) means "the newest page").
   */
  const anchor = () => {
    const newest = [...seen].filter((id) => id > start).sort((a, b) => b - a);
    if (newest.length > CATCH_UP_OVERLAP) return newest[CATCH_UP_OVERLAP]!;
    return start > 0 ? start : (newest.at(-1) ?? 0);
  };
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  let since = o.changes?.since;
  // The earliest as_of of a catch-up round becomes the next round's `since`.
  const earliest = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a < b ? a : b);

  const catchUpChanges = async (upTo: number): Promise<string | undefined> => {
    const c = o.changes;
    const from = c?.oldestId() ?? 0;
    if (!c || since === undefined || from <= 0 || upTo < from) return undefined;
    return pageChanges(c.fetch, { since, from_id: from, to_id: upTo }, (m) => {
      if (!stopped) c.onChanged(m);
    });
  };

  const catchUp = async () => {
    if (catching) return;
    catching = true;
    try {
      const shown = last;
      let round: string | undefined;
      for (let after = anchor(); ;) {
        const page = await o.fetchAfter(after);
        round = earliest(round, page.as_of);
        for (const m of page.items) deliver(m);
        if (!page.has_more_after || page.items.length === 0) break;
        after = Math.max(after, ...page.items.map((m) => m.id));
      }
      round = earliest(round, await catchUpChanges(shown));
      since = round ?? since;
    } catch (error) {
      o.onError?.(error);
    } finally {
      catching = false;
      for (const m of held.splice(0).sort((a, b) => a.id - b.id)) deliver(m);
      markReady();
    }
  };

  const ch = rt.pusher.subscribe(o.channel);
  const created = o.createdEvent ?? REALTIME_EVENTS.messageCreated;
  const onCreated = (data: unknown) => {
    const m = o.decode ? o.decode(data) : (decodeRealtime(REALTIME_EVENTS.messageCreated, data) as M | null);
    if (!m) return;
    if (catching) held.push(m);
    else deliver(m);
  };
  const onSubscribed = () => void catchUp();
  const onAny = (event: string, data: unknown) => {
    if (event !== created && !event.startsWith('pusher')) o.onEvent?.(event, data);
  };
  ch.bind(created, onCreated);
  ch.bind('pusher:subscription_succeeded', onSubscribed);
  ch.bind_global(onAny);
  if (ch.subscribed) void catchUp();
  return {
    lastSeenId: () => last,
    ready,
    stop() {
      stopped = true;
      ch.unbind(created, onCreated);
      ch.unbind('pusher:subscription_succeeded', onSubscribed);
      ch.unbind_global(onAny);
    },
  };
}
