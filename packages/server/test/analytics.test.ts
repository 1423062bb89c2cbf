import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyEvents, ROLLUP_SUBSCRIBER } from '../src/analytics/subscriber';

import { expectRebuildEqualsLive, setClock } from './support/activity-workload';
import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { call } from './support/world';

let s: TestServer;
let admin: number;
let owner: number;
let st: number[];

beforeAll(async () => {
  const many = { max: 100_000, window_seconds: 1 };
  s = await startTestServer({
    rate_limits: { messages: many, feed_posts: many, reactions: many, dm_messages: many },
    host: { identity_cache_seconds: 0 },
  });
  admin = s.demo.adminId;
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds.slice(10);
});
afterAll(async () => s.close());

/** Runs fn with the clock standing at `iso`. */
async function at<T>(iso: string, fn: () => Promise<T>): Promise<T> {
  const restore = setClock(s, () => new Date(iso));
  try {
    return await fn();
  } finally {
    restore();
  }
}

async function world(members: number[], opts: { visibility?: 'public' | 'private' | 'hidden' } = {}) {
  const c = await makeCommunity(s, { ownerId: owner });
  for (const m of members) await addMember(s, c.id, m);
  if (opts.visibility) await s.as(owner).communities.update({ params: { id: String(c.id) }, body: { visibility: opts.visibility } });
  const channel = (await s.as(owner).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
  return { c, id: String(c.id), channel };
}

const say = (u: number, channelId: number, content = 'hello') => s.as(u).channels.post({ params: { channelId }, body: { content } });
const range = { from: '2026-03-01', to: '2026-03-31' };

describe('heatmaps in the viewer’s time zone', () => {
  it('puts a message in the right local day and hour for +05:45, +05:30 and UTC (member calendar and community grid)', async () => {
    const [u] = [st[0]!];
    const w = await world([u]);
    // 18:20Z on Tuesday 10 March: 00:05 Wednesday in Kathmandu, 23:50 Tuesday in Kolkata.
    await at('2026-03-10T18:20:00.000Z', () => say(u, w.channel.id));
    await s.ctx.bus.idle();
    const ktm = await s.as(u).analytics.userHeatmap({ params: { id: u }, query: { ...range, tz: 'Asia/Kathmandu' } });
    expect(ktm.days).toEqual([{ date: '2026-03-11', count: 1, kinds: { message: 1 } }]);
    expect(ktm.grid[2]![0]).toBe(1);
    expect(ktm.total).toBe(1);
    const kol = await s.as(u).analytics.userHeatmap({ params: { id: u }, query: { ...range, tz: 'Asia/Kolkata' } });
    expect(kol.days.map((d) => d.date)).toEqual(['2026-03-10']);
    expect(kol.grid[1]![23]).toBe(1);
    const grid = await s.as(owner).analytics.communityHeatmap({ params: { id: w.id }, query: { ...range, tz: 'Asia/Kathmandu' } });
    expect(grid.days).toEqual([{ date: '2026-03-11', count: 1, kinds: { message: 1 } }]);
    expect(grid.grid[2]![0]).toBe(1);
    const utc = await s.as(owner).analytics.communityHeatmap({ params: { id: w.id }, query: { ...range, tz: 'UTC', kinds: ['message'] } });
    expect(utc.grid[1]![18]).toBe(1);
    expect(utc.max_day).toBe(1);
    // Filtering by kind: no posts.
    const posts = await s.as(owner).analytics.communityHeatmap({ params: { id: w.id }, query: { ...range, kinds: ['post'] } });
    expect(posts.total).toBe(0);
  });

  it('defaults to the viewer’s users.timezone', async () => {
    const u = st[1]!;
    const w = await world([u]);
    await at('2026-03-10T18:20:00.000Z', () => say(u, w.channel.id));
    await s.ctx.bus.idle();
    await s.ctx.hostDb.updateTable('users').set({ timezone: 'Asia/Kolkata' }).where('id', '=', u).execute();
    try {
      const h = await s.as(u).analytics.userHeatmap({ params: { id: u }, query: range });
      expect(h.timezone).toBe('Asia/Kolkata');
      expect(h.days.map((d) => d.date)).toEqual(['2026-03-10']);
    } finally {
      await s.ctx.hostDb.updateTable('users').set({ timezone: 'UTC' }).where('id', '=', u).execute();
    }
  });

  it('refuses bad ranges and time zones with a 4xx, never a 500', async () => {
    const u = st[0]!;
    await expectStatus(s.as(u).analytics.userHeatmap({ params: { id: u }, query: { from: '2026-03-02', to: '2026-03-01' } }), 422);
    await expectStatus(s.as(u).analytics.userHeatmap({ params: { id: u }, query: { from: '2024-01-01', to: '2026-03-01' } }), 422);
    for (const q of ['tz=Mars/Olympus', 'from=2026-02-30', 'kinds=message,gossip', 'from=yesterday'])
      expect((await call(s, u, 'GET', `/api/users/${u}/heatmap?${q}`)).status).toBe(422);
  });
});

describe('who sees a member’s heatmap', () => {
  it('the member (DMs too), owners and moderators their slice, admins every community but no DMs; fellow members only when shown', async () => {
    const [m, mod, fellow, outsider] = st.slice(2, 6) as [number, number, number, number];
    const a = await world([m, fellow]);
    await addMember(s, a.c.id, mod, 'moderator');
    const otherOwner = s.demo.instructorIds[1]!;
    const b = await makeCommunity(s, { ownerId: otherOwner });
    await addMember(s, b.id, m);
    const bChannel = (await s.as(otherOwner).channels.list({ params: { id: String(b.id) } })).items.find((x) => x.type === 'text')!;
    await at('2026-03-05T10:00:00.000Z', async () => {
      await say(m, a.channel.id);
      await say(m, a.channel.id);
      await say(m, bChannel.id);
      const t = await s.as(m).dm.start({ body: { user_ids: [fellow] } });
      await s.as(m).dm.post({ params: { threadId: t.id }, body: { content: 'psst' } });
    });
    await s.ctx.bus.idle();
    const q = { params: { id: m }, query: range };
    const self = await s.as(m).analytics.userHeatmap(q);
    expect(self.total).toBe(4);
    expect(self.days[0]!.kinds).toEqual({ message: 3, dm: 1 });
    expect((await s.as(owner).analytics.userHeatmap(q)).total).toBe(2); // community A only
    expect((await s.as(mod).analytics.userHeatmap(q)).total).toBe(2);
    expect((await s.as(otherOwner).analytics.userHeatmap(q)).total).toBe(1); // community B only
    const byAdmin = await s.as(admin).analytics.userHeatmap(q);
    expect(byAdmin.total).toBe(3);
    expect(byAdmin.kinds).not.toContain('dm');
    // A slice asked for: the owner of A may not read B's.
    await expectStatus(s.as(owner).analytics.userHeatmap({ ...q, query: { ...range, community_id: b.id } }), 404);
    expect((await s.as(owner).analytics.userHeatmap({ ...q, query: { ...range, community_id: a.c.id } })).total).toBe(2);
    // Students are private by default: fellow members and outsiders learn nothing.
    await expectStatus(s.as(fellow).analytics.userHeatmap(q), 404);
    await expectStatus(s.as(outsider).analytics.userHeatmap(q), 404);
    expect(await s.as(m).analytics.heatmapSettings()).toEqual({ show_activity: false, is_default: true });
    expect(await s.as(m).analytics.updateHeatmapSettings({ body: { show_activity: true } })).toEqual({
      show_activity: true,
      is_default: false,
    });
    // Shown: fellow members of A see A's slice (never DMs); outsiders still nothing.
    const seen = await s.as(fellow).analytics.userHeatmap(q);
    expect(seen.total).toBe(2);
    expect(seen.days[0]!.kinds).toEqual({ message: 2 });
    await expectStatus(s.as(outsider).analytics.userHeatmap(q), 404);
    await s.as(m).analytics.updateHeatmapSettings({ body: { show_activity: false } });
    await expectStatus(s.as(fellow).analytics.userHeatmap(q), 404);
  });

  it('an instructor is shown by default (config heatmap.show_activity_by_default)', async () => {
    const teacher = s.demo.instructorIds[2]!;
    expect((await s.as(teacher).analytics.heatmapSettings()).show_activity).toBe(true);
  });
});

describe('community insights', () => {
  it('owners, moderators and admins only; a hidden community is 404 to outsiders', async () => {
    const [m, mod, outsider] = st.slice(6, 9) as [number, number, number];
    const w = await world([m], { visibility: 'hidden' });
    await s.ctx.db.db.updateTable('communities').set({ visibility: 'public' }).where('id', '=', w.c.id).execute();
    await addMember(s, w.c.id, mod, 'moderator');
    await s.as(owner).communities.update({ params: { id: w.id }, body: { visibility: 'hidden' } });
    const q = { params: { id: w.id }, query: { period: 'day' as const } };
    for (const u of [owner, mod, admin]) expect((await s.as(u).analytics.communityAnalytics(q)).community_id).toBe(w.c.id);
    await expectStatus(s.as(m).analytics.communityAnalytics(q), 403);
    await expectStatus(s.as(outsider).analytics.communityAnalytics(q), 404);
    await expectStatus(s.as(outsider).analytics.communityHeatmap({ params: { id: w.id } }), 404);
    await expectStatus(s.as(outsider).analytics.userHeatmap({ params: { id: m }, query: { community_id: w.c.id } }), 404);
    await expectStatus(s.as(owner).analytics.adminAnalytics(), 403);
  });

  it('shows the new member, messages, actives, top contributors, busiest channels and hours, retention, and exports CSV', async () => {
    const [early, late] = st.slice(9, 11) as [number, number];
    const w = await at('2026-03-01T09:00:00.000Z', () => world([early]));
    await at('2026-03-02T09:00:00.000Z', async () => {
      await say(early, w.channel.id);
      await say(early, w.channel.id);
    });
    await at('2026-03-09T13:10:00.000Z', () => say(early, w.channel.id));
    await at('2026-03-10T09:00:00.000Z', async () => {
      await addMember(s, w.c.id, late);
      await say(late, w.channel.id);
    });
    await s.ctx.bus.idle();
    const q = { params: { id: w.id }, query: { period: 'week' as const, from: '2026-03-01', to: '2026-03-15', tz: 'UTC' } };
    const a = await s.as(owner).analytics.communityAnalytics(q);
    expect(a.series.map((p) => p.start)).toEqual(['2026-03-01', '2026-03-02', '2026-03-09']);
    expect(a.series.map((p) => p.messages)).toEqual([0, 2, 2]);
    expect(a.series.map((p) => p.new_members)).toEqual([1, 0, 1]);
    expect(a.series.map((p) => p.active_members)).toEqual([0, 1, 2]);
    expect(a.totals).toMatchObject({ messages: 4, new_members: 2, active_members: 2 });
    expect(a.top_contributors.map((t) => [t.user.id, t.count])).toEqual([
      [early, 3],
      [late, 1],
    ]);
    expect(a.busiest_channels).toEqual([{ channel: { id: w.channel.id, name: w.channel.name }, messages: 4 }]);
    expect(a.busiest_hours[9]).toBe(3);
    expect(a.busiest_hours[13]).toBe(1);
    // Joined 1 March, active 9 March (8 days later): retained at 7 days; the 30-day cohort is empty yet.
    expect(a.retention.d7).toEqual({ cohort: 1, retained: 1, rate: 1 });
    expect(a.retention.d30).toEqual({ cohort: 0, retained: 0, rate: null });
    expect(a.actives.d7).toBe(2);

    const res = await call(s, owner, 'GET', `/api/communities/${w.id}/analytics/export?period=day&from=2026-03-01&to=2026-03-03&tz=UTC`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.text.split('\r\n').slice(0, 4)).toEqual([
      'start,active_members,messages,posts,comments,reactions,course_completions,new_members,left_members,join_requests,points',
      '2026-03-01,0,0,0,0,0,0,1,0,0,0',
      expect.stringMatching(/^2026-03-02,1,2,0,0,0,0,0,0,0,\d+$/),
      '2026-03-03,0,0,0,0,0,0,0,0,0,0',
    ]);
    expect((await call(s, st[9]!, 'GET', `/api/communities/${w.id}/analytics/export`)).status).toBe(403);

    const site = await s.as(admin).analytics.adminAnalytics({ query: { from: '2026-03-01', to: '2026-03-15', tz: 'UTC' } });
    expect(site.communities.find((c) => c.community.id === w.c.id)).toMatchObject({ messages: 4, new_members: 2, active_members: 2 });
    const csv = await call(s, admin, 'GET', `/api/communities/admin/analytics/export?from=2026-03-01&to=2026-03-15&tz=UTC`);
    expect(csv.text).toContain(`${w.c.id},`);
  });
});

describe('activity this week', () => {
  it('owners see every member busiest first; members only once the owner turns it on, and only those who show their activity', async () => {
    const [a, b, c, outsider] = [st[12]!, st[13]!, st[14]!, st[15]!];
    const w = await world([a, b, c]);
    // Eight days before "now" (Tuesday 5 May, 12:00Z): outside the week.
    await at('2026-04-27T10:00:00.000Z', () => say(a, w.channel.id));
    for (const [u, times] of [
      [a, 3],
      [b, 2],
      [c, 1],
    ] as const)
      for (let i = 0; i < times; i++) await at(`2026-05-0${1 + i}T10:00:00.000Z`, () => say(u, w.channel.id));
    await s.ctx.bus.idle();
    const week = (u: number) =>
      at('2026-05-05T12:00:00.000Z', () => s.as(u).analytics.memberActivity({ params: { id: w.id }, query: { tz: 'UTC' } }));
    const all = await week(owner);
    expect(all).toMatchObject({ from: '2026-04-29', to: '2026-05-05', timezone: 'UTC', hidden: 0 });
    expect(all.items.map((i) => [i.user.id, i.count])).toEqual([
      [a, 3],
      [b, 2],
      [c, 1],
    ]);
    expect((await week(admin)).items).toHaveLength(3);
    // Off (the default): members are refused, saying why.
    const off = await call(s, b, 'GET', `/api/communities/${w.id}/member-activity`);
    expect(off.status).toBe(403);
    expect(JSON.stringify(off.json)).toContain('member_activity_off');
    await s.as(owner).communities.update({ params: { id: w.id }, body: { settings: { show_member_activity: true } } });
    // On: a shows their activity, c keeps students' default (private); b sees a and themself, c counted as hidden.
    await s.as(a).analytics.updateHeatmapSettings({ body: { show_activity: true } });
    const seen = await week(b);
    expect(seen.items.map((i) => [i.user.id, i.count])).toEqual([
      [a, 3],
      [b, 2],
    ]);
    expect(seen.hidden).toBe(1);
    // Not a member (the community is public, its card and member list open): refused.
    expect((await call(s, outsider, 'GET', `/api/communities/${w.id}/member-activity`)).status).toBe(403);
    // A member who leaves drops off the list.
    await s.as(a).communities.leave({ params: { id: w.id } });
    expect((await week(owner)).items.map((i) => i.user.id)).toEqual([b, c]);
  });

  it('is 404 for a hidden community to outsiders and refuses bad input with a 4xx', async () => {
    const w = await world([st[16]!], { visibility: 'hidden' });
    expect((await call(s, st[17]!, 'GET', `/api/communities/${w.id}/member-activity`)).status).toBe(404);
    expect((await call(s, owner, 'GET', `/api/communities/${w.id}/member-activity?tz=Mars/Olympus`)).status).toBe(422);
    expect((await call(s, owner, 'GET', `/api/communities/${w.id}/member-activity?limit=0`)).status).toBe(422);
  });
});

describe('rollups', () => {
  it('commit their cursor with their counts (no seen-events record), and skip events an older version recorded as seen', async () => {
    const u = st[11]!;
    const w = await world([u]);
    await at('2026-04-02T08:00:00.000Z', () => say(u, w.channel.id));
    await s.ctx.bus.idle();
    const rows = await s.ctx.db.db
      .selectFrom('event_outbox')
      .selectAll()
      .where('name', '=', 'MessagePosted')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    const cursor = await s.ctx.db.db
      .selectFrom('event_cursors')
      .select('last_id')
      .where('subscriber', '=', ROLLUP_SUBSCRIBER)
      .executeTakeFirstOrThrow();
    expect(Number(cursor.last_id)).toBeGreaterThanOrEqual(Number(rows[0]!.id));
    expect(await s.ctx.db.db.selectFrom('activity_seen').select('event_id').execute()).toEqual([]);
    // An event applied by a version that recorded it in activity_seen, redelivered after the upgrade: counted once.
    const events = rows.map((r) => ({ id: r.event_id, name: r.name, payload: JSON.parse(r.payload), occurred_at: r.occurred_at })) as never;
    await s.ctx.db.db.insertInto('activity_seen').values({ event_id: rows[0]!.event_id, seen_at: rows[0]!.occurred_at }).execute();
    expect(await applyEvents(s.ctx.db.db, s.ctx.db.dialect, events, () => new Date())).toBe(0);
    await s.ctx.db.db.deleteFrom('activity_seen').execute();
    const h = await s.as(u).analytics.userHeatmap({ params: { id: u }, query: { from: '2026-04-01', to: '2026-04-03', tz: 'UTC' } });
    expect(h.total).toBe(1);
  });

  it('stats:rebuild recomputes exactly what the live rollups hold after a random workload (SQLite)', async () => {
    await expectRebuildEqualsLive(s, 18);
  }, 120_000);
});
