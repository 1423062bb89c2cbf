import { watchMessages } from '@communities/client';
import { realtimeChannel, REALTIME_EVENTS, type ChannelMessage, type RealtimeMessage } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { nextEvent, realtimeClients } from './support/realtime-clients';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let st: number[];
let owner: number;
let c: { id: number; slug: string };
let general: number;
let secret: number;
const clients = realtimeClients(() => s);
const client = (userId: number) => clients.client(userId);
const next = nextEvent;

beforeAll(async () => {
  s = await startTestServer();
  st = s.demo.studentIds;
  owner = s.demo.instructorIds[0]!;
  c = await makeCommunity(s, { name: 'Live Chat' });
  await addMember(s, c.id, st[0]!);
  await addMember(s, c.id, st[1]!);
  general = (await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
  secret = (await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'staff', is_private: true } })).id;
});
afterAll(async () => {
  clients.closeAll();
  await s.close();
});

const prefix = () => s.ctx.config.chat.broadcast_channel_prefix;

describe('chat over real pusher-js clients', () => {
  it('delivers a message posted over HTTP, then its reaction, edit and deletion', async () => {
    const rt = await client(st[1]!);
    const ch = realtimeChannel.channel(prefix(), general);
    await rt.subscribed(ch);
    const created = next<RealtimeMessage>(rt, ch, REALTIME_EVENTS.messageCreated);
    const m = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'live hello', nonce: 'rt-nonce-0001' } });
    const pushed = await created;
    expect(pushed).toMatchObject({ id: m.id, content: 'live hello', author: { id: st[0] } });
    // Nothing that depends on who looks: the nonce is the author's, the rights each viewer's own.
    expect(pushed).not.toHaveProperty('nonce');
    expect(pushed).not.toHaveProperty('viewer_can');
    const reaction = next<{ message_id: number; counts: unknown }>(rt, ch, REALTIME_EVENTS.reactionChanged);
    await s.as(st[0]!).channels.react({ params: { messageId: m.id }, body: { emoji: '🎉' } });
    expect(await reaction).toMatchObject({ message_id: m.id, user_id: st[0], reacted: true, counts: [{ emoji: '🎉', count: 1 }] });
    const updated = next<RealtimeMessage>(rt, ch, REALTIME_EVENTS.messageUpdated);
    await s.as(st[0]!).channels.edit({ params: { messageId: m.id }, body: { content: 'live hello!' } });
    const edit = await updated;
    expect(edit.content).toBe('live hello!');
    // Reactions go as counts (`me` is each viewer's own), and the rights are not sent to everyone.
    expect(edit.reactions).toEqual([{ emoji: '🎉', count: 1 }]);
    expect(edit).not.toHaveProperty('viewer_can');
    const deleted = next<{ id: number }>(rt, ch, REALTIME_EVENTS.messageDeleted);
    await s.as(st[0]!).channels.removeMessage({ params: { messageId: m.id } });
    expect((await deleted).id).toBe(m.id);
  });

  it("announces a message's attachment when its scan finishes (channel and DM), so nobody polls", async () => {
    const upload = async (user: number, query: string) => {
      const form = new FormData();
      form.append('file', new Blob([new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')]), 'notes.pdf');
      const res = await fetch(`${s.url}/api/communities/uploads?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(user)}` },
        body: form,
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: number };
    };
    const rt = await client(st[1]!);
    const ch = realtimeChannel.channel(prefix(), general);
    await rt.subscribed(ch);
    const file = await upload(st[0]!, 'purpose=channel');
    const m = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'slides', attachment_ids: [file.id] } });
    expect(m.attachments[0]!.scan_status).toBe('pending');
    const scanned = next<ChannelMessage>(rt, ch, REALTIME_EVENTS.messageUpdated);
    await s.ctx.queue.processAll();
    expect(await scanned).toMatchObject({ id: m.id, content: 'slides', attachments: [{ id: file.id, scan_status: 'unscanned' }] });

    const thread = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    const dmCh = realtimeChannel.dm(prefix(), thread.id);
    await rt.subscribed(dmCh);
    const dmFile = await upload(st[0]!, `purpose=dm&thread_id=${thread.id}`);
    const dm = await s.as(st[0]!).dm.post({ params: { threadId: thread.id }, body: { content: 'dm slides', attachment_ids: [dmFile.id] } });
    const dmScanned = next<ChannelMessage>(rt, dmCh, REALTIME_EVENTS.messageUpdated);
    await s.ctx.queue.processAll();
    expect(await dmScanned).toMatchObject({ id: dm.id, attachments: [{ id: dmFile.id, scan_status: 'unscanned' }] });
  });

  it('signals activity for badges on the community channel (open channels only) and mentions on the user channel', async () => {
    const rt = await client(st[1]!);
    const community = realtimeChannel.community(prefix(), c.id);
    const inbox = realtimeChannel.user(prefix(), st[1]!);
    await rt.subscribed(community);
    await rt.subscribed(inbox);
    const listed = (await s.as(st[1]!).channels.list({ params: { id: c.slug } })).items;
    expect(listed.find((x) => x.id === general)!.activity_on).toBe('community');
    expect((await s.as(owner).channels.get({ params: { channelId: secret } })).activity_on).toBe('channel');
    const activity: Array<{ channel_id: number; message_id: number }> = [];
    rt.on(community, REALTIME_EVENTS.channelActivity, (d) => void activity.push(d as { channel_id: number; message_id: number }));
    const mentioned = next<{ channel_id: number; message_id: number }>(rt, inbox, REALTIME_EVENTS.mentionCreated);
    // A private channel's activity stays on that channel, for those who may read it.
    const staff = await client(owner);
    await staff.subscribed(realtimeChannel.channel(prefix(), secret));
    const hiddenActivity = next<{ channel_id: number }>(staff, realtimeChannel.channel(prefix(), secret), REALTIME_EVENTS.channelActivity);
    const quiet = await s.as(owner).channels.post({ params: { channelId: secret }, body: { content: 'staff only' } });
    expect(await hiddenActivity).toMatchObject({ channel_id: secret, message_id: quiet.id });
    const m = await s.as(st[0]!).channels.post({
      params: { channelId: general },
      body: { content: `hey @[Student](user:${st[1]})` },
    });
    expect(await mentioned).toMatchObject({ community_id: c.id, channel_id: general, message_id: m.id, author_id: st[0] });
    await expect.poll(() => activity.map((a) => a.message_id)).toContain(m.id);
    expect(activity.find((a) => a.message_id === m.id)).toEqual({
      channel_id: general,
      message_id: m.id,
      author_id: st[0],
      everyone: false,
    });
    expect(activity.some((a) => a.channel_id === secret)).toBe(false);
  });

  it('subscribes again after leaving a channel whose subscription was still pending (a quick remount)', async () => {
    const rt = await client(st[1]!);
    await rt.subscribed(realtimeChannel.user(prefix(), st[1]!)); // connected
    const ch = realtimeChannel.channel(prefix(), general);
    const off = rt.on(ch, REALTIME_EVENTS.messageCreated, () => {});
    rt.leave(ch); // while its authorisation is in flight
    off();
    await rt.subscribed(ch);
    const created = next<RealtimeMessage>(rt, ch, REALTIME_EVENTS.messageCreated);
    const m = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'after a remount' } });
    expect((await created).id).toBe(m.id);
  });

  it('tells the community channel when members join and leave, and when channels change', async () => {
    const rt = await client(owner);
    const ch = realtimeChannel.community(prefix(), c.id);
    await rt.subscribed(ch);
    const joined = next<{ user_id: number }>(rt, ch, REALTIME_EVENTS.memberJoined);
    await s.as(st[7]!).communities.join({ params: { id: c.slug }, body: {} });
    expect(await joined).toEqual({ user_id: st[7] });
    const left = next<{ user_id: number }>(rt, ch, REALTIME_EVENTS.memberLeft);
    await s.as(st[7]!).communities.leave({ params: { id: c.slug } });
    expect(await left).toEqual({ user_id: st[7] });
    const created = next<{ channel_id: number }>(rt, ch, REALTIME_EVENTS.channelCreated);
    const made = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'new-room' } });
    expect(await created).toEqual({ channel_id: made.id });
  });

  it("refuses a private channel's subscription to a member who may not see it (404)", async () => {
    const rt = await client(st[1]!);
    await expect(rt.subscribed(realtimeChannel.channel(prefix(), secret))).rejects.toMatchObject({ status: 404 });
    await (await client(owner)).subscribed(realtimeChannel.channel(prefix(), secret));
  });

  it('shows who is online on the presence channel and forwards typing to others', async () => {
    const a = await client(st[0]!);
    const b = await client(st[1]!);
    const presence = realtimeChannel.channelPresence(prefix(), general);
    await a.subscribed(presence);
    const joined = next<{ id: string }>(a, presence, 'pusher:member_added');
    await b.subscribed(presence);
    expect((await joined).id).toBe(String(st[1]));
    const members = (b.pusher.channel(presence) as unknown as { members: { count: number; each(fn: (m: { id: string }) => void): void } })
      .members;
    const ids: string[] = [];
    members.each((m) => ids.push(m.id));
    expect(ids.sort()).toEqual([String(st[0]), String(st[1])].sort());
    const typing = next<{ name: string }>(a, presence, REALTIME_EVENTS.clientTyping);
    b.pusher.channel(presence).trigger(REALTIME_EVENTS.clientTyping, { user_id: st[1], name: 'Student' });
    expect(await typing).toEqual({ user_id: st[1], name: 'Student' });
  });

  it('catches up through REST after missing messages, with no gaps or duplicates', async () => {
    const rt = await client(st[1]!);
    const seen: number[] = [];
    const first = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'before watching' } });
    const missed = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'missed while away' } });
    const stream = watchMessages<ChannelMessage>(rt, {
      channel: realtimeChannel.channel(prefix(), general),
      lastSeenId: first.id,
      fetchAfter: (after) => s.as(st[1]!).channels.messages({ params: { channelId: general }, query: { after, limit: 1 } }),
      onMessage: (m) => seen.push(m.id),
    });
    await stream.ready;
    const live = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'live' } });
    await expect.poll(() => seen).toEqual([missed.id, live.id]);
    stream.stop();
  });

  it('after a reconnect also catches up the edits, reactions and deletions it missed', async () => {
    const rt = await client(st[1]!);
    const edited = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'will be edited' } });
    const doomed = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: 'will be deleted' } });
    const loaded = await s.as(st[1]!).channels.messages({ params: { channelId: general }, query: { limit: 5 } });
    const shown = new Map(loaded.items.map((m) => [m.id, m]));
    const stream = watchMessages<ChannelMessage>(rt, {
      channel: realtimeChannel.channel(prefix(), general),
      lastSeenId: loaded.items.at(-1)!.id,
      fetchAfter: (after) => s.as(st[1]!).channels.messages({ params: { channelId: general }, query: { after } }),
      onMessage: (m) => shown.set(m.id, m),
      changes: {
        since: loaded.as_of,
        oldestId: () => Math.min(...shown.keys()),
        fetch: (query) => s.as(st[1]!).channels.changes({ params: { channelId: general }, query }),
        onChanged: (m) => shown.set(m.id, m),
      },
    });
    await stream.ready;
    rt.pusher.disconnect();
    await expect.poll(() => rt.pusher.connection.state).toBe('disconnected');
    await s.as(st[0]!).channels.edit({ params: { messageId: edited.id }, body: { content: 'edited while you were away' } });
    await s.as(st[0]!).channels.react({ params: { messageId: edited.id }, body: { emoji: '🔥' } });
    await s.as(st[0]!).channels.removeMessage({ params: { messageId: doomed.id } });
    rt.pusher.connect();
    await expect
      .poll(() => shown.get(edited.id))
      .toMatchObject({ content: 'edited while you were away', reactions: [{ emoji: '🔥', count: 1 }] });
    await expect.poll(() => shown.get(doomed.id)).toMatchObject({ deleted: true, content: null });
    stream.stop();
  });

  it('tells DM participants on their inbox channel when a message arrives', async () => {
    const rt = await client(st[1]!);
    const inbox = realtimeChannel.user(prefix(), st[1]!);
    await rt.subscribed(inbox);
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    const dmCh = realtimeChannel.dm(prefix(), t.id);
    await rt.subscribed(dmCh);
    const updated = next<{ thread_id: number; last_message?: { excerpt: string } }>(rt, inbox, REALTIME_EVENTS.dmThreadUpdated);
    const created = next<{ id: number }>(rt, dmCh, REALTIME_EVENTS.messageCreated);
    const m = await s.as(st[0]!).dm.post({ params: { threadId: t.id }, body: { content: 'psst' } });
    expect((await created).id).toBe(m.id);
    expect(await updated).toMatchObject({ thread_id: t.id, last_message: { excerpt: 'psst' } });
    await expect((await client(st[2]!)).subscribed(dmCh)).rejects.toMatchObject({ status: 404 });
  });
});
