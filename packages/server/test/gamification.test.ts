import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifyGamification } from '../src/gamification/verify';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let admin: number;
let owner: number;
let st: number[];

beforeAll(async () => {
  s = await startTestServer({
    rate_limits: {
      messages: { max: 1000, window_seconds: 1 },
      feed_posts: { max: 1000, window_seconds: 1 },
      reactions: { max: 1000, window_seconds: 1 },
    },
  });
  admin = s.demo.adminId;
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
});
afterAll(async () => s.close());

const LONG = 'a message long enough to count';

/** A fresh community with members, and its first text channel. */
async function world(members: number[], opts: { visibility?: 'public' | 'private' | 'hidden' } = {}) {
  const c = await makeCommunity(s, { ownerId: owner, ...opts });
  for (const m of members) await addMember(s, c.id, m);
  const channel = (await s.as(owner).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
  await s.ctx.bus.idle();
  return { c, channel };
}

/** A member's ledger in a community: the rows every total is computed from. */
async function ledger(userId: number, communityId: number) {
  await s.ctx.bus.idle();
  return s.ctx.db.db
    .selectFrom('gamification_events')
    .select(['type', 'points', 'target_type', 'target_id', 'actor_id', 'source_key'])
    .where('user_id', '=', userId)
    .where('community_id', '=', communityId)
    .orderBy('id')
    .execute();
}
const total = async (userId: number, communityId: number) => (await ledger(userId, communityId)).reduce((n, r) => n + r.points, 0);
const byType = async (userId: number, communityId: number, type: string) =>
  (await ledger(userId, communityId)).filter((r) => r.type === type).reduce((n, r) => n + r.points, 0);
const post = (userId: number, channelId: number, content = LONG, reply_to_id?: number) =>
  s.as(userId).channels.post({ params: { channelId }, body: { content, ...(reply_to_id ? { reply_to_id } : {}) } });

async function patchRules(body: Parameters<TestServer['as']> extends never ? never : Record<string, unknown>) {
  return s.as(admin).gamification.updateAdminSettings({ body: body });
}

describe('points for messages', () => {
  it('awards post_message and reply_message with reason and source; short messages earn nothing', async () => {
    const { c, channel } = await world([st[0]!, st[1]!]);
    const q = await post(st[0]!, channel.id);
    await post(st[1]!, channel.id, 'an answer long enough here', q.id);
    await post(st[0]!, channel.id, 'short');
    expect((await ledger(st[0]!, c.id)).filter((r) => r.type !== 'join_community' && r.type !== 'early_member')).toEqual([
      { type: 'post_message', points: 1, target_type: 'message', target_id: q.id, actor_id: null, source_key: `msg:${q.id}` },
    ]);
    expect(await byType(st[1]!, c.id, 'reply_message')).toBe(2);
  });

  it('caps each action per day', async () => {
    const { c, channel } = await world([st[2]!]);
    await patchRules({ anti_farming: { daily_caps: { post_message: 3 } } });
    try {
      for (let i = 0; i < 5; i++) await post(st[2]!, channel.id, `${LONG} #${i}`);
      expect(await byType(st[2]!, c.id, 'post_message')).toBe(3);
    } finally {
      await patchRules({ anti_farming: { daily_caps: { post_message: 30 } } });
    }
  });

  it('a muted or banned member earns nothing', async () => {
    const { c, channel } = await world([st[3]!, st[4]!]);
    const m = await post(st[4]!, channel.id);
    // Awards are judged when the points subscriber applies them (events.linger_ms after the
    // commit): the post is counted before the mute, the reaction after it.
    await s.ctx.bus.idle();
    await s.as(owner).communities.updateMember({ params: { id: String(c.id), userId: st[4]! }, body: { status: 'muted' } });
    await s.as(st[3]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
    expect(await byType(st[4]!, c.id, 'receive_reaction')).toBe(0);
    expect(await byType(st[4]!, c.id, 'post_message')).toBe(1);
  });

  it('deleting a message reverses its points and the reactions it received', async () => {
    const { c, channel } = await world([st[5]!, st[6]!]);
    const m = await post(st[5]!, channel.id);
    await s.as(st[6]!).channels.react({ params: { messageId: m.id }, body: { emoji: '🎉' } });
    await s.ctx.bus.idle();
    expect(await byType(st[5]!, c.id, 'receive_reaction')).toBe(1);
    const before = await total(st[5]!, c.id);
    await s.as(st[5]!).channels.removeMessage({ params: { messageId: m.id } });
    expect(await total(st[5]!, c.id)).toBe(before - 2);
    const rows = await ledger(st[5]!, c.id);
    expect(rows.filter((r) => r.type.startsWith('reversal:')).map((r) => [r.type, r.points])).toEqual([
      ['reversal:receive_reaction', -1],
      ['reversal:post_message', -1],
    ]);
  });
});

describe('reactions', () => {
  it('reacting to yourself earns nothing; one reactor earns an author at most N per day; taking a reaction back reverses it', async () => {
    const { c, channel } = await world([st[7]!, st[8]!, st[9]!]);
    await patchRules({ anti_farming: { reactions_per_reactor_per_author_per_day: 2 } });
    try {
      const msgs = [];
      for (let i = 0; i < 3; i++) msgs.push(await post(st[7]!, channel.id, `${LONG} ${i}`));
      await s.as(st[7]!).channels.react({ params: { messageId: msgs[0]!.id }, body: { emoji: '👍' } });
      for (const m of msgs) await s.as(st[8]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
      await s.as(st[9]!).channels.react({ params: { messageId: msgs[0]!.id }, body: { emoji: '👍' } });
      expect(await byType(st[7]!, c.id, 'receive_reaction')).toBe(3);
      const fromSelf = (await ledger(st[7]!, c.id)).filter((r) => r.actor_id === st[7]);
      expect(fromSelf).toEqual([]);
      // Taken back: reversed. Given again: the day's limit for that reactor is spent.
      await s.as(st[9]!).channels.react({ params: { messageId: msgs[0]!.id }, body: { emoji: '👍' } });
      const after = await ledger(st[7]!, c.id);
      expect(after.filter((r) => r.type === 'reversal:receive_reaction' && r.actor_id === st[9])).toHaveLength(1);
      await s.as(st[8]!).channels.react({ params: { messageId: msgs[2]!.id }, body: { emoji: '👍' } }); // off
      await s.as(st[8]!).channels.react({ params: { messageId: msgs[2]!.id }, body: { emoji: '👍' } }); // on again
      expect(await byType(st[7]!, c.id, 'receive_reaction')).toBe(3);
      expect(await byType(st[7]!, c.id, 'reversal:receive_reaction')).toBe(-1);
    } finally {
      await patchRules({ anti_farming: { reactions_per_reactor_per_author_per_day: 3 } });
    }
  });

  it('feed reactions, posts and comments earn; deleting them reverses', async () => {
    const { c } = await world([st[10]!, st[11]!]);
    const p = await s.as(st[10]!).feed.post({ params: { id: String(c.id) }, body: { content: 'A question about the course material?' } });
    const cm = await s.as(st[11]!).feed.comment({ params: { itemId: p.id }, body: { content: 'Here is a long enough answer' } });
    await s.as(st[11]!).feed.react({ params: { itemId: p.id }, body: { emoji: '❤️' } });
    expect(await byType(st[10]!, c.id, 'feed_post')).toBe(3);
    expect(await byType(st[10]!, c.id, 'receive_reaction')).toBe(1);
    expect(await byType(st[11]!, c.id, 'feed_comment')).toBe(1);
    await s.as(st[11]!).feed.removeComment({ params: { commentId: cm.id } });
    expect((await byType(st[11]!, c.id, 'feed_comment')) + (await byType(st[11]!, c.id, 'reversal:feed_comment'))).toBe(0);
    await s.as(st[10]!).feed.remove({ params: { itemId: p.id } });
    const rows = await ledger(st[10]!, c.id);
    expect(rows.filter((r) => r.target_type === 'feed_item').reduce((n, r) => n + r.points, 0)).toBe(0);
  });
});

describe('DMs', () => {
  it('weigh less (dm_weight) and are capped', async () => {
    await patchRules({ points: { dm_message: 4, start_dm: 2 }, anti_farming: { dm_weight: 0.5, daily_caps: { dm_message: 5 } } });
    try {
      await world([st[12]!, st[13]!]);
      const thread = await s.as(st[12]!).dm.start({ body: { user_ids: [st[13]!] } });
      for (let i = 0; i < 4; i++) await s.as(st[12]!).dm.post({ params: { threadId: thread.id }, body: { content: `${LONG} dm ${i}` } });
      await s.ctx.bus.idle();
      const rows = await s.ctx.db.db
        .selectFrom('gamification_events')
        .select(['type', 'points', 'community_id'])
        .where('user_id', '=', st[12]!)
        .where('type', 'in', ['dm_message', 'start_dm'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => [r.type, r.points, r.community_id])).toEqual([
        ['start_dm', 1, null],
        ['dm_message', 2, null],
        ['dm_message', 2, null],
        ['dm_message', 1, null],
      ]);
    } finally {
      await patchRules({ points: { dm_message: 0, start_dm: 0 }, anti_farming: { dm_weight: 0.5, daily_caps: { dm_message: 5 } } });
    }
  });
});

describe('helpful answers', () => {
  it('the asker or a moderator marks a reply helpful; others may not; unmarking reverses', async () => {
    const { c, channel } = await world([st[14]!, st[15]!, st[16]!]);
    const q = await post(st[14]!, channel.id, 'How do I solve exercise 3?');
    const a = await post(st[15]!, channel.id, 'Use the formula from chapter 2', q.id);
    await expectStatus(s.as(st[16]!).gamification.markMessageHelpful({ params: { messageId: a.id } }), 403, 'forbidden');
    await expectStatus(s.as(st[15]!).gamification.markMessageHelpful({ params: { messageId: a.id } }), 403, 'forbidden');
    await expectStatus(s.as(st[14]!).gamification.markMessageHelpful({ params: { messageId: q.id } }), 403, 'forbidden');
    // What each viewer's history says: marked or not, and whether they may mark it.
    const seen = async (userId: number) => {
      const items = (await s.as(userId).channels.messages({ params: { channelId: channel.id }, query: {} })).items;
      const [qq, aa] = [q.id, a.id].map((id) => items.find((m) => m.id === id)!);
      return { question: qq!.viewer_can.mark_helpful, answer: aa!.viewer_can.mark_helpful, helpful: aa!.helpful };
    };
    expect(await seen(st[14]!)).toEqual({ question: false, answer: true, helpful: false });
    expect(await seen(st[15]!)).toEqual({ question: false, answer: false, helpful: false });
    expect(await seen(st[16]!)).toEqual({ question: false, answer: false, helpful: false });
    expect(await seen(owner)).toEqual({ question: false, answer: true, helpful: false });
    // Changes past the answer's own creation: only a change made to it since (the mark) brings it back.
    const since = new Date(Date.parse(a.created_at) + 1).toISOString();
    expect(await s.as(st[14]!).gamification.markMessageHelpful({ params: { messageId: a.id } })).toEqual({ helpful: true });
    // Someone who had the channel open finds the mark in the catch-up after a reconnect.
    await s.ctx.bus.idle();
    const changed = await s
      .as(st[16]!)
      .channels.changes({ params: { channelId: channel.id }, query: { since, from_id: q.id, to_id: a.id } });
    expect(changed.items.find((m) => m.id === a.id)?.helpful).toBe(true);
    expect(await s.as(st[14]!).gamification.markMessageHelpful({ params: { messageId: a.id } })).toEqual({ helpful: true });
    expect(await seen(st[16]!)).toEqual({ question: false, answer: false, helpful: true });
    expect(await byType(st[15]!, c.id, 'answer_marked_helpful')).toBe(10);
    expect(await s.as(owner).gamification.unmarkMessageHelpful({ params: { messageId: a.id } })).toEqual({ helpful: false });
    expect(await seen(st[14]!)).toEqual({ question: false, answer: true, helpful: false });
    expect(await byType(st[15]!, c.id, 'reversal:answer_marked_helpful')).toBe(-10);
    await expectStatus(s.as(st[20]!).gamification.markMessageHelpful({ params: { messageId: 99_999_999 } }), 404);
  });

  it("on a feed comment, the post's author marks it", async () => {
    const { c } = await world([st[17]!, st[18]!]);
    const p = await s.as(st[17]!).feed.post({ params: { id: String(c.id) }, body: { content: 'Which book should I read first?' } });
    const cm = await s.as(st[18]!).feed.comment({ params: { itemId: p.id }, body: { content: 'Start with the blue one, really' } });
    const seen = async (userId: number) => {
      const t = (await s.as(userId).feed.comments({ params: { itemId: p.id }, query: {} })).items.find((x) => x.id === cm.id)!;
      return { may: t.viewer_can.mark_helpful, helpful: t.helpful };
    };
    expect(await seen(st[17]!)).toEqual({ may: true, helpful: false });
    expect(await seen(st[18]!)).toEqual({ may: false, helpful: false });
    expect(await seen(owner)).toEqual({ may: true, helpful: false });
    await expectStatus(s.as(st[18]!).gamification.markCommentHelpful({ params: { commentId: cm.id } }), 403);
    await s.as(st[17]!).gamification.markCommentHelpful({ params: { commentId: cm.id } });
    expect(await seen(st[18]!)).toEqual({ may: false, helpful: true });
    expect(await byType(st[18]!, c.id, 'answer_marked_helpful')).toBe(10);
  });
});

describe('levels, badges, unlocks', () => {
  it('a level-gated channel is listed locked, refuses reads, and unlocks once the member reaches the level', async () => {
    const { c, channel } = await world([st[19]!]);
    const gated = await s.as(owner).channels.create({ params: { id: String(c.id) }, body: { name: 'Level 3 lounge', min_level: 3 } });
    const seen = (await s.as(st[19]!).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.id === gated.id);
    expect(seen).toMatchObject({ min_level: 3, locked: true });
    await expectStatus(s.as(st[19]!).channels.messages({ params: { channelId: gated.id } }), 403, 'forbidden');
    // 5 (join) + 10 (early member) = 15 points: level 2. Five replies more (2 each) reach 20: level 3.
    expect((await s.as(st[19]!).gamification.userProfile({ params: { userId: st[19]! }, query: { community_id: c.id } })).level.level).toBe(
      2,
    );
    const q = await post(owner, channel.id);
    for (let i = 0; i < 3; i++) await post(st[19]!, channel.id, `${LONG} reply ${i}`, q.id);
    await s.ctx.bus.idle();
    const prof = await s.as(st[19]!).gamification.userProfile({ params: { userId: st[19]! }, query: { community_id: c.id } });
    expect(prof.points).toBe(21);
    expect(prof.level).toEqual({ level: 3, level_at: 20, next_level_at: 65, progress: 0.022 });
    await new Promise((r) => setTimeout(r, 1100)); // the access facts cache (FACTS_TTL_MS)
    const now = (await s.as(st[19]!).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.id === gated.id);
    expect(now).toMatchObject({ locked: false });
    expect((await s.as(st[19]!).channels.messages({ params: { channelId: gated.id } })).items).toEqual([]);
  });

  it('badges are awarded once, with their date and icon', async () => {
    const { c, channel } = await world([st[21]!]);
    await post(st[21]!, channel.id);
    await post(st[21]!, channel.id, `${LONG} again`);
    await s.ctx.bus.idle();
    const prof = await s.as(st[21]!).gamification.userProfile({ params: { userId: st[21]! }, query: { community_id: c.id } });
    expect(prof.badges.map((b) => [b.slug, b.icon]).sort()).toEqual([
      ['early-member', '🌱'],
      ['first-post', '✍️'],
    ]);
    expect(prof.badges.every((b) => !Number.isNaN(Date.parse(b.awarded_at)))).toBe(true);
    const rows = await s.ctx.db.db
      .selectFrom('user_badges')
      .select('id')
      .where('user_id', '=', st[21]!)
      .where('community_id', '=', c.id)
      .execute();
    expect(rows).toHaveLength(2);
  });
});

describe('leaderboards', () => {
  it("answer the top N and the viewer's own rank outside it; ties go to the lower user id", async () => {
    const members = [st[22]!, st[23]!, st[24]!, st[25]!];
    const { c } = await world(members);
    // Everyone has 15 (join + early member): a four-way tie, in user id order.
    const board = await s
      .as(st[25]!)
      .gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'all_time', limit: 2 } });
    const sorted = [...members].sort((a, b) => a - b);
    expect(board.items.map((i) => [i.rank, i.user.id, i.points])).toEqual([
      [1, sorted[0], 15],
      [2, sorted[1], 15],
    ]);
    expect(board.viewer).toMatchObject({ rank: sorted.indexOf(st[25]!) + 1, points: 15, level: 2 });
    expect(board.tie_break).toBe('points descending, then user id ascending');
    const week = await s.as(st[25]!).gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'week' } });
    expect(week.items).toHaveLength(4);
    expect(week.starts_at).not.toBeNull();
    const global = await s.as(st[25]!).gamification.globalLeaderboard({ query: { period: 'all_time' } });
    expect(global.community_id).toBeNull();
    expect(global.viewer.points).toBeGreaterThanOrEqual(15);
  });

  it('members can hide themselves; admins still see them', async () => {
    const { c } = await world([st[26]!, st[27]!]);
    await s.as(st[26]!).gamification.updateMyPrivacy({ body: { hide_from_leaderboards: true } });
    try {
      const seenByPeer = await s
        .as(st[27]!)
        .gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'all_time' } });
      expect(seenByPeer.items.map((i) => i.user.id)).toEqual([st[27]]);
      // Tied at 15, the hidden member (lower id) was first: for others they leave no gap.
      expect(seenByPeer.items[0]!.rank).toBe(1);
      expect(seenByPeer.viewer.rank).toBe(1);
      const seenByAdmin = await s
        .as(admin)
        .gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'all_time' } });
      expect(seenByAdmin.items.find((i) => i.user.id === st[26])).toMatchObject({ hidden: true, rank: 1 });
      expect(seenByAdmin.items.find((i) => i.user.id === st[27])).toMatchObject({ hidden: false, rank: 2 });
      const own = await s.as(st[26]!).gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'all_time' } });
      expect(own.viewer).toMatchObject({ hidden: true, points: 15 });
    } finally {
      await s.as(st[26]!).gamification.updateMyPrivacy({ body: { hide_from_leaderboards: false } });
    }
  });

  it("a hidden community's leaderboard is a 404 to outsiders", async () => {
    const c = await makeCommunity(s, { ownerId: owner, visibility: 'hidden' });
    await expectStatus(
      s.as(st[29]!).gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'week' } }),
      404,
      'not_found',
    );
    await expectStatus(s.as(st[29]!).gamification.userProfile({ params: { userId: owner }, query: { community_id: c.id } }), 404);
    const own = await s.as(owner).gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'week' } });
    expect(own.community_id).toBe(c.id);
  });

  it('a closed period is read from its snapshot', async () => {
    const { c } = await world([st[30]!]);
    const now = new Date();
    const nextWeek = new Date(now.getTime() + 7 * 86_400_000);
    expect(await s.ctx.services.gamification.service.snapshotClosedPeriods(nextWeek)).toBeGreaterThan(0);
    expect(await s.ctx.services.gamification.service.snapshotClosedPeriods(nextWeek)).toBe(0);
    const row = await s.ctx.db.db
      .selectFrom('leaderboard_snapshots')
      .select('data')
      .where('community_id', '=', c.id)
      .where('period', '=', 'week')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.data)).toMatchObject({ items: [{ rank: 1, user_id: st[30], points: 15 }] });
    await expectStatus(
      s
        .as(st[30]!)
        .gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'week', at: '2020-01-01T00:00:00Z' } }),
      404,
    );
  });
});

describe('settings', () => {
  it('admins edit rules at runtime, validated by the config schema; others may not', async () => {
    await expectStatus(s.as(st[0]!).gamification.adminSettings(), 403);
    await expectStatus(patchRules({ level_thresholds: [0, 10, 5] }), 422, 'validation_failed');
    await expectStatus(patchRules({ badges: [{ slug: 'x', name: 'X', rule: 'messages', icon: '<svg onload="alert(1)"></svg>' }] }), 422);
    const got = await s.as(admin).gamification.adminSettings();
    expect(got.level_thresholds).toEqual([0, 5, 20, 65, 155, 515, 2015, 8015, 33015]);
    const svg = '<svg viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>';
    const saved = await patchRules({
      badges: [...got.badges, { slug: 'chatty', name: 'Chatty', rule: 'messages', threshold: 2, icon: svg }],
    });
    expect(saved.badges.at(-1)).toMatchObject({ slug: 'chatty', icon: svg });
    const { c, channel } = await world([st[31]!]);
    await post(st[31]!, channel.id);
    await post(st[31]!, channel.id, `${LONG} 2`);
    await s.ctx.bus.idle();
    const prof = await s.as(st[31]!).gamification.userProfile({ params: { userId: st[31]! }, query: { community_id: c.id } });
    expect(prof.badges.find((b) => b.slug === 'chatty')).toMatchObject({ icon: svg });
    await patchRules({ badges: got.badges });
  });

  it('new level thresholds move the stored levels of scores and profiles', async () => {
    const { c } = await world([st[34]!]);
    await s.ctx.services.gamification.folder.drain();
    const stored = async () => {
      const score = await s.ctx.db.db
        .selectFrom('gamification_scores')
        .select(['points', 'level'])
        .where('community_id', '=', c.id)
        .where('period', '=', 'all')
        .where('user_id', '=', st[34]!)
        .executeTakeFirstOrThrow();
      const profile = await s.ctx.db.db
        .selectFrom('gamification_profiles')
        .select(['total_points', 'level'])
        .where('user_id', '=', st[34]!)
        .executeTakeFirstOrThrow();
      return { score, profile };
    };
    const before = await stored();
    // 5 (join) + 10 (early member) = 15 points: level 2 of 0, 5, 20, …
    expect(before.score).toEqual({ points: 15, level: 2 });
    const old = (await s.as(admin).gamification.adminSettings()).level_thresholds;
    const band = (points: number, t: readonly number[]) => t.filter((x, i) => i > 0 && points >= x).length + 1;
    try {
      const t = [0, 10, 15, 1_000_000];
      await patchRules({ level_thresholds: t });
      const after = await stored();
      expect(after.score.level).toBe(3);
      expect(after.profile.level).toBe(band(after.profile.total_points, t));
    } finally {
      await patchRules({ level_thresholds: old });
    }
    const back = await stored();
    expect(back.score.level).toBe(2);
    expect(back.profile.level).toBe(band(back.profile.total_points, old));
  });

  it('owners scale points in their community within bounds', async () => {
    const { c, channel } = await world([st[32]!]);
    await expectStatus(s.as(owner).gamification.updateCommunitySettings({ params: { id: String(c.id) }, body: { scale: 3 } }), 422);
    await expectStatus(s.as(st[32]!).gamification.updateCommunitySettings({ params: { id: String(c.id) }, body: { scale: 2 } }), 403);
    expect(await s.as(owner).gamification.updateCommunitySettings({ params: { id: String(c.id) }, body: { scale: 2 } })).toMatchObject({
      scale: 2,
      min: 0.5,
      max: 2,
    });
    await post(st[32]!, channel.id);
    await post(st[32]!, channel.id, 'hello there friend, a reply', (await post(owner, channel.id)).id);
    expect(await byType(st[32]!, c.id, 'post_message')).toBe(2);
    expect(await byType(st[32]!, c.id, 'reply_message')).toBe(4);
  });
});

describe('idempotence', () => {
  it('a redelivered event awards nothing twice', async () => {
    const { c, channel } = await world([st[33]!]);
    const m = await post(st[33]!, channel.id);
    await s.ctx.bus.idle();
    const before = await total(st[33]!, c.id);
    const out = await s.ctx.services.gamification.ledger.award({
      userId: st[33]!,
      communityId: c.id,
      action: 'post_message',
      sourceKey: `msg:${m.id}`,
      occurredAt: new Date(),
      target: { type: 'message', id: m.id },
    });
    expect(out).toEqual({ awarded: false, reason: 'duplicate' });
    expect(await total(st[33]!, c.id)).toBe(before);
  });
});

describe('gamification:verify', () => {
  it('finds zero drift after every award and reversal above, and names a tampered score (exit code 1)', async () => {
    await s.ctx.bus.idle();
    const clean = await verifyGamification(s.ctx.db.db);
    expect(clean.ledger_rows).toBeGreaterThan(50);
    expect(clean.drift).toEqual([]);
    const row = await s.ctx.db.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'community_id'])
      .where('period', '=', 'all')
      .where('community_id', '>', 0)
      .executeTakeFirstOrThrow();
    await s.ctx.db.db
      .updateTable('gamification_scores')
      .set({ points: 999_999 })
      .where('community_id', '=', row.community_id)
      .where('period', '=', 'all')
      .where('user_id', '=', row.user_id)
      .execute();
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/cli/main.ts'), 'gamification:verify'], {
      cwd: join(import.meta.dirname, '../../..'),
      env: {
        ...process.env,
        COMMUNITIES_CONFIG: '',
        COMMUNITIES__LOG_LEVEL: 'silent',
        DATABASE_URL: `sqlite://${join(s.dataDir, 'test.sqlite')}`,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`score community ${row.community_id} all user ${row.user_id}`);
    expect(cli.stdout).toContain('found 999999');
    // It starts the CLI in a process of its own (tsx compiles it first): seconds on a busy machine.
  }, 90_000);
});
