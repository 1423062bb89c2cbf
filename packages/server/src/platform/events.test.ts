import type { DomainEvent } from '@communities/contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { subscribeEventLog } from '../analytics/event-log';

import { systemClock, type Clock } from './clock';
import { connect, type Db } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { inTransaction } from './db/transaction';
import { formatEventStatus, Outbox, type OutboxOptions } from './events';
import { createLogger } from './logger';

const logger = createLogger((process.env.TEST_LOG as 'error') ?? 'silent');
let db: Db;
const open: Outbox[] = [];

const outbox = (options: Partial<OutboxOptions> = {}, clock: Clock = systemClock) => {
  const o = new Outbox(db.db, 'sqlite', logger, clock, { pollMs: 60_000, ...options });
  open.push(o);
  return o;
};
const joined = (user: number) => ({ community_id: 1, user_id: user, source: 'join', member_count: user });
const users = (events: DomainEvent[]) => events.map((e) => (e.payload as { user_id: number }).user_id);
/** idle() until `done` holds: retries wait out their backoff on timers. */
async function until(o: Outbox, done: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    await o.idle();
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('never happened');
}

/** Polls `done` for up to `ms` without idle() (which would deliver to durable subscribers at once). */
async function soon(done: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
}
/** An outbox lingering `lingerMs`, with a durable subscriber that records each page's users. */
async function paged(lingerMs: number) {
  const o = outbox({ lingerMs });
  const pages: number[][] = [];
  o.durable({ name: 'test.pages', events: '*', batch: async (events) => void pages.push(users(events)) });
  o.start();
  await o.idle();
  return { o, pages };
}

beforeEach(async () => {
  db = connect('sqlite::memory:');
  await migrateToLatest(db);
});
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  await db.destroy();
});

describe('the event outbox', () => {
  it('delivers committed events in commit order, never rolled-back ones, and keeps a cursor per subscriber', async () => {
    const o = outbox();
    const seen: DomainEvent[] = [];
    o.durable({ name: 'test.all', events: '*', handle: async (e) => void seen.push(e) });
    o.start();
    await o.idle(); // the cursor exists, at the newest event (none)
    const local: number[] = [];
    o.subscribe('CommunityJoined', (e) => void local.push(e.payload.user_id));
    await inTransaction(db.db, (trx) => o.record(trx, 'CommunityJoined', joined(1)));
    await inTransaction(db.db, async (trx) => {
      await o.record(trx, 'CommunityJoined', joined(2));
      throw new Error('rolled back');
    }).catch(() => {});
    await inTransaction(db.db, async (trx) => {
      await o.record(trx, 'CommunityJoined', joined(3));
      await o.record(trx, 'CommunityLeft', { community_id: 1, user_id: 3, reason: 'left' });
    });
    // Group commit: one write of the batch fails in its savepoint, the others commit.
    await Promise.allSettled([
      db.groupCommit.run((trx) => o.record(trx, 'CommunityJoined', joined(4))),
      db.groupCommit.run(async (trx) => {
        await o.record(trx, 'CommunityJoined', joined(5));
        throw new Error('this one rolls back');
      }),
      db.groupCommit.run((trx) => o.record(trx, 'CommunityJoined', joined(6))),
    ]);
    await o.idle();
    expect(seen.map((e) => [e.name, (e.payload as { user_id: number }).user_id])).toEqual([
      ['CommunityJoined', 1],
      ['CommunityJoined', 3],
      ['CommunityLeft', 3],
      ['CommunityJoined', 4],
      ['CommunityJoined', 6],
    ]);
    expect(local).toEqual([1, 3, 4, 6]);
    const [status] = await o.status();
    expect(status).toMatchObject({ subscriber: 'test.all', behind: 0, parked: 0, attempts: 0 });
  });

  it('with lingerMs, runs local handlers right after each commit and gives durable subscribers the commits of that window in one page', async () => {
    const { o, pages } = await paged(1500);
    const local: number[] = [];
    o.subscribe('CommunityJoined', (e) => void local.push(e.payload.user_id));
    for (const user of [1, 2, 3, 4, 5]) await inTransaction(db.db, (trx) => o.record(trx, 'CommunityJoined', joined(user)));
    await soon(() => local.length === 5, 1000);
    expect(local).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toEqual([]);
    await soon(() => pages.length > 0, 3000);
    expect(pages).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('ends a linger early once 50 events committed, so a busy server delivers in pages of about that many', async () => {
    const { o, pages } = await paged(60_000);
    for (let user = 1; user <= 49; user++) await inTransaction(db.db, (trx) => o.record(trx, 'CommunityJoined', joined(user)));
    await new Promise((r) => setTimeout(r, 100));
    expect(pages).toEqual([]);
    await inTransaction(db.db, (trx) => o.record(trx, 'CommunityJoined', joined(50)));
    await soon(() => pages.flat().length >= 50);
    expect(pages.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('starts a new subscriber at the oldest event (or the newest, if it asks), and a restarted one where its cursor stopped', async () => {
    const first = outbox();
    await first.record(db.db, 'CommunityJoined', joined(1));
    const seen: DomainEvent[] = [];
    const fresh: DomainEvent[] = [];
    first.durable({ name: 'test.s', events: ['CommunityJoined'], handle: async (e) => void seen.push(e) });
    first.durable({ name: 'test.fresh', from: 'now', events: ['CommunityJoined'], handle: async (e) => void fresh.push(e) });
    first.start();
    await first.idle();
    expect(users(seen)).toEqual([1]);
    expect(fresh).toEqual([]); // history before it existed is not replayed
    await first.record(db.db, 'CommunityJoined', joined(2));
    await first.idle();
    await first.close();
    // Committed while no process delivered.
    await db.db
      .insertInto('event_outbox')
      .values({ event_id: 'e3', name: 'CommunityJoined', payload: JSON.stringify(joined(3)), occurred_at: new Date().toISOString() })
      .execute();
    const second = outbox();
    second.durable({ name: 'test.s', events: ['CommunityJoined'], handle: async (e) => void seen.push(e) });
    second.start();
    await second.idle();
    expect(users(seen)).toEqual([1, 2, 3]);
  });

  it('delivers an id that commits after a higher one (server databases) when it shows up, without holding up the rest', async () => {
    const o = outbox();
    const seen: number[] = [];
    o.durable({ name: 'test.gaps', events: '*', handle: async (e) => void seen.push((e.payload as { user_id: number }).user_id) });
    o.start();
    await o.idle();
    const row = (id: number) => ({
      id,
      event_id: `e${id}`,
      name: 'CommunityJoined',
      payload: JSON.stringify(joined(id)),
      occurred_at: new Date().toISOString(),
    });
    // 1 and 2 are in flight; 3 commits first.
    await db.db.insertInto('event_outbox').values(row(3)).execute();
    await o.idle();
    expect(seen).toEqual([3]);
    expect((await o.status())[0]).toMatchObject({ gaps: 2, behind: 0 });
    await db.db.insertInto('event_outbox').values(row(2)).execute();
    await db.db.insertInto('event_outbox').values(row(4)).execute();
    await o.idle();
    expect(seen).toEqual([3, 2, 4]);
    expect((await o.status())[0]).toMatchObject({ gaps: 1, behind: 0 });
  });

  it('forgets a gap once it is older than the window (a rolled-back insert)', async () => {
    const o = outbox({ gapMs: 0 });
    const seen: number[] = [];
    o.durable({ name: 'test.gaps', events: '*', handle: async (e) => void seen.push((e.payload as { user_id: number }).user_id) });
    o.start();
    await o.idle();
    await db.db
      .insertInto('event_outbox')
      .values({ id: 5, event_id: 'e5', name: 'CommunityJoined', payload: JSON.stringify(joined(5)), occurred_at: new Date().toISOString() })
      .execute();
    await until(o, async () => (await o.status())[0]!.gaps === 0);
    expect(seen).toEqual([5]);
  });

  it('retries a failing subscriber with backoff, parks the event after max attempts, and never holds up the others', async () => {
    const o = outbox({ maxAttempts: 3, backoffMs: 1 });
    const good: number[] = [];
    const bad: number[] = [];
    let calls = 0;
    o.durable({ name: 'test.good', events: '*', handle: async (e) => void good.push((e.payload as { user_id: number }).user_id) });
    o.durable({
      name: 'test.bad',
      events: '*',
      handle: async (e) => {
        const user = (e.payload as { user_id: number }).user_id;
        if (user === 2) {
          calls++;
          throw new Error('cannot handle user 2');
        }
        bad.push(user);
      },
    });
    o.start();
    await o.idle();
    for (const u of [1, 2, 3]) await o.record(db.db, 'CommunityJoined', joined(u));
    await o.idle();
    expect(good).toEqual([1, 2, 3]);
    await until(o, () => bad.length === 2);
    expect(bad).toEqual([1, 3]);
    expect(calls).toBe(3);
    const status = await o.status();
    expect(status.find((s) => s.subscriber === 'test.bad')).toMatchObject({ parked: 1, behind: 0, attempts: 0 });
    expect(status.find((s) => s.subscriber === 'test.good')).toMatchObject({ parked: 0, behind: 0 });
    const parked = await db.db.selectFrom('event_parked').selectAll().execute();
    expect(parked).toMatchObject([{ subscriber: 'test.bad', name: 'CommunityJoined', attempts: 3 }]);
    expect(parked[0]!.error).toContain('cannot handle user 2');
  });

  it('shows a subscriber waiting out its backoff, with its error, in the status', async () => {
    const o = outbox({ maxAttempts: 5, backoffMs: 60_000 });
    o.durable({
      name: 'test.down',
      events: '*',
      handle: async () => {
        throw new Error('host unreachable');
      },
    });
    o.start();
    await o.idle();
    await o.record(db.db, 'CommunityJoined', joined(1));
    await o.idle();
    const [s] = await o.status();
    expect(s).toMatchObject({ subscriber: 'test.down', behind: 1, attempts: 1, parked: 0 });
    expect(s!.last_error).toContain('host unreachable');
    expect(s!.retry_at).not.toBeNull();
    expect(s!.oldest_undelivered_age_seconds).not.toBeNull();
    const text = formatEventStatus([s!]);
    expect(text).toMatch(/^test\.down\s+1\s+\d+s\s+0\s+1\s+\S+:\d+:/m); // behind, oldest age, parked, attempts, delivering process
    expect(text).toContain('last error: Error: host unreachable (retry at ');
  });

  it('logs every event once in domain_events however often it is delivered', async () => {
    const o = outbox();
    subscribeEventLog(o, db);
    o.start();
    await o.idle();
    for (const u of [1, 2, 3]) await o.record(db.db, 'CommunityJoined', joined(u));
    await o.idle();
    await o.close();
    // A process that died after logging and before saving its cursor: the next one starts there again.
    await db.db.updateTable('event_cursors').set({ last_id: 0, lease_owner: null }).execute();
    const again = outbox();
    subscribeEventLog(again, db);
    again.start();
    await again.idle();
    const logged = await db.db.selectFrom('domain_events').select(['event_id', 'user_id']).orderBy('id').execute();
    expect(logged.map((r) => r.user_id)).toEqual([1, 2, 3]);
    expect(new Set(logged.map((r) => r.event_id)).size).toBe(3);
  });

  it('lets one process deliver for a subscriber at a time, and another take over when its lease runs out', async () => {
    const a = outbox({ leaseMs: 1000 });
    const b = outbox({ leaseMs: 1000 });
    const byA: number[] = [];
    const byB: number[] = [];
    a.durable({ name: 'test.one', events: '*', handle: async (e) => void byA.push((e.payload as { user_id: number }).user_id) });
    b.durable({ name: 'test.one', events: '*', handle: async (e) => void byB.push((e.payload as { user_id: number }).user_id) });
    a.start();
    await a.idle();
    b.start();
    for (const u of [1, 2]) await a.record(db.db, 'CommunityJoined', joined(u));
    await b.idle();
    await a.idle();
    await b.idle();
    expect(byA).toEqual([1, 2]);
    expect(byB).toEqual([]);
    // A stalls (no close, no renewal) until its lease ran out.
    open.splice(open.indexOf(a), 1);
    await new Promise((r) => setTimeout(r, 1200));
    await b.record(db.db, 'CommunityJoined', joined(3));
    await b.idle();
    expect(byB).toEqual([3]);
    // A wakes up: its cursor write is refused, it stops delivering for the subscriber.
    await a.record(db.db, 'CommunityJoined', joined(4));
    await a.idle();
    await b.idle();
    expect(byA).toEqual([1, 2]);
    expect(byB).toEqual([3, 4]);
    await a.close();
  });

  it('prunes events every cursor passed once they are older than the retention', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock: Clock = { now: () => new Date(now) };
    const o = outbox({ retentionDays: 7 }, clock);
    o.durable({ name: 'test.all', events: '*', handle: async () => {} });
    o.start();
    await o.idle();
    for (const u of [1, 2]) await o.record(db.db, 'CommunityJoined', joined(u));
    await o.idle();
    now += 8 * 86_400_000;
    await o.record(db.db, 'CommunityJoined', joined(3));
    await o.idle();
    await o.prune(); // the dispatcher also prunes by itself, at most once a minute
    expect((await db.db.selectFrom('event_outbox').select('id').execute()).length).toBe(1);
  });
  it.each([
    ['in a transaction of its own', false],
    ['through group commit, sharing the commit with other writes', true],
  ])(
    'commits a transactional batch with its cursor (%s): a failed page leaves nothing and is applied once on retry; a lost lease rolls it back',
    async (_, grouped) => {
      const o = outbox({ backoffMs: 1, ...(grouped ? { groupCommit: db.groupCommit } : {}) });
      // Through group commit, a write queued beside the failing page commits all the same.
      const beside = grouped
        ? db.groupCommit.run((trx) => trx.insertInto('activity_seen').values({ event_id: 'beside', seen_at: 'x' }).execute())
        : null;
      let failOnce = true;
      const written = () => db.db.selectFrom('activity_seen').select('event_id').execute();
      o.durable({
        name: 'test.tx',
        events: '*',
        batchInTransaction: async (trx, events) => {
          await trx
            .insertInto('activity_seen')
            .values(events.map((e) => ({ event_id: e.id, seen_at: e.occurred_at })))
            .execute();
          if (failOnce) {
            failOnce = false;
            throw new Error('after writing');
          }
        },
      });
      o.start();
      await o.idle();
      for (const u of [1, 2, 3]) await o.record(db.db, 'CommunityJoined', joined(u));
      await until(o, async () => (await written()).filter((r) => r.event_id !== 'beside').length > 0);
      // The failed attempt's rows were rolled back with it (a unique key would have refused them again).
      const after = (await written()).filter((r) => r.event_id !== 'beside');
      expect(after.length).toBe(3);
      const [cursor] = await db.db.selectFrom('event_cursors').selectAll().where('subscriber', '=', 'test.tx').execute();
      const newest = await db.db
        .selectFrom('event_outbox')
        .select((eb) => eb.fn.max('id').as('max'))
        .executeTakeFirstOrThrow();
      expect(Number(cursor!.last_id)).toBe(Number(newest.max));
      expect(cursor!.attempts).toBe(0);

      // Another process takes the lease while this one still believes it holds it: the page's writes do not commit.
      await db.db
        .updateTable('event_cursors')
        .set({ lease_owner: 'elsewhere:1:x', lease_until: new Date(Date.now() + 60_000).toISOString() })
        .execute();
      await o.record(db.db, 'CommunityJoined', joined(4));
      await o.idle();
      expect((await written()).filter((r) => r.event_id !== 'beside').length).toBe(3);
      const [kept] = await db.db.selectFrom('event_cursors').selectAll().where('subscriber', '=', 'test.tx').execute();
      expect(Number(kept!.last_id)).toBe(Number(newest.max));
      if (beside) {
        await beside;
        expect(await db.db.selectFrom('activity_seen').select('event_id').where('event_id', '=', 'beside').execute()).toHaveLength(1);
      }
    },
  );
});
