import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RollupBatch } from '../packages/server/src/analytics/rollup';
import { AnalyticsService } from '../packages/server/src/analytics/service';
import { addDays, encodeQuarters, utcDate } from '../packages/server/src/analytics/tz';
import { FactsLoader } from '../packages/server/src/communities/facts';
import type { HostUser } from '../packages/server/src/host/ports';
import type { Viewer } from '../packages/server/src/host/viewer';
import { parseConfig } from '../packages/server/src/platform/config';
import { connect } from '../packages/server/src/platform/db/connect';
import { migrateToLatest } from '../packages/server/src/platform/db/migrate';

const COMMUNITY = 1;
const DAY = 86_400_000;

function p99(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!.toFixed(3));
}
async function timeEach(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
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
  const dir = mkdtempSync(join(tmpdir(), 'bench-heat-'));
  const d = connect(`sqlite://${join(dir, 'heat.sqlite')}`);
  const result: Record<string, unknown> = { messages, members, days: 365, timezone: 'Asia/Kolkata' };
  try {
    await migrateToLatest(d);
    const raw = d.sqlite!;
    raw.pragma('synchronous = OFF');
    const now = Date.parse('2026-12-01T12:00:00Z');
    const at = new Date(now).toISOString();
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

    // Messages: skewed over members (a few write most), spread over the year and the day.
    const t0 = performance.now();
    const ins = raw.prepare(
      `insert into channel_messages (channel_id, user_id, content, metadata, moderation_state, created_at, updated_at) values (1, ?, 'm', '{}', 'visible', ?, ?)`,
    );
    let batch = new RollupBatch();
    const flush = () => {
      const rows = [...batch.counts].map(([k, q]) => {
        const [u, c, date, kind] = k.split('|');
        return { u: Number(u), c: Number(c), date: date!, kind: kind!, q };
      });
      const sel = raw.prepare(
        `select id, quarters, total from activity_counts where user_id = ? and community_id = ? and date = ? and kind = ?`,
      );
      const upd = raw.prepare(`update activity_counts set quarters = ?, total = ? where id = ?`);
      const add = raw.prepare(
        `insert into activity_counts (user_id, community_id, date, kind, quarters, total, updated_at) values (?, ?, ?, ?, ?, ?, ?)`,
      );
      raw.transaction(() => {
        for (const r of rows) {
          const old = sel.get(r.u, r.c, r.date, r.kind) as { id: number; quarters: string; total: number } | undefined;
          const merged = new Map(r.q);
          if (old)
            for (const part of old.quarters.split(',')) {
              const [qq, n] = part.split(':').map(Number);
              merged.set(qq!, (merged.get(qq!) ?? 0) + n!);
            }
          const total = [...merged.values()].reduce((s, n) => s + n, 0);
          if (old) upd.run(encodeQuarters(merged), total, old.id);
          else add.run(r.u, r.c, r.date, r.kind, encodeQuarters(merged), total, at);
        }
      })();
      batch = new RollupBatch();
    };
    const CHUNK = 200_000;
    for (let i = 0; i < messages; i += CHUNK) {
      raw.transaction(() => {
        for (let j = i; j < Math.min(messages, i + CHUNK); j++) {
          const r = ((j * 2654435761) % 4294967296) / 4294967296;
          const u = 1 + Math.floor(members * r ** 3);
          const t = now - Math.floor((((j * 40503) % 1_000_003) / 1_000_003) * 365 * DAY);
          const iso = new Date(t).toISOString();
          ins.run(u, iso, iso);
          batch.add({ kind: 'message', userId: u, communityId: COMMUNITY, at: t });
        }
      })();
      flush();
    }
    raw.exec('analyze');
    result.seed_seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
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
    await svc.userHeatmap(viewer(busiest), busiest, q);
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
    const baseMember = await timeEach(Math.min(20, reads), (i) => rawMember.all(1 + (i % 20), lo));
    const baseCommunity = await timeEach(3, () => rawCommunity.all(lo));
    Object.assign(result, {
      member_heatmap_p99_ms: p99(member),
      community_heatmap_p99_ms: p99(community),
      analytics_year_p99_ms: p99(analytics),
      baseline_raw_member_group_by_p99_ms: p99(baseMember),
      baseline_raw_community_group_by_p99_ms: p99(baseCommunity),
    });
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
