import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '../../test/support/databases';

import { migrateToLatest } from './db/migrate';
import { createLogger } from './logger';
import { backoffMs, DbQueue } from './queue';
import { formatQueueStatus } from './queue-status';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('sqlite');
  await migrateToLatest(t.db);
});
afterAll(async () => t?.drop());

describe('the database queue', () => {
  it('backs off 2s, 4s, 8s … up to 10 minutes by default, from the configured base otherwise', () => {
    expect([1, 2, 3].map((a) => backoffMs(a))).toEqual([2000, 4000, 8000]);
    expect(backoffMs(20)).toBe(600_000);
    expect([1, 2].map((a) => backoffMs(a, 50))).toEqual([50, 100]);
  });

  it('jobs:status counts per kind and state, lists retries with their next run, and dead jobs', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const q = new DbQueue(t.db.db, createLogger('silent'), () => now, 1000);
    let flaky = 0;
    q.register('flaky', () => (++flaky === 1 ? Promise.reject(new Error('busy, try later')) : Promise.resolve()));
    q.register('doomed', () => Promise.reject(new Error('host table missing')));
    q.register('fine', () => Promise.resolve());
    await q.enqueue('a', 'flaky', {});
    await q.enqueue('a', 'doomed', {}, { maxAttempts: 1 });
    await q.enqueue('a', 'fine', {});
    await q.enqueue('a', 'fine', {}, { runAt: new Date('2026-01-02T00:00:00Z') });
    expect(await q.processAll()).toBe(3);

    const s = await q.status();
    expect(s.driver).toBe('database');
    expect(s.kinds).toEqual({
      flaky: { waiting: 0, delayed: 1, active: 0, completed: 0, failed: 0 },
      doomed: { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 1 },
      fine: { waiting: 0, delayed: 1, active: 0, completed: 1, failed: 0 },
    });
    expect(s.retrying).toEqual([
      expect.objectContaining({
        kind: 'flaky',
        attempts: 1,
        max_attempts: 5,
        error: 'busy, try later',
        next_run_at: '2026-01-01T00:00:01.000Z',
      }),
    ]);
    expect(s.failures).toEqual([
      expect.objectContaining({ kind: 'doomed', attempts: 1, max_attempts: 1, error: 'host table missing', next_run_at: null }),
    ]);
    const text = formatQueueStatus(s);
    expect(text).toMatch(/flaky\s+0\s+1\s+0\s+0\s+0/);
    expect(text).toMatch(/retrying .*\n\s+flaky #\d+\s+attempt 1\/5\s+next 2026-01-01T00:00:01.000Z\s+busy, try later/);
    expect(text).toMatch(/dead .*\n\s+doomed #\d+\s+attempt 1\/1\s+died 2026-01-01T00:00:00.000Z\s+host table missing/);

    now = new Date('2026-01-01T00:00:01Z');
    expect(await q.processAll()).toBe(1);
    const after = await q.status();
    expect(after.kinds.flaky).toMatchObject({ delayed: 0, completed: 1 });
    expect(after.retrying).toEqual([]);
  });
});
