import { realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

// Every write that fans out (a realtime event, a domain event) has a per-user budget.
const MAX = 3;
let s: TestServer;
let st: number[];

beforeAll(async () => {
  const rule = { max: MAX, window_seconds: 60 };
  s = await startTestServer({
    rate_limits: { membership: rule, reactions: rule, read_markers: rule, channel_auth: rule, leaderboard_reads: rule },
  });
  st = s.demo.studentIds;
});
afterAll(async () => s.close());

/** Calls `call` until it is refused; the refusal must be a 429 with Retry-After, after exactly `max` successes. */
async function exhaust(call: (i: number) => Promise<unknown>, max = MAX): Promise<void> {
  for (let i = 0; i < max; i++) await call(i);
  const e = await expectStatus(call(max), 429, 'rate_limited');
  expect(e.retryAfterSeconds).toBeGreaterThan(0);
}

describe('rate limits', () => {
  it('leaderboard reads, community and global, share one budget per user', async () => {
    const c = await makeCommunity(s);
    const u = st[5]!;
    await addMember(s, c.id, u);
    await exhaust((i) =>
      i % 2 === 0
        ? s.as(u).gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'week' } })
        : s.as(u).gamification.globalLeaderboard({ query: { period: 'all_time' } }),
    );
    await expectStatus(s.as(u).gamification.globalLeaderboard({ query: { period: 'week' } }), 429, 'rate_limited');
    // Another user has their own budget.
    await s.as(st[6]!).gamification.globalLeaderboard({ query: { period: 'week' } });
  });

  it('join and leave', async () => {
    const c = await makeCommunity(s);
    const u = st[0]!;
    const id = c.slug;
    await exhaust((i) =>
      i % 2 === 0 ? s.as(u).communities.join({ params: { id }, body: {} }) : s.as(u).communities.leave({ params: { id } }),
    );
    // Another user has their own budget.
    await s.as(st[1]!).communities.join({ params: { id }, body: {} });
  });

  it('message, DM, post and comment reactions share one budget; nothing is stored past it', async () => {
    const c = await makeCommunity(s);
    const [a, b] = [st[2]!, st[3]!];
    await addMember(s, c.id, a);
    await addMember(s, c.id, b);
    const general = (await s.as(a).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
    const m = await s.as(b).channels.post({ params: { channelId: general.id }, body: { content: 'react to me' } });
    await exhaust((i) => s.as(a).channels.react({ params: { messageId: m.id }, body: { emoji: ['👍', '🎉', '🔥', '❤️'][i]! } }));
    const rows = await s.ctx.db.db.selectFrom('channel_message_reactions').select('id').where('message_id', '=', m.id).execute();
    expect(rows.length).toBe(MAX);
    await addMember(s, c.id, st[4]!);

    const post = await s.as(b).feed.post({ params: { id: c.slug }, body: { content: 'a post' } });
    const comment = await s.as(b).feed.comment({ params: { itemId: post.id }, body: { content: 'a comment' } });
    const t = await s.as(b).dm.start({ body: { user_ids: [st[4]!] } });
    const dm = await s.as(b).dm.post({ params: { threadId: t.id }, body: { content: 'hi' } });
    const calls = [
      () => s.as(b).feed.react({ params: { itemId: post.id }, body: { emoji: '👍' } }),
      () => s.as(b).feed.reactComment({ params: { commentId: comment.id }, body: { emoji: '👍' } }),
      () => s.as(b).dm.react({ params: { messageId: dm.id }, body: { emoji: '👍' } }),
      () => s.as(b).dm.react({ params: { messageId: dm.id }, body: { emoji: '👎' } }),
    ];
    await exhaust((i) => calls[i]!());
  });

  it('read markers of channels and DM threads', async () => {
    const c = await makeCommunity(s);
    const a = st[5]!;
    await addMember(s, c.id, a);
    const general = (await s.as(a).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
    const m = await s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'x' } });
    await exhaust(() => s.as(a).channels.read({ params: { channelId: general.id }, body: { message_id: m.id } }));
    const b = st[6]!;
    for (const u of [b, st[7]!]) await addMember(s, c.id, u);
    const t = await s.as(b).dm.start({ body: { user_ids: [st[7]!] } });
    const dm = await s.as(b).dm.post({ params: { threadId: t.id }, body: { content: 'hi' } });
    await exhaust(() => s.as(b).dm.read({ params: { threadId: t.id }, body: { message_id: dm.id } }));
  });

  it('realtime channel authorisation, with a Retry-After header', async () => {
    const u = st[8]!;
    const body = new URLSearchParams({
      socket_id: '123.456',
      channel_name: realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, u),
    });
    const sign = async () =>
      fetch(`${s.url}/api/communities/broadcasting/auth`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(u)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    for (let i = 0; i < MAX; i++) expect((await sign()).status).toBe(200);
    const refused = await sign();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});
