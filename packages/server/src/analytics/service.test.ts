import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FactsLoader } from '../communities/facts';
import type { HostUser } from '../host/ports';
import type { Viewer } from '../host/viewer';
import { parseConfig } from '../platform/config';
import { connect, type Db } from '../platform/db/connect';
import { migrateToLatest } from '../platform/db/migrate';
import { inTransaction } from '../platform/db/transaction';

import { applyBatch, RollupBatch, type Activity, type RollupKind } from './rollup';
import { AnalyticsService } from './service';
import { addDays, localSlots, utcDate } from './tz';

const now = Date.parse('2026-12-01T12:00:00Z');
const at = new Date(now).toISOString();
const user = (id: number, isAdmin = false): HostUser => ({
  id,
  name: `u${id}`,
  username: null,
  email: null,
  avatarUrl: null,
  roleName: 'user',
  globalRole: isAdmin ? 'admin' : 'student',
  isAdmin,
  state: 'active',
  locale: null,
  timezone: null,
});
const viewer = (id: number, isAdmin = false): Viewer => ({
  actor: { userId: id, globalRole: isAdmin ? 'admin' : 'student', isAdmin },
  user: user(id, isAdmin),
  authMethod: 'jwt',
});

/**
 * Calendars read each day's `*` row whole (SQLite: from the partial index of migration 0017) and
 * of its per-kind rows all but one, the last being the `*` row minus the others. Checked here
 * against counts taken straight from the activities, for days of several kinds split by a local
 * midnight at +05:30 and -03:30, and for days of one kind.
 */
describe('heatmaps from the `*` rows and all but one kind per day', () => {
  let d: Db;
  let svc: AnalyticsService;
  const acts: Activity[] = [];
  const kinds: RollupKind[] = ['message', 'post', 'comment', 'reaction', 'course_completion'];

  beforeAll(async () => {
    d = connect('sqlite::memory:');
    await migrateToLatest(d);
    for (const c of [1, 2])
      d.sqlite!.prepare(
        `insert into communities (id, owner_id, name, slug, description, visibility, status, settings, member_count, created_at, updated_at) values (?, 1, ?, ?, '', 'public', 'active', '{}', 0, ?, ?)`,
      ).run(c, `C${c}`, `c${c}`, at, at);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 3000; i++) {
      // Member 5 in communities 1 and 2, others in 1; a third of the days one kind only (messages).
      const day = Math.floor(rnd() * 60);
      const kind = day % 3 === 0 ? 'message' : kinds[Math.floor(rnd() * kinds.length)]!;
      acts.push({
        kind,
        userId: 5 + Math.floor(rnd() * 3),
        communityId: 1 + Math.floor(rnd() * 2),
        channelId: 1,
        at: now - day * 86_400_000 - Math.floor(rnd() * 86_400_000),
      });
    }
    for (let i = 0; i < acts.length; i += 250) {
      const batch = new RollupBatch();
      for (const a of acts.slice(i, i + 250)) batch.add(a);
      await inTransaction(d.db, (trx) => applyBatch(trx, batch, at, 'sqlite'));
    }
    const facts = new FactsLoader(d.db, { now: () => new Date(now) }, { communities: parseConfig({}).communities, pricingOn: false });
    svc = new AnalyticsService({
      db: d.db,
      dialect: 'sqlite',
      facts,
      host: {
        identities: {
          getUsers: async (ids) => new Map(ids.map((i) => [i, user(i)])),
          getUser: async (i) => user(i),
          searchUsers: async () => [],
          admins: async () => [],
        },
      },
      now: () => new Date(now),
      showByDefault: [],
    });
  });
  afterAll(() => d.destroy());

  /** The calendar straight from the activities: per local day its count and kinds, and the weekday × hour grid. */
  const expected = (tz: string, from: string, to: string, keep: (a: Activity) => boolean) => {
    const days = new Map<string, { count: number; kinds: Record<string, number> }>();
    const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    for (const a of acts.filter(keep)) {
      const slot = localSlots(tz, utcDate(a.at))[Math.floor((a.at % 86_400_000) / 900_000)]!;
      if (slot.date < from || slot.date > to) continue;
      let day = days.get(slot.date);
      if (!day) days.set(slot.date, (day = { count: 0, kinds: {} }));
      day.count++;
      day.kinds[a.kind] = (day.kinds[a.kind] ?? 0) + 1;
      grid[slot.weekday]![slot.hour]!++;
    }
    return { days: [...days].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([date, v]) => ({ date, ...v })), grid };
  };

  for (const tz of ['Asia/Kolkata', 'America/St_Johns'])
    it(`a member's and a community's calendar and grid equal the activities' (${tz})`, async () => {
      const to = utcDate(now);
      const from = addDays(to, -40);
      const q = { from, to, tz };
      const mine = await svc.userHeatmap(viewer(5), 5, q);
      const want = expected(tz, from, to, (a) => a.userId === 5);
      expect(mine.days).toEqual(want.days);
      expect(mine.grid).toEqual(want.grid);
      expect(mine.days.some((day) => Object.keys(day.kinds).length >= 3)).toBe(true);
      expect(mine.days.some((day) => Object.keys(day.kinds).length === 1)).toBe(true);
      const community = await svc.communityHeatmap(viewer(999, true), '2', q);
      const wantC = expected(tz, from, to, (a) => a.communityId === 2);
      expect(community.days).toEqual(wantC.days);
      expect(community.grid).toEqual(wantC.grid);
      const page = await svc.communityAnalytics(viewer(999, true), '1', { period: 'day', top: 3, ...q });
      const inOne = expected(tz, from, to, (a) => a.communityId === 1);
      expect(page.totals.posts).toBe(inOne.days.reduce((n, day) => n + (day.kinds.post ?? 0), 0));
      expect(page.totals.messages).toBe(inOne.days.reduce((n, day) => n + (day.kinds.message ?? 0), 0));
    });

  it('reads the `*` rows from the partial index alone on SQLite', () => {
    const plan = d
      .sqlite!.prepare(
        `explain query plan select community_id, date, kind, total, quarters from activity_counts where user_id = ? and kind = '*' and date >= ? and date <= ? and community_id in (1, 2)`,
      )
      .all(5, '2026-01-01', '2026-12-31') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('COVERING INDEX activity_counts__star_ix');
  });
});
