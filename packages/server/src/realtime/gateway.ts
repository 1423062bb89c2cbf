import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

import type { Logger } from '../platform/logger';

import type { ClusterTarget, GatewayCluster } from './cluster';
import { authExpired, type LocalSubscription, type RevocationGateway } from './revoke';

import { ERR, frame, newSocketId, PROTOCOL, verifySignature } from './protocol';

interface Conn {
  id: string;
  ws: WebSocket;
  channels: Set<string>;
  /** presence channel -> user id this socket is there as */
  presence: Map<string, string>;
  /** private channel -> user id its auth was signed for (channel_data), when the signer named one */
  owners: Map<string, string>;
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
  /** Several processes: frames and presence go through it (Redis); absent = this process alone. */
  cluster?: GatewayCluster;
}

/**
 * A Pusher-protocol WebSocket server in this process: connection_established, ping/pong,
 * private and presence subscriptions verified by signature (signed by our auth endpoint, as a
 * real Pusher server would), presence member lists, and client events on presence channels.
 */
export class RealtimeGateway implements ClusterTarget, RevocationGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly conns = new Map<string, Conn>();
  private readonly channels = new Map<string, Set<Conn>>();
  private readonly members = new Map<string, Map<string, PresenceMember>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly corked = new Set<Conn>();
  private subscribed: ((s: LocalSubscription) => void) | null = null;

  constructor(private readonly opts: GatewayOptions) {}

  attach(app: FastifyInstance): void {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!url.pathname.startsWith(`${this.opts.path}/app/`)) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url));
    });
    this.timer = setInterval(() => this.sweep(), 5_000);
    this.timer.unref();
    app.addHook('onClose', async () => this.close());
  }

  stats() {
    return { connections: this.conns.size, channels: this.channels.size };
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
      owners: new Map(),
      lastSeen: Date.now(),
      pingSent: false,
      events: { windowStart: 0, count: 0 },
    };
    this.conns.set(conn.id, conn);
    ws.on('message', (raw: Buffer) => this.onMessage(conn, raw));
    ws.on('close', () => this.drop(conn));
    ws.on('error', () => this.drop(conn));
    ws.send(frame('pusher:connection_established', { socket_id: conn.id, activity_timeout: this.opts.activityTimeoutSeconds }));
  }

  private error(conn: Conn, message: string, code: number | null, channel?: string): void {
    conn.ws.send(JSON.stringify({ event: 'pusher:error', ...(channel ? { channel } : {}), data: { message, code } }));
  }

  private onMessage(conn: Conn, raw: Buffer): void {
    conn.lastSeen = Date.now();
    conn.pingSent = false;
    let msg: { event?: unknown; channel?: unknown; data?: unknown };
    try {
      msg = JSON.parse(raw.toString('utf8')) as typeof msg;
    } catch {
      return this.error(conn, 'Frames must be JSON', null);
    }
    const data = typeof msg.data === 'string' ? safeJson(msg.data) : msg.data;
    switch (msg.event) {
      case 'pusher:ping':
        return void conn.ws.send(frame('pusher:pong', {}));
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        return this.subscribe(conn, data as { channel?: unknown; auth?: unknown; channel_data?: unknown });
      case 'pusher:unsubscribe':
        return this.unsubscribe(conn, str((data as { channel?: unknown } | null)?.channel));
      default:
        if (typeof msg.event === 'string' && msg.event.startsWith('client-'))
          return this.clientEvent(conn, msg.event, str(msg.channel), data);
    }
  }

  private subscribe(conn: Conn, d: { channel?: unknown; auth?: unknown; channel_data?: unknown } | null): void {
    const channel = typeof d?.channel === 'string' ? d.channel : '';
    const isPresence = channel.startsWith('presence-');
    if (!channel.startsWith('private-') && !isPresence) {
      // Everything we publish is private: a public channel would leak to anyone with the key.
      return void conn.ws.send(
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Only private and presence channels exist', status: 403 }, channel),
      );
    }
    const channelData = isPresence && typeof d?.channel_data === 'string' ? d.channel_data : undefined;
    // Our auth endpoint signs private channels with channel_data naming the user (see ChannelAuthorizer).
    const owner = !isPresence && typeof d?.channel_data === 'string' ? this.privateOwner(conn, channel, d.auth, d.channel_data) : undefined;
    if (owner === undefined && !verifySignature(d?.auth, this.opts.key, this.opts.secret, conn.id, channel, channelData)) {
      return void conn.ws.send(frame('pusher:subscription_error', { type: 'AuthError', error: 'Invalid signature', status: 401 }, channel));
    }
    if (authExpired(owner !== undefined ? (d?.channel_data as string) : channelData)) {
      return void conn.ws.send(
        frame('pusher:subscription_error', { type: 'AuthError', error: 'Authorization expired', status: 401 }, channel),
      );
    }
    if (conn.channels.has(channel)) return;
    if (owner !== undefined) conn.owners.set(channel, owner);
    conn.channels.add(channel);
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(conn);
    if (!isPresence) {
      this.subscribed?.(this.subscription(conn, channel));
      return void conn.ws.send(frame('pusher_internal:subscription_succeeded', {}, channel));
    }
    const member = safeJson(channelData ?? '') as { user_id?: unknown; user_info?: unknown } | null;
    const userId = str(member?.user_id);
    const info = member?.user_info ?? {};
    conn.presence.set(channel, userId);
    this.subscribed?.(this.subscription(conn, channel));
    const succeeded = (members: Map<string, unknown>) => {
      const hash = Object.fromEntries(members);
      conn.ws.send(
        frame('pusher_internal:subscription_succeeded', { presence: { ids: Object.keys(hash), hash, count: members.size } }, channel),
      );
    };
    const added = frame('pusher_internal:member_added', { user_id: userId, user_info: info }, channel);
    if (this.opts.cluster) {
      this.opts.cluster
        .join(channel, conn.id, userId, info)
        .then((r) => {
          if (r.added) this.toChannel(channel, added, conn);
          succeeded(r.members);
        })
        .catch((err: unknown) => {
          this.opts.logger.warn({ err, channel }, 'presence join failed');
          conn.ws.send(frame('pusher:subscription_error', { type: 'ServerError', error: 'Presence unavailable', status: 503 }, channel));
        });
      return;
    }
    let members = this.members.get(channel);
    if (!members) this.members.set(channel, (members = new Map<string, PresenceMember>()));
    const existing = members.get(userId);
    if (existing) existing.sockets++;
    else {
      members.set(userId, { info, sockets: 1 });
      this.toChannel(channel, added, conn);
    }
    succeeded(new Map([...members].map(([id, m]) => [id, m.info])));
  }

  private unsubscribe(conn: Conn, channel: string): void {
    if (!conn.channels.delete(channel)) return;
    conn.owners.delete(channel);
    this.channels.get(channel)?.delete(conn);
    if (this.channels.get(channel)?.size === 0) this.channels.delete(channel);
    const userId = conn.presence.get(channel);
    if (userId === undefined) return;
    conn.presence.delete(channel);
    const removed = frame('pusher_internal:member_removed', { user_id: userId }, channel);
    if (this.opts.cluster) {
      this.opts.cluster
        .leave(channel, conn.id, userId)
        .then((r) => r.removed && this.toChannel(channel, removed))
        .catch((err: unknown) => this.opts.logger.warn({ err, channel }, 'presence leave failed'));
      return;
    }
    const members = this.members.get(channel);
    const m = members?.get(userId);
    if (!members || !m) return;
    if (--m.sockets > 0) return;
    members.delete(userId);
    if (members.size === 0) this.members.delete(channel);
    this.toChannel(channel, removed);
  }

  private clientEvent(conn: Conn, event: string, channel: string, data: unknown): void {
    if (!channel.startsWith('presence-') || !conn.channels.has(channel))
      return this.error(conn, 'Client events go on presence channels you are subscribed to', null, channel);
    const now = Date.now();
    if (now - conn.events.windowStart >= 1000) conn.events = { windowStart: now, count: 0 };
    if (++conn.events.count > this.opts.clientEventsPerSecond)
      return this.error(conn, 'Too many client events', ERR.clientEventRate, channel);
    const raw = JSON.stringify({ event, channel, data: JSON.stringify(data ?? {}), user_id: conn.presence.get(channel) });
    this.toChannel(channel, raw, conn);
  }

  private toChannel(channel: string, raw: string, except?: Conn): void {
    if (this.opts.cluster) this.opts.cluster.send(channel, raw, except?.id);
    else this.sendLocal(channel, raw, except?.id);
  }

  /** A frame for this node's subscribers of a channel (from this node or, through the cluster, another). */
  sendLocal(channel: string, raw: string, exceptSocketId?: string): void {
    const subscribers = this.channels.get(channel);
    if (!subscribers?.size) return;
    // Encoded once for every subscriber, instead of once per send.
    const bytes = Buffer.from(raw);
    for (const c of subscribers) if (c.id !== exceptSocketId) this.push(c, bytes);
  }

  /**
   * Sends a frame, holding the socket's writes until the end of this turn of the event loop:
   * a burst of messages to a subscriber leaves in one system call instead of one each.
   * (`ws` has no public cork; its `_socket` is the net.Socket it writes to.)
   */
  private push(c: Conn, frameBytes: Buffer): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (!this.corked.has(c)) {
      (c.ws as unknown as { _socket?: { cork(): void } })._socket?.cork();
      this.corked.add(c);
      if (this.corked.size === 1) setImmediate(() => this.uncorkAll());
    }
    c.ws.send(frameBytes, { binary: false });
  }

  private uncorkAll(): void {
    for (const c of this.corked) (c.ws as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
    this.corked.clear();
  }

  /** Delivers a server event to this node's subscribers. */
  deliver(channels: string[], event: string, data: unknown, exceptSocketId?: string): void {
    // A channel nobody here listens to costs nothing, not even its frame's encoding.
    for (const channel of channels)
      if (this.channels.get(channel)?.size) this.sendLocal(channel, frame(event, data, channel), exceptSocketId);
  }

  /** The user a private subscription's signed channel_data names; undefined when the signature does not hold. */
  private privateOwner(conn: Conn, channel: string, auth: unknown, channelData: string): string | undefined {
    if (!verifySignature(auth, this.opts.key, this.opts.secret, conn.id, channel, channelData)) return undefined;
    return str((safeJson(channelData) as { user_id?: unknown } | null)?.user_id);
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
    conn.ws.send(frame('pusher:subscription_error', { type: 'AuthError', error: 'Access revoked', status: 403 }, channel));
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
        c.ws.send(frame('pusher:ping', {}));
      } else {
        c.ws.close(ERR.pongTimeout, 'Pong reply not received');
        this.drop(c);
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.conns.values()) c.ws.close(ERR.generic, 'Server shutting down');
    this.conns.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}
