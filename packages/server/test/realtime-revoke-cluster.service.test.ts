import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createApi, createRealtime, type Realtime } from '@communities/client';
import { realtimeChannel, REALTIME_EVENTS } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signRocketJwt } from '../src/host/rocketlms/auth/jwt';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { TEST_JWT_SECRET } from './support/server';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../src/cli/main.ts');
// Its own Redis keys and topics (they follow the app id) and channel names: other suites share the Redis.
const APP_ID = `revoke-${Date.now()}-${process.pid}`;
const PREFIX = `rv${process.pid}.`;

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });

async function startNode(dbUrl: string): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    env: {
      ...process.env,
      COMMUNITIES_CONFIG: '',
      COMMUNITIES__LOG_LEVEL: 'warn',
      COMMUNITIES__DATABASE__URL: dbUrl,
      COMMUNITIES__HTTP__HOST: '127.0.0.1',
      COMMUNITIES__HTTP__PORT: String(port),
      COMMUNITIES__REDIS__URL: REDIS,
      COMMUNITIES__CHAT__DRIVER: 'redis',
      COMMUNITIES__CHAT__APP_ID: APP_ID,
      COMMUNITIES__CHAT__BROADCAST_CHANNEL_PREFIX: PREFIX,
      COMMUNITIES__CHAT__APP_SECRET: 'revoke-test-secret-0123456789',
      COMMUNITIES__HOST__JWT_SECRET: TEST_JWT_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`node exited: ${out}`);
    const ok = await fetch(`${url}/api/communities/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { proc, url };
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`node did not start: ${out}`);
}

let db: TestDatabase;
let a: { proc: ChildProcess; url: string };
let b: { proc: ChildProcess; url: string };
const clients: Realtime[] = [];

beforeAll(async () => {
  db = await createTestDatabase('mysql');
  await db.db.destroy();
  a = await startNode(db.url);
  b = await startNode(db.url);
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const n of [a, b]) n?.proc.kill('SIGTERM');
  await db?.drop().catch(() => undefined);
});

const token = (id: number) => signRocketJwt(id, { secret: TEST_JWT_SECRET });
const api = (node: string, id: number) => createApi({ baseUrl: node, token: () => token(id) });

async function realtime(node: string, userId: number): Promise<Realtime> {
  const features = await createApi({ baseUrl: node }).system.features();
  const rt = createRealtime({ realtime: features.realtime, baseUrl: node, token: () => token(userId) });
  clients.push(rt);
  return rt;
}

describe('revocation across gateway nodes', () => {
  it('a ban decided on node B ends the banned socket on node A, and B sees the member removed', async () => {
    const [owner, banned, observer] = [2, 5, 6];
    const community = await api(b.url, owner).communities.create({ body: { name: 'Revoked Across', visibility: 'public' } });
    await api(b.url, banned).communities.join({ params: { id: community.slug }, body: {} });
    await api(b.url, observer).communities.join({ params: { id: community.slug }, body: {} });
    const general = (await api(b.url, owner).channels.list({ params: { id: community.slug } })).items.find((c) => c.slug === 'general')!;
    const ch = realtimeChannel.channel(PREFIX, general.id);
    const presence = realtimeChannel.channelPresence(PREFIX, general.id);

    const onA = await realtime(a.url, banned);
    await onA.subscribed(ch);
    await onA.subscribed(presence);
    const created: number[] = [];
    onA.on(ch, REALTIME_EVENTS.messageCreated, (d) => void created.push((d as { id: number }).id));
    const revoked = new Promise<unknown>((resolve) => onA.on(ch, 'pusher:subscription_error', resolve));
    const presenceRevoked = new Promise<unknown>((resolve) => onA.on(presence, 'pusher:subscription_error', resolve));

    const onB = await realtime(b.url, observer);
    await onB.subscribed(ch);
    await onB.subscribed(presence);
    const seen: number[] = [];
    onB.on(ch, REALTIME_EVENTS.messageCreated, (d) => void seen.push((d as { id: number }).id));
    const gone: string[] = [];
    onB.on(presence, 'pusher:member_removed', (m) => void gone.push((m as { id: string }).id));

    const before = await api(b.url, owner).channels.post({ params: { channelId: general.id }, body: { content: 'before the ban' } });
    await expect.poll(() => created, { timeout: 5000 }).toContain(before.id);

    await api(b.url, owner).communities.updateMember({ params: { id: community.slug, userId: banned }, body: { status: 'banned' } });
    expect(await revoked).toMatchObject({ status: 403 });
    await presenceRevoked;
    await expect.poll(() => gone, { timeout: 5000 }).toEqual([String(banned)]);

    const after = await api(b.url, owner).channels.post({ params: { channelId: general.id }, body: { content: 'after the ban' } });
    await expect.poll(() => seen, { timeout: 5000 }).toContain(after.id);
    expect(created).toEqual([before.id]);
  }, 60_000);
});
