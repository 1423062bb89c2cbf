import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import type { Logger } from '../platform/logger';

import type { Broadcaster } from './broadcaster';
import type { Revocation } from './revoke';

/**
 * How the gateway reaches sockets and presence beyond this process. The in-process one is the
 * gateway alone; the Redis one fans frames out over pub/sub and keeps presence in Redis so
 * several server processes behind a load balancer act as one Pusher server.
 */
export interface GatewayCluster {
  /** Sends a raw frame to a channel's subscribers on every node (this one included). */
  send(channel: string, raw: string, exceptSocketId?: string): void;
  /** Records a presence subscription; says whether the user is new to the channel, and who is there. */
  join(channel: string, socketId: string, userId: string, info: unknown): Promise<{ added: boolean; members: Map<string, unknown> }>;
  /** Removes one; says whether that was the user's last socket there anywhere, and who is still there. */
  leave(channel: string, socketId: string, userId: string): Promise<{ removed: boolean; members: Map<string, unknown> }>;
  /** How many users are on a presence channel, on every node. */
  count(channel: string): Promise<number>;
  close(): Promise<void>;
}

export interface ClusterTarget {
  /** Hands a frame from any node to this node's sockets. */
  sendLocal(channel: string, raw: string, exceptSocketId?: string): void;
  /** Hands a server event to this node's sockets. */
  deliver(channels: string[], event: string, data: unknown, exceptSocketId?: string): void;
  /** Fan-out is interrupted: push nothing until resync(). */
  hold(): void;
  /** Frames may have been lost: every client reconnects, resubscribes and catches up over REST. */
  resync(reason: string): void;
  /** This node's presence subscriptions, written back when Redis lost them. */
  presenceEntries(): Array<{ channel: string; socketId: string; userId: string; info: unknown }>;
}

const TOPIC = 'frames';
/**
 * A node's heartbeat key lives this long and is renewed every BEAT_MS, and every beat also
 * reaps lapsed nodes: the presence of a killed node is gone within HEARTBEAT_SECONDS + BEAT_MS.
 */
export const HEARTBEAT_SECONDS = 5;
const BEAT_MS = 1_500;
/** Revocations go on their own topic: each node re-checks its own sockets. */
const REVOKE_TOPIC = 'revocations';

interface Wire {
  /** The node that sent it (which delivered it to its own sockets already). */
  from?: string;
  /** A raw frame for a channel, or a server event for many channels. */
  channel?: string;
  raw?: string;
  channels?: string[];
  event?: string;
  data?: unknown;
  except?: string;
}

/**
 * Redis pub/sub fan-out and Redis-held presence. Presence entries are keyed by node and socket;
 * each node refreshes a heartbeat, and survivors clear the entries of a node whose heartbeat
 * lapsed (a killed process), announcing member_removed for users it alone held.
 *
 * A node delivers to its own sockets directly and publishes for the others. Pub/sub does not
 * replay what was published while a node was cut off, so while its subscription is down a node
 * pushes nothing, and when it is back it has every client resync (RealtimeGateway.hold and
 * resync): clients miss one stretch, which their catch-up fetches over REST. When its
 * heartbeat had lapsed (Redis restarted empty, or the node was reaped while stalled) it writes
 * its presence back.
 */
export class RedisCluster implements GatewayCluster {
  readonly nodeId = randomBytes(6).toString('hex');
  private readonly sub: Redis;
  private target: ClusterTarget | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The subscription dropped and frames from other nodes may have been missed. */
  private lost = false;
  private closing = false;
  private beaten = false;
  private readonly warnedAt = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly opts: { prefix: string; logger: Logger },
  ) {
    this.sub = redis.duplicate();
  }

  private key(...parts: string[]): string {
    return `${this.opts.prefix}rt:${parts.join(':')}`;
  }

  /** Logs a recurring Redis problem at most every 10 s. */
  private warn(what: string, err?: unknown): void {
    const t = Date.now();
    if (t - (this.warnedAt.get(what) ?? 0) < 10_000) return;
    this.warnedAt.set(what, t);
    this.opts.logger.warn({ err }, what);
  }

  async start(target: ClusterTarget, frame: (event: string, data: unknown, channel: string) => string): Promise<void> {
    this.target = target;
    this.sub.on('message', (_topic: string, message: string) => {
      try {
        const w = JSON.parse(message) as Wire;
        if (w.from === this.nodeId) return;
        if (w.channel && w.raw) target.sendLocal(w.channel, w.raw, w.except);
        else if (w.channels && w.event) for (const ch of w.channels) target.sendLocal(ch, frame(w.event, w.data, ch), w.except);
      } catch (err) {
        this.warn('realtime: a fan-out frame could not be delivered', err);
      }
    });
    this.sub.on('error', (err: unknown) => this.warn('realtime fan-out: Redis subscription error', err));
    this.sub.on('close', () => {
      if (this.closing || this.lost) return;
      this.lost = true;
      target.hold();
      this.opts.logger.warn('realtime fan-out lost Redis: nothing is pushed until it is back, then every client catches up');
    });
    this.sub.on('ready', () => {
      if (this.lost) void this.recover();
    });
    await this.sub.subscribe(this.key(TOPIC));
    await this.beat();
    this.timer = setInterval(() => {
      void this.beat().catch((err: unknown) => this.warn('realtime heartbeat failed', err));
    }, BEAT_MS);
    this.timer.unref();
  }

  /** Redis is back: subscribed again, presence written back, then every client catches up. */
  private async recover(): Promise<void> {
    try {
      await this.sub.subscribe(this.key(TOPIC));
      await this.pruneOwn();
      await this.beat();
    } catch (err) {
      return this.warn('realtime fan-out: recovery after a Redis loss failed (retried on the next reconnect)', err);
    }
    this.lost = false;
    this.opts.logger.warn('realtime fan-out has Redis again');
    this.target?.resync('Redis fan-out was interrupted');
  }

  private async beat(): Promise<void> {
    const nodeKey = this.key('node', this.nodeId);
    const res = await this.redis
      .multi()
      .exists(nodeKey)
      .set(nodeKey, '1', 'EX', HEARTBEAT_SECONDS)
      .sadd(this.key('nodes'), this.nodeId)
      .exec();
    // Our heartbeat had lapsed: Redis lost its data or others reaped us, with our presence.
    if (this.beaten && res?.[0]?.[1] === 0) await this.reannounce();
    this.beaten = true;
    await this.reapDeadNodes();
  }

  /** Writes this node's presence back, announcing members that had vanished from a channel. */
  private async reannounce(): Promise<void> {
    const byChannel = new Map<string, Array<{ socketId: string; userId: string; info: unknown }>>();
    for (const e of this.target?.presenceEntries() ?? []) {
      const list = byChannel.get(e.channel) ?? [];
      list.push(e);
      byChannel.set(e.channel, list);
    }
    for (const [channel, list] of byChannel) {
      const before = new Set(await this.usersIn(channel));
      const m = this.redis.multi();
      for (const e of list)
        m.hset(this.key('presence', channel), `${this.nodeId}|${e.socketId}`, JSON.stringify({ user_id: e.userId, user_info: e.info }));
      await m.sadd(this.key('node-channels', this.nodeId), channel).exec();
      const announced = new Set<string>();
      for (const e of list) {
        if (before.has(e.userId) || announced.has(e.userId)) continue;
        announced.add(e.userId);
        this.send(
          channel,
          JSON.stringify({
            event: 'pusher_internal:member_added',
            channel,
            data: JSON.stringify({ user_id: e.userId, user_info: e.info }),
          }),
        );
      }
    }
    if (byChannel.size) this.opts.logger.warn({ channels: byChannel.size }, 'realtime presence written back to Redis');
  }

  /** Clears presence held by nodes whose heartbeat lapsed. */
  async reapDeadNodes(): Promise<void> {
    const nodes = await this.redis.smembers(this.key('nodes'));
    for (const node of nodes) {
      if (node === this.nodeId || (await this.redis.exists(this.key('node', node)))) continue;
      const channels = await this.redis.smembers(this.key('node-channels', node));
      for (const channel of channels) {
        const entries = await this.redis.hgetall(this.key('presence', channel));
        const gone = Object.entries(entries).filter(([field]) => field.startsWith(`${node}|`));
        if (gone.length === 0) continue;
        await this.redis.hdel(this.key('presence', channel), ...gone.map(([f]) => f));
        const still = new Set(await this.usersIn(channel));
        for (const userId of new Set(gone.map(([, v]) => (JSON.parse(v) as { user_id: string }).user_id)))
          if (!still.has(userId)) this.sendMemberRemoved(channel, userId);
      }
      await this.redis.multi().del(this.key('node-channels', node)).srem(this.key('nodes'), node).exec();
    }
  }

  private sendMemberRemoved(channel: string, userId: string): void {
    this.send(channel, JSON.stringify({ event: 'pusher_internal:member_removed', channel, data: JSON.stringify({ user_id: userId }) }));
  }

  private async entries(channel: string): Promise<Array<{ user_id: string; user_info: unknown }>> {
    const all = await this.redis.hgetall(this.key('presence', channel));
    return Object.values(all).map((v) => JSON.parse(v) as { user_id: string; user_info: unknown });
  }

  private async usersIn(channel: string): Promise<string[]> {
    return (await this.entries(channel)).map((e) => e.user_id);
  }

  send(channel: string, raw: string, exceptSocketId?: string): void {
    this.target?.sendLocal(channel, raw, exceptSocketId);
    void this.publish({ channel, raw, ...(exceptSocketId ? { except: exceptSocketId } : {}) });
  }

  publishEvent(channels: string[], event: string, data: unknown, exceptSocketId?: string): Promise<void> {
    this.target?.deliver(channels, event, data, exceptSocketId);
    return this.publish({ channels, event, data, ...(exceptSocketId ? { except: exceptSocketId } : {}) });
  }

  /**
   * For the other nodes. Without Redis it is dropped at once (not queued behind reconnects):
   * the other nodes lost their subscriptions too and have their clients catch up when it is back.
   */
  private async publish(w: Wire): Promise<void> {
    if (this.redis.status !== 'ready') return this.warn(`realtime fan-out skipped: Redis connection is ${this.redis.status}`);
    try {
      await this.redis.publish(this.key(TOPIC), JSON.stringify({ ...w, from: this.nodeId }));
    } catch (err) {
      this.warn('realtime fan-out failed', err);
    }
  }

  async join(channel: string, socketId: string, userId: string, info: unknown) {
    // Read and write in one transaction: two users joining at once on two nodes each see the
    // other either in their list or in a member_added that follows it, never neither.
    const res = await this.redis
      .multi()
      .hgetall(this.key('presence', channel))
      .hset(this.key('presence', channel), `${this.nodeId}|${socketId}`, JSON.stringify({ user_id: userId, user_info: info }))
      .sadd(this.key('node-channels', this.nodeId), channel)
      .exec();
    const [err, all] = res?.[0] ?? [new Error('presence join: no answer from Redis'), null];
    if (err) throw err;
    const before = Object.values(hash(all)).map((v) => JSON.parse(v) as { user_id: string; user_info: unknown });
    const added = !before.some((e) => e.user_id === userId);
    const members = new Map<string, unknown>([...before.map((e) => [e.user_id, e.user_info] as const), [userId, info]]);
    return { added, members };
  }

  async leave(channel: string, socketId: string, userId: string) {
    await this.redis.hdel(this.key('presence', channel), `${this.nodeId}|${socketId}`);
    const members = new Map((await this.entries(channel)).map((e) => [e.user_id, e.user_info] as const));
    return { removed: !members.has(userId), members };
  }

  async count(channel: string): Promise<number> {
    return new Set(await this.usersIn(channel)).size;
  }

  /** Hands revocations published by any node (this one included) to `apply`. */
  async onRevocation(apply: (r: Revocation) => Promise<void>): Promise<void> {
    const topic = this.key(REVOKE_TOPIC);
    this.sub.on('message', (from: string, message: string) => {
      if (from !== topic) return;
      let r: Revocation;
      try {
        r = JSON.parse(message) as Revocation;
      } catch {
        return;
      }
      if (!r || typeof r !== 'object' || !r.scope) return;
      apply(r).catch((err: unknown) => this.opts.logger.warn({ err, revocation: r }, 'realtime revocation failed'));
    });
    await this.sub.subscribe(topic);
  }

  /** Tells every node that access changed (see RevocationApplier). */
  async publishRevocation(r: Revocation): Promise<void> {
    await this.redis.publish(this.key(REVOKE_TOPIC), JSON.stringify(r));
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    // A clean shutdown hands its presence back at once instead of waiting for the reaper.
    try {
      await this.redis.del(this.key('node', this.nodeId));
      await this.reapOwn();
    } catch {
      // Redis is gone too; the survivors' reaper will clear our entries.
    }
    this.sub.disconnect();
  }

  /** Removes this node's entries for sockets that left while Redis could not be told. */
  private async pruneOwn(): Promise<void> {
    const live = new Set((this.target?.presenceEntries() ?? []).map((e) => `${this.nodeId}|${e.socketId}`));
    for (const channel of await this.redis.smembers(this.key('node-channels', this.nodeId))) {
      const fields = Object.keys(await this.redis.hgetall(this.key('presence', channel)));
      const stale = fields.filter((f) => f.startsWith(`${this.nodeId}|`) && !live.has(f));
      if (stale.length) await this.redis.hdel(this.key('presence', channel), ...stale);
    }
  }

  private async reapOwn(): Promise<void> {
    const channels = await this.redis.smembers(this.key('node-channels', this.nodeId));
    for (const channel of channels) {
      const entries = await this.redis.hgetall(this.key('presence', channel));
      const mine = Object.keys(entries).filter((f) => f.startsWith(`${this.nodeId}|`));
      if (mine.length) await this.redis.hdel(this.key('presence', channel), ...mine);
    }
    await this.redis.multi().del(this.key('node-channels', this.nodeId)).srem(this.key('nodes'), this.nodeId).exec();
  }
}

/** HGETALL's answer inside MULTI: an object, or the flat field/value list when not transformed. */
function hash(reply: unknown): Record<string, string> {
  if (!Array.isArray(reply)) return (reply ?? {}) as Record<string, string>;
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

/** chat.driver = redis: server events go to every node through Redis. */
export class RedisBroadcaster implements Broadcaster {
  constructor(private readonly cluster: RedisCluster) {}

  async publish(channels: string[], event: string, data: unknown, options: { exceptSocketId?: string } = {}): Promise<void> {
    await this.cluster.publishEvent(channels, event, data, options.exceptSocketId);
  }
}
