import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, createRealtime, watchMessages, type Realtime } from '@communities/client';
import { realtimeChannel, type ChannelMessage } from '@communities/contract';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { freePort, startNode, type Node } from './support/nodes';

const APP_ID = `outage-${Date.now()}`;

/** A private, empty, non-persistent redis-server on its own port (never the shared one). */
async function startRedis(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-outage-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    if (
      await probe.connect().then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  probe.disconnect();
  return proc;
}

let db: TestDatabase;
let redisPort: number;
let redis: ChildProcess;
let a: Node;
let b: Node;
const clients: Realtime[] = [];

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  db = await createTestDatabase('mysql');
  await db.db.destroy();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  // One user posts as fast as the nodes answer: a budget that the limits never cut short.
  const env = { COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '10000' };
  a = await startNode({ dbUrl: db.url, redisUrl, appId: APP_ID, env });
  b = await startNode({ dbUrl: db.url, redisUrl, appId: APP_ID, env });
}, 240_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const n of [a, b]) n?.proc.kill('SIGTERM');
  redis?.kill('SIGKILL');
  await db?.drop().catch(() => undefined);
});

describe('a Redis outage under two server processes', () => {
  it('posts keep answering fast, and afterwards every client has every message and presence again', async () => {
    // Demo sign-in on node A; the demo's secrets derive from chat.app_secret, shared by both nodes.
    const minted = new Map<number, string>();
    for (const id of [2, 5, 6, 7]) minted.set(id, (await createApi({ baseUrl: a.url }).system.demoToken({ body: { user_id: id } })).token);
    const token = (id: number) => minted.get(id)!;
    const api = (node: string, id: number) => createApi({ baseUrl: node, token: () => token(id) });
    const owner = api(a.url, 2);
    const community = await owner.communities.create({ body: { name: 'Outage Club', visibility: 'public' } });
    for (const u of [5, 6, 7]) await api(a.url, u).communities.join({ params: { id: community.slug }, body: {} });
    const general = (await api(a.url, 6).channels.list({ params: { id: community.slug } })).items.find((c) => c.slug === 'general')!;
    const features = await createApi({ baseUrl: a.url }).system.features();
    const prefix = features.realtime.channel_prefix;
    const presence = realtimeChannel.channelPresence(prefix, general.id);

    // User 6 watches through node A, user 7 through node B; both are on the presence channel.
    const watch = async (node: Node, u: number) => {
      const rt = createRealtime({ realtime: features.realtime, baseUrl: node.url, token: () => token(u) });
      clients.push(rt);
      const seen: number[] = [];
      const reader = api(node.url, u);
      const stream = watchMessages<ChannelMessage>(rt, {
        channel: realtimeChannel.channel(prefix, general.id),
        lastSeenId: 0,
        fetchAfter: (after) => reader.channels.messages({ params: { channelId: general.id }, query: { after, limit: 50 } }),
        onMessage: (m) => seen.push(m.id),
      });
      await stream.ready;
      await rt.subscribed(presence);
      const members = () => {
        const ids: string[] = [];
        (rt.pusher.channel(presence) as unknown as { members: { each(fn: (m: { id: string }) => void): void } }).members.each((m) =>
          ids.push(m.id),
        );
        return ids.sort();
      };
      return { seen, members };
    };
    const onA = await watch(a, 6);
    const onB = await watch(b, 7);
    await expect.poll(() => onA.members()).toEqual(['6', '7']);

    const posted: number[] = [];
    const post = async (node: Node, content: string) => {
      const started = Date.now();
      const m = await api(node.url, 5).channels.post({ params: { channelId: general.id }, body: { content } });
      posted.push(m.id);
      return Date.now() - started;
    };
    await post(b, 'before the outage');
    await expect.poll(() => onA.seen).toEqual(posted);

    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    // Rate limits (store = redis) and fan-out answer without Redis, and fast.
    const slowest = { ms: 0 };
    const outageEnds = Date.now() + 4000;
    for (let i = 0; Date.now() < outageEnds; i++) slowest.ms = Math.max(slowest.ms, await post(i % 2 ? a : b, `during the outage ${i}`));
    console.info(`slowest post during the Redis outage: ${slowest.ms} ms; ${posted.length - 1} posted`);
    expect(slowest.ms).toBeLessThan(1500);

    // Redis comes back empty: no presence, no heartbeats.
    redis = await startRedis(redisPort);
    await post(b, 'after the outage');
    const all = [...posted].sort((x, y) => x - y);
    for (const w of [onA, onB]) {
      await expect.poll(() => [...w.seen].sort((x, y) => x - y), { timeout: 30_000, interval: 250 }).toEqual(all);
      expect(w.seen).toHaveLength(all.length);
    }
    // Presence is back in Redis and on both clients.
    for (const w of [onA, onB]) await expect.poll(() => w.members(), { timeout: 20_000 }).toEqual(['6', '7']);
    const check = new Redis({ port: redisPort, host: '127.0.0.1' });
    try {
      const users = async () =>
        [
          ...new Set(
            Object.values(await check.hgetall(`communities:${APP_ID}:rt:presence:${presence}`)).map(
              (v) => (JSON.parse(v) as { user_id: string }).user_id,
            ),
          ),
        ].sort();
      await expect.poll(users, { timeout: 20_000 }).toEqual(['6', '7']);
    } finally {
      check.disconnect();
    }
    // Still live afterwards, across nodes.
    await post(a, 'live again');
    await expect.poll(() => onB.seen.length, { timeout: 10_000 }).toBe(posted.length);
  }, 120_000);
});
