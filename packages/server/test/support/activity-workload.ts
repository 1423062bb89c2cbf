import { expect } from 'vitest';

import { rebuildStats, rollupDay } from '../../src/analytics';
import { addDays } from '../../src/analytics/tz';

import { addMember, makeCommunity } from './factories';
import type { TestServer } from './server';

/**
 * Moves the clock of the services and of the outbox (which stamps events' occurred_at with the
 * clock it was built with); returns the function that puts both back.
 */
export function setClock(s: TestServer, now: () => Date): () => void {
  const bus = s.ctx.bus as unknown as { clock: { now(): Date } };
  const real = { ctx: s.ctx.clock, bus: bus.clock };
  s.ctx.clock = { now };
  bus.clock = { now };
  return () => {
    s.ctx.clock = real.ctx;
    bus.clock = real.bus;
  };
}

/** A seeded random generator, so a failing workload can be replayed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * A random workload through the HTTP API over several days (the clock moved between steps, across
 * day and quarter-hour boundaries): channel messages, DMs, feed posts, comments, reactions added
 * and removed, joins, leaves and join requests in two communities. Returns the UTC dates it touched.
 */
export async function randomWorkload(s: TestServer, seed: number, steps = 120): Promise<{ from: string; to: string }> {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const owner = s.demo.instructorIds[0]!;
  const people = s.demo.studentIds.slice(0, 8);
  const open = await makeCommunity(s, { ownerId: owner });
  const gated = await makeCommunity(s, { ownerId: owner, settings: { join_approval: true } });
  let at = Date.parse('2026-02-01T21:50:00Z') + Math.floor(rand() * 3600_000);
  const first = new Date(at).toISOString().slice(0, 10);
  const restore = setClock(s, () => new Date(at));
  try {
    for (const u of people.slice(0, 5)) await addMember(s, open.id, u);
    const channel = (await s.as(owner).channels.list({ params: { id: String(open.id) } })).items.find((x) => x.type === 'text')!;
    const messages: number[] = [];
    const posts: number[] = [];
    const members = new Set(people.slice(0, 5));
    for (let i = 0; i < steps; i++) {
      at += Math.floor(rand() * 3 * 3600_000);
      const r = rand();
      const u = pick([...members]);
      if (r < 0.35) {
        messages.push((await s.as(u).channels.post({ params: { channelId: channel.id }, body: { content: `message ${i}` } })).id);
      } else if (r < 0.45) {
        const other = pick([...members].filter((x) => x !== u));
        if (other) {
          const t = await s.as(u).dm.start({ body: { user_ids: [other] } });
          await s.as(u).dm.post({ params: { threadId: t.id }, body: { content: `dm ${i}` } });
        }
      } else if (r < 0.55) {
        posts.push((await s.as(u).feed.post({ params: { id: String(open.id) }, body: { content: `post ${i}` } })).id);
      } else if (r < 0.65 && posts.length) {
        await s.as(u).feed.comment({ params: { itemId: pick(posts) }, body: { content: `comment ${i}` } });
      } else if (r < 0.8 && messages.length) {
        // A toggle: the second time the same person reacts the same way, it is taken back.
        await s.as(u).channels.react({ params: { messageId: pick(messages) }, body: { emoji: '👍' } });
      } else if (r < 0.88) {
        const out = people.filter((p) => !members.has(p));
        if (out.length) {
          const p = pick(out);
          await s.as(p).communities.join({ params: { id: String(open.id) }, body: {} });
          members.add(p);
        }
      } else if (r < 0.93 && members.size > 3) {
        members.delete(u);
        await s.as(u).communities.leave({ params: { id: String(open.id) } });
      } else {
        await s
          .as(pick(people))
          .communities.join({ params: { id: String(gated.id) }, body: {} })
          .catch(() => {});
      }
    }
  } finally {
    restore();
  }
  await s.ctx.bus.idle();
  return { from: first, to: new Date(at).toISOString().slice(0, 10) };
}

/** Every rollup row of a date range, keyed and stripped of ids and write times. */
export async function rollupSnapshot(s: TestServer, from: string, to: string) {
  const db = s.ctx.db.db;
  const strip = <T extends Record<string, unknown>>(rows: T[], key: (r: T) => string) =>
    Object.fromEntries(
      rows.map((r) => {
        const { id: _id, created_at: _c, updated_at: _u, ...rest } = r as Record<string, unknown>;
        return [
          key(r),
          Object.fromEntries(
            Object.entries(rest).map(([k, v]) => [
              k,
              typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v) && k !== 'date') ? Number(v) : v,
            ]),
          ),
        ];
      }),
    );
  const between = (date: string) => date >= from && date <= to;
  const counts = (await db.selectFrom('activity_counts').selectAll().execute()).filter((r) => between(r.date));
  const users = (await db.selectFrom('user_activity_stats').selectAll().execute()).filter((r) => between(r.date));
  const communities = (await db.selectFrom('community_activity_stats').selectAll().execute()).filter((r) => between(r.date));
  const channels = (await db.selectFrom('channel_activity_counts').selectAll().execute()).filter((r) => between(r.date));
  // Periods that touch the range (a rebuild recomputes them whole).
  const periods = (await db.selectFrom('member_activity_periods').selectAll().execute()).filter(
    (r) => r.starts_on <= to && r.starts_on >= addDays(from, -31),
  );
  const communityPeriods = (await db.selectFrom('community_activity_periods').selectAll().execute()).filter(
    (r) => r.starts_on <= to && r.starts_on >= addDays(from, -31),
  );
  const years = (await db.selectFrom('member_activity_years').selectAll().execute()).filter(
    (r) => Number(r.year) >= Number(from.slice(0, 4)) && Number(r.year) <= Number(to.slice(0, 4)),
  );
  return {
    years: strip(years, (r) => `${r.community_id}|${r.year}|${r.user_id}`),
    channels: strip(channels, (r) => `${r.channel_id}|${r.date}`),
    periods: strip(periods, (r) => `${r.community_id}|${r.period}|${r.starts_on}|${r.user_id}`),
    communityPeriods: strip(communityPeriods, (r) => `${r.community_id}|${r.period}|${r.starts_on}`),
    counts: strip(counts, (r) => `${r.user_id}|${r.community_id}|${r.date}|${r.kind}`),
    users: strip(users, (r) => `${r.user_id}|${r.community_id}|${r.date}`),
    communities: strip(communities, (r) => `${r.community_id}|${r.date}`),
  };
}

/** Live rollups (subscriber + daily job) after a random workload, then a rebuild from the sources: the same rows. */
export async function expectRebuildEqualsLive(s: TestServer, seed: number, steps?: number) {
  const { from, to } = await randomWorkload(s, seed, steps);
  const now = () => s.ctx.clock.now();
  for (let d = from; d <= to; d = addDays(d, 1)) await rollupDay(s.ctx.db.db, d, now().toISOString());
  const live = await rollupSnapshot(s, from, to);
  expect(Object.keys(live.counts).length).toBeGreaterThan(20);
  expect(Object.values(live.counts).some((r) => r.kind === 'leave')).toBe(true);
  const r = await rebuildStats(s.ctx.db.db, s.ctx.db.dialect, from, to, now);
  expect(r.activities).toBeGreaterThan(0);
  const rebuilt = await rollupSnapshot(s, from, to);
  expect(rebuilt.counts).toEqual(live.counts);
  expect(rebuilt.users).toEqual(live.users);
  expect(rebuilt.communities).toEqual(live.communities);
  expect(Object.keys(live.channels).length).toBeGreaterThan(0);
  expect(Object.keys(live.periods).length).toBeGreaterThan(0);
  expect(Object.values(live.counts).some((r) => r.kind === '*')).toBe(true);
  expect(Object.keys(live.years).length).toBeGreaterThan(0);
  expect(rebuilt.years).toEqual(live.years);
  expect(rebuilt.channels).toEqual(live.channels);
  expect(rebuilt.periods).toEqual(live.periods);
  expect(rebuilt.communityPeriods).toEqual(live.communityPeriods);
  return { from, to, live };
}
