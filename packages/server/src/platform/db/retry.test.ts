import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { migrateToLatest } from './migrate';
import { isTransientConflict, retryOnConflict } from './retry';
import { inTransaction } from './transaction';

const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' });

describe('retryOnConflict', () => {
  it('knows the lock conflicts of MariaDB and PostgreSQL, and nothing else', () => {
    expect(isTransientConflict({ errno: 1213 })).toBe(true);
    expect(isTransientConflict({ errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' })).toBe(true);
    expect(isTransientConflict({ code: '40001' })).toBe(true);
    expect(isTransientConflict({ code: '40P01' })).toBe(true);
    expect(isTransientConflict({ errno: 1062, code: 'ER_DUP_ENTRY' })).toBe(false);
    expect(isTransientConflict({ code: '23505' })).toBe(false);
    expect(isTransientConflict(new Error('boom'))).toBe(false);
    expect(isTransientConflict(undefined)).toBe(false);
  });

  it('runs again after a conflict, gives up after the last attempt, and never retries other errors', async () => {
    let n = 0;
    expect(await retryOnConflict(async () => (++n < 3 ? Promise.reject(deadlock()) : n), { baseDelayMs: 1 })).toBe(3);
    n = 0;
    await expect(retryOnConflict(() => (n++, Promise.reject(deadlock())), { attempts: 4, baseDelayMs: 1 })).rejects.toThrow('Deadlock');
    expect(n).toBe(4);
    n = 0;
    await expect(retryOnConflict(() => (n++, Promise.reject(new Error('unique'))), { baseDelayMs: 1 })).rejects.toThrow('unique');
    expect(n).toBe(1);
  });

  it('inTransaction: a conflicted attempt leaves no rows and no after-commit work behind', async () => {
    const db = connect('sqlite::memory:');
    try {
      await migrateToLatest(db);
      const after: number[] = [];
      let attempt = 0;
      await inTransaction(db.db, async (trx, afterCommit) => {
        attempt++;
        const now = new Date().toISOString();
        await trx
          .insertInto('domain_events')
          .values({ name: `try ${attempt}`, payload: '{}', occurred_at: now })
          .execute();
        afterCommit(() => void after.push(attempt));
        if (attempt === 1) throw deadlock();
      });
      expect(after).toEqual([2]);
      const rows = await db.db.selectFrom('domain_events').select('name').execute();
      expect(rows.map((r) => r.name)).toEqual(['try 2']);
    } finally {
      await db.destroy();
    }
  });
});
