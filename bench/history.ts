import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { benchCommunity, benchCli, startServerProcess } from './server-process';
import { jsonGetter } from '../packages/server/test/support/json-getter';

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
/** Discord's history reads (issue #22): a 50-message page within 15 ms at p99. */
const TARGET_P99_MS = 15;
const ms = (n: number) => Math.round(n * 100) / 100;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { requests: s.length, p50_ms: ms(quantile(s, 0.5)), p99_ms: ms(quantile(s, 0.99)), max_ms: ms(s[s.length - 1] ?? NaN) };
};

/**
 * Message history at depth: a channel seeded with `messages` rows (`communities bench:seed`,
 * direct batched inserts), then 50-message pages read over HTTP by `readers` concurrent clients
 * turning pages at `rate` a second together (and once flat out, for the server's ceiling):
 * the latest page, a page before a random message, and a page around one; and the catch-up
 * `changes` endpoint over a deep window, which must stay bounded. Beside the same page queries
 * straight on the SQLite file (better-sqlite3, one statement each), in the same run.
 *
 * The readers' model: each of the `readers` turns a page every `readers / rate` seconds (its think
 * time), on its own fixed schedule, staggered evenly across the period, whatever the server
 * answers (open loop: a slow page is measured from when it was due and does not postpone the
 * next). A step search then offers rising rates to the same readers, the three kinds mixed, and
 * reports the highest rate whose p99 stays within 15 ms (`highest_rate_within_p99_15ms`).
 *
 * BENCH_HISTORY_DIR=path keeps the seeded server folder (database, demo secrets) there and reuses
 * it on the next run when it holds the same number of messages: a 10 M seed takes minutes.
 */
export async function benchHistory(
  opts: { messages?: number; readers?: number; rate?: number; requestsPerKind?: number; steps?: number[]; stepSeconds?: number } = {},
) {
  const messages = opts.messages ?? 1_000_000;
  const readers = opts.readers ?? 200;
  const rate = opts.rate ?? 1000;
  const perKind = opts.requestsPerKind ?? 4000;
  const steps = opts.steps ?? [100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500];
  const stepSeconds = opts.stepSeconds ?? 8;
  const keep = process.env.BENCH_HISTORY_DIR;
  const marker = keep ? join(keep, 'seeded.json') : undefined;
  type Seeded = { messages: number; first_id: number; last_id: number; channel_id: number; authors: number[] };
  const kept = marker && existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as Seeded) : undefined;
  if (kept && kept.messages !== messages) throw new Error(`${keep} holds ${kept.messages} messages, not ${messages}`);
  if (keep) mkdirSync(keep, { recursive: true });
  let s = await startServerProcess({}, keep ? { dir: keep } : {});
  const dir = s.dir;
  try {
    let seeded: Seeded;
    let seedSeconds = NaN;
    if (kept) seeded = kept;
    else {
      const { authors, general } = await benchCommunity(s, 'Deep History');
      await s.close(true);
      const t0 = performance.now();
      const out = await benchCli(dir, [
        'bench:seed',
        '--channel',
        String(general.id),
        '--messages',
        String(messages),
        '--authors',
        authors.join(','),
      ]);
      seedSeconds = (performance.now() - t0) / 1000;
      const ids = JSON.parse(out.trim().split('\n').pop()!) as { first_id: number; last_id: number };
      seeded = { messages, first_id: ids.first_id, last_id: ids.last_id, channel_id: general.id, authors };
      if (marker) writeFileSync(marker, JSON.stringify(seeded));
    }
    const { authors } = seeded;
    const general = { id: seeded.channel_id };
    await s.close(true);

    s = await startServerProcess({}, { dir });
    const token = await s.token(authors[0]!);
    const agent = new Agent({ keepAlive: true, maxSockets: readers });
    const fetchJson = jsonGetter(s.url, token, agent);
    const randomId = () => seeded.first_id + Math.floor(Math.random() * (seeded.last_id - seeded.first_id));
    const base = `/api/communities/channels/${general.id}/messages`;
    const kinds: Record<string, () => string> = {
      latest: () => base,
      before_random: () => `${base}?before=${randomId()}`,
      around_random: () => `${base}?around=${randomId()}`,
    };
    let errors = 0;
    /**
     * `readers` people reading at once, each turning a page every readers/rate seconds (together
     * `rate` pages a second), on their own schedule: latency counts from when a page was due, so
     * a slow answer delays nobody's next request from being measured late.
     */
    const run = async (path: () => string, n: number, paced = true, pagesPerSecond = rate) => {
      const lat: number[] = [];
      const period = (readers * 1000) / pagesPerSecond;
      const start = performance.now();
      const each = Math.ceil(n / readers);
      let failed = 0;
      await Promise.all(
        Array.from({ length: readers }, async (_, reader) => {
          for (let k = 0; k < each; k++) {
            const due = start + (reader / readers) * period + k * period;
            if (paced) {
              const wait = due - performance.now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            }
            const t = paced ? Math.min(due, performance.now()) : performance.now();
            const r = await fetchJson(path());
            lat.push(performance.now() - t);
            if (r.status !== 200) failed++;
          }
        }),
      );
      errors += failed;
      return { lat, failed, seconds: (performance.now() - start) / 1000 };
    };
    // Warm the server's code paths (not the data: the ids are random).
    await run(kinds.before_random!, 1000, false);
    const http: Record<string, ReturnType<typeof summary>> = {};
    const all: number[] = [];
    const pacedCpuUs: Record<string, number> = {};
    for (const [kind, path] of Object.entries(kinds)) {
      const cpu = s.cpuSeconds();
      const { lat } = await run(path, perKind);
      pacedCpuUs[kind] = Math.round(((s.cpuSeconds() - cpu) * 1e6) / perKind);
      http[kind] = summary(lat);
      all.push(...lat);
    }
    // The most pages a second the server gives the same readers when none of them pauses.
    const cpu0 = s.cpuSeconds();
    const flat = await run(kinds.before_random!, perKind, false);
    const flatCpuUs = ((s.cpuSeconds() - cpu0) * 1e6) / perKind;
    // The step search: the same readers at rising rates, latest, before and around mixed at
    // random, until p99 passes 15 ms (or a page fails).
    const kindList = Object.values(kinds);
    const mixed = () => kindList[Math.floor(Math.random() * kindList.length)]!();
    const stepSearch: Array<{ rate: number; server_cpu_us_per_page: number; errors: number } & ReturnType<typeof summary>> = [];
    for (const r of steps) {
      const pages = Math.max(readers * 2, Math.round(r * stepSeconds));
      const cpu = s.cpuSeconds();
      const step = await run(mixed, pages, true, r);
      const sum = summary(step.lat);
      stepSearch.push({
        rate: r,
        ...sum,
        server_cpu_us_per_page: Math.round(((s.cpuSeconds() - cpu) * 1e6) / step.lat.length),
        errors: step.failed,
      });
      if (sum.p99_ms > TARGET_P99_MS || step.failed > 0) break;
    }
    const passing = stepSearch.filter((x) => x.p99_ms <= TARGET_P99_MS && x.errors === 0);
    // Catch-up after a long absence over the deepest window a client can show: bounded pages.
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const changesLat: number[] = [];
    let largestChangesPage = 0;
    for (let i = 0; i < 200; i++) {
      const to = randomId();
      const t = performance.now();
      const r = await fetchJson(
        `${base}/changes?since=${encodeURIComponent(since)}&from_id=${Math.max(seeded.first_id, to - 999)}&to_id=${to}`,
      );
      changesLat.push(performance.now() - t);
      if (r.status !== 200) errors++;
      else largestChangesPage = Math.max(largestChangesPage, (JSON.parse(r.body) as { items: unknown[] }).items.length);
    }
    agent.destroy();
    await s.close(true);

    // Baseline: the same pages as single SQLite statements on the same file.
    const db = new Database(join(dir, 'bench.sqlite'), { readonly: true });
    const before = db.prepare('select * from channel_messages where channel_id = ? and id < ? order by id desc limit 50');
    const rawLat: number[] = [];
    for (let i = 0; i < perKind; i++) {
      const t = performance.now();
      before.all(general.id, randomId());
      rawLat.push(performance.now() - t);
    }
    db.close();

    return {
      messages,
      // null when the seeded folder was reused (BENCH_HISTORY_DIR).
      seed_seconds: kept ? null : Math.round(seedSeconds * 10) / 10,
      seed_rows_per_second: kept ? null : Math.round(messages / seedSeconds),
      readers,
      offered_pages_per_second: rate,
      http_pages: http,
      server_cpu_us_per_page_paced: pacedCpuUs,
      closed_loop_pages_per_second: Math.round(perKind / flat.seconds),
      closed_loop: summary(flat.lat),
      server_cpu_us_per_page: Math.round(flatCpuUs),
      http_all_pages: summary(all),
      changes_deep: { ...summary(changesLat), largest_page: largestChangesPage },
      step_search: stepSearch,
      highest_rate_within_p99_15ms: passing.length ? passing[passing.length - 1]!.rate : 0,
      errors,
      target_p99_ms: TARGET_P99_MS,
      baseline_sqlite_page_query: summary(rawLat),
      load_average: loadavg().map((l) => Math.round(l * 10) / 10),
    };
  } finally {
    await s.close(keep !== undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  // e.g. `npx tsx bench/history.ts --messages 10000000 --rate 1000 --requests 4000 --steps 100,200,400 --step-seconds 8`
  const i = process.argv.indexOf('--steps');
  const steps = i > 0 ? process.argv[i + 1]!.split(',').map(Number) : undefined;
  const result = await benchHistory({
    messages: flag('--messages'),
    rate: flag('--rate'),
    requestsPerKind: flag('--requests'),
    steps,
    stepSeconds: flag('--step-seconds'),
  });
  process.stdout.write(`${JSON.stringify({ history: result }, null, 2)}\n`);
  process.exit(0);
}
