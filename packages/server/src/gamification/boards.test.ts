import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseConfig } from '../platform/config';
import { connect, type Db } from '../platform/db/connect';
import { migrateToLatest } from '../platform/db/migrate';
import { createLogger } from '../platform/logger';

import { Leaderboards } from './boards';
import { Ledger } from './ledger';
import { SqlScores } from './scores';
import { GamificationSettings } from './settings';

const C = 7;
let d: Db;
let scores: SqlScores;
const now = new Date('2026-12-01T12:00:00Z');

async function put(userId: number, points: number) {
  await d.db
    .insertInto('gamification_scores')
    .values({ community_id: C, period: 'all', user_id: userId, points, level: 1, updated_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['community_id', 'period', 'user_id']).doUpdateSet({ points }))
    .execute();
}

/** What SQL says the board is: points descending, then user id ascending. */
async function truth() {
  return (await scores.page(C, 'all', 1000)).map((r) => ({ user_id: r.user_id, points: r.points }));
}

beforeEach(async () => {
  d = connect('sqlite::memory:');
  await migrateToLatest(d);
  scores = new SqlScores(d.db, 'sqlite');
});
afterEach(() => d.destroy());

describe('Leaderboards in memory', () => {
  it('load from SQL and answer top N and ranks in the documented order (ties: lower user id first)', async () => {
    for (const [u, p] of [
      [5, 10],
      [2, 10],
      [9, 30],
      [4, 0],
      [3, -2],
    ] as const)
      await put(u, p);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null });
    expect(await b.top(C, 'all', 0, 10)).toEqual(await truth());
    expect(await b.top(C, 'all', 1, 1)).toEqual([{ user_id: 2, points: 10 }]);
    expect([await b.rank(C, 'all', 9, 30), await b.rank(C, 'all', 2, 10), await b.rank(C, 'all', 5, 10)]).toEqual([1, 2, 3]);
    expect(await b.rank(C, 'all', 4, 0)).toBeNull();
  });

  it('move with the ledger’s awards after commit, and agree with SQL after thousands of them', async () => {
    const settings = new GamificationSettings(d.db, 'sqlite', parseConfig({}).gamification, () => now);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null });
    const ledger = new Ledger(d.db, 'sqlite', scores, b, settings, 'UTC', () => now);
    await b.top(C, 'all', 0, 1); // loaded before the awards: they must reach it
    for (let i = 0; i < 300; i++)
      await ledger.award({
        userId: 1 + ((i * 37) % 41),
        communityId: C,
        action: 'post_message',
        sourceKey: `t:${i}`,
        occurredAt: now,
        target: { type: 'message', id: i },
      });
    await ledger.reverse({ type: 'message', id: 5 });
    const want = await truth();
    expect(want.length).toBeGreaterThan(30);
    expect(await b.top(C, 'all', 0, 1000)).toEqual(want);
    for (const [i, r] of want.entries()) expect(await b.rank(C, 'all', r.user_id, r.points)).toBe(i + 1);
  });

  it('heal what they show from SQL when a change never reached them (another node, a lost update)', async () => {
    for (let u = 1; u <= 20; u++) await put(u, u);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null, healMs: 0 });
    expect((await b.top(C, 'all', 0, 1))[0]).toEqual({ user_id: 20, points: 20 });
    await b.settled();
    await put(20, 1); // behind the board's back
    await put(3, 50);
    expect(await b.rank(C, 'all', 3, 50)).toBe(1); // the viewer's own total is read from SQL
    // The read answers from the board and checks what it showed afterwards; the next read is right.
    await b.top(C, 'all', 0, 3);
    await b.settled();
    expect(await b.top(C, 'all', 0, 3)).toEqual((await truth()).slice(0, 3));
  });

  it('check shown rows against SQL at most once per healMs per board, after answering', async () => {
    for (let u = 1; u <= 5; u++) await put(u, u);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null, healMs: 60_000 });
    await b.top(C, 'all', 0, 5);
    await b.settled();
    await put(5, 0); // behind the board's back, within the minute
    await b.top(C, 'all', 0, 5);
    await b.settled();
    expect((await b.top(C, 'all', 0, 1))[0]).toEqual({ user_id: 5, points: 5 });
  });

  it('reload on a schedule when nodes share SQL without Redis', async () => {
    await put(1, 5);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: 5 });
    await b.top(C, 'all', 0, 5);
    await put(2, 9);
    await new Promise((r) => setTimeout(r, 10));
    expect(await b.top(C, 'all', 0, 5)).toEqual([{ user_id: 1, points: 5 }]); // starts the reload, answers from the old board
    await new Promise((r) => setTimeout(r, 20));
    expect(await b.top(C, 'all', 0, 5)).toEqual([
      { user_id: 2, points: 9 },
      { user_id: 1, points: 5 },
    ]);
  });

  it('fall back to counting in SQL for totals the in-memory structure cannot hold exactly', async () => {
    await put(1, 2 ** 40);
    await put(2, 3);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null });
    expect(await b.top(C, 'all', 0, 5)).toEqual(await truth());
    expect(await b.rank(C, 'all', 2, 3)).toBe(2);
  });
});

describe('daily caps', () => {
  it('once full, answer from memory for the rest of the day, and open again when an admin raises the cap', async () => {
    const settings = new GamificationSettings(d.db, 'sqlite', parseConfig({}).gamification, () => now);
    const b = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null });
    const ledger = new Ledger(d.db, 'sqlite', scores, b, settings, 'UTC', () => now);
    const rules = await settings.rules();
    const cap = rules.anti_farming.daily_caps.post_message;
    const award = (i: number) => ledger.award({ userId: 1, communityId: C, action: 'post_message', sourceKey: `c:${i}`, occurredAt: now });
    let i = 0;
    while ((await award(i++)).awarded) if (i > 10_000) throw new Error('no cap');
    expect(await ledger.capped({ userId: 1, communityId: C, action: 'post_message', occurredAt: now })).toBe(true);
    expect(await award(i++)).toEqual({ awarded: false, reason: 'daily_cap' });
    const tomorrow = new Date(now.getTime() + 86_400_000);
    expect(await ledger.capped({ userId: 1, communityId: C, action: 'post_message', occurredAt: tomorrow })).toBe(false);
    await settings.update({ anti_farming: { daily_caps: { post_message: cap * 2 } } }, 1);
    expect(await award(i++)).toMatchObject({ awarded: true });
  });
});
