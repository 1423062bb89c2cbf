import { followPresence, TypingTracker, type Realtime } from '@communities/client';
import { realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { realtimeClients } from './support/realtime-clients';
import { startTestServer, type TestServer } from './support/server';

// chat.presence_member_limit = 3: past three members a presence channel lists the three
// smallest user ids (and the subscriber itself) and sends the count, not every join and leave.
let s: TestServer;
let st: number[];
let general: number;
const clients = realtimeClients(() => s);

beforeAll(async () => {
  s = await startTestServer({ chat: { presence_member_limit: 3 } });
  st = [...s.demo.studentIds.slice(0, 6)].sort((a, b) => a - b);
  const c = await makeCommunity(s, { name: 'Big Presence' });
  for (const u of st) await addMember(s, c.id, u);
  general = (await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
});
afterAll(async () => {
  clients.closeAll();
  await s.close();
});

interface Follower {
  rt: Realtime;
  /** What followPresence last reported: the people listed, and how many are here. */
  seen: { ids: number[]; count: number } | null;
  /** Every member_added pusher-js emitted on this client. */
  added: number[];
  stop: () => void;
}

describe('a presence channel past chat.presence_member_limit, over real pusher-js clients and followPresence', () => {
  it('lists the smallest ids and the subscriber, counts everyone, and tells no one of joins and leaves off the list', async () => {
    const presence = realtimeChannel.channelPresence(s.ctx.config.chat.broadcast_channel_prefix, general);
    const [a, , c, d, e, f] = st as [number, number, number, number, number, number];
    const followers = new Map<number, Follower>();
    const follow = async (user: number) => {
      const rt = await clients.client(user);
      const tracker = new TypingTracker({ me: () => ({ id: user, name: String(user) }) });
      const fl: Follower = { rt, seen: null, added: [], stop: () => undefined };
      fl.stop = followPresence(tracker, rt, presence, (people, count) => {
        fl.seen = { ids: people.map((p) => p.id).sort((x, y) => x - y), count };
      });
      rt.on(presence, 'pusher:member_added', (m) => void fl.added.push(Number((m as { id: string }).id)));
      followers.set(user, fl);
      await rt.subscribed(presence);
    };
    const leave = (user: number) => {
      const fl = followers.get(user)!;
      fl.stop();
      fl.rt.leave(presence);
      followers.delete(user);
    };
    /** Every follower ends seeing the `listed` people (itself too) and `count` in all. */
    const settled = async (listed: number[], count: number) => {
      for (const [user, fl] of followers) {
        const want = [...new Set([...listed, user])].sort((x, y) => x - y);
        await expect.poll(() => fl.seen, { timeout: 10_000 }).toEqual({ ids: want, count });
      }
    };

    // Up to the limit: as Pusher, everyone sees everyone.
    for (const u of [c, d, e]) await follow(u);
    await settled([c, d, e], 3);

    // F, the largest id, makes four: nobody is told of it, only of the count.
    await follow(f);
    await settled([c, d, e], 4);
    expect(followers.get(c)!.added).not.toContain(f);
    expect(followers.get(f)!.seen).toEqual({ ids: [c, d, e, f], count: 4 });

    // A, the smallest, comes onto the list and pushes E off it (E still sees itself).
    await follow(a);
    await settled([a, c, d], 5);
    expect(followers.get(e)!.seen!.ids).toEqual([a, c, d, e]);

    // C, listed, leaves: E takes its place.
    leave(c);
    await settled([a, d, e], 4);

    // F, never listed, leaves: only the count moves; back at the limit, every join and leave is announced again.
    leave(f);
    await settled([a, d, e], 3);
    leave(d);
    await settled([a, e], 2);
    await follow(f);
    await settled([a, e, f], 3);
    expect(followers.get(a)!.added).toContain(f);
    for (const u of [...followers.keys()]) leave(u);
  });
});
