import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity, recordEvents } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;
let st: number[];
let pub: { id: number; slug: string };

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { feed_posts: { max: 1000, window_seconds: 1 } } });
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
  pub = await makeCommunity(s, { name: 'Feed Town' });
  await addMember(s, pub.id, st[0]!);
  await addMember(s, pub.id, st[1]!, 'moderator');
  await addMember(s, pub.id, st[2]!, 'guest');
});
afterAll(async () => s.close());

describe('posting', () => {
  it('posts Markdown with mentions; FeedPostCreated after commit; the same nonce returns the same post', async () => {
    const events = recordEvents(s);
    const body = { title: 'Hello', content: 'Great to meet you @[Marcus Lee](user:2) **everyone**', nonce: 'nonce-post-0001' };
    const p = await s.as(st[0]!).feed.post({ params: { id: pub.slug }, body });
    expect(p).toMatchObject({
      type: 'post',
      title: 'Hello',
      mentions: [2],
      author: { id: st[0] },
      viewer_can: { edit: true, delete: true, pin: false },
    });
    const again = await s.as(st[0]!).feed.post({ params: { id: pub.slug }, body });
    expect(again.id).toBe(p.id);
    expect(events.of('FeedPostCreated').length).toBe(1);
    events.off();
  });

  it('sends with one nonce at once (group-committed together) make one post, one comment and one count', async () => {
    const events = recordEvents(s);
    const body = { content: 'Sent twice at once by a flaky connection', nonce: 'nonce-race-post-1' };
    const posts = await Promise.all([1, 2, 3].map(() => s.as(st[0]!).feed.post({ params: { id: pub.slug }, body })));
    expect(new Set(posts.map((p) => p.id)).size).toBe(1);
    expect(posts.every((p) => p.viewer_can.edit && p.author.id === st[0])).toBe(true);
    const cbody = { content: 'A reply sent twice', nonce: 'nonce-race-comment-1' };
    const comments = await Promise.all([1, 2, 3].map(() => s.as(st[1]!).feed.comment({ params: { itemId: posts[0]!.id }, body: cbody })));
    expect(new Set(comments.map((c) => c.id)).size).toBe(1);
    expect(comments[0]).toMatchObject({ content: 'A reply sent twice', author: { id: st[1] }, reactions: [], viewer_can: { edit: true } });
    expect(
      (await s.as(st[0]!).feed.communityFeed({ params: { id: pub.slug } })).items.find((p) => p.id === posts[0]!.id)?.comment_count,
    ).toBe(1);
    await s.ctx.bus.idle();
    expect(events.of('FeedPostCreated').filter((e) => e.payload.feed_item_id === posts[0]!.id).length).toBe(1);
    expect(events.of('FeedCommentCreated').filter((e) => e.payload.feed_item_id === posts[0]!.id).length).toBe(1);
    events.off();
  });

  it('validates with field paths and never writes a partial post', async () => {
    const e = await expectStatus(s.as(st[0]!).feed.post({ params: { id: pub.slug }, body: { content: '   ', attachment_ids: [0] } }), 422);
    expect(e.issues.map((i) => i.path).sort()).toEqual(['body.attachment_ids.0', 'body.content']);
    const foreign = await expectStatus(
      s.as(st[0]!).feed.post({ params: { id: pub.slug }, body: { content: 'with a file', attachment_ids: [424242] } }),
      422,
    );
    expect(foreign.issues[0]!.path).toBe('body.attachment_ids');
    const left = await s.ctx.db.db.selectFrom('central_feed_items').select('id').where('content', '=', 'with a file').execute();
    expect(left).toEqual([]);
  });

  it('announcements need the announce permission; guests read and react but do not post; muted members read only', async () => {
    await expectStatus(s.as(st[0]!).feed.post({ params: { id: pub.slug }, body: { type: 'announcement', content: 'Listen up' } }), 403);
    expect((await s.as(st[1]!).feed.post({ params: { id: pub.slug }, body: { type: 'announcement', content: 'Mod news' } })).type).toBe(
      'announcement',
    );
    await expectStatus(s.as(st[2]!).feed.post({ params: { id: pub.slug }, body: { content: 'guest post' } }), 403);
    const target = (await s.as(owner).feed.post({ params: { id: pub.slug }, body: { content: 'react to me' } })).id;
    expect((await s.as(st[2]!).feed.react({ params: { itemId: target }, body: { emoji: '👍' } })).reacted).toBe(true);
    await addMember(s, pub.id, st[3]!);
    await s
      .as(owner)
      .communities.updateMember({ params: { id: pub.slug, userId: st[3]! }, body: { status: 'muted', duration_minutes: 60 } });
    expect((await s.as(st[3]!).feed.communityFeed({ params: { id: pub.slug } })).items.length).toBeGreaterThan(0);
    await expectStatus(s.as(st[3]!).feed.post({ params: { id: pub.slug }, body: { content: 'muted' } }), 403);
    await expectStatus(s.as(st[3]!).feed.comment({ params: { itemId: target }, body: { content: 'muted' } }), 403);
    await expectStatus(s.as(st[3]!).feed.react({ params: { itemId: target }, body: { emoji: '🎉' } }), 403);
  });

  it('private and hidden feeds: outsiders get 403 / 404, pending members 403', async () => {
    const priv = await makeCommunity(s, { visibility: 'private' });
    const hid = await makeCommunity(s, { visibility: 'hidden' });
    const post = await s.as(owner).feed.post({ params: { id: hid.slug }, body: { content: 'secret' } });
    await expectStatus(s.as(st[5]!).feed.communityFeed({ params: { id: priv.slug } }), 403);
    await expectStatus(s.as(st[5]!).feed.communityFeed({ params: { id: hid.slug } }), 404);
    await expectStatus(s.as(st[5]!).feed.comments({ params: { itemId: post.id } }), 404);
    await expectStatus(s.as(st[5]!).feed.react({ params: { itemId: post.id }, body: { emoji: '👍' } }), 404);
    await s.as(st[5]!).communities.join({ params: { id: priv.slug }, body: {} });
    await expectStatus(s.as(st[5]!).feed.communityFeed({ params: { id: priv.slug } }), 403);
    await expectStatus(s.as(null).feed.communityFeed({ params: { id: pub.slug } }), 401);
  });

  it("edits by the author keep edited_at; moderators delete members' posts but not the owner's", async () => {
    const mine = await s.as(st[0]!).feed.post({ params: { id: pub.slug }, body: { content: 'typo hree' } });
    await expectStatus(s.as(st[1]!).feed.update({ params: { itemId: mine.id }, body: { content: 'not yours' } }), 403);
    const edited = await s.as(st[0]!).feed.update({ params: { itemId: mine.id }, body: { content: 'typo here' } });
    expect(edited.content).toBe('typo here');
    expect(edited.edited_at).not.toBeNull();
    const ownerPost = await s.as(owner).feed.post({ params: { id: pub.slug }, body: { content: 'owner words' } });
    await expectStatus(s.as(st[1]!).feed.remove({ params: { itemId: ownerPost.id } }), 403);
    await expectStatus(s.as(st[0]!).feed.remove({ params: { itemId: ownerPost.id } }), 403);
    await s.as(st[1]!).feed.remove({ params: { itemId: mine.id } });
    await expectStatus(s.as(st[0]!).feed.comments({ params: { itemId: mine.id } }), 404);
    const feed = await s.as(st[0]!).feed.communityFeed({ params: { id: pub.slug }, query: { limit: 100 } });
    expect(feed.items.map((i) => i.id)).not.toContain(mine.id);
  });
});

describe('reading', () => {
  it('puts pinned posts first and pages the latest feed without gaps while posts arrive', async () => {
    const c = await makeCommunity(s, { name: 'Paging Feed' });
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push((await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: `post ${i}` } })).id);
    await expectStatus(s.as(st[6]!).feed.pin({ params: { itemId: ids[0]! } }), 403);
    await s.as(owner).feed.pin({ params: { itemId: ids[0]! } });
    const seen: number[] = [];
    let cursor: string | undefined;
    let first = true;
    let n = 0;
    do {
      const page = await s.as(owner).feed.communityFeed({ params: { id: c.slug }, query: { limit: 3, ...(cursor ? { cursor } : {}) } });
      if (first) expect(page.pinned.map((p) => p.id)).toEqual([ids[0]]);
      else expect(page.pinned).toEqual([]);
      first = false;
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor ?? undefined;
      await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: `late ${n++}` } });
    } while (cursor);
    expect(seen).toEqual([...ids.slice(1)].reverse());
    await s.as(owner).feed.unpin({ params: { itemId: ids[0]! } });
  });

  it('sorts top by reactions and comments within a period, without repeats across pages', async () => {
    const c = await makeCommunity(s, { name: 'Top Feed' });
    await addMember(s, c.id, st[7]!);
    const a = await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: 'quiet' } });
    const b = await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: 'loved' } });
    const d = await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: 'discussed' } });
    await s.as(st[7]!).feed.react({ params: { itemId: b.id }, body: { emoji: '❤️' } });
    await s.as(owner).feed.react({ params: { itemId: b.id }, body: { emoji: '❤️' } });
    await s.as(st[7]!).feed.comment({ params: { itemId: d.id }, body: { content: 'interesting' } });
    const p1 = await s.as(owner).feed.communityFeed({ params: { id: c.slug }, query: { sort: 'top', period: 'day', limit: 2 } });
    const p2 = await s
      .as(owner)
      .feed.communityFeed({ params: { id: c.slug }, query: { sort: 'top', period: 'day', limit: 2, cursor: p1.next_cursor! } });
    expect([...p1.items, ...p2.items].map((i) => i.id)).toEqual([d.id, b.id, a.id]);
    expect(p1.items.find((i) => i.id === b.id)!.reactions).toEqual([{ emoji: '❤️', count: 2, me: true }]);
  });

  it('reaction toggles count per emoji with "me", and refuse non-emoji', async () => {
    const p = await s.as(owner).feed.post({ params: { id: pub.slug }, body: { content: 'emoji test' } });
    const events = recordEvents(s);
    expect((await s.as(st[0]!).feed.react({ params: { itemId: p.id }, body: { emoji: '👍🏽' } })).reactions).toEqual([
      { emoji: '👍🏽', count: 1, me: true },
    ]);
    const both = await s.as(owner).feed.react({ params: { itemId: p.id }, body: { emoji: '👍🏽' } });
    expect(both.reactions).toEqual([{ emoji: '👍🏽', count: 2, me: true }]);
    const off = await s.as(st[0]!).feed.react({ params: { itemId: p.id }, body: { emoji: '👍🏽' } });
    expect(off).toEqual({ reacted: false, reactions: [{ emoji: '👍🏽', count: 1, me: false }] });
    expect(events.of('ReactionAdded').map((e) => e.payload.target_author_id)).toEqual([owner, owner]);
    expect(events.of('ReactionRemoved').length).toBe(1);
    await expectStatus(s.as(st[0]!).feed.react({ params: { itemId: p.id }, body: { emoji: 'lol' } }), 422);
    await expectStatus(s.as(st[0]!).feed.react({ params: { itemId: p.id }, body: { emoji: '<img src=x>' } }), 422);
    events.off();
  });

  it('threads comments two levels deep, with reply counts, more replies and soft deletes', async () => {
    const p = await s.as(owner).feed.post({ params: { id: pub.slug }, body: { content: 'discuss' } });
    const top = await s.as(st[0]!).feed.comment({ params: { itemId: p.id }, body: { content: 'first!' } });
    const replies = [];
    for (let i = 0; i < 5; i++)
      replies.push(await s.as(st[1]!).feed.comment({ params: { itemId: p.id }, body: { content: `reply ${i}`, parent_id: top.id } }));
    const deep = await s
      .as(owner)
      .feed.comment({ params: { itemId: p.id }, body: { content: 'reply to a reply', parent_id: replies[0]!.id } });
    expect(deep.parent_id).toBe(top.id);
    await expectStatus(s.as(owner).feed.comment({ params: { itemId: p.id }, body: { content: 'x', parent_id: 999_999 } }), 422);
    const list = await s.as(st[0]!).feed.comments({ params: { itemId: p.id } });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.reply_count).toBe(6);
    expect(list.items[0]!.replies.map((r) => r.content)).toEqual(['reply 0', 'reply 1', 'reply 2']);
    const more = await s.as(st[0]!).feed.replies({ params: { commentId: top.id }, query: { limit: 10 } });
    expect(more.items.map((r) => r.content)).toEqual(['reply 0', 'reply 1', 'reply 2', 'reply 3', 'reply 4', 'reply to a reply']);
    expect(
      (await s.as(owner).feed.communityFeed({ params: { id: pub.slug }, query: { limit: 50 } })).items.find((i) => i.id === p.id)!
        .comment_count,
    ).toBe(7);
    await s.as(st[0]!).feed.reactComment({ params: { commentId: top.id }, body: { emoji: '😂' } });
    await expectStatus(s.as(st[0]!).feed.updateComment({ params: { commentId: replies[1]!.id }, body: { content: 'mine now' } }), 403);
    await s.as(st[1]!).feed.removeComment({ params: { commentId: replies[1]!.id } });
    const after = await s.as(st[0]!).feed.replies({ params: { commentId: top.id }, query: { limit: 10 } });
    expect(after.items[1]).toMatchObject({ deleted: true, content: null });
    expect((await s.as(st[0]!).feed.comments({ params: { itemId: p.id } })).items[0]!.reactions).toEqual([
      { emoji: '😂', count: 1, me: true },
    ]);
  });

  it("the global feed holds the caller's communities and global announcements only", async () => {
    const other = await makeCommunity(s, { name: 'Elsewhere', visibility: 'private' });
    await s.as(owner).feed.post({ params: { id: other.slug }, body: { content: 'not for st0' } });
    await expectStatus(s.as(owner).feed.announce({ body: { content: 'Instructors cannot announce globally' } }), 403);
    const ann = await s.as(s.demo.adminId).feed.announce({ body: { title: 'Welcome', content: 'School-wide news' } });
    const g = await s.as(st[0]!).feed.globalFeed({ query: { limit: 100 } });
    expect(g.items[0]!.id).toBe(ann.id);
    expect(g.items.every((i) => i.community_id === null || i.community_id === pub.id)).toBe(true);
    expect(g.items.some((i) => i.content === 'not for st0')).toBe(false);
  });
});

describe('system items and switches', () => {
  it('writes course events, completions and milestones into the feed once', async () => {
    const c = await makeCommunity(s, { name: 'System Items' });
    await s.as(owner).communities.linkCourse({ params: { id: c.slug }, body: { course_id: s.demo.courseIds[2]! } });
    await addMember(s, c.id, st[8]!);
    const completed = { community_id: null, user_id: st[8]!, course_id: s.demo.courseIds[2]!, completed_at: new Date().toISOString() };
    await s.ctx.bus.record(s.ctx.db.db, 'CourseCompleted', completed);
    await s.ctx.bus.record(s.ctx.db.db, 'CourseCompleted', completed);
    for (const u of st.slice(9, 17)) await addMember(s, c.id, u);
    await s.ctx.bus.idle();
    const feed = await s.as(owner).feed.communityFeed({ params: { id: c.slug }, query: { limit: 50 } });
    const kinds = feed.items.map((i) => [i.type, i.title]);
    expect(kinds).toContainEqual(['course_event', 'New course: Watercolor for Beginners']);
    expect(kinds.filter(([, t]) => t === 'Course completed')).toHaveLength(1);
    expect(kinds).toContainEqual(['system', '10 members!']);
  });

  it('posts a milestone when joins that pass it commit before their handlers run', async () => {
    const c = await makeCommunity(s, { name: 'Crowded Door' });
    for (const u of st.slice(0, 8)) await addMember(s, c.id, u); // the owner and 8: 9 members
    // As with several processes or a server database: two joins (10 and 11) have both
    // committed when the first one's handler runs, so the row already says 11.
    await s.ctx.db.db.updateTable('communities').set({ member_count: 11 }).where('id', '=', c.id).execute();
    for (const [i, n] of [10, 11].entries())
      await s.ctx.bus.record(s.ctx.db.db, 'CommunityJoined', { community_id: c.id, user_id: st[8 + i]!, source: 'join', member_count: n });
    await s.ctx.bus.idle();
    const feed = await s.as(owner).feed.communityFeed({ params: { id: c.slug }, query: { limit: 50 } });
    expect(feed.items.filter((i) => i.type === 'system').map((i) => i.title)).toEqual(['10 members!']);
  });

  it('rate-limits posting with 429 and Retry-After', async () => {
    const tight = await startTestServer({ rate_limits: { feed_posts: { max: 2, window_seconds: 60 } } });
    try {
      const c = await makeCommunity(tight);
      const api = tight.as(tight.demo.instructorIds[0]!);
      await api.feed.post({ params: { id: c.slug }, body: { content: 'one' } });
      await api.feed.post({ params: { id: c.slug }, body: { content: 'two' } });
      const e = await expectStatus(api.feed.post({ params: { id: c.slug }, body: { content: 'three' } }), 429, 'rate_limited');
      expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await tight.close();
    }
  });

  it('with the feed switched off its routes answer 404 and features says so', async () => {
    const off = await startTestServer({ features: { central_feed: false } });
    try {
      const c = await makeCommunity(off);
      await expectStatus(off.as(off.demo.instructorIds[0]!).feed.communityFeed({ params: { id: c.slug } }), 404, 'not_found');
      expect((await off.as(null).system.features()).features.central_feed).toBe(false);
      // Flags are checked per request (admins switch them at runtime): the routes exist and refuse.
      await expectStatus(off.as(off.demo.instructorIds[0]!).feed.globalFeed({ query: {} }), 404, 'not_found');
    } finally {
      await off.close();
    }
  });
});
