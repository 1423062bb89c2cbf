import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { migrateToLatest } from './migrate';
import { ReusableQuery } from './reusable';

describe('ReusableQuery', () => {
  it('answers each call with its own values, constants of the query kept, through the table prefix', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      const at = '2026-12-02T10:00:00.000Z';
      await d.db
        .insertInto('gamification_events')
        .values(
          [1, 2, 3].map((u) => ({
            user_id: u,
            community_id: 7,
            type: 'post_message',
            points: u * 10,
            metadata: '{}',
            occurred_at: at,
            source_key: `k${u}`,
            created_at: at,
            updated_at: at,
          })),
        )
        .execute();
      const q = new ReusableQuery(
        d.db,
        (db, user: number, key: string) =>
          db
            .selectFrom('gamification_events')
            .select(['user_id', 'points'])
            .where('user_id', '=', user)
            .where('points', '>', 5)
            .where('source_key', '=', key),
        [-1, '\u0001key'] as [number, string],
      );
      expect(await q.execute(2, 'k2')).toEqual([{ user_id: 2, points: 20 }]);
      expect(await q.executeTakeFirst(3, 'k3')).toEqual({ user_id: 3, points: 30 });
      expect(await q.execute(3, 'k2')).toEqual([]);
      expect(await q.executeTakeFirst(1, 'k1')).toEqual({ user_id: 1, points: 10 });
    } finally {
      await d.destroy();
    }
  });

  it('refuses sentinels that are not bound exactly once', async () => {
    const d = connect('sqlite::memory:');
    try {
      const twice = new ReusableQuery(
        d.db,
        (db, user: number) => db.selectFrom('gamification_events').select('id').where('user_id', '=', user).where('actor_id', '=', user),
        [-1] as [number],
      );
      await expect(twice.execute(1)).rejects.toThrow('bound 2 times');
      const never = new ReusableQuery(d.db, (db, _user: number) => db.selectFrom('gamification_events').select('id'), [-1] as [number]);
      await expect(never.execute(1)).rejects.toThrow('bound 0 times');
    } finally {
      await d.destroy();
    }
  });
});
