import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { random, seedWord, zipfRank } from '../packages/server/src/chat/history-seed';

import { jsonPoster } from './http-load';
import { benchCli, benchCommunity, startServerProcess } from './server-process';
import { jsonGetter } from '../packages/server/test/support/json-getter';

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
const ms = (n: number) => Math.round(n * 100) / 100;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { requests: s.length, p50_ms: ms(quantile(s, 0.5)), p99_ms: ms(quantile(s, 0.99)), max_ms: ms(s[s.length - 1] ?? NaN) };
};
const TRIGGERS = ['ai', 'au', 'ad'].map((t) => `search_fts_channel_messages__${t}`);

/**
 * Search at depth, on SQLite: a community's channel seeded with `messages` rows of varied text
 * (`communities bench:seed --varied-text`: words of a 5,000-word vocabulary with a Zipf spread;
 * the FTS5 index filled after the load by its insert trigger's own statement over the new rows,
 * the same entries the trigger writes), then two-word queries within
 * the community over HTTP (GET /search?community_id=…&type=message, one client, one query at a
 * time), the words drawn as the text draws them. Baselines on the same file in the same run: the
 * bare FTS5 MATCH of the same words (best 20 by bm25), and a LIKE scan (what search costs with
 * no index, on 50 queries).
 *
 * Then what keeping the index costs the chat ingest path: server CPU per posted message over HTTP
 * on the same server with and without the FTS5 triggers (dropped from a copy), same run.
 */
export async function benchSearch(
  opts: {
    messages?: number;
    queries?: number;
    ingestMessages?: number;
    /** A folder seeded once and kept: a later run with the same folder and size queries it without seeding again. */
    keepDir?: string;
  } = {},
) {
  const messages = opts.messages ?? 1_000_000;
  const queries = opts.queries ?? 2000;
  const marker = opts.keepDir ? join(opts.keepDir, 'search-seed.json') : null;
  let seeded = marker && existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as Seeded) : null;
  if (seeded && seeded.messages !== messages) throw new Error(`${opts.keepDir} holds ${seeded.messages} messages, not ${messages}`);
  let s = await startServerProcess({}, opts.keepDir ? { dir: opts.keepDir } : {});
  const dir = s.dir;
  try {
    let seedSeconds: number | null = null;
    if (!seeded) {
      const made = await benchCommunity(s, 'Search Depth');
      await s.close(true);
      const t0 = performance.now();
      await benchCli(dir, [
        'bench:seed',
        '--channel',
        String(made.general.id),
        '--messages',
        String(messages),
        '--authors',
        made.authors.join(','),
        '--varied-text',
      ]);
      seedSeconds = (performance.now() - t0) / 1000;
      seeded = { messages, communityId: made.c.id, generalId: made.general.id, authors: made.authors };
      if (marker) writeFileSync(marker, JSON.stringify(seeded));
    } else await s.close(true);
    const { communityId, generalId, authors } = seeded;

    s = await startServerProcess(
      { COMMUNITIES__RATE_LIMITS__SEARCH__MAX: '1000000', COMMUNITIES__RATE_LIMITS__SEARCH__WINDOW_SECONDS: '1' },
      { dir },
    );
    const token = await s.token(authors[0]!);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const fetchJson = jsonGetter(s.url, token, agent);
    const r = random(424242);
    const pairs = Array.from({ length: queries }, () => [seedWord(zipfRank(r())), seedWord(zipfRank(r()))] as const);
    let errors = 0;
    let found = 0;
    const search = async (from: number, to: number) => {
      const lat: number[] = [];
      for (let i = from; i < to; i++) {
        const [a, b] = pairs[i % pairs.length]!;
        const t = performance.now();
        const res = await fetchJson(`/api/communities/search?community_id=${communityId}&type=message&q=${a}+${b}`);
        lat.push(performance.now() - t);
        if (res.status !== 200) errors++;
        else if ((JSON.parse(res.body) as { items: unknown[] }).items.length > 0) found++;
      }
      return lat;
    };
    await search(0, Math.min(200, queries)); // warm the code paths and the page cache
    found = 0;
    const httpLat = await search(0, queries);
    agent.destroy();
    await s.close(true);

    // Baselines on the same file.
    const db = new Database(join(dir, 'bench.sqlite'), { readonly: true });
    const fts = db.prepare(
      `select m.id from search_fts_channel_messages f join channel_messages m on m.id = f.rowid
       where search_fts_channel_messages match ? and m.channel_id = ? order by f.rank limit 20`,
    );
    const ftsLat: number[] = [];
    for (const [a, b] of pairs) {
      const t = performance.now();
      fts.all(`"${a}" "${b}"`, generalId);
      ftsLat.push(performance.now() - t);
    }
    const like = db.prepare(
      `select id from channel_messages where channel_id = ? and content like ? and content like ? order by id desc limit 20`,
    );
    const likeLat: number[] = [];
    for (const [a, b] of pairs.slice(0, 50)) {
      const t = performance.now();
      like.all(generalId, `%${a}%`, `%${b}%`);
      likeLat.push(performance.now() - t);
    }
    db.close();

    // A server that cannot start on a machine this busy fails this part only.
    const ingestMessages = opts.ingestMessages ?? 4000;
    const ingest =
      ingestMessages > 0 ? await ingestCost(ingestMessages).catch((e: unknown) => ({ error: String(e).slice(0, 200) })) : 'not measured';
    const http = summary(httpLat);
    const bare = summary(ftsLat);
    return {
      messages,
      seed_seconds: seedSeconds === null ? 'reused' : Math.round(seedSeconds * 10) / 10,
      queries,
      queries_with_results: found,
      http_two_word_in_community: http,
      errors,
      target_p99_ms: 30,
      baseline_fts5_match: bare,
      baseline_like_scan: summary(likeLat),
      ratio_http_to_fts5_p99: Number((http.p99_ms / bare.p99_ms).toFixed(2)),
      ingest,
    };
  } finally {
    await s.close(opts.keepDir !== undefined);
  }
}

interface Seeded {
  messages: number;
  communityId: number;
  generalId: number;
  authors: number[];
}

/**
 * Server CPU per channel message posted over HTTP, with the FTS5 triggers and without them, on one
 * server: phases alternate (with, without, with, without), the triggers dropped and created again
 * between them through a second connection (the server's statements re-prepare on the schema change).
 */
async function ingestCost(n: number) {
  let s = await startServerProcess();
  const dir = s.dir;
  try {
    const { general } = await benchCommunity(s, 'Search Ingest');
    await s.close(true);
    s = await startServerProcess(
      { COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000', COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1' },
      { dir },
    );
    const db = new Database(join(dir, 'bench.sqlite'));
    const ddl = TRIGGERS.map(
      (name) => (db.prepare('select sql from sqlite_master where type = ? and name = ?').get('trigger', name) as { sql: string }).sql,
    );
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => s.token(5 + i)));
    const r = random(7);
    const text = () => Array.from({ length: 6 + Math.floor(r() * 10) }, () => seedWord(zipfRank(r()))).join(' ');
    const load = jsonPoster({
      url: `${s.url}/api/communities/channels/${general.id}/messages`,
      tokens,
      concurrency: 16,
      body: (i) => ({ content: text(), nonce: `search-${i}-nonce` }),
      expect: 201,
    });
    let next = 0;
    await load.run(next, (next += Math.round(n / 2))); // warm-up
    const phase = async (withIndex: boolean) => {
      if (!withIndex) for (const t of TRIGGERS) db.exec(`drop trigger if exists ${t}`);
      else for (const sql of ddl) if (!db.prepare('select 1 from sqlite_master where sql = ?').get(sql)) db.exec(sql);
      const cpu0 = s.cpuSeconds();
      const t0 = performance.now();
      await load.run(next, (next += n));
      const seconds = (performance.now() - t0) / 1000;
      return {
        with_index: withIndex,
        server_cpu_us_per_message: Math.round(((s.cpuSeconds() - cpu0) * 1e6) / n),
        http_messages_per_second: Math.round(n / seconds),
      };
    };
    const runs = [await phase(true), await phase(false), await phase(true), await phase(false)];
    load.close();
    db.close();
    const avg = (w: boolean) => Math.round(runs.filter((x) => x.with_index === w).reduce((a, x) => a + x.server_cpu_us_per_message, 0) / 2);
    const base = avg(false);
    const indexed = avg(true);
    return {
      messages_per_phase: n,
      runs,
      baseline_no_index_server_cpu_us_per_message: base,
      fts5_triggers_server_cpu_us_per_message: indexed,
      index_cost_us_per_message: indexed - base,
      ratio_with_to_without: Number((indexed / base).toFixed(3)),
    };
  } finally {
    await s.close();
  }
}
