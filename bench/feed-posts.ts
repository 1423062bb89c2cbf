import Database from 'better-sqlite3';

import { jsonPoster } from './http-load';
import { startTestServer } from '../packages/server/test/support/server';

/**
 * Feed posts per second through HTTP (auth, validation, access, rate limit, transaction,
 * after-commit events) on SQLite, beside raw better-sqlite3 inserts of the same row.
 */
export async function benchFeedPosts(opts: { posts?: number; concurrency?: number } = {}) {
  const posts = opts.posts ?? 2000;
  const concurrency = opts.concurrency ?? 32;
  const s = await startTestServer({ rate_limits: { feed_posts: { max: 1_000_000, window_seconds: 1 } } });
  try {
    const owner = s.demo.instructorIds[0]!;
    const c = await s.as(owner).communities.create({ body: { name: 'Bench Hall' } });
    const authors = s.demo.studentIds.slice(0, 20);
    for (const u of authors) await s.as(u).communities.join({ params: { id: c.slug }, body: {} });
    const tokens = await Promise.all(authors.map((u) => s.token(u, { ttlSeconds: 3600 })));
    const load = jsonPoster({
      url: `${s.url}/api/communities/${c.slug}/feed`,
      tokens,
      concurrency,
      body: (i) => ({ content: `Benchmark post number ${i} with a little **Markdown**.` }),
      expect: 201,
    });
    for (let i = 0; i < 50; i++) await load.post(i); // warm-up
    const t0 = performance.now();
    await load.run(0, posts);
    const httpSeconds = (performance.now() - t0) / 1000;
    load.close();

    // Baseline: the same row, straight into a WAL-mode SQLite file, one statement per insert.
    const raw = new Database(`${s.dataDir}/raw.sqlite`);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec(
      'create table items (id integer primary key autoincrement, community_id bigint, user_id bigint not null, type varchar(16), title varchar(200), content text not null, metadata text, visibility varchar(16), last_activity_at varchar(32), moderation_state varchar(16), created_at varchar(32), updated_at varchar(32))',
    );
    const insert = raw.prepare(
      'insert into items (community_id, user_id, type, title, content, metadata, visibility, last_activity_at, moderation_state, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?)',
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
      concurrency,
      http_posts_per_second: Math.round(http),
      raw_inserts_per_second: Math.round(rawRate),
      ratio_http_to_raw: Number((http / rawRate).toFixed(4)),
    };
  } finally {
    await s.close();
  }
}
