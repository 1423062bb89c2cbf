import { createRealtime, type Realtime } from '@communities/client';
import { realtimeChannel, REALTIME_EVENTS } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { authSignature } from '../src/realtime/protocol';
import { AUTH_MAX_AGE_SECONDS } from '../src/realtime/revoke';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let st: number[];
let owner: number;
let c: { id: number; slug: string };
let general: number;
const clients: Realtime[] = [];

beforeAll(async () => {
  s = await startTestServer({ pricing: { enable_per_community_subscriptions: true } });
  st = s.demo.studentIds;
  owner = s.demo.instructorIds[0]!;
  // Private: a public community's channels stay readable to anyone signed in, kicked or not.
  c = await makeCommunity(s, { name: 'Revocations', visibility: 'private' });
  for (const u of st.slice(0, 12)) await addMember(s, c.id, u);
  general = (await s.as(owner).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
});
afterAll(async () => {
  for (const rt of clients) rt.disconnect();
  await s.close();
});

const prefix = () => s.ctx.config.chat.broadcast_channel_prefix;
const chan = (id: number) => realtimeChannel.channel(prefix(), id);
const chanPresence = (id: number) => realtimeChannel.channelPresence(prefix(), id);

async function client(userId: number): Promise<Realtime> {
  const features = await s.as(null).system.features();
  const rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(userId) });
  clients.push(rt);
  return rt;
}

interface Listener {
  rt: Realtime;
  created: number[];
  /** Resolves with the pusher:subscription_error the server sends when access is lost. */
  revoked: Promise<{ status?: number; error?: string }>;
}

/** A client subscribed to `channel`, recording message.created and a revocation. */
async function listen(userId: number, channel: string, rt?: Realtime): Promise<Listener> {
  rt ??= await client(userId);
  await rt.subscribed(channel);
  const created: number[] = [];
  rt.on(channel, REALTIME_EVENTS.messageCreated, (d) => void created.push((d as { id: number }).id));
  const revoked = new Promise<{ status?: number; error?: string }>((resolve) => {
    rt.on(channel, 'pusher:subscription_error', (e) => resolve(e as { status?: number }));
  });
  return { rt, created, revoked };
}

/** Presence members another client sees leave. */
function removedFrom(rt: Realtime, channel: string): string[] {
  const gone: string[] = [];
  rt.on(channel, 'pusher:member_removed', (m) => void gone.push((m as { id: string }).id));
  return gone;
}

async function presenceIds(rt: Realtime, channel: string): Promise<string[]> {
  await rt.subscribed(channel);
  const ids: string[] = [];
  (rt.pusher.channel(channel) as unknown as { members: { each(fn: (m: { id: string }) => void): void } }).members.each((m) =>
    ids.push(m.id),
  );
  return ids.sort();
}

/** Posts in a channel and waits until `observer` has it; the revoked listener must not. */
async function postAndCheck(author: number, channelId: number, observer: Listener, revoked: Listener[]): Promise<void> {
  const m = await s.as(author).channels.post({ params: { channelId }, body: { content: `after revocation ${Date.now()}` } });
  await expect.poll(() => observer.created).toContain(m.id);
  for (const l of revoked) expect(l.created).not.toContain(m.id);
}

describe('access lost ends realtime subscriptions', () => {
  it('a ban, a kick and leaving end the private and presence subscriptions, and others see member_removed', async () => {
    const observer = await listen(st[0]!, chan(general));
    await observer.rt.subscribed(chanPresence(general));
    const gone = removedFrom(observer.rt, chanPresence(general));
    const [banned, kicked, leaver] = [st[1]!, st[2]!, st[3]!];
    const ls = await Promise.all(
      [banned, kicked, leaver].map(async (u) => {
        const l = await listen(u, chan(general));
        const p = await listen(u, chanPresence(general), l.rt);
        const cm = await listen(u, realtimeChannel.community(prefix(), c.id), l.rt);
        return { l, p, cm };
      }),
    );
    // The others' member_added reach the observer after their own subscriptions succeed (the gateway sends member frames together, within 50 ms).
    await expect
      .poll(() => presenceIds(observer.rt, chanPresence(general)))
      .toEqual([st[0], banned, kicked, leaver].map(String).sort((a, b) => a.localeCompare(b)));

    await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: banned }, body: { status: 'banned' } });
    await s.as(owner).communities.removeMember({ params: { id: c.slug, userId: kicked } });
    await s.as(leaver).communities.leave({ params: { id: c.slug } });

    for (const { l, p, cm } of ls) {
      expect(await l.revoked).toMatchObject({ status: 403 });
      await p.revoked;
      await cm.revoked;
    }
    await expect.poll(() => [...gone].sort()).toEqual([banned, kicked, leaver].map(String).sort());
    await postAndCheck(
      st[0]!,
      general,
      observer,
      ls.map((x) => x.l),
    );
    // Subscribing again asks again, and is refused: the auth endpoint and the gateway agree.
    await expect(ls[0]!.l.rt.subscribed(chan(general))).rejects.toMatchObject({ status: 404 });
    await expect((await client(banned)).subscribed(chan(general))).rejects.toMatchObject({ status: 404 });
  });

  it('removal from a group DM, and leaving one, end the thread subscriptions', async () => {
    const [a, b, d, e] = [st[4]!, st[5]!, st[6]!, st[7]!];
    const t = await s.as(a).dm.start({ body: { user_ids: [b, d, e], group: true } });
    const dm = realtimeChannel.dm(prefix(), t.id);
    const dmPresence = realtimeChannel.dmPresence(prefix(), t.id);
    const observer = await listen(a, dm);
    await observer.rt.subscribed(dmPresence);
    const gone = removedFrom(observer.rt, dmPresence);
    const removed = await listen(b, dm);
    const removedP = await listen(b, dmPresence, removed.rt);
    const leaver = await listen(d, dm);
    const leaverP = await listen(d, dmPresence, leaver.rt);
    const stays = await listen(e, dm);

    await s.as(a).dm.removeParticipant({ params: { threadId: t.id, userId: b } });
    await s.as(d).dm.removeParticipant({ params: { threadId: t.id, userId: d } });
    await removed.revoked;
    await removedP.revoked;
    await leaver.revoked;
    await leaverP.revoked;
    await expect.poll(() => [...gone].sort()).toEqual([b, d].map(String).sort());

    const m = await s.as(a).dm.post({ params: { threadId: t.id }, body: { content: 'without you' } });
    await expect.poll(() => observer.created).toContain(m.id);
    await expect.poll(() => stays.created).toContain(m.id);
    expect(removed.created).not.toContain(m.id);
    expect(leaver.created).not.toContain(m.id);
  });

  it('a channel made private, or given to another role, drops those who lost it and keeps those who did not', async () => {
    const room = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'soon-private' } });
    const staff = await listen(owner, chan(room.id));
    const member = await listen(st[8]!, chan(room.id));
    const memberP = await listen(st[8]!, chanPresence(room.id), member.rt);
    await staff.rt.subscribed(chanPresence(room.id));
    const gone = removedFrom(staff.rt, chanPresence(room.id));
    await s.as(owner).channels.update({ params: { channelId: room.id }, body: { is_private: true } });
    await member.revoked;
    await memberP.revoked;
    await expect.poll(() => gone).toEqual([String(st[8])]);
    await postAndCheck(owner, room.id, staff, [member]);

    // Private to members' role, then to moderators only.
    const roleRoom = await s.as(owner).channels.create({
      params: { id: c.slug },
      body: { name: 'members-only', is_private: true, allowed_role_slugs: ['member'] },
    });
    const staff2 = await listen(owner, chan(roleRoom.id));
    const lost = await listen(st[9]!, chan(roleRoom.id));
    await s.as(owner).channels.update({ params: { channelId: roleRoom.id }, body: { allowed_role_slugs: ['moderator'] } });
    await lost.revoked;
    await postAndCheck(owner, roleRoom.id, staff2, [lost]);
  });

  it('a deleted channel ends its subscriptions', async () => {
    const room = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'doomed' } });
    const member = await listen(st[10]!, chan(room.id));
    const memberP = await listen(st[10]!, chanPresence(room.id), member.rt);
    await s.as(owner).channels.remove({ params: { channelId: room.id } });
    await member.revoked;
    await memberP.revoked;
  });

  it('a public community made private drops the non-members reading it; members stay', async () => {
    const open = await makeCommunity(s, { name: 'Open House' });
    await addMember(s, open.id, st[0]!);
    const lobby = (await s.as(owner).channels.list({ params: { id: open.slug } })).items.find((x) => x.slug === 'general')!.id;
    const member = await listen(st[0]!, chan(lobby));
    const outsider = await listen(st[11]!, chan(lobby));
    const outsiderP = await listen(st[11]!, chanPresence(lobby), outsider.rt);
    const outsiderC = await listen(st[11]!, realtimeChannel.community(prefix(), open.id), outsider.rt);
    await s.as(owner).communities.update({ params: { id: open.slug }, body: { visibility: 'private' } });
    await outsider.revoked;
    await outsiderP.revoked;
    await outsiderC.revoked;
    await postAndCheck(owner, lobby, member, [outsider]);
    // The member's subscription was checked and kept.
    const m = await s.as(st[0]!).channels.post({ params: { channelId: lobby }, body: { content: 'still here' } });
    await expect.poll(() => member.created).toContain(m.id);
  });

  it('a community that becomes paid drops members without a tier; subscribers stay', async () => {
    const club = await makeCommunity(s, { name: 'Paid Club' });
    await addMember(s, club.id, st[12]!);
    await addMember(s, club.id, st[13]!);
    const free = await s.as(owner).communities.createTier({ params: { id: club.slug }, body: { name: 'Free', price_minor: 0 } });
    const paid = await s.as(owner).communities.createTier({
      params: { id: club.slug },
      body: { name: 'Gold', price_minor: 900, currency: 'USD' },
    });
    await s.as(owner).communities.grantTier({ params: { id: club.slug, tierId: paid.id }, body: { user_id: st[13]! } });
    const lobby = (await s.as(owner).channels.list({ params: { id: club.slug } })).items.find((x) => x.slug === 'general')!.id;
    const unpaid = await listen(st[12]!, chan(lobby));
    const subscriber = await listen(st[13]!, chan(lobby));
    await s.as(owner).communities.updateTier({ params: { id: club.slug, tierId: free.id }, body: { is_active: false } });
    await unpaid.revoked;
    await postAndCheck(owner, lobby, subscriber, [unpaid]);
  });
});

describe('signatures fetched before access was lost', () => {
  /** Frames the server sends a client for one channel, as pusher-js receives them. */
  function framesFor(rt: Realtime, channel: string): Array<{ event: string; data: unknown }> {
    const seen: Array<{ event: string; data: unknown }> = [];
    rt.pusher.connection.bind('message', (e: { event: string; channel?: string; data: unknown }) => {
      if (e.channel === channel) seen.push({ event: e.event, data: e.data });
    });
    return seen;
  }

  async function connected(userId: number): Promise<{ rt: Realtime; socketId: string }> {
    const rt = await client(userId);
    await rt.subscribed(realtimeChannel.user(prefix(), userId));
    return { rt, socketId: rt.pusher.connection.socket_id };
  }

  it('a subscription signed just before a ban and sent just after it is ended', async () => {
    const club = await makeCommunity(s, { name: 'Race Club', visibility: 'private' });
    const late = st[17]!;
    await addMember(s, club.id, late);
    const lobby = (await s.as(owner).channels.list({ params: { id: club.slug } })).items.find((x) => x.slug === 'general')!.id;
    const { rt, socketId } = await connected(late);
    const signed = await s.as(late).realtime.auth({ body: { socket_id: socketId, channel_name: chan(lobby) } });
    expect(JSON.parse(signed.channel_data!)).toMatchObject({ user_id: String(late) });
    await s.as(owner).communities.updateMember({ params: { id: club.slug, userId: late }, body: { status: 'banned' } });
    const frames = framesFor(rt, chan(lobby));
    rt.pusher.send_event('pusher:subscribe', { channel: chan(lobby), auth: signed.auth, channel_data: signed.channel_data });
    await expect.poll(() => frames.map((f) => f.event)).toContain('pusher:subscription_error');
    const observer = await listen(owner, chan(lobby));
    await postAndCheck(owner, lobby, observer, []);
    expect(frames.map((f) => f.event)).not.toContain(REALTIME_EVENTS.messageCreated);
  });

  it('an old signature is refused', async () => {
    const { rt, socketId } = await connected(st[0]!);
    const channel = chan(general);
    const old = JSON.stringify({ user_id: String(st[0]), at: Math.floor(Date.now() / 1000) - AUTH_MAX_AGE_SECONDS - 5 });
    const { app_key: key, app_secret: secret } = s.ctx.config.chat;
    const frames = framesFor(rt, channel);
    rt.pusher.send_event('pusher:subscribe', { channel, auth: authSignature(key, secret, socketId, channel, old), channel_data: old });
    await expect
      .poll(() => frames)
      .toEqual([{ event: 'pusher:subscription_error', data: { type: 'AuthError', error: 'Authorization expired', status: 401 } }]);
  });
});

describe('mentions reach only those who may read the channel', () => {
  it('a mention of a non-member, or of a member who cannot see a private channel, makes no mention row and no mention.created', async () => {
    const hidden = await makeCommunity(s, { name: 'Private Den', visibility: 'private' });
    const outsider = st[14]!;
    const excluded = st[15]!;
    const insider = st[16]!;
    await addMember(s, hidden.id, excluded);
    await addMember(s, hidden.id, insider, 'moderator');
    const room = await s.as(owner).channels.create({
      params: { id: hidden.slug },
      body: { name: 'mods', is_private: true, allowed_role_slugs: ['moderator'] },
    });
    const lobby = (await s.as(owner).channels.list({ params: { id: hidden.slug } })).items.find((x) => x.slug === 'general')!.id;
    const heard = new Map<number, number[]>();
    for (const u of [outsider, excluded, insider]) {
      const rt = await client(u);
      const inbox = realtimeChannel.user(prefix(), u);
      await rt.subscribed(inbox);
      heard.set(u, []);
      rt.on(inbox, REALTIME_EVENTS.mentionCreated, (d) => void heard.get(u)!.push((d as { message_id: number }).message_id));
    }
    const ping = (ids: number[]) => ids.map((id) => `@[Someone](user:${id})`).join(' ');
    const inLobby = await s.as(owner).channels.post({ params: { channelId: lobby }, body: { content: `hi ${ping([outsider, insider])}` } });
    const inRoom = await s.as(owner).channels.post({
      params: { channelId: room.id },
      body: { content: `secret ${ping([excluded, insider, outsider])}` },
    });
    const byRole = await s
      .as(owner)
      .channels.post({ params: { channelId: room.id }, body: { content: 'all @[Members](role:member) please' } });

    await expect.poll(() => heard.get(insider)).toEqual([inLobby.id, inRoom.id]);
    const rows = await s.ctx.db.db
      .selectFrom('channel_message_mentions')
      .select(['message_id', 'user_id'])
      .where('message_id', 'in', [inLobby.id, inRoom.id, byRole.id])
      .orderBy('message_id')
      .orderBy('user_id')
      .execute();
    expect(rows).toEqual([
      { message_id: inLobby.id, user_id: insider },
      { message_id: inRoom.id, user_id: insider },
    ]);
    // Something sent after them reaches each inbox: had they been told, they would have heard it first.
    const later = await s.as(owner).channels.post({ params: { channelId: lobby }, body: { content: `now ${ping([excluded])}` } });
    await expect.poll(() => heard.get(excluded)).toEqual([later.id]);
    expect(heard.get(outsider)).toEqual([]);
  });
});
