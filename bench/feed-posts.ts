import { FEED_REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import Database from 'better-sqlite3';

import { jsonPoster } from './http-load';
import { benchCommunity, startServerProcess, subscribedSockets } from './server-process';

const SECRET = 'bench-app-secret';
const CREATED = Buffer.from(`{"event":"${FEED_REALTIME_EVENTS.postCreated}"`);

/**
 * Feed posts per second through HTTP — auth, zod validation, rate limit, access engine,
 * content check, transaction (post row, outbox event) and a broadcast to sockets subscribed to
 * the community channel — on SQLite, the server in its own process, beside raw better-sqlite3
 * inserts of the same row in the same run.
 */
export async function benchFeedPosts(opts: { posts?: number; warmup?: number; concurrency?: number; subscribers?: number } = {}) {
  const posts = opts.posts ?? 10000;
  const warmup = opts.warmup ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const subscribers = opts.subscribers ?? 20;
  const s = await startServerProcess({
    COMMUNITIES__RATE_LIMITS__FEED_POSTS__MAX: '1000000',
    COMMUNITIES__RATE_LIMITS__FEED_POSTS__WINDOW_SECONDS: '1',
    COMMUNITIES__CHAT__APP_SECRET: SECRET,
  });
  try {
    const { owner, c, authors, tokens } = await benchCommunity(s, 'Bench Hall');

    // Members' sockets on the community channel, so every post is really broadcast.
    const { key, channel_prefix: prefix } = (await s.as(owner).system.features()).realtime;
    const channel = realtimeChannel.community(prefix, c.id);
    let delivered = 0;
    const sockets = await subscribedSockets({
      url: s.url,
      key,
      secret: SECRET,
      channel,
      count: subscribers,
      prefix: CREATED,
      onFrame: () => void delivered++,
    });

    const load = jsonPoster({
      url: `${s.url}/api/communities/${c.slug}/feed`,
      tokens,
      concurrency,
      body: (i) => ({ content: `Benchmark post number ${i} with a little **Markdown**.`, nonce: `bench-${i}-nonce` }),
      expect: 201,
    });
    // A server runs warm: the warm-up, under the same load, lets V8 optimise the hot path.
    const tw = performance.now();
    await load.run(0, warmup);
    const warmupSeconds = (performance.now() - tw) / 1000;
    const cpu0 = s.cpuSeconds();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await load.run(warmup, warmup + posts);
    const httpSeconds = (performance.now() - t0) / 1000;
    const serverCpu = s.cpuSeconds() - cpu0;
    const clientCpu = process.cpuUsage(client0);
    load.close();
    while (delivered < (warmup + posts) * subscribers && performance.now() - t0 < httpSeconds * 1000 + 5000)
      await new Promise((r) => setTimeout(r, 10));
    for (const ws of sockets) ws.terminate();

    // Baseline: the same row, straight into a WAL-mode SQLite file, one statement per insert.
    const raw = new Database(`${s.dir}/raw.sqlite`);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec(
      'create table items (id integer primary key autoincrement, community_id bigint, user_id bigint not null, type varchar(16), title varchar(200), content text not null, metadata text, visibility varchar(16), last_activity_at varchar(32), moderation_state varchar(16), nonce varchar(64), created_at varchar(32), updated_at varchar(32), unique (user_id, nonce))',
    );
    raw.exec('create index i_community on items (community_id, id)');
    const insert = raw.prepare(
      'insert into items (community_id, user_id, type, title, content, metadata, visibility, last_activity_at, moderation_state, nonce, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    const t1 = performance.now();
    for (let i = 0; i < posts; i++) {
      const now = new Date().toISOString();
      insert.run(
        c.id,
        authors[i % authors.length],
        'post',
        null,
        `Benchmark post number ${i}`,
        '{"mentions":[]}',
        'members',
        now,
        'visible',
        `n-${i}`,
        now,
        now,
      );
    }
    const rawSeconds = (performance.now() - t1) / 1000;
    raw.close();
    const http = posts / httpSeconds;
    const rawRate = posts / rawSeconds;
    return {
      posts,
      warmup_posts: warmup,
      cold_http_posts_per_second: Math.round(warmup / warmupSeconds),
      concurrency,
      subscribers,
      deliveries: delivered,
      http_posts_per_second: Math.round(http),
      server_cpu_us_per_post: Math.round((serverCpu * 1e6) / posts),
      server_one_core_ceiling_per_second: Math.round(posts / serverCpu),
      load_generator_cpu_us_per_post: Math.round((clientCpu.user + clientCpu.system) / posts),
      raw_inserts_per_second: Math.round(rawRate),
      ratio_http_to_raw: Number((http / rawRate).toFixed(4)),
      target_posts_per_second: 2000,
    };
  } finally {
    await s.close();
  }
}

// `npx tsx bench/feed-posts.ts`: this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchFeedPosts(), null, 2)}\n`);
  process.exit(0);
}
