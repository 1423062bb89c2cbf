import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { connect } from '../src/platform/db/connect';
import { migrateTo, migrateToLatest } from '../src/platform/db/migrate';
import { rebuildSearchIndex, SearchIndexer } from '../src/search';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Migration 0015 on SQLite: new messages, posts and comments reach the full-text index in batches
 * written by the server's indexer, not by an insert trigger. What must hold: a search finds what
 * was posted before it, every row is in the index exactly once, an edit or a delete before the
 * row was indexed leaves the index as the row is, and a rebuild while posts arrive loses none.
 */
let s: TestServer;
let owner: number;
let member: number;
let community: { id: number; slug: string };
let general: number;

const sqlite = () => s.ctx.db.sqlite!;
const indexed = (word: string) =>
  (
    sqlite()
      .prepare('select rowid from search_fts_channel_messages where search_fts_channel_messages match ? order by rowid')
      .all(`"${word}"`) as Array<{ rowid: number }>
  ).map((r) => r.rowid);
const cursor = (source: string) =>
  (sqlite().prepare('select indexed_id from search_index_cursors where source = ?').get(source) as { indexed_id: number }).indexed_id;
const post = (content: string) => s.as(member).channels.post({ params: { channelId: general }, body: { content } });
const found = async (q: string) =>
  (await s.as(member).search.search({ query: { q, community_id: community.id, type: 'message' } as { q: string } })).items.map((i) => i.id);

beforeAll(async () => {
  const many = { max: 1000, window_seconds: 1 };
  s = await startTestServer({ rate_limits: { search: many, messages: many, dm_messages: many } });
  owner = s.demo.instructorIds[0]!;
  member = s.demo.studentIds[0]!;
  community = await makeCommunity(s, { name: 'Index Keepers' });
  await addMember(s, community.id, member);
  general = (await s.as(owner).channels.list({ params: { id: community.slug } })).items.find((c) => c.type === 'text')!.id;
});
afterAll(async () => s.close());

describe('search index (SQLite, migration 0015)', () => {
  it('indexes a new message shortly after its commit, with no search to ask for it', async () => {
    const m = await post('quokka sunrise over the bay');
    await vi.waitFor(() => expect(indexed('quokka')).toEqual([m.id]), { timeout: 5_000, interval: 20 });
    expect(cursor('channel_messages')).toBeGreaterThanOrEqual(m.id);
  });

  it('a search finds a message posted just before it, whether or not the indexer ran', async () => {
    s.ctx.searchIndex!.close(); // no timers: only the search's own catch-up indexes
    try {
      const m = await post('narwhal ballet at noon');
      expect(indexed('narwhal')).toEqual([]);
      expect(await found('narwhal ballet')).toEqual([m.id]);
      expect(indexed('narwhal')).toEqual([m.id]);
    } finally {
      s.ctx.searchIndex!.start();
    }
  });

  it('an edit or a delete before the row is indexed leaves the index as the row is, each row once', async () => {
    s.ctx.searchIndex!.close();
    try {
      const edited = await post('axolotl first draft');
      const gone = await post('axolotl to be deleted');
      const kept = await post('axolotl kept as posted');
      await s.as(member).channels.edit({ params: { messageId: edited.id }, body: { content: 'pangolin final wording' } });
      await s.as(member).channels.removeMessage({ params: { messageId: gone.id } });
      // Not indexed yet: the guarded triggers left them to the indexer.
      expect(indexed('axolotl')).toEqual([]);
      expect(indexed('pangolin')).toEqual([]);
      await s.ctx.searchIndex!.catchUp();
      const rowsOf = (id: number) =>
        (sqlite().prepare('select count(*) as n from search_fts_channel_messages where rowid = ?').get(id) as { n: number }).n;
      expect(indexed('pangolin')).toEqual([edited.id]);
      expect(indexed('axolotl')).not.toContain(edited.id);
      expect(indexed('axolotl')).toContain(kept.id);
      expect(await found('axolotl')).not.toContain(gone.id);
      for (const m of [edited, kept]) expect(rowsOf(m.id)).toBe(1);
      // Once indexed, an edit goes through the trigger at once.
      await s.as(member).channels.edit({ params: { messageId: kept.id }, body: { content: 'capybara rewrite' } });
      expect(indexed('capybara')).toEqual([kept.id]);
      expect(indexed('axolotl')).not.toContain(kept.id);
    } finally {
      s.ctx.searchIndex!.start();
    }
  });

  it('indexes a post soon after its commit without a search, and then stops: an idle server commits nothing', async () => {
    const m = await post('okapi after its commit');
    await vi.waitFor(() => expect(cursor('channel_messages')).toBeGreaterThanOrEqual(m.id), { timeout: 5000, interval: 50 });
    let commits = 0;
    s.ctx.db.groupCommit.onCommit(() => void commits++);
    // A pass that moved rows may be followed by one more that finds none, and the post's event
    // is still being delivered: wait for a quiet second, then nothing may commit for 1.5 s more
    // (the indexer used to commit an empty pass every 200 ms, woken by its own commit).
    let seen = -1;
    await vi.waitFor(
      async () => {
        const before = commits;
        await new Promise((r) => setTimeout(r, 1000));
        seen = commits;
        expect(commits).toBe(before);
      },
      { timeout: 20_000, interval: 0 },
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(commits).toBe(seen);
    expect(indexed('okapi')).toEqual([m.id]);
  }, 60_000);

  it('indexes DMs, feed posts and comments the same way', async () => {
    const thread = await s.as(member).dm.start({ body: { user_ids: [owner] } });
    const dm = await s.as(member).dm.post({ params: { threadId: thread.id }, body: { content: 'wallaby secret recipe' } });
    await s.ctx.searchIndex!.catchUp();
    const count = (table: string, word: string) =>
      (
        sqlite().prepare(`select count(*) as n from search_fts_${table} where search_fts_${table} match ?`).get(`"${word}"`) as {
          n: number;
        }
      ).n;
    expect(count('dm_messages', 'wallaby')).toBe(1);
    expect(cursor('dm_messages')).toBeGreaterThanOrEqual(dm.id);
    for (const source of ['central_feed_items', 'central_feed_comments']) {
      const newest = (sqlite().prepare(`select coalesce(max(id), 0) as n from ${source}`).get() as { n: number }).n;
      expect(cursor(source)).toBe(newest);
    }
  });

  it('search:rebuild while messages arrive indexes every row exactly once', async () => {
    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`meerkat roll call ${i}`)));
    const during = Promise.all(Array.from({ length: 20 }, (_, i) => post(`meerkat late arrival ${i}`)));
    await rebuildSearchIndex(s.ctx.db, 'simple');
    const late = await during;
    await s.ctx.searchIndex!.catchUp();
    const all = [...before, ...late].map((m) => m.id).sort((a, b) => a - b);
    expect(indexed('meerkat')).toEqual(all);
    const total = (sqlite().prepare('select count(*) as n from channel_messages').get() as { n: number }).n;
    const inIndex = (sqlite().prepare('select count(*) as n from search_fts_channel_messages').get() as { n: number }).n;
    expect(inIndex).toBe(total);
  });
});

describe('migration 0015', () => {
  it('keeps what 0013 indexed: each cursor starts at its table newest row', async () => {
    const d = connect('sqlite::memory:');
    try {
      await migrateTo(d, '0014_activity_counts_lean_ix');
      const raw = d.sqlite!;
      raw.pragma('foreign_keys = OFF');
      const insert = raw.prepare(
        `insert into channel_messages (channel_id, user_id, content, metadata, moderation_state, created_at, updated_at)
         values (1, 1, ?, '{}', 'visible', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      );
      for (const w of ['ocelot', 'ocelot again']) insert.run(w);
      await migrateToLatest(d);
      expect(raw.prepare(`select source, indexed_id from search_index_cursors order by source`).all()).toEqual([
        { source: 'central_feed_comments', indexed_id: 0 },
        { source: 'central_feed_items', indexed_id: 0 },
        { source: 'channel_messages', indexed_id: 2 },
        { source: 'dm_messages', indexed_id: 0 },
      ]);
      // Indexed by 0013's trigger, not again by the indexer.
      await new SearchIndexer({ ...d, sqlite: raw }, { warn: () => {} }).catchUp();
      expect(raw.prepare(`select count(*) as n from search_fts_channel_messages`).get()).toEqual({ n: 2 });
      insert.run('ocelot third');
      await new SearchIndexer({ ...d, sqlite: raw }, { warn: () => {} }).catchUp();
      expect(
        raw.prepare(`select rowid from search_fts_channel_messages where search_fts_channel_messages match 'ocelot'`).pluck().all(),
      ).toEqual([1, 2, 3]);
    } finally {
      await d.destroy();
    }
  });
});
