import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { createApi, createRealtime, watchMessages, type Realtime } from '@communities/client';
import { realtimeChannel, type ChannelMessage } from '@communities/contract';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { startNode, type Node } from './support/nodes';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = `roles-${Date.now()}`;

/**
 * A load balancer as deployed in front of split roles: WebSocket upgrades (`GET …/app/…`) go
 * to the gateways, in `gateways()` order (the first that accepts: sticky, with fail-over), and
 * every other connection to the API processes in turn.
 */
function frontDoor(apis: number[], gateways: () => number[]) {
  const upgrades = new Map<Socket, number>();
  let turn = 0;
  const server: Server = createServer((client) => {
    client.once('data', (first: Buffer) => {
      client.pause();
      const ws = /^GET \S*\/app\//.test(first.toString('latin1', 0, 200));
      const order = ws ? gateways() : [apis[turn++ % apis.length]!];
      const tryNext = (list: number[]) => {
        const [port, ...rest] = list;
        if (port === undefined) return client.destroy();
        const up = connect(port, '127.0.0.1');
        up.once('error', () => (up.bytesWritten === 0 ? tryNext(rest) : client.destroy()));
        up.once('connect', () => {
          if (ws) upgrades.set(client, port);
          up.write(first);
          client.pipe(up).pipe(client);
          client.resume();
          up.on('close', () => client.destroy());
          client.on('close', () => {
            upgrades.delete(client);
            up.destroy();
          });
        });
      };
      tryNext(order);
    });
    client.on('error', () => client.destroy());
  });
  return new Promise<{ server: Server; url: string; socketsOn: (port: number) => number }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        socketsOn: (port) => [...upgrades.values()].filter((p) => p === port).length,
      }),
    ),
  );
}

let db: TestDatabase;
let worker: Node;
let apis: Node[] = [];
let gateways: Node[] = [];
let doors: Array<Awaited<ReturnType<typeof frontDoor>>> = [];
const clients: Realtime[] = [];

beforeAll(async () => {
  db = await createTestDatabase('mysql');
  await db.db.destroy();
  // Five processes starting on 2 cores shared with other suites: give each time.
  const node = (roles: string) => startNode({ dbUrl: db.url, redisUrl: REDIS, appId: APP_ID, roles, startMs: 240_000 });
  // The worker migrates and seeds the demo school first; the others find it done.
  const t0 = Date.now();
  worker = await node('worker');
  const t1 = Date.now();
  [apis, gateways] = await Promise.all([Promise.all([node('api'), node('api')]), Promise.all([node('gateway'), node('gateway')])]);
  console.info(`worker ready in ${t1 - t0} ms, then 2 APIs and 2 gateways in ${Date.now() - t1} ms`);
  const [g1, g2] = gateways.map((g) => g.port) as [number, number];
  // Door 1 prefers gateway 1 and door 2 gateway 2; either falls back to the other.
  doors = await Promise.all([
    frontDoor(
      apis.map((a) => a.port),
      () => [g1, g2],
    ),
    frontDoor(
      apis.map((a) => a.port),
      () => [g2, g1],
    ),
  ]);
}, 480_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const d of doors) d.server.close();
  for (const n of [worker, ...apis, ...gateways]) n?.proc.kill('SIGTERM');
  await db?.drop().catch(() => undefined);
});

describe('split roles: 2 API processes, 2 gateways and a worker on one Redis and one MariaDB', () => {
  it('a gateway alone serves WebSockets and health, not the API', async () => {
    const g = gateways[0]!;
    expect((await fetch(`${g.url}/api/communities/health`)).status).toBe(200);
    expect((await fetch(`${g.url}/api/communities/features`)).status).toBe(404);
    expect(g.output()).toContain('Realtime gateway is running: ws://');
    // An API alone refuses WebSocket upgrades (they belong to the gateways).
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(apis[0]!.port, '127.0.0.1', () =>
        s.write(`GET /app/${'communities-key'}?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
      );
      s.on('data', (d: Buffer) => resolve(!d.toString().startsWith('HTTP/1.1 101')));
      s.on('close', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('clients on either gateway get every message posted to either API; presence agrees; a killed gateway’s clients move and catch up without gaps', async () => {
    const [api1, api2] = apis as [Node, Node];
    const [g1, g2] = gateways as [Node, Node];
    const minted = new Map<number, string>();
    for (const id of [2, 5, 6, 7, 8])
      minted.set(id, (await createApi({ baseUrl: api1.url }).system.demoToken({ body: { user_id: id } })).token);
    const api = (url: string, id: number) => createApi({ baseUrl: url, token: () => minted.get(id)! });
    const community = await api(api2.url, 2).communities.create({ body: { name: 'Split Roles Club', visibility: 'public' } });
    for (const id of [5, 6, 7, 8]) await api(api1.url, id).communities.join({ params: { id: community.slug }, body: {} });
    const general = (await api(api2.url, 5).channels.list({ params: { id: community.slug } })).items.find((c) => c.slug === 'general')!;
    const features = await createApi({ baseUrl: doors[0]!.url }).system.features();
    const prefix = features.realtime.channel_prefix;
    const presence = realtimeChannel.channelPresence(prefix, general.id);

    // Users 5 and 6 come in through door 1 (gateway 1), 7 and 8 through door 2 (gateway 2).
    const readers = [5, 6, 7, 8].map((id, i) => {
      const door = doors[i < 2 ? 0 : 1]!;
      const rt = createRealtime({ realtime: features.realtime, baseUrl: door.url, token: () => minted.get(id)! });
      clients.push(rt);
      let connects = 0;
      rt.pusher.connection.bind('connected', () => connects++);
      const rest = api(door.url, id);
      const shown = new Map<number, ChannelMessage>();
      const ids: number[] = [];
      const stream = watchMessages<ChannelMessage>(rt, {
        channel: realtimeChannel.channel(prefix, general.id),
        lastSeenId: 0,
        fetchAfter: (after) => rest.channels.messages({ params: { channelId: general.id }, query: { after, limit: 5 } }),
        onMessage: (m) => {
          ids.push(m.id);
          shown.set(m.id, m);
        },
        changes: {
          since: new Date().toISOString(),
          oldestId: () => (shown.size ? Math.min(...shown.keys()) : 0),
          fetch: (query) => rest.channels.changes({ params: { channelId: general.id }, query }),
          onChanged: (m) => shown.set(m.id, m),
        },
        onEvent: (event, data) => {
          const m = data as ChannelMessage;
          if (event === 'message.updated' && shown.has(m.id)) shown.set(m.id, m);
        },
      });
      return { id, rt, stream, shown, ids, connects: () => connects };
    });
    await Promise.all(readers.map((r) => r.stream.ready));
    await Promise.all(readers.map((r) => r.rt.subscribed(presence)));
    expect([doors[0]!.socketsOn(g1.port), doors[1]!.socketsOn(g2.port)]).toEqual([2, 2]);

    const membersOf = (rt: Realtime) => {
      const out: string[] = [];
      (rt.pusher.channel(presence) as unknown as { members: { each(fn: (m: { id: string }) => void): void } }).members.each((m) =>
        out.push(m.id),
      );
      return out.sort();
    };
    for (const r of readers) await expect.poll(() => membersOf(r.rt), { timeout: 10_000 }).toEqual(['5', '6', '7', '8']);

    // Posts alternate between the two API processes, two at a time.
    const posted: number[] = [];
    const authors = new Map<number, number>();
    let n = 0;
    const post = async (writer: number) => {
      const i = n++;
      const m = await api(i % 2 ? api2.url : api1.url, writer).channels.post({
        params: { channelId: general.id },
        body: { content: `message ${i}` },
      });
      posted.push(m.id);
      authors.set(m.id, writer);
      return m;
    };
    for (let i = 0; i < 10; i++) await Promise.all([post(5), post(8)]);
    const everything = () => [...posted].sort((a, b) => a - b);
    for (const r of readers) await expect.poll(() => [...r.ids].sort((a, b) => a - b), { timeout: 10_000 }).toEqual(everything());
    // All of it live: nobody had to reconnect.
    expect(readers.map((r) => r.connects())).toEqual([1, 1, 1, 1]);

    // Gateway 1 dies. Meanwhile messages go on, and one already shown is edited.
    const edited = posted[3]!;
    g1.proc.kill('SIGKILL');
    await new Promise((r) => g1.proc.once('exit', r));
    for (let i = 0; i < 5; i++) await Promise.all([post(7), post(8)]);
    await api(api1.url, authors.get(edited)!).channels.edit({
      params: { messageId: edited },
      body: { content: 'edited while gateway 1 was down' },
    });
    // Door 1 sends the reconnects to gateway 2; watchMessages catches up messages and changes.
    for (const r of readers.slice(0, 2)) await expect.poll(() => r.connects(), { timeout: 30_000, interval: 200 }).toBe(2);
    expect(doors[0]!.socketsOn(g2.port)).toBe(2);
    await post(6);
    await post(7);
    for (const r of readers) {
      await expect.poll(() => [...r.ids].sort((a, b) => a - b), { timeout: 10_000 }).toEqual(everything());
      expect(new Set(r.ids).size).toBe(r.ids.length);
      await expect.poll(() => r.shown.get(edited)?.content, { timeout: 10_000 }).toBe('edited while gateway 1 was down');
    }
    // Presence agrees again once gateway 1's entries are reaped: everyone, through gateway 2.
    const redis = new Redis(REDIS);
    try {
      const key = `communities:${APP_ID}:rt:presence:${presence}`;
      await expect.poll(async () => Object.keys(await redis.hgetall(key)).length, { timeout: 20_000, interval: 300 }).toBe(4);
    } finally {
      redis.disconnect();
    }
    for (const r of readers) expect(membersOf(r.rt)).toEqual(['5', '6', '7', '8']);
    for (const r of readers) r.stream.stop();
  }, 90_000);
});
