import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { migrateToLatest } from './migrate';
import { statementSizes, updateWhereIn, upsertRows } from './upsert';

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

  it('splits rows into statements of power-of-two sizes within the bound-parameter limit', () => {
    expect(statementSizes(1000, 6)).toEqual([512, 256, 128, 64, 32, 8]);
    expect(statementSizes(2500, 6)).toEqual([1024, 1024, 256, 128, 64, 4]);
    expect(statementSizes(1, 16)).toEqual([1]);
    expect(statementSizes(0, 16)).toEqual([]);
    // 40 columns: 819 rows fit SQLite's 32,766 parameters; the largest statement is 512 rows.
    expect(statementSizes(1300, 40)).toEqual([512, 512, 256, 16, 4]);
    for (const [n, c] of [
      [6000, 6],
      [777, 16],
      [5000, 8],
    ] as const) {
      const sizes = statementSizes(n, c);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      for (const k of sizes) expect(k * c).toBeLessThanOrEqual(32_766);
    }
  });

  it('hands back the rows written (RETURNING), only the inserted ones when it updates nothing, across many statements', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      type Back = { channel_id: number; date: string; total: number };
      const first = Array.from({ length: 1500 }, (_, i) => row(i, '2026-12-01', i, 'a'));
      const back = await upsertRows<Back>(
        d.db,
        'sqlite',
        'channel_activity_counts',
        KEY,
        first,
        ['quarters'],
        ['total'],
        ['channel_id', 'date', 'total'],
      );
      // (RETURNING hands rows back in no promised order.)
      back.sort((a, b) => a.channel_id - b.channel_id);
      expect(back).toEqual(first.map((r) => ({ channel_id: r.channel_id, date: r.date, total: r.total })));
      // Again, adding: the totals as the upsert left them come back.
      const again = await upsertRows<Back>(
        d.db,
        'sqlite',
        'channel_activity_counts',
        KEY,
        [row(7, '2026-12-01', 3, 'b'), row(2000, '2026-12-01', 5, 'c')],
        ['quarters'],
        ['total'],
        ['channel_id', 'total'],
      );
      expect(again.sort((a, b) => a.channel_id - b.channel_id)).toEqual([
        { channel_id: 7, total: 10 },
        { channel_id: 2000, total: 5 },
      ]);
      // Nothing to set or add: only the rows inserted come back; the others are left as they were.
      const inserted = await d.db
        .transaction()
        .execute((trx) =>
          upsertRows<{ channel_id: number }>(
            trx,
            'sqlite',
            'channel_activity_counts',
            KEY,
            [
              row(7, '2026-12-01', 100, 'z'),
              row(3000, '2026-12-01', 1, 'y'),
              row(9, '2026-12-01', 100, 'z'),
              row(3001, '2026-12-01', 1, 'y'),
            ],
            [],
            [],
            ['channel_id'],
          ),
        );
      expect(inserted.sort((a, b) => a.channel_id - b.channel_id)).toEqual([{ channel_id: 3000 }, { channel_id: 3001 }]);
      const seven = await d.db.selectFrom('channel_activity_counts').select(['total', 'quarters']).where('channel_id', '=', 7).execute();
      expect(seven).toEqual([{ total: 10, quarters: 'b' }]);
      expect(
        Number(
          (
            await d.db
              .selectFrom('channel_activity_counts')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirst()
          )?.n,
        ),
      ).toBe(1503);
      // MariaDB has no RETURNING on an upsert: refused before anything runs.
      await expect(
        upsertRows(d.db, 'mysql', 'channel_activity_counts', KEY, [row(1, '2026-12-01', 1, 'x')], ['quarters'], [], ['total']),
      ).rejects.toThrow('MariaDB');
    } finally {
      await d.destroy();
    }
  });

  it('updates rows named by a list of values, of any length (padded to a compiled size), through the table prefix', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      await upsertRows(
        d.db,
        'sqlite',
        'channel_activity_counts',
        KEY,
        Array.from({ length: 1200 }, (_, i) => row(i, '2026-12-01', 1, 'a')),
        [],
      );
      const marked = async () =>
        (
          await d.db.selectFrom('channel_activity_counts').select('channel_id').where('quarters', '=', 'm').orderBy('channel_id').execute()
        ).map((r) => r.channel_id);
      await updateWhereIn(d.db, 'channel_activity_counts', { quarters: 'm', total: 9 }, 'channel_id', [5, 3, 11]); // three, run as four
      expect(await marked()).toEqual([3, 5, 11]);
      const many = Array.from({ length: 1100 }, (_, i) => 100 + i); // two statements: 1,024 and 76 (run as 128)
      await d.db
        .transaction()
        .execute((trx) => updateWhereIn(trx, 'channel_activity_counts', { quarters: 'm', total: 9 }, 'channel_id', many));
      expect(await marked()).toEqual([3, 5, 11, ...many]);
      const nine = await d.db
        .selectFrom('channel_activity_counts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('total', '=', 9)
        .executeTakeFirst();
      expect(Number(nine?.n)).toBe(1103);
      await updateWhereIn(d.db, 'channel_activity_counts', { quarters: 'x' }, 'channel_id', []);
      // A table the facts cache watches is refused here too.
      await expect(updateWhereIn(d.db, 'community_roles', { name: 'X' }, 'id', [1])).rejects.toThrow('watched by the facts cache');
    } finally {
      await d.destroy();
    }
  });
});
