import {
  ACTIVITY_KINDS,
  ACTIVITY_MAX_DAYS,
  ANALYTICS_SERIES_FIELDS,
  isTimeZone,
  type ActivityKind,
  type AdminAnalytics,
  type AnalyticsPoint,
  type AnalyticsSeriesField,
  type CommunityAnalytics,
  type Heatmap,
  type HeatmapSettings,
  type MemberActivity,
} from '@communities/contract';
import { sql, type AliasedRawBuilder, type ExpressionBuilder } from 'kysely';

import { assertCan, can, type Actor } from '../access';
import { parseSettings, type FactsLoader } from '../communities/facts';
import { userSummary } from '../communities/presenters';
import type { HostPorts } from '../host/ports';
import type { Viewer } from '../host/viewer';
import type { DialectName } from '../platform/db/connect';
import type { Database } from '../platform/db/schema';
import type { DbHandle } from '../platform/db/transaction';
import { forbidden, invalid, notFound } from '../platform/errors';

import { ACTIVE_KINDS, ALL, HEATMAP_KINDS, type RollupKind } from './rollup';
import {
  addDays,
  base36At,
  CUM_WIDTH,
  cumAt,
  dayNumber,
  dayOfYear,
  daysBetween,
  eachQuarter,
  runningSums,
  localDaySegments,
  localDayStartMs,
  localSegments,
  localSlots,
  localToday,
  utcDate,
  weekday,
  YEAR_DAYS,
  YEAR_WIDTH,
} from './tz';

export interface AnalyticsDeps {
  db: DbHandle;
  dialect: DialectName;
  facts: FactsLoader;
  host: Pick<HostPorts, 'identities'>;
  now: () => Date;
  /** Global roles whose heatmap fellow members see unless they hide it (config heatmap.show_activity_by_default). */
  showByDefault: ReadonlyArray<'admin' | 'instructor' | 'student'>;
}

interface Range {
  from: string;
  to: string;
  tz: string;
}

type Totals = Record<AnalyticsSeriesField, number>;
const zeroTotals = (): Totals => Object.fromEntries(ANALYTICS_SERIES_FIELDS.map((f) => [f, 0])) as Totals;
const FIELD_OF: Partial<Record<RollupKind, AnalyticsSeriesField>> = {
  message: 'messages',
  post: 'posts',
  comment: 'comments',
  reaction: 'reactions',
  course_completion: 'course_completions',
  join: 'new_members',
  leave: 'left_members',
  join_request: 'join_requests',
};

/** A rollup row as read: its total and the running sum before any quarter the read needs. */
interface CountRow {
  communityId: number;
  date: string;
  kind: string;
  total: number;
  at: (q: number) => number;
}

const csvCell = (v: unknown): string => {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v == null ? '' : JSON.stringify(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/** Heatmaps, insights and the site-wide analytics, read from the rollups (see rollup.ts). */
/** Rollup rows of these communities: `=` for one, `in` for several (the three reads of activity_counts share it). */
const inCommunities = (ids: number[]) => (eb: ExpressionBuilder<Database, 'activity_counts'>) =>
  ids.length === 1 ? eb('community_id', '=', ids[0]!) : eb('community_id', 'in', ids);

export class AnalyticsService {
  constructor(private readonly d: AnalyticsDeps) {}

  private get db(): DbHandle {
    return this.d.db;
  }

  /** The viewer's range: `tz` or their users.timezone (else UTC); `to` today there; at most ACTIVITY_MAX_DAYS. */
  range(viewer: Viewer, q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined }, defaultDays: number): Range {
    const own = viewer.user.timezone;
    const tz = q.tz ?? (own && isTimeZone(own) ? own : 'UTC');
    const to = q.to ?? localToday(tz, this.d.now().getTime());
    const from = q.from ?? addDays(to, -(defaultDays - 1));
    if (from > to) throw invalid('from', '`from` must not be after `to`', 'range');
    if (daysBetween(from, to) + 1 > ACTIVITY_MAX_DAYS) throw invalid('from', `at most ${ACTIVITY_MAX_DAYS} days`, 'range');
    return { from, to, tz };
  }

  // ---- heatmaps ----

  private emptyHeatmap(subject: Heatmap['subject'], communityId: number | null, r: Range, kinds: ActivityKind[]): Heatmap {
    return {
      subject,
      community_id: communityId,
      from: r.from,
      to: r.to,
      timezone: r.tz,
      kinds,
      days: [],
      grid: Array.from({ length: 7 }, () => Array<number>(24).fill(0)),
      total: 0,
      max_day: 0,
    };
  }

  /**
   * The points where a UTC date of [from − 1, to + 1] splits into two local days in tz (none for
   * UTC), so per-kind rows are read as two or three numbers each rather than whole.
   */
  private splits(r: Range): number[] {
    const key = `${r.tz}|${r.from}|${r.to}`;
    const known = this.splitCache.get(key);
    if (known) return known;
    const out = new Set<number>();
    for (let d = addDays(r.from, -1); d <= addDays(r.to, 1); d = addDays(d, 1))
      for (const seg of localDaySegments(r.tz, d)) if (seg.to < 96) out.add(seg.to);
    const sorted = [...out].sort((a, b) => a - b);
    if (this.splitCache.size >= 1000) this.splitCache.clear();
    this.splitCache.set(key, sorted);
    return sorted;
  }
  /** splits() per time zone and range (a pure function of them; ~370 days of tz arithmetic each). */
  private readonly splitCache = new Map<string, number[]>();

  /**
   * Rows of `activity_counts` for [from − 1, to + 1] (UTC dates around the local range), read
   * as the subject's index gives them: `full` brings the whole running sums (for grids and
   * hours), otherwise only the running sums at the local-day splits. `dates`: only those dates.
   */
  private async countRows(
    r: Range,
    where: { userId?: number; communityIds: number[] | null; kinds: string[]; dates?: string[] },
    full: boolean,
  ): Promise<CountRow[]> {
    const splits = full ? [] : this.splits(r);
    const many = splits.length > 3;
    let q = this.db.selectFrom('activity_counts').select(['community_id', 'date', 'kind', 'total']);
    q = where.dates ? q.where('date', 'in', where.dates) : q.where('date', '>=', addDays(r.from, -1)).where('date', '<=', addDays(r.to, 1));
    if (where.userId !== undefined) q = q.where('user_id', '=', where.userId);
    q = where.kinds.length === 1 ? q.where('kind', '=', where.kinds[0]!) : q.where('kind', 'in', where.kinds);
    if (where.communityIds !== null) q = q.where(inCommunities(where.communityIds));
    // SQLite's substr counts characters from the start of a text; over the text's bytes (a
    // blob: the encodings are ASCII) it seeks, so a split deep in the row costs no walk.
    const sqlite = this.d.dialect === 'sqlite';
    const picks: Array<AliasedRawBuilder<string, string>> =
      full || many
        ? [sql<string>`cum`.as('cum')]
        : splits.map((at, i) =>
            (sqlite
              ? sql<string>`cast(substr(cast(cum as blob), ${sql.lit((at - 1) * CUM_WIDTH + 1)}, ${sql.lit(CUM_WIDTH)}) as text)`
              : sql<string>`substr(cum, ${sql.lit((at - 1) * CUM_WIDTH + 1)}, ${sql.lit(CUM_WIDTH)})`
            ).as(`p${i}`),
          );
    const rows = (await q.select(picks).execute()) as Array<
      Record<string, unknown> & { community_id: number | string; date: string; kind: string; total: number | string }
    >;
    return rows.map((row) => {
      const total = Number(row.total);
      const communityId = Number(row.community_id);
      if (typeof row.cum === 'string') {
        const cum = row.cum;
        return { communityId, date: row.date, kind: row.kind, total, at: (qq: number) => (qq >= 96 ? total : cumAt(cum, qq)) };
      }
      const vals = splits.map((_, i) => base36At(String(row[`p${i}`]), 0, CUM_WIDTH));
      return {
        communityId,
        date: row.date,
        kind: row.kind,
        total,
        at: (qq: number) => (qq <= 0 ? 0 : qq >= 96 ? total : vals[splits.indexOf(qq)]!),
      };
    });
  }

  /**
   * A subject's `*` rows for [from − 1, to + 1], whole: their sparse quarters turned into running
   * sums. `kind = '*'` is written out (not bound), so SQLite reads them from the partial index of
   * the `*` rows (migration 0017) alone: a few dozen adjacent pages rather than a page per date.
   */
  private async starRows(r: Range, where: { userId: number; communityIds: number[] | null }): Promise<CountRow[]> {
    let q = this.db
      .selectFrom('activity_counts')
      .select(['community_id', 'date', 'kind', 'total', 'quarters'])
      .where('user_id', '=', where.userId)
      .where(sql<boolean>`kind = ${sql.lit(ALL)}`)
      .where('date', '>=', addDays(r.from, -1))
      .where('date', '<=', addDays(r.to, 1));
    if (where.communityIds !== null) q = q.where(inCommunities(where.communityIds));
    const rows = await q.execute();
    const sums = new Int32Array(97 * rows.length);
    return rows.map((row, i) => {
      const base = 97 * i;
      runningSums(row.quarters, sums, base);
      return {
        communityId: Number(row.community_id),
        date: row.date,
        kind: ALL,
        total: Number(row.total),
        at: (qq: number) => sums[base + (qq <= 0 ? 0 : qq >= 96 ? 96 : qq)]!,
      };
    });
  }

  /**
   * The `*` rows whole and the rows of `kinds` (their local-day splits). A `*` row is the sum of
   * its user, community and date's heatmap-kind rows, so of those only all but one are read: which
   * exist comes from the index (user_id, kind, community_id, date) alone, and the last kind of
   * each day is its `*` row minus the others. A member who did one kind of thing that day costs
   * one row read, not two (each row is a page of its own once the table is large). Kinds outside
   * the `*` rows (membership) are read as they are.
   */
  private async starAndKinds(
    r: Range,
    where: { userId: number; communityIds: number[] | null },
    kinds: string[],
  ): Promise<[CountRow[], CountRow[]]> {
    const summed = kinds.filter((k) => HEATMAP_KINDS.includes(k as RollupKind));
    const apart = kinds.filter((k) => !HEATMAP_KINDS.includes(k as RollupKind));
    let keys = this.db
      .selectFrom('activity_counts')
      .select(['community_id', 'date', 'kind'])
      .where('user_id', '=', where.userId)
      .where('kind', 'in', HEATMAP_KINDS)
      .where('date', '>=', addDays(r.from, -1))
      .where('date', '<=', addDays(r.to, 1));
    if (where.communityIds !== null) keys = keys.where(inCommunities(where.communityIds));
    const [star, present, apartRows] = await Promise.all([
      this.starRows(r, where),
      summed.length ? keys.execute() : Promise.resolve([]),
      apart.length ? this.countRows(r, { ...where, kinds: apart }, false) : Promise.resolve([]),
    ]);
    const starOf = new Map(star.map((row) => [`${row.communityId}|${row.date}`, row]));
    // Per community and date, its kinds in HEATMAP_KINDS order; all but the last are read
    // (all of them if its `*` row is missing, which the rollups never leave so).
    const days = new Map<string, string[]>();
    for (const k of present) {
      const key = `${Number(k.community_id)}|${k.date}`;
      const list = days.get(key);
      if (list) list.push(k.kind);
      else days.set(key, [k.kind]);
    }
    const toRead = new Map<string, { communities: Set<number>; dates: Set<string> }>();
    const wanted = new Set<string>();
    for (const [key, list] of days) {
      if (list.length === 1 && starOf.has(key)) continue;
      list.sort((a, b) => HEATMAP_KINDS.indexOf(a as RollupKind) - HEATMAP_KINDS.indexOf(b as RollupKind));
      const read = starOf.has(key) ? list.slice(0, -1) : list;
      const [c, date] = key.split('|');
      for (const kind of read) {
        let t = toRead.get(kind);
        if (!t) toRead.set(kind, (t = { communities: new Set(), dates: new Set() }));
        t.communities.add(Number(c));
        t.dates.add(date!);
        wanted.add(`${key}|${kind}`);
      }
    }
    const read = (
      await Promise.all(
        [...toRead].map(([kind, t]) =>
          this.countRows(r, { userId: where.userId, communityIds: [...t.communities], kinds: [kind], dates: [...t.dates] }, false),
        ),
      )
    )
      .flat()
      // The IN lists' cross product may bring a kind's row on a day it is the derived one.
      .filter((row) => wanted.has(`${row.communityId}|${row.date}|${row.kind}`));
    const readOf = new Map<string, CountRow[]>();
    for (const row of read) {
      const key = `${row.communityId}|${row.date}`;
      const list = readOf.get(key);
      if (list) list.push(row);
      else readOf.set(key, [row]);
    }
    const rows: CountRow[] = [...read, ...apartRows];
    for (const [key, list] of days) {
      const whole = starOf.get(key);
      if (!whole) continue;
      const others = readOf.get(key);
      const kind = list.at(-1)!;
      rows.push(
        others
          ? {
              communityId: whole.communityId,
              date: whole.date,
              kind,
              total: others.reduce((n, o) => n - o.total, whole.total),
              at: (qq: number) => others.reduce((n, o) => n - o.at(qq), whole.at(qq)),
            }
          : { ...whole, kind },
      );
    }
    const asked = new Set(kinds);
    return [star, rows.filter((row) => asked.has(row.kind))];
  }

  /** Adds count rows to a heatmap: day counts and kinds from the local-day splits; the grid from whole rows. */
  private addRows(
    h: Heatmap,
    days: Map<string, { count: number; kinds: Record<string, number> }>,
    rows: CountRow[],
    o: { counts: boolean; kinds: boolean; grid: boolean },
  ): void {
    const lo = dayNumber(h.from);
    const hi = dayNumber(h.to);
    for (const row of rows) {
      if (o.counts || o.kinds)
        for (const seg of localDaySegments(h.timezone, row.date)) {
          if (seg.day < lo || seg.day > hi) continue;
          const n = row.at(seg.to) - row.at(seg.from);
          if (n === 0) continue;
          let day = days.get(seg.date);
          if (!day) days.set(seg.date, (day = { count: 0, kinds: {} }));
          if (o.counts) {
            day.count += n;
            h.total += n;
          }
          if (o.kinds) day.kinds[row.kind] = (day.kinds[row.kind] ?? 0) + n;
        }
      if (o.grid)
        for (const seg of localSegments(h.timezone, row.date)) {
          if (seg.day < lo || seg.day > hi) continue;
          const n = row.at(seg.to) - row.at(seg.from);
          if (n) h.grid[seg.weekday]![seg.hour]! += n;
        }
    }
  }

  /**
   * A heatmap from the rollups: with every kind, one `*` row per day and community gives the
   * calendar's counts and the grid, and the per-kind rows only their local-day splits (a few
   * numbers each); with some kinds, those kinds' rows whole.
   */
  private async heatmapOf(
    h: Heatmap,
    r: Range,
    where: { userId: number; communityIds: number[] | null },
    everyKind: boolean,
  ): Promise<Heatmap> {
    const days = new Map<string, { count: number; kinds: Record<string, number> }>();
    if (everyKind) {
      const [star, perKind] = await this.starAndKinds(r, where, h.kinds);
      this.addRows(h, days, star, { counts: true, kinds: false, grid: true });
      this.addRows(h, days, perKind, { counts: false, kinds: true, grid: false });
    } else this.addRows(h, days, await this.countRows(r, { ...where, kinds: h.kinds }, true), { counts: true, kinds: true, grid: true });
    h.days = [...days.entries()]
      .filter(([, v]) => v.count > 0)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([date, v]) => ({ date, ...v }));
    h.max_day = h.days.reduce((m, d) => Math.max(m, d.count), 0);
    return h;
  }

  /** Whether `target` lets fellow members see their heatmap: their own choice, else the school's default for their role. */
  private async showsActivity(userId: number): Promise<{ show: boolean; isDefault: boolean }> {
    const row = await this.db.selectFrom('activity_profiles').select('show_activity').where('user_id', '=', userId).executeTakeFirst();
    if (row) return { show: Number(row.show_activity) === 1, isDefault: false };
    const user = await this.d.host.identities.getUser(userId);
    return { show: user ? this.d.showByDefault.includes(user.globalRole) : false, isDefault: true };
  }

  /**
   * A member's heatmap. The member sees everything (DMs too); anyone else only community slices
   * they may see: site admins every community, owners and moderators (analytics.view) theirs,
   * fellow members (members.list) when the member shows their activity. Nothing visible: 404.
   */
  async userHeatmap(
    viewer: Viewer,
    userId: number,
    q: { from?: string; to?: string; tz?: string; kinds?: ActivityKind[]; community_id?: number },
  ): Promise<Heatmap> {
    const r = this.range(viewer, q, 365);
    const actor = viewer.actor;
    const self = actor.userId === userId;
    const kinds = (q.kinds ?? [...ACTIVITY_KINDS]).filter((k) => self || k !== 'dm');
    let communities: number[] | null = null; // null: every row (self)
    if (self) {
      if (q.community_id !== undefined) communities = [q.community_id];
    } else {
      const target = await this.d.host.identities.getUser(userId);
      if (!target) throw notFound();
      const candidates =
        q.community_id !== undefined
          ? [q.community_id]
          : [
              ...new Set(
                [
                  ...(await this.db.selectFrom('community_members').select('community_id').where('user_id', '=', userId).execute()),
                  ...(await this.db
                    .selectFrom('activity_counts')
                    .select('community_id')
                    .distinct()
                    .where('user_id', '=', userId)
                    .where('community_id', '>', 0)
                    .where('date', '>=', addDays(r.from, -1))
                    .where('date', '<=', addDays(r.to, 1))
                    .execute()),
                ].map((x) => Number(x.community_id)),
              ),
            ];
      const shows = actor.isAdmin ? null : (await this.showsActivity(userId)).show;
      communities = [];
      for (const c of candidates) if (await this.maySeeMember(actor, c, shows)) communities.push(c);
      if (communities.length === 0 && !actor.isAdmin) throw notFound();
      if (communities.length === 0 && q.community_id !== undefined) throw notFound();
    }
    const h = this.emptyHeatmap({ type: 'user', id: userId }, q.community_id ?? null, r, kinds);
    if (kinds.length === 0 || (communities !== null && communities.length === 0)) return h;
    // Every kind this viewer may see: the `*` rows (they hold DMs only in community 0, the member's own).
    const everyKind = ACTIVITY_KINDS.every((k) => kinds.includes(k) || (!self && k === 'dm'));
    // Your own, everywhere: the communities (and 0) you have rows in, so the reads seek per community and date.
    if (communities === null)
      communities = (
        await this.db
          .selectFrom('activity_counts')
          .select('community_id')
          .distinct()
          .where('user_id', '=', userId)
          .where('kind', '=', ALL)
          .execute()
      ).map((x) => Number(x.community_id));
    if (communities.length === 0) return h;
    return this.heatmapOf(h, r, { userId, communityIds: communities }, everyKind);
  }

  /** One community slice of someone's heatmap: admin, analytics.view, or a fellow member when they show it. Hidden: no. */
  private async maySeeMember(actor: Actor, communityId: number, shows: boolean | null): Promise<boolean> {
    let f;
    try {
      f = await this.d.facts.forCommunity(actor, communityId);
    } catch {
      return false;
    }
    if (actor.isAdmin || can(actor, 'admin.view_community_analytics', f.access).allowed) return true;
    if (!can(actor, 'community.view', f.access).allowed) return false;
    if (can(actor, 'analytics.view', f.access).allowed) return true;
    return shows === true && can(actor, 'members.list', f.access).allowed && f.membership !== null;
  }

  /**
   * The community and the caller's right to its insights: owners, moderators, view_analytics
   * roles, site admins and host roles granted view_community_analytics (hidden: 404 to others).
   */
  private async insightCommunity(actor: Actor, ref: string): Promise<{ id: number }> {
    const { community, access } = await this.d.facts.forCommunity(actor, ref);
    if (!can(actor, 'admin.view_community_analytics', access).allowed) assertCan(actor, 'analytics.view', access);
    return { id: community.id };
  }

  async communityHeatmap(
    viewer: Viewer,
    ref: string,
    q: { from?: string; to?: string; tz?: string; kinds?: ActivityKind[] },
  ): Promise<Heatmap> {
    const c = await this.insightCommunity(viewer.actor, ref);
    const r = this.range(viewer, q, 365);
    const kinds = (q.kinds ?? [...ACTIVITY_KINDS]).filter((k) => k !== 'dm');
    const h = this.emptyHeatmap({ type: 'community', id: c.id }, c.id, r, kinds);
    if (kinds.length === 0) return h;
    return this.heatmapOf(h, r, { userId: 0, communityIds: [c.id] }, kinds.length === ACTIVITY_KINDS.length - 1);
  }

  // ---- analytics ----

  private bucketOf(period: 'day' | 'week' | 'month', date: string, from: string): string {
    const start = period === 'day' ? date : period === 'week' ? addDays(date, -weekday(date)) : `${date.slice(0, 7)}-01`;
    return start < from ? from : start;
  }

  async communityAnalytics(
    viewer: Viewer,
    ref: string,
    q: { period: 'day' | 'week' | 'month'; from?: string; to?: string; tz?: string; top: number },
  ): Promise<CommunityAnalytics> {
    const c = await this.insightCommunity(viewer.actor, ref);
    const r = this.range(viewer, q, 30);
    const { from, to, tz } = r;
    const fromDay = dayNumber(from);
    const toDay = dayNumber(to);
    const series = new Map<string, Totals>();
    // Each local day of the range → its bucket's totals, by day number (the loops index these).
    const bucketRows: Totals[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) {
      const key = this.bucketOf(q.period, d, from);
      if (!series.has(key)) series.set(key, zeroTotals());
      bucketRows.push(series.get(key)!);
    }
    const totals = zeroTotals();
    const hours = Array<number>(24).fill(0);

    // The community's counts per kind (local-day splits only) and over all activity kinds (whole, for the hours).
    const [starRows, kindRows] = await this.starAndKinds(r, { userId: 0, communityIds: [c.id] }, Object.keys(FIELD_OF));
    for (const row of kindRows) {
      const field = FIELD_OF[row.kind as RollupKind]!;
      for (const seg of localDaySegments(tz, row.date)) {
        if (seg.day < fromDay || seg.day > toDay) continue;
        const n = row.at(seg.to) - row.at(seg.from);
        bucketRows[seg.day - fromDay]![field] += n;
        totals[field] += n;
      }
    }
    for (const row of starRows)
      for (const seg of localSegments(tz, row.date)) {
        if (seg.day < fromDay || seg.day > toDay) continue;
        hours[seg.hour]! += row.at(seg.to) - row.at(seg.from);
      }

    // Distinct members (UTC dates standing for the local days): per bucket, over the range, over the last 1–90 days.
    // One pass over the member-year rows serves the range, the 7/30/90-day windows and the buckets cut by the range.
    const partial = await this.bucketActives(c.id, q.period, series, from, to);
    // The UTC dates the local range touches (a viewer behind UTC has today's activity on tomorrow's UTC date).
    const uFrom = utcDate(localDayStartMs(tz, from));
    const uTo = utcDate(localDayStartMs(tz, addDays(to, 1)) - 1);
    const [contributions, s7, s30, s90, ...cut] = await this.memberSums(c.id, [
      [uFrom, uTo],
      [addDays(uTo, -6), uTo],
      [addDays(uTo, -29), uTo],
      [addDays(uTo, -89), uTo],
      ...partial,
    ]);
    partial.forEach(([key], i) => (series.get(key)!.active_members = cut[i]!.size));
    totals.active_members = contributions!.size;
    const [a1, a7, a30, a90] = [await this.dayActives(c.id, to), s7!.size, s30!.size, s90!.size];

    // Points: per UTC date (the daily job writes them from the ledger).
    const pointRows = await this.db
      .selectFrom('community_activity_stats')
      .select(['date', 'points'])
      .where('community_id', '=', c.id)
      .where('date', '>=', from)
      .where('date', '<=', to)
      .execute();
    for (const p of pointRows) {
      bucketRows[dayNumber(p.date) - fromDay]!.points += Number(p.points);
      totals.points += Number(p.points);
    }

    const top = [...contributions!].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, q.top);
    const [users, retention, channels] = await Promise.all([
      this.d.host.identities.getUsers(top.map(([u]) => u)),
      this.retention(c.id, from, to),
      this.busiestChannels(c.id, r, q.top),
    ]);

    return {
      community_id: c.id,
      period: q.period,
      from,
      to,
      timezone: tz,
      series: [...series.entries()].map(([start, t]) => ({ start, ...t })),
      totals,
      actives: { d1: a1, d7: a7, d30: a30, d90: a90 },
      top_contributors: top.map(([u, count]) => ({ user: userSummary(u, users), count })),
      busiest_channels: channels,
      busiest_hours: hours,
      retention,
    };
  }

  /**
   * Activity this week: each current member's actions over the last 7 local days (UTC dates
   * standing for them, as for contributions), busiest first, from member_activity_years (two
   * numbers per member). Owners, moderators (analytics.view), admins and view_community_analytics
   * roles see everyone; members only when the owner enables `show_member_activity`, and then only
   * those who show their activity (the heatmap's rule), and themselves.
   */
  async memberActivity(viewer: Viewer, ref: string, q: { tz?: string; limit: number }): Promise<MemberActivity> {
    const actor = viewer.actor;
    const { community, access, membership } = await this.d.facts.forCommunity(actor, ref);
    const staff =
      actor.isAdmin || can(actor, 'admin.view_community_analytics', access).allowed || can(actor, 'analytics.view', access).allowed;
    if (!staff) {
      // A roster of members: none for members while the owner hides the member list.
      assertCan(actor, 'members.browse', access);
      // Fellow members only: a public community's member list is open to anyone, this is not.
      if (!membership) throw forbidden('Only members see activity this week', 'not_a_member');
      if (!parseSettings(community.settings).show_member_activity)
        throw forbidden('The owner has not turned on activity this week for members', 'member_activity_off');
    }
    const r = this.range(viewer, { tz: q.tz }, 7);
    const uFrom = utcDate(localDayStartMs(r.tz, r.from));
    const uTo = utcDate(localDayStartMs(r.tz, addDays(r.to, 1)) - 1);
    const [sums] = await this.memberSums(community.id, [[uFrom, uTo]]);
    let ids = [...sums!.keys()];
    // Current members only (who left is not on the members page).
    const current = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('community_members')
        .select('user_id')
        .where('community_id', '=', community.id)
        .where('user_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) current.add(Number(row.user_id));
    }
    ids = ids.filter((u) => current.has(u));
    const users = await this.d.host.identities.getUsers(ids);
    let hidden = 0;
    if (!staff) {
      const choices = new Map<number, boolean>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await this.db
          .selectFrom('activity_profiles')
          .select(['user_id', 'show_activity'])
          .where('user_id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const row of rows) choices.set(Number(row.user_id), Number(row.show_activity) === 1);
      }
      const shown = (u: number) => {
        if (u === actor.userId) return true;
        const own = choices.get(u);
        if (own !== undefined) return own;
        const user = users.get(u);
        return user ? this.d.showByDefault.includes(user.globalRole) : false;
      };
      const visible = ids.filter(shown);
      hidden = ids.length - visible.length;
      ids = visible;
    }
    const items = ids
      .map((u) => [u, sums!.get(u)!] as const)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, q.limit)
      .map(([u, count]) => ({ user: userSummary(u, users), count }));
    return { community_id: community.id, from: r.from, to: r.to, timezone: r.tz, items, hidden };
  }

  /** Distinct active members of a UTC date (kept live by the rollups). */
  private async dayActives(communityId: number, date: string): Promise<number> {
    const row = await this.db
      .selectFrom('community_activity_stats')
      .select('active_members')
      .where('community_id', '=', communityId)
      .where('date', '=', date)
      .executeTakeFirst();
    return Number(row?.active_members ?? 0);
  }

  /**
   * Each member's activity in the community over UTC date ranges: per member and UTC year, two
   * lookups in the running sums of member_activity_years (read as a few numbers per member,
   * all ranges at once). A map's size is the distinct active members of its range.
   */
  private async memberSums(communityId: number, ranges: Array<[string, string]>): Promise<Array<Map<number, number>>> {
    const out = ranges.map(() => new Map<number, number>());
    const lo = ranges.reduce((m, [f]) => (f < m ? f : m), ranges[0]![0]);
    const hi = ranges.reduce((m, [, t]) => (t > m ? t : m), ranges[0]![1]);
    for (let year = Number(lo.slice(0, 4)); year <= Number(hi.slice(0, 4)); year++) {
      // Per range, the running sums it needs in this year: [before its first day, its last day] (-1: zero).
      const first = `${year}-01-01`;
      const last = `${year}-12-31`;
      const spans = ranges.map(([f, t]) =>
        t < first || f > last ? null : ([f <= first ? -1 : dayOfYear(f) - 1, t >= last ? YEAR_DAYS - 1 : dayOfYear(t)] as const),
      );
      const positions = [...new Set(spans.flatMap((sp) => (sp ? sp.filter((x) => x >= 0) : [])))];
      if (positions.length === 0) continue;
      // SQLite reads one run of the running sums, from the first position needed to the last
      // (one string per row: six small ones cost more to hand over than one of a few hundred
      // characters), cut from the row's bytes: substr over a text counts characters from its
      // start (a run at December walked ~1,700 of them per row), over a blob it seeks. The
      // server dialects send only the numbers.
      const run = this.d.dialect === 'sqlite';
      const lo = Math.min(...positions);
      const hi = Math.max(...positions);
      const picks: Array<AliasedRawBuilder<string, string>> = run
        ? [
            sql<string>`cast(substr(cast(cum as blob), ${sql.lit(lo * YEAR_WIDTH + 1)}, ${sql.lit((hi - lo + 1) * YEAR_WIDTH)}) as text)`.as(
              'run',
            ),
          ]
        : positions.map((pos, i) => sql<string>`substr(cum, ${sql.lit(pos * YEAR_WIDTH + 1)}, ${sql.lit(YEAR_WIDTH)})`.as(`p${i}`));
      const rows = (await this.db
        .selectFrom('member_activity_years')
        .select(['user_id', ...picks])
        .where('community_id', '=', communityId)
        .where('year', '=', year)
        .execute()) as Array<Record<string, unknown> & { user_id: number | string }>;
      const index = new Map(positions.map((pos, i) => [pos, `p${i}`]));
      for (const row of rows) {
        const u = Number(row.user_id);
        const seg = run ? String(row.run) : '';
        const at = (pos: number) =>
          pos < 0 ? 0 : run ? base36At(seg, (pos - lo) * YEAR_WIDTH, YEAR_WIDTH) : parseInt(String(row[index.get(pos)!]), 36);
        spans.forEach((sp, i) => {
          if (!sp) return;
          const n = at(sp[1]) - at(sp[0]);
          if (n > 0) out[i]!.set(u, (out[i]!.get(u) ?? 0) + n);
        });
      }
    }
    return out;
  }

  /** Distinct active members per bucket: days and whole weeks and months from the stats rows; returns the buckets the range cuts (counted by the caller). */
  private async bucketActives(
    communityId: number,
    period: 'day' | 'week' | 'month',
    series: Map<string, Totals>,
    from: string,
    to: string,
  ): Promise<Array<[string, string]>> {
    if (period === 'day') {
      const rows = await this.db
        .selectFrom('community_activity_stats')
        .select(['date', 'active_members'])
        .where('community_id', '=', communityId)
        .where('date', '>=', from)
        .where('date', '<=', to)
        .execute();
      for (const row of rows) series.get(row.date)!.active_members = Number(row.active_members);
      return [];
    }
    const whole: string[] = [];
    const partial: Array<[string, string]> = [];
    for (const key of series.keys()) {
      const start = period === 'week' ? addDays(key, -weekday(key)) : `${key.slice(0, 7)}-01`;
      const end = period === 'week' ? addDays(start, 6) : utcDate(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)), 0));
      if (start === key && end <= to) whole.push(key);
      else partial.push([key, end < to ? end : to]);
    }
    if (whole.length) {
      const rows = await this.db
        .selectFrom('community_activity_periods')
        .select(['starts_on', 'active_members'])
        .where('community_id', '=', communityId)
        .where('period', '=', period)
        .where('starts_on', 'in', whole)
        .execute();
      for (const row of rows) series.get(row.starts_on)!.active_members = Number(row.active_members);
    }
    return partial;
  }

  /** Members who joined in [from, to] (UTC dates), and of them those active n or more days after joining. */
  private async retention(communityId: number, from: string, to: string): Promise<CommunityAnalytics['retention']> {
    const joins = await this.db
      .selectFrom('activity_counts')
      .select(['user_id', (eb) => eb.fn.min<string>('date').as('d')])
      .where('community_id', '=', communityId)
      .where('kind', '=', 'join')
      .where('date', '>=', from)
      .where('date', '<=', to)
      .where('user_id', '>', 0)
      .groupBy('user_id')
      .execute();
    const joined = new Map(joins.map((j) => [Number(j.user_id), dayNumber(j.d)]));
    const last = new Map<number, number>();
    const ids = [...joined.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('activity_counts')
        .select(['user_id', (eb) => eb.fn.max<string>('date').as('d')])
        .where('user_id', 'in', ids.slice(i, i + 500))
        .where('kind', '=', ALL)
        .where('community_id', '=', communityId)
        .where('date', '<=', to)
        .groupBy('user_id')
        .execute();
      for (const row of rows) last.set(Number(row.user_id), dayNumber(row.d));
    }
    const toDay = dayNumber(to);
    const of = (n: number) => {
      const cohort = [...joined].filter(([, d]) => d <= toDay - n);
      const retained = cohort.filter(([u, d]) => (last.get(u) ?? -Infinity) >= d + n).length;
      return { cohort: cohort.length, retained, rate: cohort.length ? retained / cohort.length : null };
    };
    return { d7: of(7), d30: of(30) };
  }

  /**
   * Messages per channel over the local range: the UTC dates wholly inside it summed in the
   * database, the four around its ends split at local midnight.
   */
  private async busiestChannels(communityId: number, r: Range, top: number): Promise<CommunityAnalytics['busiest_channels']> {
    const per = new Map<number, number>();
    const inner = [addDays(r.from, 1), addDays(r.to, -1)] as const;
    if (inner[0] <= inner[1]) {
      const rows = await this.db
        .selectFrom('channel_activity_counts')
        .select(['channel_id', (eb) => eb.fn.sum<number>('total').as('n')])
        .where('community_id', '=', communityId)
        .where('date', '>=', inner[0])
        .where('date', '<=', inner[1])
        .groupBy('channel_id')
        .execute();
      for (const row of rows) per.set(Number(row.channel_id), Number(row.n));
    }
    const edges = [...new Set([addDays(r.from, -1), r.from, r.to, addDays(r.to, 1)])].filter((d) => d < inner[0] || d > inner[1]);
    const lo = dayNumber(r.from);
    const hi = dayNumber(r.to);
    const edgeRows = await this.db
      .selectFrom('channel_activity_counts')
      .select(['channel_id', 'date', 'total', 'cum'])
      .where('community_id', '=', communityId)
      .where('date', 'in', edges)
      .execute();
    for (const row of edgeRows) {
      const total = Number(row.total);
      const at = (qq: number) => (qq >= 96 ? total : cumAt(row.cum, qq));
      let n = 0;
      for (const seg of localDaySegments(r.tz, row.date)) if (seg.day >= lo && seg.day <= hi) n += at(seg.to) - at(seg.from);
      if (n) per.set(Number(row.channel_id), (per.get(Number(row.channel_id)) ?? 0) + n);
    }
    const ranked = [...per]
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, top);
    if (ranked.length === 0) return [];
    const names = new Map(
      (
        await this.db
          .selectFrom('channels')
          .select(['id', 'name'])
          .where(
            'id',
            'in',
            ranked.map(([id]) => id),
          )
          .execute()
      ).map((ch) => [Number(ch.id), ch.name]),
    );
    return ranked.filter(([id]) => names.has(id)).map(([id, n]) => ({ channel: { id, name: names.get(id)! }, messages: n }));
  }

  async communityCsv(viewer: Viewer, ref: string, q: Parameters<AnalyticsService['communityAnalytics']>[2]): Promise<string> {
    const a = await this.communityAnalytics(viewer, ref, q);
    return toCsv(
      ['start', ...ANALYTICS_SERIES_FIELDS],
      a.series.map((p: AnalyticsPoint) => [p.start, ...ANALYTICS_SERIES_FIELDS.map((f) => p[f])]),
    );
  }

  /**
   * Site-wide, by community (site admins). Counts are exact local days; distinct actives are
   * counted over the UTC dates the range touches (one query, not one decode per member-day).
   */
  async adminAnalytics(viewer: Viewer, q: { from?: string; to?: string; tz?: string; limit: number }): Promise<AdminAnalytics> {
    assertCan(viewer.actor, 'admin.view_community_analytics', this.d.facts.baseContext());
    const r = this.range(viewer, q, 30);
    const per = new Map<number, Totals>();
    const lo = dayNumber(r.from);
    const hi = dayNumber(r.to);
    const rows = await this.db
      .selectFrom('activity_counts')
      .select(['community_id', 'date', 'kind', 'quarters'])
      .where('user_id', '=', 0)
      .where('community_id', '>', 0)
      .where('date', '>=', addDays(r.from, -1))
      .where('date', '<=', addDays(r.to, 1))
      .execute();
    const totals = zeroTotals();
    for (const row of rows) {
      const field = FIELD_OF[row.kind as RollupKind];
      if (!field) continue;
      const c = Number(row.community_id);
      let t = per.get(c);
      if (!t) per.set(c, (t = zeroTotals()));
      const slots = localSlots(r.tz, row.date);
      eachQuarter(row.quarters, (qi, n) => {
        const s = slots[qi]!;
        if (s.day < lo || s.day > hi) return;
        t[field] += n;
        totals[field] += n;
      });
    }
    const actives = await this.db
      .selectFrom('activity_counts')
      .select(['community_id', sql<number>`count(distinct user_id)`.as('n')])
      .where('user_id', '>', 0)
      .where('community_id', '>', 0)
      .where('date', '>=', r.from)
      .where('date', '<=', r.to)
      .where('kind', 'in', ACTIVE_KINDS)
      .groupBy('community_id')
      .execute();
    for (const a of actives) {
      const c = Number(a.community_id);
      let t = per.get(c);
      if (!t) per.set(c, (t = zeroTotals()));
      t.active_members = Number(a.n);
    }
    const site = await this.db
      .selectFrom('activity_counts')
      .select(sql<number>`count(distinct user_id)`.as('n'))
      .where('user_id', '>', 0)
      .where('community_id', '>', 0)
      .where('date', '>=', r.from)
      .where('date', '<=', r.to)
      .where('kind', 'in', ACTIVE_KINDS)
      .executeTakeFirst();
    totals.active_members = Number(site?.n ?? 0);
    const points = await this.db
      .selectFrom('community_activity_stats')
      .select(['community_id', (eb) => eb.fn.sum<number>('points').as('n')])
      .where('date', '>=', r.from)
      .where('date', '<=', r.to)
      .groupBy('community_id')
      .execute();
    for (const p of points) {
      const c = Number(p.community_id);
      const t = per.get(c);
      if (!t) continue;
      t.points = Number(p.n ?? 0);
      totals.points += t.points;
    }
    const ranked = [...per].sort((a, b) => b[1].active_members - a[1].active_members || b[1].messages - a[1].messages || a[0] - b[0]);
    const listed = ranked.slice(0, q.limit);
    const names = new Map(
      listed.length
        ? (
            await this.db
              .selectFrom('communities')
              .select(['id', 'slug', 'name'])
              .where(
                'id',
                'in',
                listed.map(([c]) => c),
              )
              .execute()
          ).map((c) => [Number(c.id), c])
        : [],
    );
    return {
      from: r.from,
      to: r.to,
      timezone: r.tz,
      totals,
      communities: listed
        .filter(([c]) => names.has(c))
        .map(([c, t]) => ({ community: { id: c, slug: names.get(c)!.slug, name: names.get(c)!.name }, ...t })),
    };
  }

  async adminCsv(viewer: Viewer, q: Parameters<AnalyticsService['adminAnalytics']>[1]): Promise<string> {
    const a = await this.adminAnalytics(viewer, q);
    return toCsv(
      ['community_id', 'slug', 'name', ...ANALYTICS_SERIES_FIELDS],
      a.communities.map((c) => [c.community.id, c.community.slug, c.community.name, ...ANALYTICS_SERIES_FIELDS.map((f) => c[f])]),
    );
  }

  // ---- settings ----

  async settings(viewer: Viewer): Promise<HeatmapSettings> {
    const s = await this.showsActivity(viewer.user.id);
    return { show_activity: s.show, is_default: s.isDefault };
  }

  async updateSettings(viewer: Viewer, show: boolean): Promise<HeatmapSettings> {
    const now = this.d.now().toISOString();
    const values = { user_id: viewer.user.id, show_activity: show ? 1 : 0, updated_at: now };
    const insert = this.db.insertInto('activity_profiles').values(values);
    await (
      this.d.dialect === 'mysql'
        ? insert.onDuplicateKeyUpdate({ show_activity: values.show_activity, updated_at: now })
        : insert.onConflict((oc) => oc.column('user_id').doUpdateSet({ show_activity: values.show_activity, updated_at: now }))
    ).execute();
    return { show_activity: show, is_default: false };
  }
}

function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
