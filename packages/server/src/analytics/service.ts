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
} from '@communities/contract';
import { sql } from 'kysely';

import { assertCan, can, type Actor } from '../access';
import type { FactsLoader } from '../communities/facts';
import { userSummary } from '../communities/presenters';
import type { HostPorts } from '../host/ports';
import type { Viewer } from '../host/viewer';
import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';
import { invalid, notFound } from '../platform/errors';

import { ACTIVE_KINDS, type RollupKind } from './rollup';
import { addDays, dayNumber, daysBetween, eachQuarter, localDayStartMs, localSlots, localToday, weekday } from './tz';

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

const csvCell = (v: unknown): string => {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v == null ? '' : JSON.stringify(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/** Heatmaps, insights and the site-wide analytics, read from the rollups (see rollup.ts). */
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

  private fill(h: Heatmap, rows: Array<{ date: string; kind: string; quarters: string }>): Heatmap {
    const days = new Map<string, { count: number; kinds: Record<string, number> }>();
    const lo = dayNumber(h.from);
    const hi = dayNumber(h.to);
    for (const row of rows) {
      const slots = localSlots(h.timezone, row.date);
      eachQuarter(row.quarters, (q, n) => {
        const s = slots[q]!;
        if (s.day < lo || s.day > hi) return;
        let day = days.get(s.date);
        if (!day) days.set(s.date, (day = { count: 0, kinds: {} }));
        day.count += n;
        day.kinds[row.kind] = (day.kinds[row.kind] ?? 0) + n;
        h.grid[s.weekday]![s.hour]! += n;
        h.total += n;
      });
    }
    h.days = [...days.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([date, v]) => ({ date, ...v }));
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
    let query = this.db
      .selectFrom('activity_counts')
      .select(['date', 'kind', 'quarters'])
      .where('user_id', '=', userId)
      .where('date', '>=', addDays(r.from, -1))
      .where('date', '<=', addDays(r.to, 1))
      .where('kind', 'in', kinds);
    if (communities !== null) query = query.where('community_id', 'in', communities);
    return this.fill(h, await query.execute());
  }

  /** One community slice of someone's heatmap: admin, analytics.view, or a fellow member when they show it. Hidden: no. */
  private async maySeeMember(actor: Actor, communityId: number, shows: boolean | null): Promise<boolean> {
    let f;
    try {
      f = await this.d.facts.forCommunity(actor, communityId);
    } catch {
      return false;
    }
    if (!can(actor, 'community.view', f.access).allowed) return false;
    if (actor.isAdmin || can(actor, 'analytics.view', f.access).allowed) return true;
    return shows === true && can(actor, 'members.list', f.access).allowed && f.membership !== null;
  }

  /** The community and the caller's right to its insights (owners, moderators, view_analytics roles, admins; hidden: 404). */
  private async insightCommunity(actor: Actor, ref: string): Promise<{ id: number }> {
    const { community, access } = await this.d.facts.forCommunity(actor, ref);
    assertCan(actor, 'analytics.view', access);
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
    const rows = await this.db
      .selectFrom('activity_counts')
      .select(['date', 'kind', 'quarters'])
      .where('community_id', '=', c.id)
      .where('user_id', '=', 0)
      .where('date', '>=', addDays(r.from, -1))
      .where('date', '<=', addDays(r.to, 1))
      .where('kind', 'in', kinds)
      .execute();
    return this.fill(h, rows);
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
    // Each local day of the range → its bucket's start and totals, by day number (the hot loops index these).
    const bucketKeys: string[] = [];
    const bucketRows: Totals[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) {
      const key = this.bucketOf(q.period, d, from);
      if (!series.has(key)) series.set(key, zeroTotals());
      bucketKeys.push(key);
      bucketRows.push(series.get(key)!);
    }
    const bucket = (d: string) => bucketKeys[dayNumber(d) - fromDay]!;
    const totals = zeroTotals();
    const hours = Array<number>(24).fill(0);

    // The community's totals per kind.
    const communityRows = await this.db
      .selectFrom('activity_counts')
      .select(['date', 'kind', 'quarters'])
      .where('community_id', '=', c.id)
      .where('user_id', '=', 0)
      .where('date', '>=', addDays(from, -1))
      .where('date', '<=', addDays(to, 1))
      .execute();
    for (const row of communityRows) {
      const field = FIELD_OF[row.kind as RollupKind];
      if (!field) continue;
      const active = (ACTIVE_KINDS as readonly string[]).includes(row.kind);
      const slots = localSlots(tz, row.date);
      eachQuarter(row.quarters, (qi, n) => {
        const s = slots[qi]!;
        if (s.day < fromDay || s.day > toDay) return;
        bucketRows[s.day - fromDay]![field] += n;
        totals[field] += n;
        if (active) hours[s.hour]! += n;
      });
    }

    // Members: who was active when (distinct per bucket and over windows), joins for retention.
    const earliest = [from, addDays(to, -89)].sort()[0]!;
    const memberRows = await this.db
      .selectFrom('activity_counts')
      .select(['user_id', 'date', 'kind', 'quarters'])
      .where('community_id', '=', c.id)
      .where('user_id', '>', 0)
      .where('date', '>=', addDays(earliest, -1))
      .where('date', '<=', addDays(to, 1))
      .where('kind', 'in', [...ACTIVE_KINDS, 'join'])
      .execute();
    const perBucket = new Map<string, Set<number>>();
    const contributions = new Map<number, number>();
    const lastActive = new Map<number, number>();
    const joined = new Map<number, number>();
    for (const row of memberRows) {
      const u = Number(row.user_id);
      const slots = localSlots(tz, row.date);
      const isJoin = row.kind === 'join';
      let set: Set<number> | undefined;
      let setDay = -1;
      eachQuarter(row.quarters, (qi, n) => {
        const s = slots[qi]!;
        if (s.day > toDay) return;
        if (isJoin) {
          if (s.day >= fromDay && (joined.get(u) ?? Infinity) > s.day) joined.set(u, s.day);
          return;
        }
        if ((lastActive.get(u) ?? -Infinity) < s.day) lastActive.set(u, s.day);
        if (s.day < fromDay) return;
        if (s.day !== setDay) {
          const key = bucketKeys[s.day - fromDay]!;
          set = perBucket.get(key);
          if (!set) perBucket.set(key, (set = new Set()));
          setDay = s.day;
        }
        set!.add(u);
        contributions.set(u, (contributions.get(u) ?? 0) + n);
      });
    }
    for (const [b, set] of perBucket) series.get(b)!.active_members = set.size;
    totals.active_members = contributions.size;
    const activeSince = (days: number) => [...lastActive.values()].filter((d) => d >= toDay - (days - 1)).length;

    // Points: per UTC date (the daily job writes them from the ledger).
    const pointRows = await this.db
      .selectFrom('community_activity_stats')
      .select(['date', 'points'])
      .where('community_id', '=', c.id)
      .where('date', '>=', from)
      .where('date', '<=', to)
      .execute();
    for (const p of pointRows) {
      series.get(bucket(p.date))!.points += Number(p.points);
      totals.points += Number(p.points);
    }

    const retention = (n: number) => {
      const cohort = [...joined].filter(([, d]) => d <= toDay - n);
      const retained = cohort.filter(([u, d]) => (lastActive.get(u) ?? -Infinity) >= d + n).length;
      return { cohort: cohort.length, retained, rate: cohort.length ? retained / cohort.length : null };
    };

    const top = [...contributions].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, q.top);
    const users = await this.d.host.identities.getUsers(top.map(([u]) => u));

    const startMs = localDayStartMs(tz, from);
    const endMs = localDayStartMs(tz, addDays(to, 1));
    const channels = await this.db
      .selectFrom('channel_messages')
      .innerJoin('channels', 'channels.id', 'channel_messages.channel_id')
      .select(['channels.id', 'channels.name', (eb) => eb.fn.countAll<number>().as('n')])
      .where('channels.community_id', '=', c.id)
      .where('channel_messages.created_at', '>=', new Date(startMs).toISOString())
      .where('channel_messages.created_at', '<', new Date(endMs).toISOString())
      .groupBy(['channels.id', 'channels.name'])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('channels.id')
      .limit(q.top)
      .execute();

    return {
      community_id: c.id,
      period: q.period,
      from,
      to,
      timezone: tz,
      series: [...series.entries()].map(([start, t]) => ({ start, ...t })),
      totals,
      actives: { d1: activeSince(1), d7: activeSince(7), d30: activeSince(30), d90: activeSince(90) },
      top_contributors: top.map(([u, count]) => ({ user: userSummary(u, users), count })),
      busiest_channels: channels.map((ch) => ({ channel: { id: Number(ch.id), name: ch.name }, messages: Number(ch.n) })),
      busiest_hours: hours,
      retention: { d7: retention(7), d30: retention(30) },
    };
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
    assertCan(viewer.actor, 'admin.global', this.d.facts.baseContext());
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
