import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiError } from '@communities/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Many people writing to the same rows at once, through HTTP, on the server databases schools
 * run: posts in one channel, one DM thread, one feed post's comments and reactions, joins of
 * one community. Every request succeeds, every write lands once, and the bookkeeping on the
 * shared parent rows (last message, counters) ends up exact.
 */

const SENDERS = 20;
const PER_SENDER = 10;

interface Tally {
  ok: number;
  failed: string[];
}

/** Runs every task at once; collects failures (status and code) instead of throwing. */
async function burst(tasks: Array<() => Promise<unknown>>): Promise<Tally> {
  const t: Tally = { ok: 0, failed: [] };
  await Promise.all(tasks.map((task) => attempt(t, task)));
  return t;
}

async function attempt(t: Tally, task: () => Promise<unknown>): Promise<void> {
  try {
    await task();
    t.ok++;
  } catch (e) {
    t.failed.push(e instanceof ApiError ? `${e.status} ${e.code}: ${e.message}` : String(e));
  }
}

/** Each of `users` sends `n` requests one after another (going on after a failure), all users at once. */
async function senders(users: number[], n: number, send: (user: number, i: number) => Promise<unknown>): Promise<Tally> {
  const t: Tally = { ok: 0, failed: [] };
  await Promise.all(
    users.map(async (u) => {
      for (let i = 0; i < n; i++) await attempt(t, () => send(u, i));
    }),
  );
  return t;
}

const report = (dialect: string, what: string, t: Tally, total: number) =>
  console.log(
    `[concurrent-writes] ${dialect} ${what}: ${total} requests, ${t.failed.length} failed (${((100 * t.failed.length) / total).toFixed(0)}%)${t.failed[0] ? `, e.g. ${t.failed[0]}` : ''}`,
  );

for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`concurrent writers on ${dialect}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: {
          messages: { max: 100_000, window_seconds: 1 },
          dm_messages: { max: 100_000, window_seconds: 1 },
          feed_posts: { max: 100_000, window_seconds: 1 },
        },
      });
    });
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    it('joins, channel posts, reactions and read markers from 20 people at once', async () => {
      const d = s.ctx.db.db;
      const c = await makeCommunity(s);
      const people = s.demo.studentIds.slice(0, SENDERS);

      // Joins: each bumps the community's member count.
      const joins = await burst(people.map((u) => () => s.as(u).communities.join({ params: { id: c.slug }, body: {} })));
      report(dialect, 'joins', joins, SENDERS);
      expect.soft(joins.failed).toEqual([]);
      // Whoever failed joins now, alone, so the rest of the test measures its own writes.
      const members = new Set(
        (await d.selectFrom('community_members').select('user_id').where('community_id', '=', c.id).execute()).map((m) => m.user_id),
      );
      for (const u of people.filter((p) => !members.has(p))) await s.as(u).communities.join({ params: { id: c.slug }, body: {} });
      const community = await d.selectFrom('communities').select('member_count').where('id', '=', c.id).executeTakeFirstOrThrow();
      expect(community.member_count).toBe(SENDERS + 1);

      const general = (await s.as(people[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
      const posts = await senders(people, PER_SENDER, (u, i) =>
        s.as(u).channels.post({ params: { channelId: general.id }, body: { content: `m ${u} ${i}`, nonce: `nonce-${u}-${i}` } }),
      );
      report(dialect, 'channel posts', posts, SENDERS * PER_SENDER);
      expect.soft(posts.failed).toEqual([]);
      const rows = await d.selectFrom('channel_messages').select(['id', 'nonce']).where('channel_id', '=', general.id).execute();
      expect.soft(rows.length).toBe(SENDERS * PER_SENDER);
      expect.soft(new Set(rows.map((r) => r.nonce)).size).toBe(SENDERS * PER_SENDER);
      const channel = await d.selectFrom('channels').select('last_message_id').where('id', '=', general.id).executeTakeFirstOrThrow();
      expect.soft(channel.last_message_id).toBe(Math.max(...rows.map((r) => r.id)));

      // One send, submitted five times at once (a double tap, a retry racing the first try):
      // one message, and every answer is that message.
      const twice = await Promise.all(
        Array.from({ length: 5 }, () =>
          s.as(people[0]!).channels.post({ params: { channelId: general.id }, body: { content: 'once', nonce: 'double-tap-1' } }),
        ),
      );
      expect(new Set(twice.map((m) => m.id)).size).toBe(1);
      const feedTwice = await Promise.all(
        Array.from({ length: 5 }, () =>
          s.as(people[0]!).feed.post({ params: { id: c.slug }, body: { content: 'once', nonce: 'double-tap-2' } }),
        ),
      );
      expect(new Set(feedTwice.map((m) => m.id)).size).toBe(1);

      // Everyone reacts to the same message, and marks the channel read (some twice at once).
      const target = Math.min(...rows.map((r) => r.id));
      const reactions = await burst(
        people.map((u) => () => s.as(u).channels.react({ params: { messageId: target }, body: { emoji: '\u{1F44D}' } })),
      );
      report(dialect, 'channel reactions', reactions, SENDERS);
      expect.soft(reactions.failed).toEqual([]);
      const count = await d
        .selectFrom('channel_message_reactions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('message_id', '=', target)
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(SENDERS);
      const last = channel.last_message_id!;
      const reads = await burst(
        [...people, ...people].map((u) => () => s.as(u).channels.read({ params: { channelId: general.id }, body: { message_id: last } })),
      );
      report(dialect, 'read markers', reads, SENDERS * 2);
      expect.soft(reads.failed).toEqual([]);
      const markers = await d
        .selectFrom('channel_read_states')
        .select(['user_id', 'last_read_message_id'])
        .where('channel_id', '=', general.id)
        .execute();
      expect(markers.length).toBe(SENDERS);
      expect(markers.every((m) => m.last_read_message_id === last)).toBe(true);
    });

    it('posts in one DM thread from every participant at once', async () => {
      const d = s.ctx.db.db;
      const max = s.ctx.config.dm.max_group_participants;
      const people = s.demo.studentIds.slice(0, max);
      const thread = await s.as(people[0]!).dm.start({ body: { user_ids: people.slice(1), group: true } });
      const posts = await senders(people, PER_SENDER, (u, i) =>
        s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: `dm ${u} ${i}`, nonce: `dmnonce-${u}-${i}` } }),
      );
      report(dialect, 'dm posts', posts, people.length * PER_SENDER);
      expect.soft(posts.failed).toEqual([]);
      const rows = await d.selectFrom('dm_messages').select(['id', 'user_id']).where('thread_id', '=', thread.id).execute();
      expect.soft(rows.length).toBe(people.length * PER_SENDER);
      const max_id = Math.max(...rows.map((r) => r.id));
      const t = await d.selectFrom('dm_threads').select('last_message_id').where('id', '=', thread.id).executeTakeFirstOrThrow();
      expect.soft(t.last_message_id).toBe(max_id);
      // Each sender's own read marker is their last message.
      const parts = await d
        .selectFrom('dm_participants')
        .select(['user_id', 'last_read_message_id'])
        .where('thread_id', '=', thread.id)
        .execute();
      for (const p of parts) expect(p.last_read_message_id).toBe(Math.max(...rows.filter((r) => r.user_id === p.user_id).map((r) => r.id)));
      const reactions = await burst(
        people.map((u) => () => s.as(u).dm.react({ params: { messageId: max_id }, body: { emoji: '\u{1F389}' } })),
      );
      report(dialect, 'dm reactions', reactions, people.length);
      expect.soft(reactions.failed).toEqual([]);
    });

    it('members add people to one group at once: the size cap holds, nobody is in twice, no 500', async () => {
      const d = s.ctx.db.db;
      const max = s.ctx.config.dm.max_group_participants;
      const people = s.demo.studentIds.slice(0, max + 5);
      const c = await makeCommunity(s, { name: `Group growth ${dialect}` });
      for (const u of people) await addMember(s, c.id, u);
      const founders = people.slice(0, 3);
      const g = await s.as(founders[0]!).dm.start({ body: { user_ids: founders.slice(1), group: true } });
      // Every founder adds every candidate, one request each, all at once: more than fit.
      const candidates = people.slice(3);
      const adds = await burst(
        founders.flatMap((f) => candidates.map((u) => () => s.as(f).dm.invite({ params: { threadId: g.id }, body: { user_ids: [u] } }))),
      );
      report(dialect, 'group adds', adds, founders.length * candidates.length);
      // A refusal is the cap's 422, never a failed insert.
      expect.soft(adds.failed.filter((f) => !f.startsWith('422 '))).toEqual([]);
      const rows = await d
        .selectFrom('dm_participants')
        .select('user_id')
        .where('thread_id', '=', g.id)
        .where('left_at', 'is', null)
        .execute();
      expect(rows.length).toBe(max);
      expect(new Set(rows.map((r) => r.user_id)).size).toBe(rows.length);
    });

    it('feed posts, comments and reactions on one post from 20 people at once', async () => {
      const d = s.ctx.db.db;
      const c = await makeCommunity(s);
      const people = s.demo.studentIds.slice(0, SENDERS);
      for (const u of people) await s.as(u).communities.join({ params: { id: c.slug }, body: {} });
      const posts = await senders(people, 3, (u, i) =>
        s.as(u).feed.post({ params: { id: c.slug }, body: { content: `p ${u} ${i}`, nonce: `feedpost-${u}-${i}` } }),
      );
      report(dialect, 'feed posts', posts, SENDERS * 3);
      expect.soft(posts.failed).toEqual([]);
      const items = await d
        .selectFrom('central_feed_items')
        .select('id')
        .where('community_id', '=', c.id)
        .where('user_id', 'in', people)
        .execute();
      expect.soft(items.length).toBe(SENDERS * 3);
      const post = items[0]!.id;
      const top = await s.as(people[0]!).feed.comment({ params: { itemId: post }, body: { content: 'top' } });
      const comments = await senders(people, 3, (u, i) =>
        s.as(u).feed.comment({
          params: { itemId: post },
          body: { content: `c ${u} ${i}`, nonce: `feedcomm-${u}-${i}`, ...(i === 2 ? { parent_id: top.id } : {}) },
        }),
      );
      report(dialect, 'feed comments', comments, SENDERS * 3);
      expect.soft(comments.failed).toEqual([]);
      const reactions = await burst([
        ...people.map((u) => () => s.as(u).feed.react({ params: { itemId: post }, body: { emoji: '\u{1F389}' } })),
        ...people.map((u) => () => s.as(u).feed.reactComment({ params: { commentId: top.id }, body: { emoji: '\u{1F389}' } })),
      ]);
      report(dialect, 'feed reactions', reactions, SENDERS * 2);
      expect.soft(reactions.failed).toEqual([]);
      const item = await d
        .selectFrom('central_feed_items')
        .select(['comment_count', 'reaction_count'])
        .where('id', '=', post)
        .executeTakeFirstOrThrow();
      expect(item).toEqual({ comment_count: SENDERS * 3 + 1, reaction_count: SENDERS });
      const parent = await d
        .selectFrom('central_feed_comments')
        .select(['reply_count', 'reaction_count'])
        .where('id', '=', top.id)
        .executeTakeFirstOrThrow();
      expect(parent).toEqual({ reply_count: SENDERS, reaction_count: SENDERS });
    });
  });
}
