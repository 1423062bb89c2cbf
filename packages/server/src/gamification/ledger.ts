import type { PointAction } from '@communities/contract';

import type { DialectName } from '../platform/db/connect';
import { inTransaction, type DbHandle, type Tx } from '../platform/db/transaction';

import { levelOf } from './levels';
import { DayMemo } from './day-memo';
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

/**
 * The points ledger: every award and reversal is a `gamification_events` row with its reason
 * (`type`), its source (`source_key`, `target_*`, `actor_id`) and its points, written in one
 * transaction with the scores it moves. Totals can always be recomputed from it (verify.ts).
 */
export class Ledger {
  /**
   * Caps this process has seen reached today, `user|community|action` for the day: caps only fill
   * (reversed awards still count), so once full a cap stays full until the day ends and the
   * next award of that kind needs no query.
   */
  private readonly full = new DayMemo();
  private fullCaps = '';

  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
    private readonly scores: SqlScores,
    private readonly boards: Leaderboards,
    private readonly settings: GamificationSettings,
    private readonly timeZone: string,
    private readonly now: () => Date,
  ) {}

  private capKey(input: Pick<AwardInput, 'userId' | 'communityId' | 'action' | 'occurredAt'>): [day: string, key: string] {
    return [dayKey(input.occurredAt, this.timeZone), `${input.userId}|${input.communityId ?? ''}|${input.action}`];
  }

  /** Whether this member already reached today's cap for this kind of award (as far as this process knows). */
  async capped(input: Pick<AwardInput, 'userId' | 'communityId' | 'action' | 'occurredAt'>): Promise<boolean> {
    const caps = JSON.stringify((await this.settings.rules()).anti_farming.daily_caps);
    // An admin may have raised a cap: what was full may not be any more.
    if (caps !== this.fullCaps) {
      this.full.clear();
      this.fullCaps = caps;
    }
    return this.full.has(...this.capKey(input));
  }

  async award(input: AwardInput): Promise<AwardOutcome> {
    if (await this.capped(input)) return { awarded: false, reason: 'daily_cap' };
    const rules = await this.settings.rules();
    const dm = input.action === 'start_dm' || input.action === 'dm_message';
    const scale = input.communityId !== null ? await this.settings.scale(input.communityId) : 1;
    const base = Math.round(rules.points[input.action] * scale * (dm ? rules.anti_farming.dm_weight : 1));
    if (base <= 0) return { awarded: false, reason: 'zero' };
    if (input.communityId !== null && (await silenced(this.db, input.communityId, input.userId, this.now())))
      return { awarded: false, reason: 'muted_or_banned' };
    const deltas: ScoreDelta[] = [];
    const out = await inTransaction(this.db, async (trx) => {
      deltas.length = 0;
      const dup = await trx.selectFrom('gamification_events').select('id').where('source_key', '=', input.sourceKey).executeTakeFirst();
      if (dup) return { awarded: false, reason: 'duplicate' } as const;
      const day = dayBounds(input.occurredAt, this.timeZone);
      const today = (q: ReturnType<typeof baseQuery>) =>
        q.where('occurred_at', '>=', day.start.toISOString()).where('occurred_at', '<', day.end.toISOString());
      const baseQuery = () =>
        trx
          .selectFrom('gamification_events')
          .where('user_id', '=', input.userId)
          .where('type', '=', input.action)
          .where('points', '>', 0)
          .where('community_id', input.communityId === null ? 'is' : '=', input.communityId);
      // Reversed awards still count toward caps: adding and removing a reaction again and again earns nothing more.
      const earned = await today(baseQuery())
        .select((eb) => eb.fn.sum<number>('points').as('n'))
        .executeTakeFirst();
      const room = rules.anti_farming.daily_caps[input.action] - Number(earned?.n ?? 0);
      if (room <= 0) {
        this.full.add(...this.capKey(input));
        return { awarded: false, reason: 'daily_cap' } as const;
      }
      if (input.action === 'receive_reaction' && input.actorId) {
        const fromReactor = await today(baseQuery())
          .where('actor_id', '=', input.actorId)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst();
        if (Number(fromReactor?.n ?? 0) >= rules.anti_farming.reactions_per_reactor_per_author_per_day)
          return { awarded: false, reason: 'reactor_limit' } as const;
      }
      const points = Math.min(base, room);
      const at = this.now().toISOString();
      const [, week, month] = periodKeys(input.occurredAt, this.timeZone);
      const insert = trx.insertInto('gamification_events').values({
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
        week_key: week!,
        month_key: month!,
        created_at: at,
        updated_at: at,
      });
      const r = await (
        this.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('source_key').doNothing())
      ).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return { awarded: false, reason: 'duplicate' } as const;
      const levels = await this.move(trx, input.userId, input.communityId, ['all', week!, month!], points, rules.level_thresholds, deltas);
      return { awarded: true, points, levels } as const;
    });
    if (out.awarded) await this.boards.applied(deltas);
    return out;
  }

  /**
   * Takes back every award for a target (deleted or moderated content, an unmarked helpful
   * answer, a removed reaction when `actorId` and `type` narrow it). Each reversal is its own
   * ledger row (`reversal:<type>`, source `rev:<award id>`), so doing it twice changes nothing.
   */
  async reverse(target: { type: string; id: number }, only?: { actorId?: number; type?: PointAction; latest?: boolean }): Promise<number> {
    const rules = await this.settings.rules();
    const deltas: ScoreDelta[] = [];
    const total = await inTransaction(this.db, async (trx) => {
      deltas.length = 0;
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
      let total = 0;
      const at = this.now().toISOString();
      for (const g of rows) {
        const insert = trx.insertInto('gamification_events').values({
          user_id: g.user_id,
          community_id: g.community_id,
          type: `reversal:${g.type}`.slice(0, 48),
          points: -g.points,
          metadata: JSON.stringify({ reverses: g.id }),
          occurred_at: at,
          source_key: `rev:${g.id}`,
          actor_id: g.actor_id,
          target_type: g.target_type,
          target_id: g.target_id,
          reverses_id: g.id,
          week_key: g.week_key,
          month_key: g.month_key,
          created_at: at,
          updated_at: at,
        });
        const r = await (
          this.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('source_key').doNothing())
        ).executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        await this.move(
          trx,
          Number(g.user_id),
          g.community_id === null ? null : Number(g.community_id),
          // The points leave the periods they were earned in.
          ['all', g.week_key ?? '', g.month_key ?? ''].filter(Boolean),
          -g.points,
          rules.level_thresholds,
          deltas,
        );
        total += g.points;
      }
      return total;
    });
    await this.boards.applied(deltas);
    return total;
  }

  /**
   * Moves a member's scores (community and site-wide, each period) and profile by `delta`, and
   * notes the moves in `deltas` for the boards once the transaction commits.
   */
  private async move(
    trx: Tx,
    userId: number,
    communityId: number | null,
    periods: readonly string[],
    delta: number,
    thresholds: readonly number[],
    deltas: ScoreDelta[],
  ): Promise<LevelChange[]> {
    const now = this.now().toISOString();
    const levelFor = (p: number) => levelOf(p, thresholds);
    const communities = communityId === null ? [GLOBAL] : [communityId, GLOBAL];
    const moved = await this.scores.add(trx, communities, userId, periods, delta, now, levelFor);
    for (const c of communities) for (const period of periods) deltas.push({ communityId: c, period, userId, delta });
    const changes: LevelChange[] = communities.map((c) => {
      const all = moved.get(c)!;
      return { communityId: c === GLOBAL ? null : c, before: levelFor(all.before), after: levelFor(all.after), points: all.after };
    });
    const global = changes[changes.length - 1]!;
    const profile = { total_points: global.points, level: global.after, xp: global.points, last_awarded_at: now, updated_at: now };
    const prof = trx.insertInto('gamification_profiles').values({ user_id: userId, settings: '{}', created_at: now, ...profile });
    await (
      this.dialect === 'mysql' ? prof.onDuplicateKeyUpdate(profile) : prof.onConflict((oc) => oc.column('user_id').doUpdateSet(profile))
    ).execute();
    return changes.filter((c) => c.after !== c.before);
  }
}
