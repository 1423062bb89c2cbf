import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { ReusableInsert } from './insert';
import { migrateToLatest } from './migrate';

describe('ReusableInsert', () => {
  it('writes each call its own row, answers its id, through the table prefix, on the database or in a transaction', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      const insert = new ReusableInsert(d.db, 'event_outbox', ['event_id', 'name', 'payload', 'occurred_at']);
      const at = '2026-12-02T10:00:00.000Z';
      const first = await insert.run(d.db, { event_id: 'e1', name: 'FeedPostCreated', payload: '{"a":1}', occurred_at: at });
      const [second, third] = await d.db
        .transaction()
        .execute(async (trx) => [
          await insert.run(trx, { event_id: 'e2', name: 'CommunityJoined', payload: '{}', occurred_at: at }),
          await insert.run(trx, { event_id: 'e3', name: 'MessagePosted', payload: '[]', occurred_at: '2026-12-02T11:00:00.000Z' }),
        ]);
      expect([second, third]).toEqual([first + 1, first + 2]);
      const rows = await d.db
        .selectFrom('event_outbox')
        .select(['id', 'event_id', 'name', 'payload', 'occurred_at'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: first, event_id: 'e1', name: 'FeedPostCreated', payload: '{"a":1}', occurred_at: at },
        { id: second, event_id: 'e2', name: 'CommunityJoined', payload: '{}', occurred_at: at },
        { id: third, event_id: 'e3', name: 'MessagePosted', payload: '[]', occurred_at: '2026-12-02T11:00:00.000Z' },
      ]);
      // The prefix applied: the bare table name does not exist.
      expect(d.sqlite!.prepare("select count(*) as n from sqlite_master where name = 'event_outbox'").get()).toEqual({ n: 0 });
      // A failed write (the unique event id) fails its call alone.
      await expect(insert.run(d.db, { event_id: 'e1', name: 'X', payload: '{}', occurred_at: at })).rejects.toThrow(/UNIQUE/);
    } finally {
      await d.destroy();
    }
  });

  it('runs straight on SQLite inside a transaction when given its statements, with the same ids, prefix and errors', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      const cols = ['event_id', 'name', 'payload', 'occurred_at'] as const;
      const insert = new ReusableInsert(d.db, 'event_outbox', cols, d.sqliteStatements);
      const at = '2026-12-02T10:00:00.000Z';
      // Outside a transaction it goes through Kysely as before.
      const first = await insert.run(d.db, { event_id: 'e1', name: 'A', payload: '{}', occurred_at: at });
      const ids = await d.db
        .transaction()
        .execute(async (trx) => [
          await insert.run(trx, { event_id: 'e2', name: 'B', payload: '{}', occurred_at: at }),
          await insert.run(trx, { event_id: 'e3', name: 'C', payload: '{}', occurred_at: at }),
        ]);
      expect(ids).toEqual([first + 1, first + 2]);
      // A failed insert rejects its call; the transaction it was in rolls back whole.
      await expect(
        d.db.transaction().execute(async (trx) => {
          await insert.run(trx, { event_id: 'e4', name: 'D', payload: '{}', occurred_at: at });
          await insert.run(trx, { event_id: 'e1', name: 'dup', payload: '{}', occurred_at: at });
        }),
      ).rejects.toThrow(/UNIQUE/);
      const rows = await d.db.selectFrom('event_outbox').select(['id', 'event_id']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: first, event_id: 'e1' },
        { id: first + 1, event_id: 'e2' },
        { id: first + 2, event_id: 'e3' },
      ]);
    } finally {
      await d.destroy();
    }
  });

  it('refuses a table the facts cache watches: its writes must be counted as they are compiled', async () => {
    const d = connect('sqlite::memory:');
    try {
      await migrateToLatest(d);
      const insert = new ReusableInsert(d.db, 'community_roles', ['community_id', 'slug', 'name', 'rank', 'permissions']);
      const before = d.factsWrites.generation;
      await expect(insert.run(d.db, { community_id: 1, slug: 'x', name: 'X', rank: 1, permissions: '[]' })).rejects.toThrow(
        'watched by the facts cache',
      );
      expect(d.factsWrites.generation).toBe(before);
    } finally {
      await d.destroy();
    }
  });
});
