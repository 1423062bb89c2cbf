import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

import { createApi, createRealtime, watchMessages, type Realtime } from '@communities/client';
import { realtimeChannel, type ChannelMessage } from '@communities/contract';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HEARTBEAT_SECONDS } from '../src/realtime/cluster';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { startNode, type Node } from './support/nodes';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = `cluster-${Date.now()}`;

/** A load balancer in miniature: each connection goes to the first upstream that accepts it. */
function balancer(upstreams: () => number[]): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const tryNext = (list: number[]) => {
      const [port, ...rest] = list;
      if (port === undefined) return client.destroy();
      const up = connect(port, '127.0.0.1');
      up.once('error', () => (up.bytesRead === 0 && up.bytesWritten === 0 ? tryNext(rest) : client.destroy()));
      up.once('connect', () => {
        client.pipe(up).pipe(client);
        up.on('close', () => client.destroy());
        client.on('close', () => up.destroy());
      });
    };
    tryNext(upstreams());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, sockets })),
  );
}

let db: TestDatabase;
let a: Node;
let b: Node;
let lb: Awaited<ReturnType<typeof balancer>>;
const clients: Realtime[] = [];

beforeAll(async () => {
  db = await createTestDatabase('mysql');
  await db.db.destroy();
  a = await startNode({ dbUrl: db.url, redisUrl: REDIS, appId: APP_ID });
  b = await startNode({ dbUrl: db.url, redisUrl: REDIS, appId: APP_ID });
  lb = await balancer(() => [a.port, b.port]);
}, 240_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  lb?.server.close();
  for (const n of [a, b]) n?.proc.kill('SIGTERM');
  await db?.drop().catch(() => undefined);
});

describe('two server processes sharing Redis', () => {
  it('a message posted on one reaches a client on the other; after a kill the client reconnects and catches up without gaps or duplicates', async () => {
    // Demo sign-in on node a; every request below that goes to node b checks a's token.
    const minted = new Map<number, string>();
    for (const id of [2, 5, 6]) minted.set(id, (await createApi({ baseUrl: a.url }).system.demoToken({ body: { user_id: id } })).token);
    const token = (id: number) => minted.get(id)!;
    const api = (node: string, id: number) => createApi({ baseUrl: node, token: () => token(id) });
    const viaLb = `http://127.0.0.1:${lb.port}`;
    // The demo school: student ids follow the admin and instructors; read them from the API.
    const me = await api(b.url, 5).system.me();
    expect(me.id).toBe(5);
    const owner = api(b.url, 2);
    const community = await owner.communities.create({ body: { name: 'Cluster Club', visibility: 'public' } });
    await api(b.url, 5).communities.join({ params: { id: community.slug }, body: {} });
    await api(b.url, 6).communities.join({ params: { id: community.slug }, body: {} });
    const general = (await api(b.url, 6).channels.list({ params: { id: community.slug } })).items.find((c) => c.slug === 'general')!;

    const features = await createApi({ baseUrl: viaLb }).system.features();
    const rt = createRealtime({ realtime: features.realtime, baseUrl: viaLb, token: () => token(6) });
    clients.push(rt);
    const seen: number[] = [];
    const reader = api(viaLb, 6);
    const stream = watchMessages<ChannelMessage>(rt, {
      channel: realtimeChannel.channel(features.realtime.channel_prefix, general.id),
      lastSeenId: 0,
      fetchAfter: (after) => reader.channels.messages({ params: { channelId: general.id }, query: { after, limit: 2 } }),
      onMessage: (m) => seen.push(m.id),
    });
    await stream.ready;
    const socketsOnA = () => lb.sockets.size;
    expect(socketsOnA()).toBeGreaterThan(0);

    // Presence spans the nodes: a client on B sees the one on A.
    const presence = realtimeChannel.channelPresence(features.realtime.channel_prefix, general.id);
    await rt.subscribed(presence);
    const rtB = createRealtime({ realtime: features.realtime, baseUrl: b.url, token: () => token(5) });
    clients.push(rtB);
    await rtB.subscribed(presence);
    const membersOnB = () => {
      const ids: string[] = [];
      (rtB.pusher.channel(presence) as unknown as { members: { each(fn: (m: { id: string }) => void): void } }).members.each((m) =>
        ids.push(m.id),
      );
      return ids.sort();
    };
    expect(membersOnB()).toEqual(['5', '6']);

    const writer = api(b.url, 5);
    const post = async (content: string) => (await writer.channels.post({ params: { channelId: general.id }, body: { content } })).id;
    const m1 = await post('from node B, to a client on node A');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([m1]);

    // Node A dies: its presence entry (user 6's socket there) must go within the heartbeat bound.
    const redis = new Redis(REDIS);
    const presenceKey = `communities:${APP_ID}:rt:presence:${presence}`;
    const before = Object.keys(await redis.hgetall(presenceKey));
    expect(before).toHaveLength(2);
    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    const reaped = (async () => {
      for (;;) {
        const now = Object.keys(await redis.hgetall(presenceKey));
        if (before.filter((f) => now.includes(f)).length <= 1) return Date.now() - killedAt;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const m2 = await post('while the client is away (1)');
    const m3 = await post('while the client is away (2)');
    const m4 = await post('while the client is away (3)');
    // pusher-js reconnects through the balancer to node B and re-subscribes; watchMessages catches up.
    await expect.poll(() => seen, { timeout: 30_000, interval: 200 }).toEqual([m1, m2, m3, m4]);
    const m5 = await post('live again');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([m1, m2, m3, m4, m5]);
    stream.stop();
    try {
      // HEARTBEAT_SECONDS (5) + one beat (1.5 s), with room for a loaded machine.
      const took = await reaped;
      console.info(`presence of the killed node was reaped after ${took} ms`);
      expect(took).toBeLessThan(HEARTBEAT_SECONDS * 1000 + 4000);
      // User 6 is there again through B.
      await expect.poll(async () => Object.keys(await redis.hgetall(presenceKey)).length, { timeout: 20_000, interval: 500 }).toBe(2);
    } finally {
      redis.disconnect();
    }
    expect(membersOnB()).toEqual(['5', '6']);
  }, 120_000);
});
