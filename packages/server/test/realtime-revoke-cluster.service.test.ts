import { createApi, createRealtime, type Realtime } from '@communities/client';
import { realtimeChannel, REALTIME_EVENTS } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { startNode, type Node } from './support/nodes';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Its own Redis keys and topics (they follow the app id) and channel names: other suites share the Redis.
const APP_ID = `revoke-${Date.now()}-${process.pid}`;
const PREFIX = `rv${process.pid}.`;

let db: TestDatabase;
let a: Node;
let b: Node;
/** Demo sign-ins minted on node A: the demo's secrets derive from chat.app_secret, which both nodes share. */
const minted = new Map<number, string>();
const clients: Realtime[] = [];

beforeAll(async () => {
  db = await createTestDatabase('mysql');
  await db.db.destroy();
  const opts = { dbUrl: db.url, redisUrl: REDIS, appId: APP_ID, env: { COMMUNITIES__CHAT__BROADCAST_CHANNEL_PREFIX: PREFIX } };
  a = await startNode(opts);
  b = await startNode(opts);
  for (const id of [2, 5, 6, 7, 8]) minted.set(id, (await createApi({ baseUrl: a.url }).system.demoToken({ body: { user_id: id } })).token);
}, 180_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const n of [a, b]) n?.proc.kill('SIGTERM');
  await db?.drop().catch(() => undefined);
});

const token = (id: number) => minted.get(id)!;
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

  it("a block decided on node B takes each side off the other's presence on both nodes", async () => {
    const [owner, x, y] = [2, 7, 8];
    const community = await api(b.url, owner).communities.create({ body: { name: 'Blocked Across', visibility: 'public' } });
    for (const u of [x, y]) await api(b.url, u).communities.join({ params: { id: community.slug }, body: {} });
    const general = (await api(b.url, owner).channels.list({ params: { id: community.slug } })).items.find((c) => c.slug === 'general')!;
    const presence = realtimeChannel.channelPresence(PREFIX, general.id);
    const onA = await realtime(a.url, x);
    const onB = await realtime(b.url, y);
    await onA.subscribed(presence);
    const arrived = new Promise<unknown>((resolve) => onA.on(presence, 'pusher:member_added', resolve));
    await onB.subscribed(presence);
    expect(await arrived).toMatchObject({ id: String(y) });
    const goneAtA = new Promise<unknown>((resolve) => onA.on(presence, 'pusher:member_removed', resolve));
    const goneAtB = new Promise<unknown>((resolve) => onB.on(presence, 'pusher:member_removed', resolve));
    await api(b.url, y).dm.block({ params: { userId: x } });
    expect(await goneAtA).toMatchObject({ id: String(y) });
    expect(await goneAtB).toMatchObject({ id: String(x) });
    // A fresh subscription on node A, signed after the block, lists only the subscriber.
    onA.leave(presence);
    const again = await realtime(a.url, x);
    await again.subscribed(presence);
    const ids: string[] = [];
    (again.pusher.channel(presence) as unknown as { members: { each(fn: (m: { id: string }) => void): void } }).members.each((m) =>
      ids.push(m.id),
    );
    expect(ids).toEqual([String(x)]);
  }, 60_000);
});
