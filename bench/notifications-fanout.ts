import Database from 'better-sqlite3';

import { benchCommunity, startServerProcess } from './server-process';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => Math.round(x * 100) / 100;

/**
 * An `@everyone` in a 10,000-member community must not block the post: the post answers once
 * its transaction commits, and the notifications subscriber fans out afterwards (batched
 * inserts, outbox). Measured in one server process on SQLite: the post's latency with fan-out
 * (messages that ping @everyone) beside without it (the same messages without the ping, in the
 * same community, interleaved), and how long until all 10,000 items are stored.
 */
export async function benchNotificationsFanout(opts: { members?: number; posts?: number } = {}) {
  const members = opts.members ?? 10_000;
  const posts = opts.posts ?? 20;
  const s = await startServerProcess({
    COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
    COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1',
  });
  try {
    const { owner, c, general } = await benchCommunity(s, 'Bench Fan-out');
    // 10,000 members, written straight into the addon's tables (joining over HTTP would take the run's time).
    const db = new Database(`${s.dir}/bench.sqlite`);
    db.pragma('busy_timeout = 10000');
    const role = db.prepare("select id from community_roles where community_id = ? and slug = 'member'").get(c.id) as { id: number };
    const now = new Date().toISOString();
    const insert = db.prepare(
      "insert into community_members (community_id, user_id, role_id, joined_at, status, source, created_at, updated_at) values (?, ?, ?, ?, 'active', 'join', ?, ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < members; i++) insert.run(c.id, 100_000 + i, role.id, now, now, now);
    })();
    const stored = db.prepare('select count(*) as n from community_notifications where message_id = ?');
    const api = s.as(owner);
    const post = (content: string) => api.channels.post({ params: { channelId: general.id }, body: { content } });

    for (let i = 0; i < 10; i++) await post(`warm-up ${i}`);
    // The baseline: plain posts on the same server with no fan-out under way.
    const idle: number[] = [];
    for (let i = 0; i < posts; i++) {
      const t0 = performance.now();
      await post(`quiet notice ${i}`);
      idle.push(performance.now() - t0);
    }
    const on: number[] = [];
    const off: number[] = [];
    let firstEveryone = 0;
    let firstAt = 0;
    for (let i = 0; i < posts; i++) {
      const t0 = performance.now();
      const m = await post(`@everyone notice ${i}`);
      on.push(performance.now() - t0);
      if (i === 0) {
        firstEveryone = m.id;
        firstAt = t0;
      }
      const t1 = performance.now();
      await post(`plain notice ${i}`);
      off.push(performance.now() - t1);
    }
    // Time from the first @everyone post until every member has its item (the rest queue behind it).
    let allStoredMs: number | null = null;
    const deadline = performance.now() + 600_000;
    while (performance.now() < deadline) {
      if ((stored.get(firstEveryone) as { n: number }).n >= members) {
        allStoredMs = performance.now() - firstAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    db.close();
    return {
      members,
      posts_each: posts,
      fanout_batch: Number(process.env.COMMUNITIES__NOTIFICATIONS__FANOUT_BATCH ?? 0) || 'default',
      post_idle_server_ms: { p50: ms(pct(idle, 50)), p99: ms(pct(idle, 99)) },
      post_with_everyone_ms: { p50: ms(pct(on, 50)), p99: ms(pct(on, 99)) },
      // Plain posts interleaved with the @everyone ones: they share the server with the fan-outs under way.
      post_without_everyone_during_fanout_ms: { p50: ms(pct(off, 50)), p99: ms(pct(off, 99)) },
      p99_ratio_with_vs_without: ms(pct(on, 99) / pct(off, 99)),
      p99_ratio_during_fanout_vs_idle: ms(pct(off, 99) / pct(idle, 99)),
      first_everyone_all_stored_ms: allStoredMs === null ? null : Math.round(allStoredMs),
      load_average: (await import('node:os')).loadavg().map((x) => ms(x)),
    };
  } finally {
    await s.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--posts');
  const posts = i > 0 ? Number(process.argv[i + 1]) : undefined;
  process.stdout.write(`${JSON.stringify(await benchNotificationsFanout(posts ? { posts } : {}), null, 2)}\n`);
  process.exit(0);
}
