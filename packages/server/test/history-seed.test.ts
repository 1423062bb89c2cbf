import { afterEach, describe, expect, it } from 'vitest';

import { random, seedHistory, seedWord, zipfRank } from '../src/chat/history-seed';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

describe('communities bench:seed (seedHistory)', () => {
  it('fills a channel with history the API pages through, oldest first, and moves the channel to its newest message', async () => {
    s = await startTestServer();
    const [a, b] = [s.demo.studentIds[0]!, s.demo.studentIds[1]!];
    const c = await makeCommunity(s, { name: 'Deep Channel' });
    await addMember(s, c.id, a);
    await addMember(s, c.id, b);
    const general = (await s.as(a).channels.list({ params: { id: c.slug } })).items.find((ch) => ch.slug === 'general')!;
    const r = await seedHistory(s.ctx.db, { channelId: general.id, messages: 2345, authorIds: [a, b], days: 30, now: new Date() });
    expect(r.messages).toBe(2345);

    const latest = await s.as(a).channels.messages({ params: { channelId: general.id }, query: {} });
    expect(latest.items).toHaveLength(50);
    expect(latest.has_more_before).toBe(true);
    expect(latest.items.at(-1)!.id).toBe(r.lastId);
    expect(latest.items.at(-1)!.content).toBe("Seeded history message 2344: what did everyone make of this week's lesson?");
    // Authors take turns and time runs forward with the ids.
    expect(new Set(latest.items.map((m) => m.author.id))).toEqual(new Set([a, b]));
    const times = latest.items.map((m) => Date.parse(m.created_at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    const deep = await s.as(b).channels.messages({ params: { channelId: general.id }, query: { before: r.firstId + 10 } });
    expect(deep.items.map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => r.firstId + i));
    expect(deep.has_more_before).toBe(false);

    const channel = await s.ctx.db.db
      .selectFrom('channels')
      .select('last_message_id')
      .where('id', '=', general.id)
      .executeTakeFirstOrThrow();
    expect(channel.last_message_id).toBe(r.lastId);
  });

  it('bulk-loads on SQLite with the search index filled as its indexer would, and every index and trigger back as it was', async () => {
    s = await startTestServer({ rate_limits: { search: { max: 1000, window_seconds: 1 } } });
    const [a, b] = [s.demo.studentIds[0]!, s.demo.studentIds[1]!];
    const c = await makeCommunity(s, { name: 'Searchable Depth' });
    await addMember(s, c.id, a);
    await addMember(s, c.id, b);
    const general = (await s.as(a).channels.list({ params: { id: c.slug } })).items.find((ch) => ch.slug === 'general')!;
    const sqlite = s.ctx.db.sqlite!;
    const schema = () =>
      sqlite.prepare("select type, name, sql from sqlite_master where tbl_name = 'channel_messages' order by type, name").all();
    const before = schema();
    expect(before.filter((o) => (o as { type: string }).type === 'trigger')).toHaveLength(2);
    const posted = await s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'before the seed' } });
    const r = await seedHistory(s.ctx.db, { channelId: general.id, messages: 3000, authorIds: [a, b], text: 'varied' });
    expect(schema()).toEqual(before);
    expect(r.firstId).toBe(posted.id + 1);

    // The full-text index holds exactly the seeded rows' text, as the indexer writes it.
    const fts = (word: string) =>
      (
        sqlite
          .prepare('select rowid from search_fts_channel_messages where search_fts_channel_messages match ? order by rowid')
          .all(`"${word}"`) as { rowid: number }[]
      ).map((x) => x.rowid);
    const rows = sqlite.prepare('select id, content from channel_messages where id >= ? order by id').all(r.firstId) as {
      id: number;
      content: string;
    }[];
    expect(rows).toHaveLength(3000);
    const rare = seedWord(zipfRank(random(7)()));
    const common = seedWord(0);
    for (const word of [rare, common]) {
      const expected = rows.filter((m) => m.content.replace(/\.$/, '').split(' ').includes(word)).map((m) => m.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(fts(word)).toEqual(expected);
    }
    expect(sqlite.prepare('select count(*) as n from search_fts_channel_messages').get()).toEqual({ n: 3001 });
    // Through the API, as the search bench reads it.
    const found = await s.as(b).search.search({
      query: { q: rows[1234]!.content.split(' ').slice(0, 2).join(' '), community_id: c.id, type: 'message' } as { q: string },
    });
    expect(found.items.length).toBeGreaterThan(0);

    // A message posted after the seed is indexed by the server's indexer (migration 0015).
    const after = await s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'xylophonic afterthought' } });
    await s.ctx.searchIndex!.catchUp();
    expect(fts('xylophonic')).toEqual([after.id]);
    // The channel's indexes answer pages again.
    const plan = sqlite
      .prepare('explain query plan select * from channel_messages where channel_id = ? and id < ? order by id desc limit 51')
      .all(general.id, r.lastId) as { detail: string }[];
    expect(plan.map((p) => p.detail).join()).toContain('channel_messages__channel_id_id_ix');
  });

  it('puts the dropped indexes back when the load fails', async () => {
    s = await startTestServer();
    const sqlite = s.ctx.db.sqlite!;
    const schema = () =>
      sqlite.prepare("select type, name, sql from sqlite_master where tbl_name = 'channel_messages' order by name").all();
    const before = schema();
    const c = await makeCommunity(s, { name: 'Interrupted Seed' });
    const general = (await s.ctx.db.db.selectFrom('channels').select('id').where('community_id', '=', c.id).executeTakeFirstOrThrow()).id;
    // Stopped after the first batch of 100,000 rows, with the indexes dropped.
    await expect(
      seedHistory(s.ctx.db, {
        channelId: general,
        messages: 250_000,
        authorIds: [1],
        onProgress: () => {
          throw new Error('stopped');
        },
      }),
    ).rejects.toThrow('stopped');
    expect(schema()).toEqual(before);
    // The rows that did go in are indexed for search as well, by the server's indexer.
    await s.ctx.searchIndex!.catchUp();
    const n = sqlite.prepare('select count(*) as n from channel_messages').get() as { n: number };
    const f = sqlite.prepare('select count(*) as n from search_fts_channel_messages').get() as { n: number };
    expect(f.n).toBe(n.n);
  });

  it('refuses a channel that does not exist', async () => {
    s = await startTestServer();
    await expect(seedHistory(s.ctx.db, { channelId: 999_999, messages: 10, authorIds: [1] })).rejects.toThrow('No channel 999999');
  });
});
