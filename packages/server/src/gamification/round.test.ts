import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseConfig } from '../platform/config';
import { connect, type Db } from '../platform/db/connect';
import { migrateToLatest } from '../platform/db/migrate';
import { createLogger } from '../platform/logger';

import { Leaderboards } from './boards';
import { ScoreFolder } from './fold';
import { AwardRound, Ledger, type AwardInput } from './ledger';
import { levelOf } from './levels';
import { periodKeys } from './periods';
import { GLOBAL, SqlScores } from './scores';
import { GamificationSettings } from './settings';
import { verifyGamification } from './verify';

const C = 7;
let d: Db;
let scores: SqlScores;
let boards: Leaderboards;
let ledger: Ledger;
let settings: GamificationSettings;
let clock: Date;

/** A folder over the test database; `batch` small so a fold takes several transactions. */
function folder(opts: ConstructorParameters<typeof ScoreFolder>[6] = {}) {
  const levelFor = async () => {
    const t = (await settings.rules()).level_thresholds;
    return (p: number) => levelOf(p, t);
  };
  return new ScoreFolder(d.db, 'sqlite', scores, levelFor, () => clock, null, { batch: 37, ...opts });
}

/** A ledger that writes ledger-first (the MariaDB and PostgreSQL path: week, month and profile left to the folder), on the test's SQLite. */
function ledgerFirst() {
  return new Ledger(d.db, 'sqlite', scores, boards, settings, 'UTC', () => clock, null, { foldAtOnce: false });
}

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeEach(async () => {
  d = connect('sqlite::memory:');
  await migrateToLatest(d);
  scores = new SqlScores(d.db, 'sqlite');
  clock = new Date('2026-11-29T20:00:00Z'); // a Sunday, two days before a month ends
  // Low caps, so the random rounds reach them often.
  const config = parseConfig({ gamification: { anti_farming: { daily_caps: { post_message: 8, receive_reaction: 6 } } } });
  settings = new GamificationSettings(d.db, 'sqlite', config.gamification, () => clock);
  boards = new Leaderboards(scores, null, '', createLogger('silent'), { refreshMs: null });
  ledger = new Ledger(d.db, 'sqlite', scores, boards, settings, 'UTC', () => clock);
});
afterEach(() => d.destroy());

/** Every board in memory equals what SQL says, rank by rank. */
async function boardsMatchSql(periods: Iterable<string>) {
  for (const c of [C, GLOBAL])
    for (const p of periods) {
      const want = (await scores.page(c, p, 10_000)).map((r) => ({ user_id: r.user_id, points: r.points }));
      expect(await boards.top(c, p, 0, 10_000), `board ${c}/${p}`).toEqual(want);
      for (const [i, r] of want.entries()) expect(await boards.rank(c, p, r.user_id, r.points)).toBe(i + 1);
    }
}

const post = (i: number, userId: number, at: Date): AwardInput => ({
  userId,
  communityId: C,
  action: 'post_message',
  sourceKey: `msg:${i}`,
  occurredAt: at,
  target: { type: 'message', id: i },
});

describe('award rounds', () => {
  it.each([
    ['at once (SQLite)', true],
    ['ledger-first', false],
  ])(
    'written %s, agree with SQL and the ledger after random rounds of awards, redeliveries and reversals across a week and month rollover',
    async (_, atOnce) => {
      if (!atOnce) ledger = ledgerFirst();
      const rnd = prng(17);
      const periods = new Set<string>();
      const rules = await settings.rules();
      let next = 0;
      const sent: AwardInput[] = [];
      for (let r = 0; r < 60; r++) {
        // Three days in 60 rounds: the week turns on Monday and the month on Tuesday.
        clock = new Date(Date.parse('2026-11-29T20:00:00Z') + r * 72 * 60_000);
        for (const p of periodKeys(clock, 'UTC')) periods.add(p);
        for (const p of periods) for (const c of [C, GLOBAL]) await boards.top(c, p, 0, 1); // loaded: the rounds must reach them
        const round = new AwardRound();
        const n = 1 + Math.floor(rnd() * 40);
        for (let k = 0; k < n; k++) {
          const x = rnd();
          const user = 1 + Math.floor(rnd() * 12);
          let input: AwardInput;
          if (x < 0.15 && sent.length)
            input = sent[Math.floor(rnd() * sent.length)]!; // redelivered
          else if (x < 0.5)
            input = {
              userId: user,
              communityId: C,
              action: 'receive_reaction',
              sourceKey: `rx:${next++}`,
              occurredAt: clock,
              actorId: 1 + Math.floor(rnd() * 3),
              target: { type: 'message', id: Math.floor(rnd() * next) },
            };
          else input = post(next++, user, clock);
          sent.push(input);
          await ledger.collect(input, round);
        }
        await ledger.flush(round);
        // The folder runs now and then, a batch or all it finds, between rounds and reversals (not in
        // the last rounds: the checks below run once before the last fold).
        if (r < 45 && rnd() < 0.3) await (rnd() < 0.5 ? folder().foldOnce() : folder().drain());
        if (rnd() < 0.3) await ledger.reverse({ type: 'message', id: Math.floor(rnd() * next) });
        if (rnd() < 0.2)
          await ledger.reverse({ type: 'message', id: Math.floor(rnd() * next) }, { type: 'receive_reaction', actorId: 2, latest: true });
      }
      expect(periods.size).toBeGreaterThanOrEqual(5); // all, two weeks, two months
      // Before the last fold (reads add what is not folded), and after it (written at once: nothing to fold).
      await boardsMatchSql(periods);
      const before = await verifyGamification(d.db);
      if (atOnce) expect(before.unfolded_rows).toBe(0);
      else expect(before.unfolded_rows).toBeGreaterThan(0);
      expect(before.drift).toEqual([]);
      await folder().drain();
      await boardsMatchSql(periods);
      const v = await verifyGamification(d.db);
      expect(v.ledger_rows).toBeGreaterThan(500);
      expect(v.unfolded_rows).toBe(0);
      expect(v.drift).toEqual([]);
      // Caps held across rounds: no member earned more than a day's cap for an action on one day.
      const perDay = await d.db
        .selectFrom('gamification_events')
        .select((eb) => [
          'user_id',
          'type',
          eb.fn('substr', ['occurred_at', eb.val(1), eb.val(10)]).as('day'),
          eb.fn.sum<number>('points').as('n'),
        ])
        .where('points', '>', 0)
        .groupBy(['user_id', 'type', 'day'])
        .execute();
      expect(perDay.some((row) => Number(row.n) === rules.anti_farming.daily_caps[row.type as 'post_message'])).toBe(true); // reached
      for (const row of perDay) expect(Number(row.n)).toBeLessThanOrEqual(rules.anti_farming.daily_caps[row.type as 'post_message']);
      // And the reactor limit: one reactor's awards to one author per day.
      const perReactor = await d.db
        .selectFrom('gamification_events')
        .select((eb) => [eb.fn.countAll<number>().as('n')])
        .where('type', '=', 'receive_reaction')
        .where('points', '>', 0)
        .groupBy(['user_id', 'actor_id', (eb) => eb.fn('substr', ['occurred_at', eb.val(1), eb.val(10)])])
        .execute();
      for (const row of perReactor) expect(Number(row.n)).toBeLessThanOrEqual(rules.anti_farming.reactions_per_reactor_per_author_per_day);
    },
  );

  it('a round delivered twice, even twice at once, awards each event once', async () => {
    const at = clock;
    const inputs = Array.from({ length: 30 }, (_, i) => post(i, 1 + (i % 5), at));
    await boards.top(C, 'all', 0, 1);
    // Two deliveries of the same page collected before either is written (a lease taken over).
    const a = new AwardRound();
    const b = new AwardRound();
    for (const i of inputs) await ledger.collect(i, a);
    for (const i of inputs) await ledger.collect(i, b);
    expect(a.size).toBe(30);
    expect(b.size).toBe(30);
    const [first, second] = await Promise.all([ledger.flush(a), ledger.flush(b)]);
    expect(first.awarded.length + second.awarded.length).toBe(30);
    // Then once more, after both committed: every one is a duplicate.
    const c = new AwardRound();
    for (const i of inputs) expect(await ledger.collect(i, c)).toEqual({ awarded: false, reason: 'duplicate' });
    expect((await ledger.flush(c)).awarded).toEqual([]);
    const rows = await d.db
      .selectFrom('gamification_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(Number(rows?.n)).toBe(30);
    const total = (await scores.get(C, 'all', 1))!.points;
    expect(total).toBe((await settings.rules()).points.post_message * 6);
    await boardsMatchSql(['all']);
    expect((await verifyGamification(d.db)).drift).toEqual([]);
  });

  it('a round that fails while it is written leaves nothing behind, and the retry writes it once', async () => {
    await boards.top(C, 'all', 0, 1);
    const inputs = Array.from({ length: 12 }, (_, i) => post(i, 1 + (i % 3), clock));
    const round = new AwardRound();
    for (const i of inputs) await ledger.collect(i, round);
    const real = scores.addMany.bind(scores);
    scores.addMany = async (...args) => {
      await real(...args); // the score rows moved, then the process "dies" before commit
      throw new Error('crash');
    };
    await expect(ledger.flush(round)).rejects.toThrow('crash');
    scores.addMany = real;
    const none = await d.db
      .selectFrom('gamification_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(Number(none?.n)).toBe(0);
    expect(await scores.page(C, 'all', 10)).toEqual([]);
    expect(await boards.top(C, 'all', 0, 10)).toEqual([]);
    // The outbox delivers the page again.
    const again = new AwardRound();
    for (const i of inputs) await ledger.collect(i, again);
    expect((await ledger.flush(again)).awarded).toHaveLength(12);
    await boardsMatchSql(['all', ...periodKeys(clock, 'UTC').slice(1)]);
    expect((await verifyGamification(d.db)).drift).toEqual([]);
  });

  it.each([
    ['at once (SQLite)', true],
    ['ledger-first', false],
  ])('written %s, reports each member’s level change once per round, with the totals before and after', async (_, atOnce) => {
    if (!atOnce) ledger = ledgerFirst();
    const thresholds = (await settings.rules()).level_thresholds;
    const per = (await settings.rules()).points.post_message;
    const needed = Math.ceil(thresholds[1]! / per);
    const round = new AwardRound();
    for (let i = 0; i < needed; i++) await ledger.collect(post(i, 3, clock), round);
    const done = await ledger.flush(round);
    const mine = done.levels.filter((l) => l.userId === 3);
    expect(mine.map((l) => l.communityId).sort()).toEqual([C, null].sort());
    for (const l of mine) expect(l).toMatchObject({ before: 1, after: 2, points: needed * per });
    // The level is in the all-time row at once (level-gated channels read it); the profile too
    // when written at once, else it follows with the fold.
    expect(await scores.get(C, 'all', 3)).toEqual({ user_id: 3, points: needed * per, level: 2 });
    const stored = await d.db.selectFrom('gamification_profiles').selectAll().where('user_id', '=', 3).executeTakeFirst();
    if (atOnce) expect([stored?.total_points, stored?.level]).toEqual([needed * per, 2]);
    else expect(stored).toBeUndefined();
    await folder().drain();
    const profile = await d.db.selectFrom('gamification_profiles').selectAll().where('user_id', '=', 3).executeTakeFirstOrThrow();
    expect([profile.total_points, profile.level]).toEqual([needed * per, 2]);
  });

  it('ledger-first, reads of a week or month add the awards not folded yet, so nothing reads short before the fold', async () => {
    ledger = ledgerFirst();
    const [, week, month] = periodKeys(clock, 'UTC') as [string, string, string];
    const per = (await settings.rules()).points.post_message;
    const round = new AwardRound();
    for (let i = 0; i < 9; i++) await ledger.collect(post(i, 1 + (i % 3), clock), round);
    await ledger.flush(round);
    const rows = await d.db.selectFrom('gamification_scores').select('period').execute();
    expect(new Set(rows.map((r) => r.period))).toEqual(new Set(['all'])); // only the all-time rows so far
    for (const p of [week, month]) {
      expect(await scores.get(C, p, 2)).toEqual({ user_id: 2, points: 3 * per, level: 1 });
      expect(await scores.many(GLOBAL, p, [1, 2, 9])).toEqual(
        new Map([
          [1, 3 * per],
          [2, 3 * per],
        ]),
      );
      expect((await scores.page(C, p, 2)).map((r) => r.user_id)).toEqual([1, 2]);
    }
    await boardsMatchSql(['all', week, month]); // boards loaded now, from the rows plus the ledger
    const f = folder();
    expect(await f.drain()).toBe(9);
    expect(await f.drain()).toBe(0);
    expect(await scores.get(C, week, 2)).toEqual({ user_id: 2, points: 3 * per, level: 1 });
    await boardsMatchSql(['all', week, month]);
  });

  it('ledger-first, a fold cut short (the process killed mid-fold) leaves nothing behind; the next process folds each award exactly once', async () => {
    ledger = ledgerFirst();
    const [, week, month] = periodKeys(clock, 'UTC') as [string, string, string];
    const inputs = Array.from({ length: 200 }, (_, i) => post(i, 1 + (i % 23), new Date(clock.getTime() - (i % 4) * 86_400_000)));
    for (let i = 0; i < inputs.length; i += 50) {
      const round = new AwardRound();
      for (const x of inputs.slice(i, i + 50)) await ledger.collect(x, round);
      await ledger.flush(round);
    }
    const awarded = (await verifyGamification(d.db)).unfolded_rows;
    expect(awarded).toBeGreaterThan(100);
    // Folded as two processes would: the first dies in its third transaction, after the upserts
    // and before it marks its rows, so that transaction never commits.
    let batches = 0;
    const dying = folder({
      beforeMark: () => {
        if (++batches === 3) throw new Error('killed');
      },
    });
    await expect(dying.drain()).rejects.toThrow('killed');
    const half = await verifyGamification(d.db);
    expect(half.unfolded_rows).toBe(awarded - 2 * 37);
    expect(half.drift).toEqual([]);
    // The next process (a new folder) picks up where the last commit left off.
    expect(await folder().drain()).toBe(awarded - 2 * 37);
    const v = await verifyGamification(d.db);
    expect(v.unfolded_rows).toBe(0);
    expect(v.drift).toEqual([]);
    const counter = await d.db
      .selectFrom('gamification_folds')
      .select('rows_folded')
      .where('name', '=', 'scores')
      .executeTakeFirstOrThrow();
    expect(Number(counter.rows_folded)).toBe(awarded); // each row counted by one committed fold
    // And the period rows equal the ledger's sums, member by member.
    const per = (await settings.rules()).points.post_message;
    for (const p of [week, month]) {
      const byUser = new Map<number, number>();
      for (const r of await d.db
        .selectFrom('gamification_events')
        .select(['user_id', 'points'])
        .where(p === week ? 'week_key' : 'month_key', '=', p)
        .execute())
        byUser.set(Number(r.user_id), (byUser.get(Number(r.user_id)) ?? 0) + Number(r.points));
      const stored = await d.db
        .selectFrom('gamification_scores')
        .select(['user_id', 'points'])
        .where('community_id', '=', C)
        .where('period', '=', p)
        .execute();
      expect(new Map(stored.map((r) => [Number(r.user_id), Number(r.points)]))).toEqual(byUser);
      expect([...byUser.values()].every((n) => n % per === 0)).toBe(true);
    }
    await boardsMatchSql(['all', week, month]);
  });
});

describe('on SQLite an award writes everything in its own transaction', () => {
  /** Every score row, as stored (no unfolded ledger rows added), by `community|period|user`. */
  async function stored(): Promise<Record<string, number>> {
    const rows = await d.db.selectFrom('gamification_scores').select(['community_id', 'period', 'user_id', 'points']).execute();
    return Object.fromEntries(rows.map((r) => [`${r.community_id}|${r.period}|${r.user_id}`, Number(r.points)]));
  }
  async function profile(userId: number) {
    const p = await d.db
      .selectFrom('gamification_profiles')
      .select(['total_points', 'level', 'xp'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return p && { total_points: Number(p.total_points), level: Number(p.level), xp: Number(p.xp) };
  }
  const unfolded = async () =>
    Number(
      (
        await d.db
          .selectFrom('gamification_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('folded', '=', 0)
          .executeTakeFirst()
      )?.n,
    );
  const six = (userId: number, points: number, week: string, month: string) =>
    Object.fromEntries([C, GLOBAL].flatMap((c) => ['all', week, month].map((p) => [`${c}|${p}|${userId}`, points])));

  it('leaves no ledger row to fold: the week and month rows and the profile are right at once, and a reversal takes them back at once', async () => {
    const [, week, month] = periodKeys(clock, 'UTC') as [string, string, string];
    const rules = await settings.rules();
    const per = rules.points.post_message;
    const level = (p: number) => levelOf(p, rules.level_thresholds);
    for (const p of ['all', week, month]) for (const c of [C, GLOBAL]) await boards.top(c, p, 0, 1); // loaded: the round moves them
    const round = new AwardRound();
    // Member 1 posts messages 0, 2, 4 (three times the points), member 2 messages 1 and 3.
    for (let i = 0; i < 5; i++) await ledger.collect(post(i, 1 + (i % 2), clock), round);
    expect((await ledger.flush(round)).awarded).toHaveLength(5);
    expect(await unfolded()).toBe(0);
    expect(await stored()).toEqual({ ...six(1, 3 * per, week, month), ...six(2, 2 * per, week, month) });
    expect(await profile(1)).toEqual({ total_points: 3 * per, level: level(3 * per), xp: 3 * per });
    expect(await profile(2)).toEqual({ total_points: 2 * per, level: level(2 * per), xp: 2 * per });
    expect(await folder().drain()).toBe(0); // the folder finds nothing
    await boardsMatchSql(['all', week, month]);

    // A reversal (the message deleted) takes the points out of all six rows and the profile in its transaction.
    expect(await ledger.reverse({ type: 'message', id: 2 })).toBe(per);
    expect(await ledger.reverse({ type: 'message', id: 2 })).toBe(0); // twice: nothing more
    expect(await unfolded()).toBe(0);
    expect(await stored()).toEqual({ ...six(1, 2 * per, week, month), ...six(2, 2 * per, week, month) });
    expect(await profile(1)).toEqual({ total_points: 2 * per, level: level(2 * per), xp: 2 * per });
    expect(await folder().drain()).toBe(0);
    await boardsMatchSql(['all', week, month]);
    const v = await verifyGamification(d.db);
    expect([v.ledger_rows, v.unfolded_rows, v.drift]).toEqual([6, 0, []]);
  });

  it('a ledger row left unfolded (an earlier version wrote it ledger-first) is still folded by the folder, beside awards written at once', async () => {
    const [, week, month] = periodKeys(clock, 'UTC') as [string, string, string];
    const per = (await settings.rules()).points.post_message;
    // Before the upgrade: members 1 and 5 earned ledger-first (their all-time rows moved, week, month and profile not yet).
    const old = new AwardRound();
    const before = ledgerFirst();
    for (const [i, u] of [
      [0, 1],
      [1, 5],
      [2, 1],
    ] as const)
      await before.collect(post(i, u, clock), old);
    await before.flush(old);
    expect(await unfolded()).toBe(3);
    // After it: member 1 earns again, written at once.
    const round = new AwardRound();
    await ledger.collect(post(3, 1, clock), round);
    await ledger.flush(round);
    expect(await unfolded()).toBe(3); // the new award is folded, the old rows are not
    expect((await stored())[`${C}|${week}|1`]).toBe(per); // the new award's week row, without the old rows
    expect(await scores.get(C, week, 1)).toEqual({ user_id: 1, points: 3 * per, level: 1 }); // reads add the unfolded rows
    const mid = await verifyGamification(d.db);
    expect([mid.unfolded_rows, mid.drift]).toEqual([3, []]);
    // The folder (run at start-up) folds the rows left, once.
    expect(await folder().drain()).toBe(3);
    expect(await folder().drain()).toBe(0);
    expect(await stored()).toEqual({ ...six(1, 3 * per, week, month), ...six(5, per, week, month) });
    expect((await profile(1))?.total_points).toBe(3 * per);
    expect((await profile(5))?.total_points).toBe(per);
    await boardsMatchSql(['all', week, month]);
    const v = await verifyGamification(d.db);
    expect([v.ledger_rows, v.unfolded_rows, v.drift]).toEqual([4, 0, []]);
  });
});
