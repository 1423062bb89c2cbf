import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SearchResult } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rebuildSearchIndex } from '../src/search';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Search on the server databases schools run: MariaDB's InnoDB FULLTEXT and PostgreSQL's GIN
 * tsvector indexes (migration 0013) answer the same access-filtered queries as SQLite's FTS5,
 * follow edits and deletes at once, keep every one of many messages written at the same time,
 * and survive `search:rebuild` (on PostgreSQL with a stemming language).
 */
const WRITERS = 10;
const PER_WRITER = 5;

const ids = (items: SearchResult[], kind?: SearchResult['kind']) => items.filter((i) => !kind || i.kind === kind).map((i) => i.id);

for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`search on ${dialect}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    let c: { id: number; slug: string };
    let general: number;
    let staff: number;
    let owner: number;
    let st: number[];
    const find = (user: number, query: Record<string, string | number>) => s.as(user).search.search({ query: query as { q: string } });

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-search-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: { messages: { max: 100_000, window_seconds: 1 }, search: { max: 100_000, window_seconds: 1 } },
      });
      owner = s.demo.instructorIds[0]!;
      st = s.demo.studentIds;
      c = await makeCommunity(s, { name: 'Search Herd' });
      for (const u of st.slice(0, WRITERS)) await addMember(s, c.id, u);
      general = (await s.as(owner).channels.list({ params: { id: c.slug } })).items.find((x) => x.type === 'text')!.id;
      staff = (await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'staff', is_private: true } })).id;
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    it('finds what the caller may read, highlighted; never a private channel of which they are not a member', async () => {
      const open = await s
        .as(st[0]!)
        .channels.post({ params: { channelId: general }, body: { content: 'Giraffe feeding schedule for Monday' } });
      const closed = await s.as(owner).channels.post({ params: { channelId: staff }, body: { content: 'Giraffe feeding budget (staff)' } });
      const r = await find(st[1]!, { q: 'giraffe feeding' });
      expect(ids(r.items, 'message')).toEqual([open.id]);
      const hit = r.items[0]!;
      expect(hit.highlights.map(([a, b]) => hit.text.slice(a, b))).toEqual(['Giraffe', 'feeding']);
      expect(ids((await find(owner, { q: 'giraffe feeding', type: 'message' })).items).sort((a, b) => a - b)).toEqual([open.id, closed.id]);
      expect((await find(st[1]!, { q: 'budget' })).items).toEqual([]);
    });

    it('follows edits and deletes, and keeps every message written at once', async () => {
      const m = await s.as(st[2]!).channels.post({ params: { channelId: general }, body: { content: 'flamingo parade' } });
      await s.as(st[2]!).channels.edit({ params: { messageId: m.id }, body: { content: 'pelican parade' } });
      expect(ids((await find(st[0]!, { q: 'flamingo' })).items)).toEqual([]);
      expect(ids((await find(st[0]!, { q: 'pelican' })).items)).toEqual([m.id]);
      await s.as(st[2]!).channels.removeMessage({ params: { messageId: m.id } });
      expect(ids((await find(st[0]!, { q: 'pelican' })).items)).toEqual([]);

      // Writers at once, with searches running between them.
      const writers = st.slice(0, WRITERS);
      const posted: Array<{ id: number; created_at: string }> = [];
      await Promise.all([
        ...writers.map(async (u, w) => {
          for (let i = 0; i < PER_WRITER; i++) {
            const m = await s.as(u).channels.post({ params: { channelId: general }, body: { content: `capybara census w${w} n${i}` } });
            posted.push({ id: m.id, created_at: m.created_at });
          }
        }),
        ...writers.map(() => find(st[0]!, { q: 'capybara census' })),
      ]);
      const all: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await find(st[0]!, { q: 'capybara census', limit: 20, ...(cursor ? { cursor } : {}) });
        all.push(...ids(page.items));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect([...all].sort((a, b) => a - b)).toEqual(posted.map((m) => m.id).sort((a, b) => a - b));
      // Equally relevant, so newest first across the pages: by created_at, then the higher id. Not
      // by id alone: each post stamps its time before its transaction takes an id, and concurrent
      // transactions on MariaDB and PostgreSQL take theirs in any order (the highest id is not
      // always the newest; on PostgreSQL it once came second here).
      const newestFirst = [...posted]
        .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id))
        .map((m) => m.id);
      expect(all).toEqual(newestFirst);
      expect(ids((await find(st[0]!, { q: 'capybara census', limit: 1 })).items)).toEqual([newestFirst[0]]);

      // The same, with the times set: a later id with an earlier time comes after; at one time, the higher id first.
      const real = s.ctx.clock;
      const now = real.now().getTime();
      const postAt = async (user: number, at: number, content: string) => {
        s.ctx.clock = { now: () => new Date(at) };
        try {
          return (await s.as(user).channels.post({ params: { channelId: general }, body: { content } })).id;
        } finally {
          s.ctx.clock = real;
        }
      };
      const newest = await postAt(st[4]!, now, 'tapir trail alpha');
      const older = await postAt(st[5]!, now - 1_000, 'tapir trail beta');
      const tiedFirst = await postAt(st[6]!, now - 2_000, 'tapir trail gamma');
      const tiedSecond = await postAt(st[7]!, now - 2_000, 'tapir trail delta');
      expect(ids((await find(st[0]!, { q: 'tapir trail' })).items)).toEqual([newest, older, tiedSecond, tiedFirst]);
    });

    it('search:rebuild keeps results the same' + (dialect === 'postgres' ? ', and stems with search.language' : ''), async () => {
      const before = ids((await find(st[0]!, { q: 'capybara census', limit: 50 })).items);
      const report = await rebuildSearchIndex(s.ctx.db, dialect === 'postgres' ? 'english' : 'simple');
      expect(report.sources.map((x) => x.table)).toContain('channel_messages');
      expect(ids((await find(st[0]!, { q: 'capybara census', limit: 50 })).items)).toEqual(before);
      if (dialect === 'postgres') {
        const m = await s.as(st[3]!).channels.post({ params: { channelId: general }, body: { content: 'The otters were running' } });
        expect(ids((await find(st[0]!, { q: 'otter runs' })).items)).toEqual([]);
        s.ctx.config.search.language = 'english';
        try {
          const r = await find(st[0]!, { q: 'otter runs' });
          expect(ids(r.items)).toEqual([m.id]);
          expect(r.items[0]!.highlights.map(([a, b]) => r.items[0]!.text.slice(a, b))).toEqual(['otters']);
        } finally {
          s.ctx.config.search.language = 'simple';
        }
      }
    });
  });
}
