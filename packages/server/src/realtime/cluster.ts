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
  /** Removes one; says whether that was the user's last socket there anywhere. */
  leave(channel: string, socketId: string, userId: string): Promise<{ removed: boolean }>;
  close(): Promise<void>;
}

export interface ClusterTarget {
  /** Hands a frame from any node to this node's sockets. */
  sendLocal(channel: string, raw: string, exceptSocketId?: string): void;
}

const TOPIC = 'frames';
/** Revocations go on their own topic: each node re-checks its own sockets. */
const REVOKE_TOPIC = 'revocations';
const HEARTBEAT_SECONDS = 15;

interface Wire {
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
 */
export class RedisCluster implements GatewayCluster {
  readonly nodeId = randomBytes(6).toString('hex');
  private readonly sub: Redis;
  private target: ClusterTarget | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly opts: { prefix: string; logger: Logger },
  ) {
    this.sub = redis.duplicate();
  }

  private key(...parts: string[]): string {
    return `${this.opts.prefix}rt:${parts.join(':')}`;
  }

  async start(target: ClusterTarget, frame: (event: string, data: unknown, channel: string) => string): Promise<void> {
    this.target = target;
    this.sub.on('message', (_topic: string, message: string) => {
      let w: Wire;
      try {
        w = JSON.parse(message) as Wire;
      } catch {
        return;
      }
      if (w.channel && w.raw) target.sendLocal(w.channel, w.raw, w.except);
      else if (w.channels && w.event) for (const ch of w.channels) target.sendLocal(ch, frame(w.event, w.data, ch), w.except);
    });
    await this.sub.subscribe(this.key(TOPIC));
    await this.beat();
    this.timer = setInterval(
      () => {
        void this.beat().catch((err: unknown) => this.opts.logger.warn({ err }, 'realtime heartbeat failed'));
      },
      (HEARTBEAT_SECONDS * 1000) / 3,
    );
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    await this.redis.multi().set(this.key('node', this.nodeId), '1', 'EX', HEARTBEAT_SECONDS).sadd(this.key('nodes'), this.nodeId).exec();
    await this.reapDeadNodes();
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
    const w: Wire = { channel, raw, ...(exceptSocketId ? { except: exceptSocketId } : {}) };
    void this.redis
      .publish(this.key(TOPIC), JSON.stringify(w))
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'realtime fan-out failed'));
  }

  publishEvent(channels: string[], event: string, data: unknown, exceptSocketId?: string): Promise<number> {
    const w: Wire = { channels, event, data, ...(exceptSocketId ? { except: exceptSocketId } : {}) };
    return this.redis.publish(this.key(TOPIC), JSON.stringify(w));
  }

  async join(channel: string, socketId: string, userId: string, info: unknown) {
    const before = await this.entries(channel);
    const added = !before.some((e) => e.user_id === userId);
    await this.redis
      .multi()
      .hset(this.key('presence', channel), `${this.nodeId}|${socketId}`, JSON.stringify({ user_id: userId, user_info: info }))
      .sadd(this.key('node-channels', this.nodeId), channel)
      .exec();
    const members = new Map<string, unknown>([...before.map((e) => [e.user_id, e.user_info] as const), [userId, info]]);
    return { added, members };
  }

  async leave(channel: string, socketId: string, userId: string) {
    await this.redis.hdel(this.key('presence', channel), `${this.nodeId}|${socketId}`);
    return { removed: !(await this.usersIn(channel)).includes(userId) };
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

/** chat.driver = redis: server events go to every node through Redis. */
export class RedisBroadcaster implements Broadcaster {
  constructor(private readonly cluster: RedisCluster) {}

  async publish(channels: string[], event: string, data: unknown, options: { exceptSocketId?: string } = {}): Promise<void> {
    await this.cluster.publishEvent(channels, event, data, options.exceptSocketId);
  }
}
