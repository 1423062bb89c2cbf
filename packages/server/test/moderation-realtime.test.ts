import {
  FEED_REALTIME_EVENTS,
  MODERATION_REALTIME_EVENTS,
  moderationRealtimeSchemas,
  realtimeChannel,
  REALTIME_EVENTS,
} from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { nextEvent, realtimeClients } from './support/realtime-clients';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let st: number[];
let owner: number;
let c: { id: number; slug: string };
let general: number;
const clients = realtimeClients(() => s);
const client = (userId: number) => clients.client(userId);
const next = nextEvent;

beforeAll(async () => {
  s = await startTestServer({ moderation: { bad_words: ['darn'], actions: { auto_mute_threshold: 0, auto_ban_threshold: 2 } } });
  st = s.demo.studentIds;
  owner = s.demo.instructorIds[0]!;
  c = await makeCommunity(s, { name: 'Live Moderation' });
  for (const u of st.slice(0, 3)) await addMember(s, c.id, u);
  await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: st[2]! }, body: { role: 'moderator' } });
  general = (await s.as(owner).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
});
afterAll(async () => {
  clients.closeAll();
  await s.close();
});

const prefix = () => s.ctx.config.chat.broadcast_channel_prefix;

describe('moderation over real pusher-js clients', () => {
  it("a new report reaches the community's online moderators, not the members; the reporter hears the outcome", async () => {
    const modRt = await client(st[2]!);
    const ownerRt = await client(owner);
    const memberRt = await client(st[1]!);
    const reporterRt = await client(st[0]!);
    for (const [rt, u] of [
      [modRt, st[2]!],
      [ownerRt, owner],
      [memberRt, st[1]!],
      [reporterRt, st[0]!],
    ] as const)
      await rt.subscribed(realtimeChannel.user(prefix(), u));
    const memberGot: unknown[] = [];
    memberRt.on(realtimeChannel.user(prefix(), st[1]!), MODERATION_REALTIME_EVENTS.reportCreated, (d) => void memberGot.push(d));
    const toMod = next<unknown>(modRt, realtimeChannel.user(prefix(), st[2]!), MODERATION_REALTIME_EVENTS.reportCreated);
    const toOwner = next<unknown>(ownerRt, realtimeChannel.user(prefix(), owner), MODERATION_REALTIME_EVENTS.reportCreated);

    const m = await s.as(st[1]!).channels.post({ params: { channelId: general }, body: { content: 'rude words' } });
    const r = await s.as(st[0]!).moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'harassment' } });
    const got = moderationRealtimeSchemas['moderation.report_created'].parse(await toMod);
    expect(got).toMatchObject({ report_id: r.id, community_id: c.id, target_type: 'channel_message', target_id: m.id, source: 'user' });
    expect(await toOwner).toEqual(got);

    const outcome = next<unknown>(reporterRt, realtimeChannel.user(prefix(), st[0]!), MODERATION_REALTIME_EVENTS.reportOutcome);
    await s
      .as(st[2]!)
      .moderation.updateReport({ params: { reportId: r.id }, body: { status: 'dismissed', resolution_notes: 'Not a violation' } });
    expect(await outcome).toEqual({ report_id: r.id, status: 'dismissed', outcome: 'Not a violation' });
    expect(memberGot).toEqual([]);
  });

  it('an automatic ban tells the user why, tells the moderators who and why, and ends their channel subscription at once', async () => {
    const u = st[1]!;
    const modRt = await client(st[2]!);
    const ownerRt = await client(owner);
    const bystanderRt = await client(st[0]!);
    await modRt.subscribed(realtimeChannel.user(prefix(), st[2]!));
    await ownerRt.subscribed(realtimeChannel.user(prefix(), owner));
    await bystanderRt.subscribed(realtimeChannel.user(prefix(), st[0]!));
    const toMod = next<unknown>(modRt, realtimeChannel.user(prefix(), st[2]!), MODERATION_REALTIME_EVENTS.autoSanction);
    const toOwner = next<unknown>(ownerRt, realtimeChannel.user(prefix(), owner), MODERATION_REALTIME_EVENTS.autoSanction);
    const bystanderGot: unknown[] = [];
    bystanderRt.on(realtimeChannel.user(prefix(), st[0]!), MODERATION_REALTIME_EVENTS.autoSanction, (d) => void bystanderGot.push(d));
    const rt = await client(u);
    const userGot: unknown[] = [];
    rt.on(realtimeChannel.user(prefix(), u), MODERATION_REALTIME_EVENTS.autoSanction, (d) => void userGot.push(d));
    const chan = realtimeChannel.channel(prefix(), general);
    await rt.subscribed(chan);
    await rt.subscribed(realtimeChannel.user(prefix(), u));
    const revoked = new Promise<{ status?: number }>((resolve) =>
      rt.on(chan, 'pusher:subscription_error', (e) => resolve(e as { status?: number })),
    );
    const sanction = next<unknown>(rt, realtimeChannel.user(prefix(), u), MODERATION_REALTIME_EVENTS.sanctionApplied);
    const created: number[] = [];
    rt.on(chan, REALTIME_EVENTS.messageCreated, (d) => void created.push((d as { id: number }).id));
    await s.as(u).channels.post({ params: { channelId: general }, body: { content: 'darn' } });
    await s.as(u).channels.post({ params: { channelId: general }, body: { content: 'darn' } });
    await s.ctx.bus.idle();
    expect(await sanction).toMatchObject({
      community_id: c.id,
      action: 'ban',
      source: 'auto',
      reason: 'automatic: 2 violations in 30 days',
    });
    const modGot = moderationRealtimeSchemas['moderation.auto_sanction'].parse(await toMod);
    expect(modGot).toEqual({
      community_id: c.id,
      user_id: u,
      action: 'ban',
      reason: 'automatic: 2 violations in 30 days',
      until: null,
    });
    expect(await toOwner).toEqual(modGot);
    expect(await revoked).toMatchObject({ status: 403 });
    const after = await s.as(owner).channels.post({ params: { channelId: general }, body: { content: 'after the ban' } });
    await s.as(owner).channels.post({ params: { channelId: general }, body: { content: 'and again' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(created).not.toContain(after.id);
    // Members who do not moderate, and the banned member, get no moderator notice.
    expect(bystanderGot).toEqual([]);
    expect(userGot).toEqual([]);
  });
});

describe('held feed content over real pusher-js clients', () => {
  it('a held post or comment reaches no member until a moderator approves it, and is 404 to other members meanwhile', async () => {
    const actions = s.ctx.config.moderation.actions;
    const saved = { ...actions };
    Object.assign(actions, { on_detect: 'hold', auto_mute_threshold: 0, auto_ban_threshold: 0 });
    try {
      const [author, reader] = [st[0]!, st[3]!];
      await addMember(s, c.id, reader);
      const chan = realtimeChannel.community(prefix(), c.id);
      const rt = await client(reader);
      await rt.subscribed(chan);
      const got: Array<{ event: string; id: unknown }> = [];
      for (const event of Object.values(FEED_REALTIME_EVENTS))
        rt.on(
          chan,
          event,
          (d) => void got.push({ event, id: (d as { id?: unknown; comment?: { id: unknown } }).comment?.id ?? (d as { id?: unknown }).id }),
        );

      const held = await s.as(author).feed.post({ params: { id: c.slug }, body: { content: 'a darn post' } });
      expect(held.content).toBe('a darn post');
      Object.assign(actions, { on_detect: 'censor' });
      const clean = await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: 'a clean post' } });
      Object.assign(actions, { on_detect: 'hold' });
      const heldComment = await s.as(author).feed.comment({ params: { itemId: clean.id }, body: { content: 'a darn comment' } });
      // The author edits the held post (still held) and reacts to it: members still hear nothing.
      await s.as(author).feed.update({ params: { itemId: held.id }, body: { content: 'still a darn post' } });
      await s.as(author).feed.react({ params: { itemId: held.id }, body: { emoji: '👍' } });
      // A marker after all of it: once it arrives, anything pushed before it has arrived too.
      const marker = next<{ id: number }>(rt, chan, FEED_REALTIME_EVENTS.postUpdated);
      await s.as(owner).feed.pin({ params: { itemId: clean.id } });
      expect((await marker).id).toBe(clean.id);
      expect(got.filter((g) => g.id === held.id || g.id === heldComment.id)).toEqual([]);

      // Over REST, the held post is not there for other members: not in any feed, and not by id.
      const globalIds = (await s.as(reader).feed.globalFeed({ query: {} })).items.map((x) => x.id);
      expect(globalIds).toContain(clean.id);
      expect(globalIds).not.toContain(held.id);
      expect((await s.as(author).feed.globalFeed({ query: {} })).items.map((x) => x.id)).toContain(held.id);
      expect((await s.as(owner).feed.globalFeed({ query: {} })).items.map((x) => x.id)).toContain(held.id);
      await expectStatus(s.as(reader).feed.comment({ params: { itemId: held.id }, body: { content: 'hello?' } }), 404);
      await expectStatus(s.as(reader).feed.react({ params: { itemId: held.id }, body: { emoji: '👍' } }), 404);
      await expectStatus(s.as(reader).feed.comments({ params: { itemId: held.id }, query: {} }), 404);
      await expectStatus(s.as(reader).feed.replies({ params: { commentId: heldComment.id }, query: {} }), 404);
      await expectStatus(s.as(reader).feed.reactComment({ params: { commentId: heldComment.id }, body: { emoji: '👍' } }), 404);

      // Approved: now it reaches members, as a new post and a new comment.
      const created = next<{ id: number }>(rt, chan, FEED_REALTIME_EVENTS.postCreated);
      await s.as(owner).moderation.contentAction({ body: { target_type: 'feed_item', target_id: held.id, action: 'approve' } });
      expect(await created).toMatchObject({ id: held.id, content: 'still a darn post' });
      const comment = next<{ comment: { id: number } }>(rt, chan, FEED_REALTIME_EVENTS.commentCreated);
      await s.as(owner).moderation.contentAction({ body: { target_type: 'feed_comment', target_id: heldComment.id, action: 'approve' } });
      expect((await comment).comment.id).toBe(heldComment.id);
      expect((await s.as(reader).feed.globalFeed({ query: {} })).items.map((x) => x.id)).toContain(held.id);
      // Hidden later: it leaves members' screens.
      const deleted = next<{ id: number }>(rt, chan, FEED_REALTIME_EVENTS.postDeleted);
      await s.as(owner).moderation.contentAction({ body: { target_type: 'feed_item', target_id: held.id, action: 'hide' } });
      expect((await deleted).id).toBe(held.id);
    } finally {
      Object.assign(actions, saved);
    }
  });
});
