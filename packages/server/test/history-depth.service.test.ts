import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { seedHistory } from '../src/chat/history-seed';

import { createTestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer } from './support/server';
import { jsonGetter } from './support/json-getter';

/**
 * Bench mode of the service suite (issue #22 item 5): message history at depth on MariaDB and
 * PostgreSQL. Off unless `BENCH_HISTORY_MESSAGES` is set (CI skips it: seeding 1,000,000 rows
 * takes minutes), e.g.
 *
 *   BENCH_HISTORY_MESSAGES=1000000 npx vitest run --project services history-depth
 *
 * A channel is seeded by `bench:seed`'s code (multi-row inserts), then 50-message pages are read
 * over HTTP by `BENCH_HISTORY_READERS` (20) concurrent clients: the latest, before and around a
 * random message, and `changes` over a deep window. The figures are printed as JSON (p50/p99 and
 * this process's CPU per page: server and load generator share it, so the CPU is an upper bound);
 * the test checks every answer's shape, never its time.
 */
const MESSAGES = Number(process.env.BENCH_HISTORY_MESSAGES ?? 0);
const READERS = Number(process.env.BENCH_HISTORY_READERS ?? 20);
const PAGES = Number(process.env.BENCH_HISTORY_PAGES ?? 2000);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 100) / 100;
  return { requests: s.length, p50_ms: r(quantile(s, 0.5)), p99_ms: r(quantile(s, 0.99)), max_ms: r(s[s.length - 1]!) };
};

for (const dialect of ['mysql', 'postgres'] as const) {
  describe.skipIf(!MESSAGES)(`history at depth on ${dialect} (bench mode)`, () => {
    it(`${MESSAGES} messages: pages and changes stay keyset-bounded`, { timeout: 3_600_000 }, async () => {
      const db = await createTestDatabase(dialect);
      await db.db.destroy();
      const s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
      });
      const agent = new Agent({ keepAlive: true, maxSockets: READERS });
      try {
        const authors = s.demo.studentIds.slice(0, 20);
        const c = await makeCommunity(s, { name: `Deep History ${dialect}` });
        for (const u of authors) await addMember(s, c.id, u);
        const general = (await s.as(authors[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
        const seeded = await seedHistory(s.ctx.db, { channelId: general.id, messages: MESSAGES, authorIds: authors });

        const token = await s.token(authors[0]!);
        const fetchJson = jsonGetter(s.url, token, agent);
        // Away from both ends, so every page is a full one.
        const randomId = () => seeded.firstId + 100 + Math.floor(Math.random() * (seeded.lastId - seeded.firstId - 200));
        const base = `/api/communities/channels/${general.id}/messages`;
        const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
        const kinds: Record<string, () => string> = {
          latest: () => base,
          before_random: () => `${base}?before=${randomId()}`,
          around_random: () => `${base}?around=${randomId()}`,
          changes_deep: () => {
            const to = randomId();
            return `${base}/changes?since=${encodeURIComponent(since)}&from_id=${Math.max(seeded.firstId, to - 999)}&to_id=${to}`;
          },
        };
        const run = async (path: () => string, n: number) => {
          const lat: number[] = [];
          let next = 0;
          const cpu = process.cpuUsage();
          const start = performance.now();
          await Promise.all(
            Array.from({ length: READERS }, async () => {
              while (next++ < n) {
                const p = path();
                const t = performance.now();
                const r = await fetchJson(p);
                lat.push(performance.now() - t);
                expect(r.status, `${p}: ${r.body.slice(0, 200)}`).toBe(200);
                const page = JSON.parse(r.body) as { items: { id: number }[] };
                if (!p.includes('/changes')) expect(page.items).toHaveLength(50);
                const ids = page.items.map((m) => m.id);
                if (!p.includes('/changes')) expect(ids).toEqual([...ids].sort((a, b) => a - b));
              }
            }),
          );
          const used = process.cpuUsage(cpu);
          return {
            ...summary(lat),
            pages_per_second: Math.round(n / ((performance.now() - start) / 1000)),
            process_cpu_us_per_page: Math.round((used.user + used.system) / n),
          };
        };
        await run(kinds.before_random!, Math.min(500, PAGES));
        const out: Record<string, unknown> = {};
        for (const [kind, path] of Object.entries(kinds)) out[kind] = await run(path, PAGES);
        console.log(
          JSON.stringify({
            history_depth_service: {
              dialect,
              messages: MESSAGES,
              seed_seconds: Math.round(seeded.seconds * 10) / 10,
              seed_rows_per_second: Math.round(MESSAGES / seeded.seconds),
              readers: READERS,
              ...out,
            },
          }),
        );
      } finally {
        agent.destroy();
        await s.close();
        await db.drop();
      }
    });
  });
}
