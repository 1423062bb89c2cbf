import type { PointAction } from '@communities/contract';
import type { Insertable } from 'kysely';

import type { DialectName } from '../platform/db/connect';
import type { GamificationEventsTable } from '../platform/db/tables';
import { ReusableQuery } from '../platform/db/reusable';
import { inTransaction, type DbHandle, type Tx } from '../platform/db/transaction';
import { upsertRows } from '../platform/db/upsert';

import { levelOf } from './levels';
import { DayMemo } from './day-memo';
import { upsertProfiles, type ProfileTotal, type ScoreFolder } from './fold';
import { dayBounds, dayKey, periodKeys } from './periods';
import type { Leaderboards } from './boards';
import { GLOBAL, type ScoreDelta, type SqlScores } from './scores';
import type { GamificationSettings } from './settings';

export interface AwardInput {
  userId: number;
  /** null: site-wide only (DMs). */
  communityId: number | null;
  action: PointAction;
  /** Unique per award: a redelivered event finds it and adds nothing. */
  sourceKey: string;
  occurredAt: Date;
  actorId?: number | null;
  target?: { type: string; id: number } | null;
  metadata?: Record<string, unknown>;
}

export type AwardOutcome =
  | { awarded: true; points: number; levels: LevelChange[] }
  | { awarded: false; reason: 'duplicate' | 'zero' | 'muted_or_banned' | 'daily_cap' | 'reactor_limit' };

export interface LevelChange {
  communityId: number | null;
  before: number;
  after: number;
  points: number;
}

/** Why a member earns nothing in a community right now: banned or muted (and not yet expired). */
export async function silenced(db: DbHandle | Tx, communityId: number, userId: number, now: Date): Promise<boolean> {
  const m = await db
    .selectFrom('community_members')
    .select(['status', 'ban_expires_at', 'mute_expires_at'])
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!m) return false;
  const until = m.status === 'banned' ? m.ban_expires_at : m.status === 'muted' ? m.mute_expires_at : null;
  if (m.status !== 'banned' && m.status !== 'muted') return false;
  return until === null || new Date(until).getTime() > now.getTime();
}

type LedgerRow = Insertable<GamificationEventsTable> & { user_id: number; points: number; source_key: string; community_id: number | null };

interface Slot {
  day: string;
  /** ISO bounds of the local day. */
  start: string;
  end: string;
  week: string;
  month: string;
}

/**
 * Awards collected during one outbox round (see Ledger.collect), written together by
 * Ledger.flush: what the round already holds counts toward caps, reactor limits and duplicates,
 * and what SQL said about a member's day is read once a round.
 */
export class AwardRound {
  readonly rows: Array<{ input: AwardInput; row: LedgerRow }> = [];
  readonly keys = new Set<string>();
  /** `day|user|community|action` → points earned that day, SQL plus the round's. */
  readonly earned = new Map<string, number>();
  /** The same key plus `|actor` → awards from that reactor that day. */
  readonly fromActor = new Map<string, number>();
  /** Per community, the members muted or banned right now: read once a round (one query, not one per award). */
  private readonly quiet = new Map<number, Promise<Set<number>>>();

  /** Whether the member is muted or banned in the community, as the round read it. */
  async silenced(db: DbHandle, communityId: number, userId: number, now: Date): Promise<boolean> {
    let s = this.quiet.get(communityId);
    if (!s) {
      s = silencedMembers(db, communityId, now);
      this.quiet.set(communityId, s);
      s.catch(() => this.quiet.delete(communityId));
    }
    return (await s).has(userId);
  }

  get size(): number {
    return this.rows.length;
  }

  /** Forgets what was read (after a flush, or before a reversal changes the ledger under it). */
  reset(): void {
    this.keys.clear();
    this.earned.clear();
    this.fromActor.clear();
    this.quiet.clear();
  }
}

/** The members of a community muted or banned right now (expired mutes and bans left out). */
async function silencedMembers(db: DbHandle, communityId: number, now: Date): Promise<Set<number>> {
  const rows = await db
    .selectFrom('community_members')
    .select(['user_id', 'status', 'ban_expires_at', 'mute_expires_at'])
    .where('community_id', '=', communityId)
    .where('status', 'in', ['banned', 'muted'])
    .execute();
  const out = new Set<number>();
  for (const m of rows) {
    const until = m.status === 'banned' ? m.ban_expires_at : m.mute_expires_at;
    if (until === null || new Date(until).getTime() > now.getTime()) out.add(Number(m.user_id));
  }
  return out;
}

/**
 * A member's awards of one kind in one community (0: site-wide) during one local day, awards
 * only (reversed awards still count toward caps). Through coalesce, so no planner reaches for
 * the (community_id, occurred_at) index: that scans the community's whole day per award; the
 * (user_id, type, occurred_at) one reads the member's.
 */
function memberDay(db: DbHandle, userId: number, action: string, communityId: number, start: string, end: string) {
  return db
    .selectFrom('gamification_events')
    .where('user_id', '=', userId)
    .where('type', '=', action)
    .where('points', '>', 0)
    .where((eb) => eb(eb.fn.coalesce('community_id', eb.lit(0)), '=', communityId))
    .where('occurred_at', '>=', start)
    .where('occurred_at', '<', end);
}

/** The reads of `Ledger.collect`, each compiled once: the sentinels only mark where each value goes. */
function ledgerReads(db: DbHandle) {
  const [user, action, community, start, end, actor] = [
    -9_000_001,
    '\u0001action',
    -9_000_002,
    '\u0001start',
    '\u0001end',
    -9_000_003,
  ] as const;
  return {
    duplicate: new ReusableQuery(db, (q, key: string) => q.selectFrom('gamification_events').select('id').where('source_key', '=', key), [
      '\u0001source_key',
    ] as [string]),
    earned: new ReusableQuery(
      db,
      (q, u: number, a: string, c: number, s: string, e: string) =>
        memberDay(q, u, a, c, s, e).select((eb) => eb.fn.sum<number>('points').as('n')),
      [user, action, community, start, end] as [number, string, number, string, string],
    ),
    fromActor: new ReusableQuery(
      db,
      (q, u: number, a: string, c: number, s: string, e: string, by: number) =>
        memberDay(q, u, a, c, s, e)
          .where('actor_id', '=', by)
          .select((eb) => eb.fn.countAll<number>().as('n')),
      [user, action, community, start, end, actor] as [number, string, number, string, string, number],
    ),
  };
}

/**
 * The points ledger: every award and reversal is a `gamification_events` row with its reason
 * (`type`), its source (`source_key`, `target_*`, `actor_id`) and its points, written in one
 * transaction with the scores it moves. Totals can always be recomputed from it (verify.ts).
 * Which scores that transaction moves is the one difference between the dialects
 * (`foldAtOnce`, see `apply`):
 * - SQLite (the default there): all of them. The ledger rows are written folded (`folded = 1`),
 *   the six score rows (community and site-wide × all time, week, month) move in one multi-row
 *   upsert and the members' profiles (site-wide total, level) are upserted, all in the award's
 *   transaction. SQLite has one writer, and since migration 0018 a member's six score rows share
 *   one page: a fold in a second transaction dirtied that page (and the ledger row's) again.
 * - MariaDB and PostgreSQL: ledger-first. The ledger rows are written unfolded (`folded = 0`)
 *   with the two all-time rows (levels, level-gated channels and own points read them at once);
 *   the week and month rows and the profiles follow from the ledger (ScoreFolder, fold.ts), many
 *   rounds at a time, off the writers' path.
 */
export class Ledger {
  /**
   * Caps this process has seen reached today, `user|community|action` for the day: caps only fill
   * (reversed awards still count), so once full a cap stays full until the day ends and the
   * next award of that kind needs no query.
   */
  private readonly full = new DayMemo();
  private fullCaps = '';
  private capsOf: object | null = null;
  private readonly slots = new Map<number, Slot>();
  /** The reads `collect` runs per award, compiled once (see ReusableQuery). */
  private readonly reads: ReturnType<typeof ledgerReads>;
  /** Whether an award's transaction writes its week and month rows and the profile too (see the class comment). */
  private readonly foldAtOnce: boolean;

  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
    private readonly scores: SqlScores,
    private readonly boards: Leaderboards,
    private readonly settings: GamificationSettings,
    private readonly timeZone: string,
    private readonly now: () => Date,
    /** Folds the week and month rows and the profiles in after each round, ledger-first (none: the caller folds, as the bench does). */
    private readonly folder: ScoreFolder | null = null,
    /** `foldAtOnce`: SQLite's default is true, the others' false; tests of the ledger-first path set it on SQLite. */
    opts: { foldAtOnce?: boolean } = {},
  ) {
    this.reads = ledgerReads(db);
    this.foldAtOnce = opts.foldAtOnce ?? dialect === 'sqlite';
  }

  private capKey(input: Pick<AwardInput, 'userId' | 'communityId' | 'action' | 'occurredAt'>): [day: string, key: string] {
    return [this.slot(input.occurredAt).day, `${input.userId}|${input.communityId ?? ''}|${input.action}`];
  }

  /** Whether this member already reached today's cap for this kind of award (as far as this process knows). */
  async capped(input: Pick<AwardInput, 'userId' | 'communityId' | 'action' | 'occurredAt'>): Promise<boolean> {
    const rules = await this.settings.rules();
    // An admin may have raised a cap: what was full may not be any more. (Compared as text only
    // when the rules object changed: settings hand out the same object until they change.)
    if (rules !== this.capsOf) {
      const caps = JSON.stringify(rules.anti_farming.daily_caps);
      this.capsOf = rules;
      if (caps !== this.fullCaps) {
        this.full.clear();
        this.fullCaps = caps;
      }
    }
    return this.full.has(...this.capKey(input));
  }

  /**
   * One award, written at once (its own round). The outbox subscriber collects a whole round's
   * awards with `collect` and writes them with one `flush` instead.
   */
  async award(input: AwardInput): Promise<AwardOutcome> {
    const round = new AwardRound();
    const out = await this.collect(input, round);
    if (!out.awarded) return out;
    const done = await this.flush(round);
    if (!done.awarded.some((a) => a.sourceKey === input.sourceKey)) return { awarded: false, reason: 'duplicate' };
    return { ...out, levels: done.levels.filter((l) => l.userId === input.userId) };
  }

  /**
   * Checks an award against the rules, the caps and the duplicates (SQL plus what `round` already
   * holds) and adds it to `round`; nothing is written until `flush(round)`. `levels` is empty
   * here: level changes are known once the round is written (`flush` returns them).
   */
  async collect(input: AwardInput, round: AwardRound): Promise<AwardOutcome> {
    if (await this.capped(input)) return { awarded: false, reason: 'daily_cap' };
    const rules = await this.settings.rules();
    const dm = input.action === 'start_dm' || input.action === 'dm_message';
    const scale = input.communityId !== null ? await this.settings.scale(input.communityId) : 1;
    const base = Math.round(rules.points[input.action] * scale * (dm ? rules.anti_farming.dm_weight : 1));
    if (base <= 0) return { awarded: false, reason: 'zero' };
    if (input.communityId !== null && (await round.silenced(this.db, input.communityId, input.userId, this.now())))
      return { awarded: false, reason: 'muted_or_banned' };
    if (round.keys.has(input.sourceKey)) return { awarded: false, reason: 'duplicate' };
    const dup = await this.reads.duplicate.executeTakeFirst(input.sourceKey);
    if (dup) return { awarded: false, reason: 'duplicate' };
    const slot = this.slot(input.occurredAt);
    // Reversed awards still count toward caps: adding and removing a reaction again and again earns nothing more.
    // Read once a round per member, action and day; the round's own awards are added as they come.
    const capKey = `${slot.day}|${input.userId}|${input.communityId ?? ''}|${input.action}`;
    let earned = round.earned.get(capKey);
    if (earned === undefined) {
      const r = await this.reads.earned.executeTakeFirst(input.userId, input.action, input.communityId ?? 0, slot.start, slot.end);
      earned = Number(r?.n ?? 0);
    }
    const room = rules.anti_farming.daily_caps[input.action] - earned;
    if (room <= 0) {
      this.full.add(...this.capKey(input));
      return { awarded: false, reason: 'daily_cap' };
    }
    let reactorKey: string | null = null;
    let fromReactor = 0;
    if (input.action === 'receive_reaction' && input.actorId) {
      reactorKey = `${capKey}|${input.actorId}`;
      const known = round.fromActor.get(reactorKey);
      if (known === undefined) {
        const r = await this.reads.fromActor.executeTakeFirst(
          input.userId,
          input.action,
          input.communityId ?? 0,
          slot.start,
          slot.end,
          input.actorId,
        );
        fromReactor = Number(r?.n ?? 0);
      } else fromReactor = known;
      round.fromActor.set(reactorKey, fromReactor);
      if (fromReactor >= rules.anti_farming.reactions_per_reactor_per_author_per_day) return { awarded: false, reason: 'reactor_limit' };
    }
    const points = Math.min(base, room);
    const at = this.now().toISOString();
    round.earned.set(capKey, earned + points);
    if (reactorKey) round.fromActor.set(reactorKey, fromReactor + 1);
    round.keys.add(input.sourceKey);
    round.rows.push({
      input,
      row: {
        user_id: input.userId,
        community_id: input.communityId,
        type: input.action,
        points,
        metadata: JSON.stringify(input.metadata ?? {}),
        occurred_at: input.occurredAt.toISOString(),
        source_key: input.sourceKey,
        actor_id: input.actorId ?? null,
        target_type: input.target?.type ?? null,
        target_id: input.target?.id ?? null,
        reverses_id: null,
        week_key: slot.week,
        month_key: slot.month,
        folded: this.foldAtOnce ? 1 : 0,
        created_at: at,
        updated_at: at,
      },
    });
    return { awarded: true, points, levels: [] };
  }

  /**
   * Writes a round's awards in one transaction: the ledger rows in multi-row inserts (a row
   * another writer already holds is skipped, with its points), then the scores they move
   * (`apply`), which give the levels. The boards in memory or Redis move after the commit, every
   * period at once; ledger-first, the folder is woken. Returns the awards written and the level
   * changes they made.
   */
  async flush(round: AwardRound): Promise<{ awarded: AwardInput[]; levels: Array<LevelChange & { userId: number }> }> {
    const pending = round.rows.splice(0);
    round.reset();
    if (pending.length === 0) return { awarded: [], levels: [] };
    const rules = await this.settings.rules();
    const levelFor = (p: number) => levelOf(p, rules.level_thresholds);
    let deltas: ScoreDelta[] = [];
    const out = await inTransaction(this.db, async (trx) => {
      // In key order: two rounds holding the same events wait on each other's keys in one order, never in a circle.
      const written = await this.insertRows(
        trx,
        pending.map((p) => p.row).sort((a, b) => (a.source_key < b.source_key ? -1 : a.source_key > b.source_key ? 1 : 0)),
      );
      const fresh = pending.filter((p) => written.has(p.row.source_key));
      const applied = await this.apply(
        trx,
        fresh.map((p) => p.row),
        levelFor,
      );
      deltas = applied.deltas;
      return { awarded: fresh.map((p) => p.input), levels: applied.levels };
    });
    await this.boards.applied(deltas);
    if (out.awarded.length > 0 && !this.foldAtOnce) this.folder?.schedule();
    return out;
  }

  /**
   * Moves the scores of ledger rows just written, in their transaction: each member's all-time
   * rows (community and site-wide) by the rows' sum, in one multi-row upsert with the week and
   * month rows when `foldAtOnce` (then the members' profiles take their new site-wide totals);
   * ledger-first the week and month rows are left to the fold. Returns every period's moves, for
   * the boards once the transaction commits, and the level changes.
   */
  private async apply(
    trx: Tx,
    rows: readonly LedgerRow[],
    levelFor: (points: number) => number,
  ): Promise<{ deltas: ScoreDelta[]; levels: Array<LevelChange & { userId: number }> }> {
    const moves: ScoreDelta[] = [];
    const later: ScoreDelta[] = [];
    for (const r of rows) {
      const periods = ['all', r.week_key, r.month_key].filter((p): p is string => !!p);
      for (const communityId of r.community_id === null ? [GLOBAL] : [r.community_id, GLOBAL])
        for (const period of periods)
          (period === 'all' || this.foldAtOnce ? moves : later).push({ communityId, period, userId: r.user_id, delta: r.points });
    }
    const now = this.now().toISOString();
    const { moved, totals } = await this.scores.addMany(trx, moves, now, levelFor);
    const levels: Array<LevelChange & { userId: number }> = [];
    const profiles: ProfileTotal[] = [];
    for (const [k, t] of totals) {
      const [c, u] = k.split('|').map(Number) as [number, number];
      const before = levelFor(t.before);
      const after = levelFor(t.after);
      if (before !== after) levels.push({ userId: u, communityId: c === GLOBAL ? null : c, before, after, points: t.after });
      if (c === GLOBAL) profiles.push({ user_id: u, points: t.after, level: after });
    }
    if (this.foldAtOnce) await upsertProfiles(trx, this.dialect, profiles, now);
    return { deltas: [...later, ...moved], levels };
  }

  /**
   * Inserts ledger rows in their order, skipping source keys already present; returns the keys
   * this call wrote. SQLite and PostgreSQL: multi-row inserts compiled once, handing back the
   * keys they inserted.
   */
  private async insertRows(trx: Tx, rows: readonly LedgerRow[]): Promise<Set<string>> {
    const written = new Set<string>();
    if (this.dialect === 'mysql') {
      // MariaDB's INSERT IGNORE says how many rows, not which: one statement a row, same transaction.
      for (const r of rows) {
        const res = await trx.insertInto('gamification_events').values(r).ignore().executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) written.add(r.source_key);
      }
      return written;
    }
    const got = await upsertRows<{ source_key: string }>(
      trx,
      this.dialect,
      'gamification_events',
      ['source_key'],
      rows,
      [],
      [],
      ['source_key'],
    );
    for (const g of got) written.add(g.source_key);
    return written;
  }

  /** The local day, its bounds and its week and month keys for `at`, computed once per quarter hour (every zone's offset is a multiple of 15 minutes). */
  private slot(at: Date): Slot {
    const q = Math.floor(at.getTime() / 900_000);
    let s = this.slots.get(q);
    if (!s) {
      const day = dayBounds(at, this.timeZone);
      const [, week, month] = periodKeys(at, this.timeZone) as [string, string, string];
      s = { day: dayKey(at, this.timeZone), start: day.start.toISOString(), end: day.end.toISOString(), week, month };
      if (this.slots.size > 256) this.slots.clear();
      this.slots.set(q, s);
    }
    return s;
  }

  /**
   * Takes back every award for a target (deleted or moderated content, an unmarked helpful
   * answer, a removed reaction when `actorId` and `type` narrow it). Each reversal is its own
   * ledger row (`reversal:<type>`, source `rev:<award id>`), so doing it twice changes nothing;
   * its points leave the periods they were earned in, written as an award's are (`apply`).
   */
  async reverse(target: { type: string; id: number }, only?: { actorId?: number; type?: PointAction; latest?: boolean }): Promise<number> {
    const rules = await this.settings.rules();
    const levelFor = (p: number) => levelOf(p, rules.level_thresholds);
    let deltas: ScoreDelta[] = [];
    const total = await inTransaction(this.db, async (trx) => {
      let q = trx
        .selectFrom('gamification_events as g')
        .selectAll('g')
        .where('g.target_type', '=', target.type)
        .where('g.target_id', '=', target.id)
        .where('g.points', '>', 0)
        .where('g.reverses_id', 'is', null)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('gamification_events as r').select('r.id').whereRef('r.reverses_id', '=', 'g.id'))));
      if (only?.actorId !== undefined) q = q.where('g.actor_id', '=', only.actorId);
      if (only?.type) q = q.where('g.type', '=', only.type);
      let rows = await q.orderBy('g.id', 'desc').execute();
      if (only?.latest) rows = rows.slice(0, 1);
      const at = this.now().toISOString();
      const reversals: LedgerRow[] = rows.map((g) => ({
        user_id: Number(g.user_id),
        community_id: g.community_id === null ? null : Number(g.community_id),
        type: `reversal:${g.type}`.slice(0, 48),
        points: -g.points,
        metadata: JSON.stringify({ reverses: g.id }),
        occurred_at: at,
        source_key: `rev:${g.id}`,
        actor_id: g.actor_id,
        target_type: g.target_type,
        target_id: g.target_id,
        reverses_id: g.id,
        // The points leave the periods they were earned in.
        week_key: g.week_key,
        month_key: g.month_key,
        folded: this.foldAtOnce ? 1 : 0,
        created_at: at,
        updated_at: at,
      }));
      // Latest award first, as they were found (every reversal takes its rows in that order).
      const written = await this.insertRows(trx, reversals);
      const fresh = reversals.filter((r) => written.has(r.source_key));
      deltas = (await this.apply(trx, fresh, levelFor)).deltas;
      return fresh.reduce((n, r) => n - r.points, 0);
    });
    await this.boards.applied(deltas);
    if (total > 0 && !this.foldAtOnce) this.folder?.schedule();
    return total;
  }
}
