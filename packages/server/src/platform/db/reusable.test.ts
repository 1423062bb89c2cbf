import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { migrateToLatest } from './migrate';
import { ReusableListQuery, ReusableQuery } from './reusable';

const at = '2026-12-02T10:00:00.000Z';

/** Ledger rows for `users`, each worth ten points per user id, in the community `community(u)` says. */
async function seedLedger(d: ReturnType<typeof connect>, users: number[], community: (u: number) => number): Promise<void> {
  await d.db
    .insertInto('gamification_events')
    .values(
      users.map((u) => ({
        user_id: u,
        community_id: community(u),
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
}

describe('ReusableQuery', () => {
  it('answers each call with its own values, constants of the query kept, through the table prefix', async () => {
    const d = connect('sqlite::memory:', { prefix: 'px_' });
    try {
      await migrateToLatest(d);
      await seedLedger(d, [1, 2, 3], () => 7);
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

describe('ReusableListQuery', () => {
  it('answers lists of any length with their own ids, other values beside them', async () => {
    const d = connect('sqlite::memory:');
    try {
      await migrateToLatest(d);
      await seedLedger(d, [1, 2, 3, 4, 5, 6, 7, 8, 9], (u) => (u % 2 ? 7 : 8));
      const q = new ReusableListQuery(
        d.db,
        (db, users, community: number) =>
          db
            .selectFrom('gamification_events')
            .select(['user_id'])
            .where('user_id', 'in', users)
            .where('community_id', '=', community)
            .orderBy('user_id'),
        [-1] as [number],
      );
      const users = async (ids: number[], community: number) => (await q.execute(ids, community)).map((r) => r.user_id);
      expect(await users([], 7)).toEqual([]);
      expect(await users([3], 7)).toEqual([3]);
      expect(await users([3], 8)).toEqual([]);
      expect(await users([1, 2, 3], 7)).toEqual([1, 3]);
      expect(await users([2, 4, 6, 8, 9], 8)).toEqual([2, 4, 6, 8]);
      expect(await users([1, 2, 3, 4, 5, 6, 7, 8, 9], 7)).toEqual([1, 3, 5, 7, 9]);
      expect(await users([9, 1], 7)).toEqual([1, 9]);
    } finally {
      await d.destroy();
    }
  });
});
