import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import type { Logger } from '../platform/logger';

import type { ClusterTarget, GatewayCluster } from './cluster';
import { onJoin, onLeave, smallestIds, type ListChange } from './presence-list';
import { authExpired, type LocalSubscription, type RevocationGateway } from './revoke';

import {
  clientEventSchema,
  clientFrameSchema,
  ERR,
  frame,
  newSocketId,
  presenceMemberSchema,
  PROTOCOL,
  subscribeDataSchema,
  unsubscribeDataSchema,
  verifySignature,
} from './protocol';

interface Conn {
  id: string;
  ws: WebSocket;
  channels: Set<string>;
  /** presence channel -> user id this socket is there as */
  presence: Map<string, string>;
  /** presence channel -> the user_info this socket joined with (re-announced after a Redis loss) */
  presenceInfo: Map<string, unknown>;
  /** presence channel -> users this socket's user and they do not see of each other (blocks, from the signed channel_data) */
  hidden: Map<string, Set<string>>;
  /** private channel -> user id its auth was signed for (channel_data), when the signer named one */
  owners: Map<string, string>;
  /** presence channel -> frames (wireFrame) held while its join is in flight (sent after subscription_succeeded) */
  joining: Map<string, Buffer[]>;
  /** channel -> the gateway's presence sequence when this socket subscribed (queued member frames older than that are not for it) */
  since: Map<string, number>;
  /** Frames (wireFrame) for this socket until the next flush; the same array for the socket's life. */
  pending: Buffer[];
  /** Their bytes. */
  pendingBytes: number;
  lastSeen: number;
  pingSent: boolean;
  events: { windowStart: number; count: number };
}

interface PresenceMember {
  info: unknown;
  sockets: number;
}

export interface GatewayOptions {
  key: string;
  secret: string;
  path: string;
  activityTimeoutSeconds: number;
  clientEventsPerSecond: number;
  logger: Logger;
  maxFrameBytes?: number;
  /** A socket holding more unsent bytes than this stopped reading: it is closed (pusher-js reconnects and catches up). */
  maxBufferedBytes?: number;
  /** Several processes: frames and presence go through it (Redis); absent = this process alone. */
  cluster?: GatewayCluster;
  /** member_added / member_removed frames are gathered this long and sent together (a join storm: one write per socket, not one per join). */
  presenceFlushMs?: number;
  /**
   * Past this many members a presence channel is big (`chat.presence_member_limit`): everyone is
   * told of the same capped list (presence-list.ts) and of the count, instead of every join and leave.
   */
  presenceMemberLimit?: number;
  /** A big channel's count goes out at most this often (pusher_internal:subscription_count). */
  presenceCountMs?: number;
  /** Sockets are written at most this often (`chat.socket_flush_ms`): what is due meanwhile goes in one write per socket. 0: every turn of the event loop. */
  socketFlushMs?: number;
}

/** A member_added or member_removed frame waiting for the presence flush. */
interface QueuedPresence {
  /** The frame as it goes on the wire (wireFrame). */
  bytes: Buffer;
  /** The user it is about (member frames): not sent to that user's own sockets, nor to those who must not see them. */
  about: string | undefined;
  except: string | undefined;
  seq: number;
}

/** A socket with this much pending is flushed at the end of the turn, whatever `socketFlushMs` says. */
const FLUSH_NOW_BYTES = 32 * 1024;

const MEMBER_FRAME = '{"event":"pusher_internal:member_';
const COUNT_FRAME = '{"event":"pusher_internal:subscription_count"';

/**
 * A Pusher-protocol WebSocket server in this process: connection_established, ping/pong,
 * private and presence subscriptions verified by signature (signed by our auth endpoint, as a
 * real Pusher server would), presence member lists, and client events on presence channels.
 */
export class RealtimeGateway implements ClusterTarget, RevocationGateway {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, Conn>();
  private readonly channels = new Map<string, Set<Conn>>();
  private readonly members = new Map<string, Map<string, PresenceMember>>();
  private timer: NodeJS.Timeout | null = null;
  /** Sockets with frames pending (push), in the order they got their first, until the next flush. */
  private due: Conn[] = [];
  /** The list being flushed (swapped with `due`, so neither is allocated again). */
  private flushing: Conn[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  /** When the last flush began (performance.now()). */
  private lastFlush = -Infinity;
  /** Fan-out is interrupted: nothing is pushed until resync(), so what clients miss is one stretch. */
  private held = false;
  private subscribed: ((s: LocalSubscription) => void) | null = null;
  /** Sockets closed because they stopped reading, since start. */
  private slowClosed = 0;
  /** Presence member frames per channel, in order, until the next flush. */
  private readonly presenceQueue = new Map<string, QueuedPresence[]>();
  private presenceTimer: NodeJS.Timeout | null = null;
  private presenceSeq = 0;
  /** Big presence channels whose count changed since it last went out. */
  private readonly countDirty = new Set<string>();
  private countTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: GatewayOptions) {
    // No compression (ws's default, said here because push() relies on it): a frame is the same bytes for every socket.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes ?? 64 * 1024, perMessageDeflate: false });
    // A socket's error (a frame over maxPayload, invalid UTF-8, a reset) closes that socket only.
    this.wss.on('error', (err) => this.opts.logger.warn({ err }, 'realtime server error'));
  }

  attach(app: FastifyInstance): void {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      let url: URL | null = null;
      try {
        url = new URL(req.url ?? '/', 'http://x');
      } catch {
        // not a URL at all
      }
      if (!url?.pathname.startsWith(`${this.opts.path}/app/`)) {
        // Nobody else takes upgrades: an unanswered one would hold its socket forever.
        if (app.server.listenerCount('upgrade') === 1) socket.destroy();
        return;
      }
      const ours = url;
      this.guard('upgrade', () => this.wss.handleUpgrade(req, socket, head, (ws) => this.guard('accept', () => this.accept(ws, ours))));
    });
    this.timer = setInterval(() => this.sweep(), 5_000);
    this.timer.unref();
    app.addHook('onClose', async () => this.close());
  }

  /** Open sockets, channels with a subscriber here, and the bytes sockets hold unsent (bounded by maxBufferedBytes each). */
  stats() {
    let bufferedBytes = 0;
    for (const c of this.conns.values()) bufferedBytes += c.ws.bufferedAmount;
    return { connections: this.conns.size, channels: this.channels.size, bufferedBytes, slowClosed: this.slowClosed };
  }

  /** Runs a handler of client input; whatever it throws is logged, never the end of the process. */
  private guard(what: string, fn: () => void, conn?: Conn): void {
    try {
      fn();
    } catch (err) {
      this.opts.logger.warn({ err, socket_id: conn?.id }, `realtime ${what} failed`);
    }
  }

  private accept(ws: WebSocket, url: URL): void {
    const key = url.pathname.slice(`${this.opts.path}/app/`.length);
    if (key !== this.opts.key) {
      ws.send(frame('pusher:error', { message: 'Unknown app key', code: ERR.appUnknown }));
      ws.close(ERR.appUnknown, 'Unknown app key');
      return;
    }
    const protocol = Number(url.searchParams.get('protocol') ?? PROTOCOL);
    if (protocol < 5) {
      ws.close(4007, 'Unsupported protocol version');
      return;
    }
    const conn: Conn = {
      id: newSocketId(),
      ws,
      channels: new Set(),
      presence: new Map(),
      presenceInfo: new Map(),
      hidden: new Map(),
      owners: new Map(),
      joining: new Map(),
      since: new Map(),
      pending: [],
      pendingBytes: 0,
      lastSeen: Date.now(),
      pingSent: false,
      events: { windowStart: 0, count: 0 },
    };
    this.conns.set(conn.id, conn);
    ws.on('message', (raw: RawData, isBinary: boolean) => this.guard('frame', () => this.onMessage(conn, raw, isBinary), conn));
    ws.on('close', () => this.guard('close', () => this.drop(conn), conn));
    ws.on('error', (err) => {
      this.opts.logger.debug({ err, socket_id: conn.id }, 'realtime socket error');
      this.guard('close', () => this.drop(conn), conn);
    });
    ws.send(frame('pusher:connection_established', { socket_id: conn.id, activity_timeout: this.opts.activityTimeoutSeconds }));
  }

  private error(conn: Conn, message: string, code: number | null, channel?: string): void {
    this.send(conn, JSON.stringify({ event: 'pusher:error', ...(channel ? { channel } : {}), data: { message, code } }));
  }

  /** Every frame is checked against the protocol's schemas before anything reads it. */
  private onMessage(conn: Conn, raw: RawData, isBinary: boolean): void {
    conn.lastSeen = Date.now();
    conn.pingSent = false;
    if (isBinary) return this.error(conn, 'Frames must be JSON text', null);
    const parsed = clientFrameSchema.safeParse(safeJson(rawText(raw)));
    if (!parsed.success) return this.error(conn, 'A frame is a JSON object with a string event', null);
    const msg = parsed.data;
    const data = typeof msg.data === 'string' ? safeJson(msg.data) : msg.data;
    switch (msg.event) {
      case 'pusher:ping':
        return void this.send(conn, frame('pusher:pong', {}));
      case 'pusher:pong':
        return;
      case 'pusher:subscribe': {
        const d = subscribeDataSchema.safeParse(data);
        if (d.success) return this.subscribe(conn, d.data);
        const named = (data as { channel?: unknown } | null)?.channel;
        const channel = typeof named === 'string' && named.length <= 200 ? named : undefined;
        return void this.send(
          conn,
          frame('pusher:subscription_error', { type: 'AuthError', error: 'Invalid subscription', status: 400 }, channel),
        );
      }
      case 'pusher:unsubscribe': {
        const d = unsubscribeDataSchema.safeParse(data);
        return d.success ? this.unsubscribe(conn, d.data.channel) : undefined;
      }
      default: {
        if (!msg.event.startsWith('client-')) return;
        const e = clientEventSchema.safeParse({ event: msg.event, channel: msg.channel, data });
        if (!e.success) return this.error(conn, 'A client event needs a client- name and a channel', null);
        return this.clientEvent(conn, e.data.event, e.data.channel, e.data.data);
      }
    }
  }

  private subscribe(conn: Conn, d: { channel: string; auth?: string | undefined; channel_data?: string | undefined }): void {
    const channel = d.channel;
    const isPresence = channel.startsWith('presence-');
    if (!channel.startsWith('private-') && !isPresence) {
      // Everything we publish is private: a public channel would leak to anyone with the key.
      return void this.send(
        conn,
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Only private and presence channels exist', status: 403 }, channel),
      );
    }
    const channelData = isPresence ? d.channel_data : undefined;
    if (isPresence && channelData === undefined)
      return void this.send(
        conn,
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Missing channel_data', status: 400 }, channel),
      );
    // Our auth endpoint signs private channels with channel_data naming the user (see ChannelAuthorizer).
    const owner = !isPresence && d.channel_data !== undefined ? this.privateOwner(conn, channel, d.auth, d.channel_data) : undefined;
    if (owner === undefined && !verifySignature(d.auth, this.opts.key, this.opts.secret, conn.id, channel, channelData)) {
      return void this.send(
        conn,
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Invalid signature', status: 401 }, channel),
      );
    }
    if (authExpired(owner !== undefined ? d.channel_data : channelData)) {
      return void this.send(
        conn,
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Authorization expired', status: 401 }, channel),
      );
    }
    if (conn.channels.has(channel)) return;
    const member = isPresence ? presenceMemberSchema.safeParse(safeJson(channelData ?? '')) : null;
    if (member && !member.success)
      return void this.send(
        conn,
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Invalid channel_data', status: 400 }, channel),
      );
    if (owner !== undefined) conn.owners.set(channel, owner);
    conn.channels.add(channel);
    conn.since.set(channel, ++this.presenceSeq);
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(conn);
    if (!member?.success) {
      this.subscribed?.(this.subscription(conn, channel));
      return void this.send(conn, frame('pusher_internal:subscription_succeeded', {}, channel));
    }
    const userId = member.data.user_id;
    const info = member.data.user_info ?? {};
    conn.presence.set(channel, userId);
    conn.presenceInfo.set(channel, info);
    if (member.data.hide?.length) conn.hidden.set(channel, new Set(member.data.hide));
    this.subscribed?.(this.subscription(conn, channel));
    const limit = this.memberLimit();
    // Everyone here (`all`, `info` of each): past the limit the joiner gets the capped list, itself
    // on it, and the true count (less those hidden from it).
    const succeeded = (all: { size: number; has(id: string): boolean; keys(): Iterable<string> }, infoOf: (id: string) => unknown) => {
      const hide = conn.hidden.get(channel);
      const ids = all.size > limit ? new Set([...smallestIds(all.keys(), limit), userId]) : all.keys();
      const hash: Record<string, unknown> = {};
      for (const id of ids) if (!hide?.has(id)) hash[id] = infoOf(id);
      let hiddenHere = 0;
      if (hide) for (const id of hide) if (id !== userId && all.has(id)) hiddenHere++;
      this.send(
        conn,
        frame(
          'pusher_internal:subscription_succeeded',
          { presence: { ids: Object.keys(hash), hash, count: all.size - hiddenHere } },
          channel,
        ),
      );
    };
    if (this.opts.cluster) {
      // Another node's member_added can arrive before this join's answer: pusher-js would add the
      // member, then replace its list with the (older) one in subscription_succeeded. So frames
      // for the channel wait until subscription_succeeded has gone.
      const held: Buffer[] = [];
      conn.joining.set(channel, held);
      this.opts.cluster
        .join(channel, conn.id, userId, info)
        .then((r) => {
          if (r.added) this.listChanged(channel, onJoin(r.members.keys(), r.members.size, userId, limit), (id) => r.members.get(id), conn);
          if (conn.joining.get(channel) !== held) return;
          conn.joining.delete(channel);
          succeeded(r.members, (id) => r.members.get(id));
          for (const b of held) this.push(conn, b);
        })
        .catch((err: unknown) => {
          if (conn.joining.get(channel) === held) conn.joining.delete(channel);
          this.opts.logger.warn({ err, channel }, 'presence join failed');
          this.send(conn, frame('pusher:subscription_error', { type: 'ServerError', error: 'Presence unavailable', status: 503 }, channel));
        });
      return;
    }
    let members = this.members.get(channel);
    if (!members) this.members.set(channel, (members = new Map<string, PresenceMember>()));
    const existing = members.get(userId);
    if (existing) existing.sockets++;
    else {
      members.set(userId, { info, sockets: 1 });
      this.listChanged(channel, onJoin(members.keys(), members.size, userId, limit), (id) => members.get(id)?.info, conn);
    }
    succeeded(members, (id) => members.get(id)?.info);
  }

  private memberLimit(): number {
    return this.opts.presenceMemberLimit ?? 100;
  }

  /**
   * member_added / member_removed for who came onto or went off the listed members (presence-list.ts),
   * the joiner's own add not to the joining socket; a big channel's count goes out soon after.
   */
  private listChanged(channel: string, change: ListChange, infoOf: (id: string) => unknown, joining?: Conn): void {
    for (const id of change.removed) this.toChannel(channel, frame('pusher_internal:member_removed', { user_id: id }, channel));
    for (const id of change.added)
      this.toChannel(channel, frame('pusher_internal:member_added', { user_id: id, user_info: infoOf(id) ?? {} }, channel), joining);
    if (change.big) this.countChanged(channel);
  }

  /** A big channel's count goes out at most every `presenceCountMs`, after the member frames before it. */
  private countChanged(channel: string): void {
    this.countDirty.add(channel);
    if (this.countTimer) return;
    this.countTimer = setTimeout(() => this.guard('presence count', () => this.sendCounts()), this.opts.presenceCountMs ?? 1000);
    this.countTimer.unref();
  }

  private sendCounts(): void {
    this.countTimer = null;
    const channels = [...this.countDirty];
    this.countDirty.clear();
    const send = (channel: string, count: number) =>
      this.toChannel(channel, frame('pusher_internal:subscription_count', { subscription_count: count }, channel));
    for (const channel of channels) {
      if (!this.opts.cluster) {
        send(channel, this.members.get(channel)?.size ?? 0);
        continue;
      }
      this.opts.cluster
        .count(channel)
        .then((n) => send(channel, n))
        .catch((err: unknown) => this.opts.logger.warn({ err, channel }, 'presence count failed'));
    }
  }

  private unsubscribe(conn: Conn, channel: string): void {
    if (!conn.channels.delete(channel)) return;
    conn.since.delete(channel);
    conn.owners.delete(channel);
    conn.joining.delete(channel);
    this.channels.get(channel)?.delete(conn);
    if (this.channels.get(channel)?.size === 0) this.channels.delete(channel);
    const userId = conn.presence.get(channel);
    if (userId === undefined) return;
    conn.presence.delete(channel);
    conn.presenceInfo.delete(channel);
    conn.hidden.delete(channel);
    const limit = this.memberLimit();
    if (this.opts.cluster) {
      this.opts.cluster
        .leave(channel, conn.id, userId)
        .then((r) => {
          if (r.removed) this.listChanged(channel, onLeave(r.members.keys(), r.members.size, userId, limit), (id) => r.members.get(id));
        })
        .catch((err: unknown) => this.opts.logger.warn({ err, channel }, 'presence leave failed'));
      return;
    }
    const members = this.members.get(channel);
    const m = members?.get(userId);
    if (!members || !m) return;
    if (--m.sockets > 0) return;
    members.delete(userId);
    if (members.size === 0) this.members.delete(channel);
    this.listChanged(channel, onLeave(members.keys(), members.size, userId, limit), (id) => members.get(id)?.info);
  }

  private clientEvent(conn: Conn, event: string, channel: string, data: unknown): void {
    if (!channel.startsWith('presence-') || !conn.channels.has(channel))
      return this.error(conn, 'Client events go on presence channels you are subscribed to', null, channel);
    const now = Date.now();
    if (now - conn.events.windowStart >= 1000) conn.events = { windowStart: now, count: 0 };
    if (++conn.events.count > this.opts.clientEventsPerSecond)
      return this.error(conn, 'Too many client events', ERR.clientEventRate, channel);
    // Re-encoding may throw (data nested thousands deep): guard() logs it and drops the event.
    const raw = JSON.stringify({ event, channel, data: JSON.stringify(data ?? {}), user_id: conn.presence.get(channel) });
    this.toChannel(channel, raw, conn);
  }

  private toChannel(channel: string, raw: string, except?: Conn): void {
    if (this.opts.cluster) this.opts.cluster.send(channel, raw, except?.id);
    else this.sendLocal(channel, raw, except?.id);
  }

  /** A frame for this node's subscribers of a channel (from this node or, through the cluster, another). */
  sendLocal(channel: string, raw: string, exceptSocketId?: string): void {
    if (this.held) return;
    const subscribers = this.channels.get(channel);
    if (!subscribers?.size) return;
    if (raw.startsWith(MEMBER_FRAME) || raw.startsWith(COUNT_FRAME)) return this.queuePresence(channel, raw, exceptSocketId);
    // Framed once for every subscriber, instead of once per send.
    const bytes = wireFrame(raw);
    // Who a presence frame is about, read only where someone here must not see someone.
    const about = channel.startsWith('presence-') && someoneHides(subscribers, channel) ? presenceSubject(raw) : undefined;
    for (const c of subscribers) this.offer(c, channel, bytes, exceptSocketId, about);
  }

  /**
   * One frame to one subscriber of `channel`: not to the socket it came from, not when it is
   * about someone this socket must not see, and held while the socket's join is in flight.
   */
  private offer(c: Conn, channel: string, bytes: Buffer, except: string | undefined, about: string | undefined): void {
    if (c.id === except || (about !== undefined && c.hidden.get(channel)?.has(about))) return;
    const held = c.joining.get(channel);
    if (held) held.push(bytes);
    else this.push(c, bytes);
  }

  /**
   * 1,000 joins in a second would be 1,000 member_added frames to up to 1,000 members, each
   * join flushed to every member's socket on its own: half a million writes, and the room's
   * messages waiting behind them. Member frames are gathered for `presenceFlushMs` and go out
   * together, in order, one write per socket. A frame goes to the sockets subscribed before it
   * was queued: one who subscribed later has that member (or its absence) in its
   * subscription_succeeded already.
   */
  private queuePresence(channel: string, raw: string, except: string | undefined): void {
    let queue = this.presenceQueue.get(channel);
    if (!queue) this.presenceQueue.set(channel, (queue = []));
    const about = raw.startsWith(MEMBER_FRAME) ? presenceSubject(raw) : undefined;
    queue.push({ bytes: wireFrame(raw), about, except, seq: ++this.presenceSeq });
    if (!this.presenceTimer) {
      this.presenceTimer = setTimeout(() => this.guard('presence flush', () => this.flushPresence()), this.opts.presenceFlushMs ?? 50);
      this.presenceTimer.unref();
    }
  }

  private flushPresence(): void {
    this.presenceTimer = null;
    const queues = [...this.presenceQueue];
    this.presenceQueue.clear();
    if (this.held) return;
    for (const [channel, queue] of queues) {
      const subscribers = this.channels.get(channel);
      if (!subscribers?.size) continue;
      for (const c of subscribers) {
        const since = c.since.get(channel) ?? 0;
        const self = c.presence.get(channel);
        for (const q of queue)
          if (q.seq >= since && (q.about === undefined || q.about !== self)) this.offer(c, channel, q.bytes, q.except, q.about);
      }
    }
  }

  /**
   * A block was made or lifted while this socket was on a presence channel: from now on it does
   * not see (or sees again) these people there. Those now hidden leave its member list at once;
   * those shown again come back if they are here on this node (elsewhere: at the next subscription).
   */
  setHidden(socketId: string, channel: string, hide: Set<string>): void {
    const conn = this.conns.get(socketId);
    if (!conn?.presence.has(channel)) return;
    const before = conn.hidden.get(channel) ?? new Set<string>();
    if (hide.size) conn.hidden.set(channel, hide);
    else conn.hidden.delete(channel);
    for (const id of hide) if (!before.has(id)) this.send(conn, frame('pusher_internal:member_removed', { user_id: id }, channel));
    for (const id of before) {
      const m = hide.has(id) ? undefined : this.members.get(channel)?.get(id);
      if (m) this.send(conn, frame('pusher_internal:member_added', { user_id: id, user_info: m.info }, channel));
    }
  }

  /**
   * Sends a frame built by wireFrame: it waits in the socket's `pending` list until the next
   * flush, which writes everything due to a socket in one write. The frame goes straight to the
   * socket: the same bytes for every subscriber (a server's frames are not masked, and nothing is
   * compressed), where `ws.send` would frame it again for every socket in two writes. `ws.send`'s
   * own frames (pongs, errors, subscription answers) go through send(), which writes what is
   * pending first, so the order on the wire is the order of the calls; `bufferedAmount` counts
   * both. (`ws` has no public raw write; its `_socket` is the net.Socket it writes to.)
   */
  private push(c: Conn, wire: Buffer): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.pending.length === 0) {
      this.due.push(c);
      if (this.due.length === 1) this.scheduleFlush();
    }
    c.pending.push(wire);
    // Bulk goes at the end of this turn, as it would without the delay: a reading socket's
    // flush stays well under chat.max_socket_buffer_bytes, and a stalled one is cut before
    // it holds much more than that.
    if ((c.pendingBytes += wire.length) >= FLUSH_NOW_BYTES && this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
      setImmediate(this.flushDue);
    }
  }

  /**
   * A flush at the end of this turn of the event loop, or, when the last one was less than
   * `socketFlushMs` ago, once that much time has passed since it. Each write to a socket costs a
   * system call and, on the other end, a wake-up and a read: at 100 messages a second to 1,000
   * sockets that was most of a core on each side. A busy gateway so writes the messages due to a
   * socket together, at most 1,000 / `socketFlushMs` times a second, while a quiet one (a
   * message now and then) still writes each at once.
   */
  private scheduleFlush(): void {
    const wait = this.lastFlush + (this.opts.socketFlushMs ?? 0) - performance.now();
    if (wait <= 0) setImmediate(this.flushDue);
    else this.flushTimer = setTimeout(this.flushDue, wait);
  }

  private readonly flushDue = (): void => {
    this.flushTimer = null;
    this.lastFlush = performance.now();
    const due = this.due;
    this.due = this.flushing;
    this.flushing = due;
    const limit = this.opts.maxBufferedBytes ?? 2 * 1024 * 1024;
    // The same frames usually go to every socket (one channel, one message): joined once, not once per socket.
    let joinedOf: Buffer[] | null = null;
    let joined: Buffer | null = null;
    for (let i = 0; i < due.length; i++) {
      const c = due[i]!;
      const frames = c.pending;
      if (frames.length === 0) continue; // written by send() meanwhile
      try {
        let bytes = frames[0]!;
        if (frames.length > 1) {
          if (!joinedOf || !sameFrames(joinedOf, frames)) {
            joined = Buffer.concat(frames);
            joinedOf = frames.slice();
          }
          bytes = joined!;
        }
        this.write(c, bytes);
        frames.length = 0;
        c.pendingBytes = 0;
        // What is still buffered after the write is what the peer has not read.
        if (c.ws.bufferedAmount > limit) this.tooSlow(c);
      } catch (err) {
        this.opts.logger.warn({ err, socket_id: c.id }, 'realtime flush failed');
      } finally {
        frames.length = 0;
        c.pendingBytes = 0;
      }
    }
    due.length = 0;
  };

  private write(c: Conn, bytes: Buffer): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    (c.ws as unknown as { _socket?: Duplex })._socket?.write(bytes);
  }

  /** What is pending for this socket goes now (before a frame of ws.send, a close). */
  private flushConn(c: Conn): void {
    if (c.pending.length === 0) return;
    this.write(c, c.pending.length === 1 ? c.pending[0]! : Buffer.concat(c.pending));
    c.pending.length = 0;
    c.pendingBytes = 0;
  }

  /** A frame through `ws.send` (framed there), after what push() holds for the socket. */
  private send(c: Conn, text: string): void {
    this.flushConn(c);
    c.ws.send(text);
  }

  private closeConn(c: Conn, code: number, reason: string): void {
    this.flushConn(c);
    c.ws.close(code, reason);
  }

  /**
   * A socket that stopped reading (a frozen tab, a dead mobile link) would hold every frame
   * for it in memory until the liveness timeout. It is closed with a back-off reconnect code
   * instead: pusher-js comes back, resubscribes and catches up over REST.
   */
  private tooSlow(c: Conn): void {
    this.opts.logger.warn({ socket_id: c.id, buffered: c.ws.bufferedAmount }, 'realtime socket closed: it stopped reading');
    this.slowClosed++;
    this.drop(c);
    this.closeConn(c, ERR.overCapacity, 'Not reading: reconnect and catch up');
    // The close frame waits behind all it has not read; its buffers go now, not after ws's 30 s.
    setTimeout(() => c.ws.terminate(), 2_000).unref();
  }

  /**
   * After frames may have been lost (Redis fan-out was interrupted), closes every socket with a
   * reconnect-at-once code, spread over `spreadMs`: pusher-js reconnects, resubscribes (presence
   * is announced again) and watchMessages catches up over REST.
   */
  resync(reason: string, spreadMs = 3_000): void {
    this.opts.logger.warn({ sockets: this.conns.size }, `realtime resync: ${reason}`);
    const stale = [...this.conns.values()];
    // They get nothing more (a message now, after a gap, would hide the gap from their catch-up).
    for (const c of stale) this.guard('resync', () => this.drop(c), c);
    this.held = false;
    for (const c of stale) setTimeout(() => this.closeConn(c, ERR.generic, 'Reconnect and catch up'), Math.random() * spreadMs).unref();
  }

  /**
   * Fan-out was interrupted (Redis is gone): stop pushing until resync(). Had this node kept
   * pushing its own messages, clients would hold them around holes left by the other nodes',
   * and a catch-up from their newest message would not see the holes.
   */
  hold(): void {
    this.held = true;
  }

  /** This node's presence subscriptions, to write back to Redis when it lost them. */
  presenceEntries(): Array<{ channel: string; socketId: string; userId: string; info: unknown }> {
    const out: Array<{ channel: string; socketId: string; userId: string; info: unknown }> = [];
    for (const c of this.conns.values())
      for (const [channel, userId] of c.presence) out.push({ channel, socketId: c.id, userId, info: c.presenceInfo.get(channel) ?? {} });
    return out;
  }

  /** Delivers a server event to this node's subscribers. */
  deliver(channels: string[], event: string, data: unknown, exceptSocketId?: string): void {
    if (this.held) return;
    // A channel nobody here listens to costs nothing, not even its frame's encoding.
    for (const channel of channels)
      if (this.channels.get(channel)?.size) this.sendLocal(channel, frame(event, data, channel), exceptSocketId);
  }

  /** The user a private subscription's signed channel_data names; undefined when the signature does not hold. */
  private privateOwner(conn: Conn, channel: string, auth: unknown, channelData: string): string | undefined {
    if (!verifySignature(auth, this.opts.key, this.opts.secret, conn.id, channel, channelData)) return undefined;
    const member = presenceMemberSchema.safeParse(safeJson(channelData));
    return member.success ? member.data.user_id : '';
  }

  /** Tells `fn` of each new subscription (a revocation that just happened may cover it). */
  watchSubscriptions(fn: (s: LocalSubscription) => void): void {
    this.subscribed = fn;
  }

  private subscription(c: Conn, channel: string): LocalSubscription {
    const owner = c.presence.get(channel) ?? c.owners.get(channel);
    return { socketId: c.id, channel, userId: owner && /^\d+$/.test(owner) ? Number(owner) : null };
  }

  /** Channels someone on this node is subscribed to. */
  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  /** A channel's subscriptions on this node, with the user each was signed for (revocation re-checks them). */
  subscribersOf(channel: string): LocalSubscription[] {
    return [...(this.channels.get(channel) ?? [])].map((c) => this.subscription(c, channel));
  }

  /**
   * Ends a subscription whose user lost access: pusher:subscription_error tells the client,
   * and leaving goes as an unsubscribe does (presence: member_removed to the others).
   */
  evict(socketId: string, channel: string): void {
    const conn = this.conns.get(socketId);
    if (!conn?.channels.has(channel)) return;
    this.unsubscribe(conn, channel);
    this.send(conn, frame('pusher:subscription_error', { type: 'AuthError', error: 'Access revoked', status: 403 }, channel));
  }

  private drop(conn: Conn): void {
    if (!this.conns.delete(conn.id)) return;
    for (const channel of [...conn.channels]) this.unsubscribe(conn, channel);
  }

  /** Pings quiet sockets after the activity timeout and closes those that never answer. */
  private sweep(): void {
    const now = Date.now();
    const timeout = this.opts.activityTimeoutSeconds * 1000;
    for (const c of this.conns.values()) {
      if (now - c.lastSeen < timeout) continue;
      if (!c.pingSent) {
        c.pingSent = true;
        c.lastSeen = now - timeout + 30_000;
        this.send(c, frame('pusher:ping', {}));
      } else {
        this.closeConn(c, ERR.pongTimeout, 'Pong reply not received');
        this.drop(c);
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    if (this.countTimer) clearTimeout(this.countTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.countDirty.clear();
    this.presenceQueue.clear();
    for (const c of this.conns.values()) this.closeConn(c, ERR.generic, 'Server shutting down');
    this.conns.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

/**
 * A text frame as it goes on the wire (RFC 6455: FIN, opcode 1, unmasked, its length, then the
 * UTF-8 payload), built once per frame for every socket it goes to.
 */
export function wireFrame(text: string): Buffer {
  const n = Buffer.byteLength(text);
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x81;
  if (n < 126) out[1] = n;
  else if (n < 65_536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  out.write(text, head, 'utf8');
  return out;
}

/** The same frames in the same order (the same Buffers: each frame is built once for all its sockets). */
function sameFrames(a: Buffer[], b: Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function someoneHides(subscribers: Set<Conn>, channel: string): boolean {
  for (const c of subscribers) if (c.hidden.has(channel)) return true;
  return false;
}

const rawText = (raw: RawData): string =>
  Buffer.isBuffer(raw)
    ? raw.toString('utf8')
    : Array.isArray(raw)
      ? Buffer.concat(raw).toString('utf8')
      : Buffer.from(raw).toString('utf8');

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}

const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** The user a presence frame is about: who joined or left, or who sent a client event (typing). */
function presenceSubject(raw: string): string | undefined {
  try {
    const msg = JSON.parse(raw) as { event?: string; data?: unknown; user_id?: unknown };
    if (msg.event === 'pusher_internal:member_added' || msg.event === 'pusher_internal:member_removed') {
      const data = (typeof msg.data === 'string' ? JSON.parse(msg.data) : msg.data) as { user_id?: unknown } | null;
      return idOf(data?.user_id);
    }
    return idOf(msg.user_id);
  } catch {
    return undefined;
  }
}
