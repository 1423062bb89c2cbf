import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applyBatch, RollupBatch } from '../packages/server/src/analytics/rollup';
import { AnalyticsService } from '../packages/server/src/analytics/service';
import { addDays, localDayStartMs, utcDate } from '../packages/server/src/analytics/tz';
import { FactsLoader } from '../packages/server/src/communities/facts';
import type { HostUser } from '../packages/server/src/host/ports';
import type { Viewer } from '../packages/server/src/host/viewer';
import { parseConfig } from '../packages/server/src/platform/config';
import { connect } from '../packages/server/src/platform/db/connect';
import { migrateToLatest } from '../packages/server/src/platform/db/migrate';
import { inTransaction } from '../packages/server/src/platform/db/transaction';

const COMMUNITY = 1;
const DAY = 86_400_000;

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor(s.length * p))]!.toFixed(3));
}
const p99 = (s: number[]) => pct(s, 0.99);
const p50 = (s: number[]) => pct(s, 0.5);
/**
 * Wall time of each call (ms); on the array, process CPU (user + system) per call in µs: `cpuUs`
 * on average, `cpuP50Us` and `cpuP99Us` over the calls (on a shared machine CPU per call is what
 * the load disturbs least: a read waiting for a core counts no CPU).
 */
async function timeEach(n: number, fn: (i: number) => unknown): Promise<number[] & { cpuUs: number; cpuP50Us: number; cpuP99Us: number }> {
  const out: number[] = [];
  const cpus: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpus.push(d.user + d.system);
  }
  const cpu = process.cpuUsage(cpu0);
  return Object.assign(out, {
    cpuUs: Math.round((cpu.user + cpu.system) / n),
    cpuP50Us: Math.round(p50(cpus)),
    cpuP99Us: Math.round(p99(cpus)),
  });
}

/**
 * Heatmap and analytics reads over a year at `messages` channel messages (default 1,000,000;
 * BENCH_HEATMAP_MESSAGES=10000000 for the figure) from `members` members in one community,
 * on SQLite. The rollups are built the way the subscriber builds them (RollupBatch, in memory),
 * then read through AnalyticsService as the routes do, in Asia/Kolkata (+05:30). Baselines, same
 * run: the same calendars computed from the raw messages (GROUP BY over channel_messages).
 */
export async function benchHeatmap(opts: { messages?: number; members?: number; reads?: number } = {}) {
  const messages = opts.messages ?? Number(process.env.BENCH_HEATMAP_MESSAGES ?? 1_000_000);
  const members = opts.members ?? 2000;
  const reads = opts.reads ?? 200;
  // BENCH_HEATMAP_DB=path keeps the seeded database there and reuses it on the next run (same size).
  const keep = process.env.BENCH_HEATMAP_DB;
  const reuse = keep !== undefined && existsSync(keep);
  const dir = mkdtempSync(join(tmpdir(), 'bench-heat-'));
  const d = connect(`sqlite://${keep ?? join(dir, 'heat.sqlite')}`);
  const result: Record<string, unknown> = { messages, members, days: 365, timezone: 'Asia/Kolkata' };
  try {
    await migrateToLatest(d);
    const raw = d.sqlite!;
    raw.pragma('synchronous = OFF');
    const now = Date.parse('2026-12-01T12:00:00Z');
    const at = new Date(now).toISOString();
    if (!reuse) {
      raw
        .prepare(
          `insert into communities (id, owner_id, name, slug, description, visibility, status, settings, member_count, created_at, updated_at) values (1, 1, 'Bench', 'bench', '', 'public', 'active', '{}', ?, ?, ?)`,
        )
        .run(members, at, at);
      raw
        .prepare(
          `insert into channels (id, community_id, name, slug, type, settings, created_at, updated_at) values (1, 1, 'general', 'general', 'text', '{}', ?, ?)`,
        )
        .run(at, at);

      // Messages: skewed over members (a few write most), spread over the year and the day. Written
      // by one INSERT … SELECT over a recursive sequence (the bulk seed; 10 M rows in minutes).
      const t0 = performance.now();
      const CHUNK = 1_000_000;
      for (let i = 0; i < messages; i += CHUNK) {
        raw
          .prepare(
            `with recursive seq(j) as (select ? union all select j + 1 from seq where j + 1 < ?)
           insert into channel_messages (channel_id, user_id, content, metadata, moderation_state, created_at, updated_at)
           select 1, u, 'm', '{}', 'visible', iso, iso from (
             select 1 + cast(? * ((((j * 2654435761) % 4294967296) / 4294967296.0) * (((j * 2654435761) % 4294967296) / 4294967296.0) * (((j * 2654435761) % 4294967296) / 4294967296.0)) as integer) as u,
                    strftime('%Y-%m-%dT%H:%M:%fZ', (? - cast(((j * 40503) % 1000003) / 1000003.0 * ? as integer)) / 1000.0, 'unixepoch') as iso
             from seq)`,
          )
          .run(i, Math.min(messages, i + CHUNK), members, now, 365 * DAY);
      }
      result.seed_messages_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));

      // Rollups: the messages grouped by UTC date, author and quarter-hour in SQL (one sorted
      // pass over the table), then through RollupBatch and applyBatch as the subscriber writes
      // them (each group counted n times by add(a, n)), a month of UTC dates per batch in date
      // order. Per-event batching (1 M events through add and 31-day batches) took 774–883 s.
      const t1 = performance.now();
      raw.exec(
        `create temp table seed_groups as
         select substr(created_at, 1, 10) as d, user_id as u, channel_id as ch,
                cast(substr(created_at, 12, 2) as integer) * 4 + cast(substr(created_at, 15, 2) as integer) / 15 as q,
                count(*) as n
         from channel_messages group by d, u, ch, q order by d`,
      );
      // Read back in rowid (date) pages: better-sqlite3 runs no other statement while one iterates.
      const page = raw.prepare(`select rowid, d, u, ch, q, n from seed_groups where rowid > ? order by rowid limit 100000`).raw(true);
      let batch = new RollupBatch();
      let dates = 0;
      let lastDate = '';
      let grouped = 0;
      for (let after = 0; ;) {
        const rows = page.all(after) as Array<[number, string, number, number, number, number]>;
        if (rows.length === 0) break;
        after = rows.at(-1)![0];
        for (const [, date, u, ch, q, n] of rows) {
          if (date !== lastDate) {
            if (dates === 31) {
              const full = batch;
              await inTransaction(d.db, (trx) => applyBatch(trx, full, at, 'sqlite'));
              batch = new RollupBatch();
              dates = 0;
            }
            dates++;
            lastDate = date;
          }
          batch.add(
            { kind: 'message', userId: u, communityId: COMMUNITY, channelId: ch, at: Date.parse(`${date}T00:00:00Z`) + q * 900_000 },
            n,
          );
          grouped++;
        }
      }
      raw.exec('drop table seed_groups');
      if (batch.size) await inTransaction(d.db, (trx) => applyBatch(trx, batch, at, 'sqlite'));
      result.seed_rollup_groups = grouped;
      result.seed_rollups_seconds = Number(((performance.now() - t1) / 1000).toFixed(1));
      raw.exec('analyze');
    }
    result.rollup_rows = (raw.prepare('select count(*) as n from activity_counts').get() as { n: number }).n;

    const clock = { now: () => new Date(now) };
    const facts = new FactsLoader(d.db, clock, { communities: parseConfig({}).communities, pricingOn: false });
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
      timezone: 'Asia/Kolkata',
    });
    const viewer = (id: number, isAdmin = false): Viewer => ({
      actor: { userId: id, globalRole: isAdmin ? 'admin' : 'student', isAdmin },
      user: user(id, isAdmin),
      authMethod: 'jwt',
    });
    const svc = new AnalyticsService({
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
    const to = utcDate(now);
    const from = addDays(to, -364);
    const q = { from, to, tz: 'Asia/Kolkata' };
    const busiest = 1;
    const admin = viewer(999_999, true);
    // Warm-up: a process's first reads compile the code paths (the very first read cost ~40× a
    // later one), so each read runs a few times on members outside the measured ones (21–30)
    // first; the measured members' pages are still read for the first time in the timed loop.
    for (let u = 21; u <= 30; u++) await svc.userHeatmap(viewer(u), u, q);
    for (let i = 0; i < 3; i++) {
      await svc.communityHeatmap(admin, String(COMMUNITY), q);
      await svc.communityAnalytics(admin, String(COMMUNITY), { period: 'week', top: 10, ...q });
    }
    const member = await timeEach(reads, (i) => svc.userHeatmap(viewer(1 + (i % 20)), 1 + (i % 20), q));
    const community = await timeEach(reads, () => svc.communityHeatmap(admin, String(COMMUNITY), q));
    const analytics = await timeEach(Math.max(10, reads / 10), () =>
      svc.communityAnalytics(admin, String(COMMUNITY), { period: 'week', top: 10, ...q }),
    );
    // Baselines: the calendars from the raw messages (what a read would cost without rollups).
    const lo = new Date(now - 365 * DAY).toISOString();
    const rawMember = raw.prepare(
      `select substr(created_at, 1, 13) as h, count(*) as n from channel_messages where user_id = ? and created_at >= ? group by h`,
    );
    const rawCommunity = raw.prepare(
      `select substr(created_at, 1, 13) as h, count(*) as n from channel_messages where channel_id = 1 and created_at >= ? group by h`,
    );
    // BENCH_HEATMAP_RAW=0 skips them (minutes at 10 M) when the baseline is another checkout's reads in the same run.
    const skipRaw = process.env.BENCH_HEATMAP_RAW === '0';
    const baseMember = skipRaw ? null : await timeEach(Math.min(20, reads), (i) => rawMember.all(1 + (i % 20), lo));
    const baseCommunity = skipRaw ? null : await timeEach(3, () => rawCommunity.all(lo));
    // The answers are right: the calendars' totals are the messages in the local range.
    const startIso = new Date(localDayStartMs(q.tz, from)).toISOString();
    const endIso = new Date(localDayStartMs(q.tz, addDays(to, 1))).toISOString();
    const inRange = (u?: number) =>
      (
        raw
          .prepare(`select count(*) as n from channel_messages where created_at >= ? and created_at < ?${u ? ' and user_id = ?' : ''}`)
          .get(...(u ? [startIso, endIso, u] : [startIso, endIso])) as { n: number }
      ).n;
    const checkCommunity = (await svc.communityHeatmap(admin, String(COMMUNITY), q)).total;
    const checkMember = (await svc.userHeatmap(viewer(busiest), busiest, q)).total;
    const page = await svc.communityAnalytics(admin, String(COMMUNITY), { period: 'week', top: 10, ...q });
    Object.assign(result, {
      member_heatmap_p50_ms: p50(member),
      member_heatmap_p99_ms: p99(member),
      member_heatmap_cpu_us: member.cpuUs,
      member_heatmap_cpu_p50_us: member.cpuP50Us,
      member_heatmap_cpu_p99_us: member.cpuP99Us,
      community_heatmap_p50_ms: p50(community),
      community_heatmap_p99_ms: p99(community),
      community_heatmap_cpu_us: community.cpuUs,
      community_heatmap_cpu_p50_us: community.cpuP50Us,
      community_heatmap_cpu_p99_us: community.cpuP99Us,
      analytics_year_p50_ms: p50(analytics),
      analytics_year_p99_ms: p99(analytics),
      analytics_year_cpu_us: analytics.cpuUs,
      analytics_year_cpu_p50_us: analytics.cpuP50Us,
      analytics_year_cpu_p99_us: analytics.cpuP99Us,
      check: {
        community_total: checkCommunity,
        community_raw: inRange(),
        member_total: checkMember,
        member_raw: inRange(busiest),
        analytics_messages: page.totals.messages,
        analytics_active_members: page.totals.active_members,
        busiest_channel_messages: page.busiest_channels[0]?.messages ?? 0,
      },
    });
    if (baseMember && baseCommunity)
      Object.assign(result, {
        baseline_raw_member_group_by_p50_ms: p50(baseMember),
        baseline_raw_member_group_by_p99_ms: p99(baseMember),
        baseline_raw_member_group_by_cpu_us: baseMember.cpuUs,
        baseline_raw_community_group_by_p50_ms: p50(baseCommunity),
        baseline_raw_community_group_by_p99_ms: p99(baseCommunity),
        baseline_raw_community_group_by_cpu_us: baseCommunity.cpuUs,
        // How many times faster the rollups answer than the raw GROUP BY (p50 over p50, same run).
        ratio_member_raw_to_rollups_p50: Number((p50(baseMember) / p50(member)).toFixed(1)),
        ratio_community_raw_to_rollups_p50: Number((p50(baseCommunity) / p50(community)).toFixed(1)),
      });
    result.load_average = (await import('node:os')).loadavg().map((n) => Number(n.toFixed(2)));
    return result;
  } finally {
    await d.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const messages = process.argv.includes('--10m') ? 10_000_000 : undefined;
  console.log(JSON.stringify(await benchHeatmap(messages ? { messages } : {}), null, 2));
}
