import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { migrateToLatest } from './migrate';
import { upsertRows } from './upsert';

const at = '2026-12-02T10:00:00.000Z';
const KEY = ['channel_id', 'date'] as const;
const row = (channel_id: number, date: string, total: number, quarters: string) => ({
  channel_id,
  community_id: 0,
  date,
  quarters,
  cum: '',
  total,
  updated_at: at,
});

describe('upsertRows', () => {
  it('inserts new keys, sets or adds to existing ones, for any row count, through the table prefix and in a transaction', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      const read = () =>
        d.db
          .selectFrom('channel_activity_counts')
          .select(['channel_id', 'date', 'quarters', 'total'])
          .orderBy('channel_id')
          .orderBy('date')
          .execute();
      await upsertRows(
        d.db,
        'sqlite',
        'channel_activity_counts',
        KEY,
        [row(1, '2026-12-01', 2, 'a'), row(2, '2026-12-01', 3, 'b')],
        ['quarters'],
        ['total'],
      );
      // Same shape and row count again (the compiled statement, new values), then other counts.
      await upsertRows(
        d.db,
        'sqlite',
        'channel_activity_counts',
        KEY,
        [row(1, '2026-12-01', 5, 'c'), row(3, '2026-12-02', 1, 'd')],
        ['quarters'],
        ['total'],
      );
      await d.db.transaction().execute(async (trx) => {
        await upsertRows(trx, 'sqlite', 'channel_activity_counts', KEY, [row(2, '2026-12-01', 10, 'e')], ['quarters'], ['total']);
        await upsertRows(
          trx,
          'sqlite',
          'channel_activity_counts',
          KEY,
          [row(4, '2026-12-03', 1, 'f'), row(5, '2026-12-03', 1, 'g'), row(3, '2026-12-02', 7, 'h')],
          ['quarters', 'total'],
        );
      });
      expect(await read()).toEqual([
        { channel_id: 1, date: '2026-12-01', quarters: 'c', total: 7 },
        { channel_id: 2, date: '2026-12-01', quarters: 'e', total: 13 },
        // `total` among the set columns here: replaced, not added.
        { channel_id: 3, date: '2026-12-02', quarters: 'h', total: 7 },
        { channel_id: 4, date: '2026-12-03', quarters: 'f', total: 1 },
        { channel_id: 5, date: '2026-12-03', quarters: 'g', total: 1 },
      ]);
      expect(d.sqlite!.prepare("select count(*) as n from sqlite_master where name = 'channel_activity_counts'").get()).toEqual({ n: 0 });
      // A row without one of the first row's columns is refused before anything is written.
      const { total: _, ...short } = row(9, '2026-12-09', 1, 'x');
      await expect(
        upsertRows(d.db, 'sqlite', 'channel_activity_counts', KEY, [row(8, '2026-12-09', 1, 'x'), short], ['quarters'], ['total']),
      ).rejects.toThrow('has no total');
      expect((await read()).length).toBe(5);
      await upsertRows(d.db, 'sqlite', 'channel_activity_counts', KEY, [], ['quarters']);
      // Nothing to set or add: an existing key is left as it is, a new one inserted.
      await upsertRows(d.db, 'sqlite', 'channel_activity_counts', KEY, [row(1, '2026-12-01', 100, 'z'), row(6, '2026-12-04', 2, 'y')], []);
      expect((await read()).filter((r) => r.channel_id === 1 || r.channel_id === 6)).toEqual([
        { channel_id: 1, date: '2026-12-01', quarters: 'c', total: 7 },
        { channel_id: 6, date: '2026-12-04', quarters: 'y', total: 2 },
      ]);
    } finally {
      await d.destroy();
    }
  });

  it('refuses a table the facts cache watches: its writes must be counted as they are compiled', async () => {
    const d = connect('sqlite::memory:');
    try {
      await migrateToLatest(d);
      const before = d.factsWrites.generation;
      await expect(
        upsertRows(
          d.db,
          'sqlite',
          'community_roles',
          ['community_id', 'slug'],
          [{ community_id: 1, slug: 'x', name: 'X', rank: 1, permissions: '[]' }],
          ['name'],
        ),
      ).rejects.toThrow('watched by the facts cache');
      expect(d.factsWrites.generation).toBe(before);
    } finally {
      await d.destroy();
    }
  });
});
