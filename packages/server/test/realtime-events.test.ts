import { createRealtime, type Realtime } from '@communities/client';
import { checkRealtimeEvent, parseChannelName, REALTIME_EVENTS, realtimeChannel, type RealtimeEventName } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Every realtime event the server publishes, caused through the real HTTP paths and received by
 * real pusher-js clients, must match its schema in the contract exactly (no missing, wrong or
 * undeclared field) and arrive on a channel of a kind its docs name.
 */
let s: TestServer;
const clients: Realtime[] = [];

beforeAll(async () => {
  // A bad word and a mute at the first violation, so the automatic sanction's notice can be caused.
  s = await startTestServer({ moderation: { bad_words: ['darn'], actions: { auto_mute_threshold: 1 } } });
});
afterAll(async () => {
  for (const rt of clients) rt.disconnect();
  await s.close();
});

const prefix = () => s.ctx.config.chat.broadcast_channel_prefix;

interface Received {
  channel: string;
  name: string;
  data: unknown;
}

/** A pusher-js client for `userId` that records every event on the channels it listens to. */
async function listener(userId: number, got: Received[]) {
  const features = await s.as(null).system.features();
  const rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(userId) });
  clients.push(rt);
  return async (channel: string) => {
    rt.pusher.subscribe(channel).bind_global((name: string, data: unknown) => {
      if (!name.startsWith('pusher:') && !name.startsWith('pusher_internal:')) got.push({ channel, name, data });
    });
    await rt.subscribed(channel);
    return rt;
  };
}

async function upload(user: number, query: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')]), 'notes.pdf');
  const res = await fetch(`${s.url}/api/communities/uploads?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(user)}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

describe('realtime payloads against their contract schemas', () => {
  it('publishes every event, on every path that causes it, exactly as its schema says', async () => {
    const [a, b, c3, d] = s.demo.studentIds as [number, number, number, number];
    const owner = s.demo.instructorIds[0]!;
    const community = await makeCommunity(s, { name: 'Typed Events' });
    await addMember(s, community.id, a);
    await addMember(s, community.id, b);
    await addMember(s, community.id, c3);
    const general = (await s.as(a).channels.list({ params: { id: community.slug } })).items.find((x) => x.slug === 'general')!.id;
    const secret = (await s.as(owner).channels.create({ params: { id: community.slug }, body: { name: 'staff', is_private: true } })).id;

    const got: Received[] = [];
    const asA = await listener(a, got);
    const asB = await listener(b, got);
    const asOwner = await listener(owner, got);
    await asA(realtimeChannel.user(prefix(), a));
    await asB(realtimeChannel.user(prefix(), b));
    await asB(realtimeChannel.community(prefix(), community.id));
    await asB(realtimeChannel.channel(prefix(), general));
    await asOwner(realtimeChannel.channel(prefix(), secret));

    // Chat channel: post (activity, mention), react, edit, pin, read, attachment scan, delete.
    const m = await s
      .as(a)
      .channels.post({ params: { channelId: general }, body: { content: `hi @[B](user:${b})`, nonce: 'typed-ev-0001' } });
    await s.as(owner).channels.post({ params: { channelId: secret }, body: { content: 'staff only' } });
    await s.as(b).channels.react({ params: { messageId: m.id }, body: { emoji: '🎉' } });
    await s.as(a).channels.edit({ params: { messageId: m.id }, body: { content: 'hi all' } });
    await s.as(owner).channels.pin({ params: { messageId: m.id } });
    await s.as(owner).channels.unpin({ params: { messageId: m.id } });
    await s.as(b).channels.read({ params: { channelId: general }, body: { message_id: m.id } });
    const file = await upload(a, 'purpose=channel');
    await s.as(a).channels.post({ params: { channelId: general }, body: { content: 'slides', attachment_ids: [file] } });
    await s.ctx.queue.processAll();
    await s.as(a).channels.removeMessage({ params: { messageId: m.id } });

    // The feed, on the community channel: post, edit, comment, comment edit and delete, post delete.
    const post = await s.as(a).feed.post({ params: { id: community.slug }, body: { content: 'feed hello' } });
    await s.as(a).feed.update({ params: { itemId: post.id }, body: { content: 'feed hello, edited' } });
    await s.as(b).feed.react({ params: { itemId: post.id }, body: { emoji: '👍' } });
    const comment = await s.as(b).feed.comment({ params: { itemId: post.id }, body: { content: 'welcome' } });
    await s.as(b).feed.updateComment({ params: { commentId: comment.id }, body: { content: 'welcome!' } });
    await s.as(b).feed.removeComment({ params: { commentId: comment.id } });
    await s.as(a).feed.remove({ params: { itemId: post.id } });

    // Moderation, on user channels: a report reaches the moderators, its outcome the reporter,
    // a warning the warned member.
    await asOwner(realtimeChannel.user(prefix(), owner));
    const rude = await s.as(a).channels.post({ params: { channelId: general }, body: { content: 'report me' } });
    const report = await s.as(b).moderation.report({ body: { target_type: 'channel_message', target_id: rude.id, reason: 'spam' } });
    await s.as(owner).moderation.updateReport({ params: { reportId: report.id }, body: { status: 'dismissed', resolution_notes: 'fine' } });
    await s.as(owner).moderation.warn({ params: { id: community.slug, userId: a }, body: { reason: 'be kind' } });
    // A filter violation at the threshold mutes c3 automatically; the owner hears who and why.
    await s.as(c3).channels.post({ params: { channelId: general }, body: { content: 'darn' } });
    await s.ctx.bus.idle();

    // Channels and members on the community channel.
    const room = await s.as(owner).channels.create({ params: { id: community.slug }, body: { name: 'room' } });
    await s.as(owner).channels.update({ params: { channelId: room.id }, body: { topic: 'about rooms' } });
    await s.as(owner).channels.reorder({
      params: { id: community.slug },
      body: { items: [{ id: room.id, parent_id: null, position: 0 }] },
    });
    await s.as(owner).channels.remove({ params: { channelId: room.id } });
    await s.as(owner).channels.remove({ params: { channelId: secret } });
    // Joining earns points (join_community), and lifts d to level 2 in this community.
    const asD = await listener(d, got);
    await asD(realtimeChannel.user(prefix(), d));
    await s.as(d).communities.join({ params: { id: community.slug }, body: {} });
    await s.ctx.bus.idle();
    await s.as(d).communities.leave({ params: { id: community.slug } });
    // A join request's outcome reaches the requester on their user channel.
    const gated = await makeCommunity(s, { name: 'Typed Requests', visibility: 'private' });
    await s.as(d).communities.join({ params: { id: gated.slug }, body: { intro: 'hello' } });
    await s.as(owner).communities.decideRequest({ params: { id: gated.slug, userId: d, decision: 'reject' }, body: { message: 'full' } });
    // A paid tier granted to d: subscription.changed on their user channel.
    const vip = await s.as(owner).communities.createTier({ params: { id: gated.slug }, body: { name: 'VIP', price_minor: 900 } });
    await s.as(owner).communities.grantTier({ params: { id: gated.slug, tierId: vip.id }, body: { user_id: d } });

    // DMs: thread created, message (with a scanned file), edit, reaction, read, rename,
    // participants, deletion, block and unblock.
    const thread = await s.as(a).dm.start({ body: { user_ids: [b, c3], group: true } });
    await asB(realtimeChannel.dm(prefix(), thread.id));
    const dmFile = await upload(a, `purpose=dm&thread_id=${thread.id}`);
    const dm = await s.as(a).dm.post({ params: { threadId: thread.id }, body: { content: 'dm hi', attachment_ids: [dmFile] } });
    await s.ctx.queue.processAll();
    await s.as(a).dm.edit({ params: { messageId: dm.id }, body: { content: 'dm hi!' } });
    await s.as(b).dm.react({ params: { messageId: dm.id }, body: { emoji: '👍' } });
    await s.as(b).dm.read({ params: { threadId: thread.id }, body: { message_id: dm.id } });
    await s.as(a).dm.rename({ params: { threadId: thread.id }, body: { title: 'Study group' } });
    await s.as(a).dm.removeParticipant({ params: { threadId: thread.id, userId: c3 } });
    await s.as(a).dm.invite({ params: { threadId: thread.id }, body: { user_ids: [c3] } });
    await s.as(a).dm.removeMessage({ params: { messageId: dm.id } });
    await s.as(a).dm.block({ params: { userId: b } });
    await s.as(a).dm.unblock({ params: { userId: b } });

    // Notifications: b was mentioned above (notification.created); marking read tells b's other tabs.
    await s.ctx.bus.idle();
    await s.as(b).notifications.markRead({ body: { all: true } });

    // Typing, a client event the gateway relays between members on a presence channel.
    const presence = realtimeChannel.dmPresence(prefix(), thread.id);
    await asB(presence);
    const typer = await asA(presence);
    typer.pusher.channel(presence).trigger(REALTIME_EVENTS.clientTyping, { user_id: a, name: 'A' });

    const everyEvent = Object.values(REALTIME_EVENTS) as RealtimeEventName[];
    const names = () => new Set(got.map((e) => e.name));
    await expect.poll(() => everyEvent.filter((n) => !names().has(n)), { timeout: 10_000 }).toEqual([]);

    const wrong = got
      .map((e) => ({ ...e, r: checkRealtimeEvent(e.name, e.data, { names: [e.channel], prefix: prefix() }) }))
      .filter((e) => !e.r.ok)
      .map((e) => `${e.name} on ${e.channel}: ${e.r.ok ? '' : e.r.error}`);
    expect(wrong).toEqual([]);

    // The forms of the events that have several: channel and DM, one channel and a reorder, …
    const forms = (name: string, key: string) => new Set(got.filter((e) => e.name === name).map((e) => key in (e.data as object)));
    for (const name of [
      REALTIME_EVENTS.messageCreated,
      REALTIME_EVENTS.messageUpdated,
      REALTIME_EVENTS.messageDeleted,
      REALTIME_EVENTS.reactionChanged,
      REALTIME_EVENTS.readStateUpdated,
    ])
      expect(forms(name, 'thread_id'), name).toEqual(new Set([true, false]));
    expect(forms(REALTIME_EVENTS.channelUpdated, 'reordered')).toEqual(new Set([true, false]));
    const reasons = new Set(
      got.filter((e) => e.name === REALTIME_EVENTS.dmThreadUpdated).map((e) => (e.data as { reason: string }).reason),
    );
    expect([...reasons].sort()).toEqual(['blocked', 'created', 'message', 'participants', 'renamed', 'unblocked']);
    const activityOn = got
      .filter((e) => e.name === REALTIME_EVENTS.channelActivity)
      .map((e) => parseChannelName(e.channel, prefix())!.kind);
    expect(new Set(activityOn)).toEqual(new Set(['community', 'channel']));
  });
});
