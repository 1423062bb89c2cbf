import type { Realtime } from '@communities/client';
import { realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { nextEvent, realtimeClients } from './support/realtime-clients';
import { startTestServer, type TestServer } from './support/server';

// A block hides each side's online status from the other, everywhere presence shows it.
let s: TestServer;
let st: number[];
let general: number;
const clients = realtimeClients(() => s);
const client = (userId: number) => clients.client(userId);
const next = nextEvent;

beforeAll(async () => {
  s = await startTestServer();
  st = s.demo.studentIds;
  const c = await makeCommunity(s, { name: 'Presence And Blocks' });
  for (const u of st.slice(0, 6)) await addMember(s, c.id, u);
  general = (await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
});
afterAll(async () => {
  clients.closeAll();
  await s.close();
});

const prefix = () => s.ctx.config.chat.broadcast_channel_prefix;

function online(rt: Realtime, channel: string): number[] {
  const members = (rt.pusher.channel(channel) as unknown as { members: { each(fn: (m: { id: string }) => void): void } }).members;
  const ids: number[] = [];
  members.each((m) => ids.push(Number(m.id)));
  return ids.sort((x, y) => x - y);
}

describe('presence with blocks, over real pusher-js clients', () => {
  it('a block made before subscribing: neither sees the other online or typing; others see both', async () => {
    const [a, b, c] = [st[0]!, st[1]!, st[2]!];
    await s.as(a).dm.block({ params: { userId: b } });
    const presence = realtimeChannel.channelPresence(prefix(), general);
    const [ra, rb, rc] = [await client(a), await client(b), await client(c)];
    await rc.subscribed(presence);
    await ra.subscribed(presence);
    const cSawB = next<{ id: string }>(rc, presence, 'pusher:member_added', (m) => m.id === String(b));
    await rb.subscribed(presence);
    await cSawB;
    expect(online(ra, presence)).toEqual([a, c].sort((x, y) => x - y));
    expect(online(rb, presence)).toEqual([b, c].sort((x, y) => x - y));
    expect(online(rc, presence)).toEqual([a, b, c].sort((x, y) => x - y));
    // B types, then (once C has it) C types: A's first typing is C's, so B's never reached A.
    const typingAtA = next<{ from: number }>(ra, presence, 'client-typing');
    const cGotB = next<{ from: number }>(rc, presence, 'client-typing');
    rb.pusher.channel(presence).trigger('client-typing', { from: b });
    expect(await cGotB).toEqual({ from: b });
    rc.pusher.channel(presence).trigger('client-typing', { from: c });
    expect(await typingAtA).toEqual({ from: c });
    for (const rt of [ra, rb, rc]) rt.leave(presence);
    await s.as(a).dm.unblock({ params: { userId: b } });
  });

  it('a block made while both are on a DM thread takes them off each other’s list at once; unblocking brings them back', async () => {
    const [a, b] = [st[3]!, st[4]!];
    const thread = await s.as(a).dm.start({ body: { user_ids: [b] } });
    const presence = realtimeChannel.dmPresence(prefix(), thread.id);
    const [ra, rb] = [await client(a), await client(b)];
    await ra.subscribed(presence);
    const bArrived = next<{ id: string }>(ra, presence, 'pusher:member_added');
    await rb.subscribed(presence);
    await bArrived;
    expect(online(ra, presence)).toEqual([a, b].sort((x, y) => x - y));
    const aLostB = next<{ id: string }>(ra, presence, 'pusher:member_removed');
    const bLostA = next<{ id: string }>(rb, presence, 'pusher:member_removed');
    // The blocked side does not learn of the block from this, only that the other went offline.
    await s.as(b).dm.block({ params: { userId: a } });
    expect((await aLostB).id).toBe(String(b));
    expect((await bLostA).id).toBe(String(a));
    expect(online(ra, presence)).toEqual([a]);
    expect(online(rb, presence)).toEqual([b]);
    const aSeesB = next<{ id: string }>(ra, presence, 'pusher:member_added');
    const bSeesA = next<{ id: string }>(rb, presence, 'pusher:member_added');
    await s.as(b).dm.unblock({ params: { userId: a } });
    expect((await aSeesB).id).toBe(String(b));
    expect((await bSeesA).id).toBe(String(a));
  });

  it('the auth endpoint signs whom to hide into channel_data, apart from the user_info others see', async () => {
    const [a, b] = [st[5]!, st[0]!];
    await s.as(a).dm.block({ params: { userId: b } });
    const presence = realtimeChannel.channelPresence(prefix(), general);
    const res = await fetch(`${s.url}/api/communities/broadcasting/auth`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.token(a)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ socket_id: '1234.5678', channel_name: presence }),
    });
    const signed = (await res.json()) as { channel_data: string };
    expect(JSON.parse(signed.channel_data)).toMatchObject({ user_id: String(a), hide: [String(b)] });
    expect(JSON.stringify(JSON.parse(signed.channel_data).user_info)).not.toContain(String(b));
  });
});
