import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connect, type Db } from '../platform/db/connect';
import { migrateToLatest } from '../platform/db/migrate';
import { inTransaction } from '../platform/db/transaction';

import { applyBatch, KnownPeriods, RollupBatch } from './rollup';

const at = '2026-12-01T12:00:00.000Z';
const msg = (userId: number, iso: string) => ({ kind: 'message' as const, userId, communityId: 1, channelId: 1, at: Date.parse(iso) });

describe('applyBatch with remembered member periods', () => {
  let d: Db;
  beforeAll(async () => {
    d = connect('sqlite::memory:');
    await migrateToLatest(d);
    d.sqlite!.prepare(
      `insert into communities (id, owner_id, name, slug, description, visibility, status, settings, member_count, created_at, updated_at) values (1, 1, 'C', 'c', '', 'public', 'active', '{}', 0, ?, ?)`,
    ).run(at, at);
  });
  afterAll(() => d.destroy());

  const actives = async (period: 'week' | 'month', start: string) =>
    Number(
      (
        await d.db
          .selectFrom('community_activity_periods')
          .select('active_members')
          .where('community_id', '=', 1)
          .where('period', '=', period)
          .where('starts_on', '=', start)
          .executeTakeFirst()
      )?.active_members ?? 0,
    );
  const apply = async (known: KnownPeriods, acts: ReturnType<typeof msg>[], fail = false) => {
    const batch = new RollupBatch();
    for (const a of acts) batch.add(a);
    let applied: string[] = [];
    await inTransaction(d.db, async (trx, afterCommit) => {
      const res = await applyBatch(trx, batch, at, 'sqlite', known);
      afterCommit(() => known.remember(res.periods));
      applied = res.periods;
      if (fail) throw new Error('rolled back');
    }).catch((e: unknown) => {
      if (!fail) throw e;
    });
    return applied;
  };

  it('counts a member once per week and month, remembered or looked up, and forgets nothing a rollback wrote', async () => {
    const known = new KnownPeriods();
    // Monday 2026-11-30: week 2026-11-30, month 2026-11-01.
    const written = await apply(known, [msg(7, '2026-11-30T10:00:00Z'), msg(8, '2026-11-30T11:00:00Z')]);
    expect(written.sort()).toEqual(['1|month|2026-11-01|7', '1|month|2026-11-01|8', '1|week|2026-11-30|7', '1|week|2026-11-30|8']);
    expect(known.has('1|week|2026-11-30|7')).toBe(true);
    expect(await actives('week', '2026-11-30')).toBe(2);
    // Remembered: no new active member for 7 again; 9 is new.
    await apply(known, [msg(7, '2026-11-30T12:00:00Z'), msg(9, '2026-11-30T12:00:00Z')]);
    expect(await actives('week', '2026-11-30')).toBe(2 + 1);
    // A rolled-back batch: 10's rows are not remembered, so the next batch still finds 10 new.
    await apply(known, [msg(10, '2026-11-30T13:00:00Z')], true);
    expect(known.has('1|week|2026-11-30|10')).toBe(false);
    expect(await actives('week', '2026-11-30')).toBe(3);
    await apply(known, [msg(10, '2026-11-30T14:00:00Z')]);
    expect(await actives('week', '2026-11-30')).toBe(4);
    // A process that remembers nothing looks the rows up: 7 and 10 are not new there either.
    await apply(new KnownPeriods(), [msg(7, '2026-11-30T15:00:00Z'), msg(10, '2026-11-30T15:00:00Z')]);
    expect(await actives('week', '2026-11-30')).toBe(4);
    expect(await actives('month', '2026-11-01')).toBe(4);
    // Same member, the next week (in December): new in that week and month, November unchanged.
    await apply(known, [msg(7, '2026-12-07T09:00:00Z')]);
    expect(await actives('week', '2026-12-07')).toBe(1);
    expect(await actives('month', '2026-12-01')).toBe(1);
    expect(await actives('month', '2026-11-01')).toBe(4);
  });

  it('forgets everything past its bound (a cache only)', () => {
    const known = new KnownPeriods(3);
    known.remember(['a', 'b']);
    known.remember(['c', 'd']);
    expect(known.has('a')).toBe(false);
    expect(known.has('c') && known.has('d')).toBe(true);
  });
});
