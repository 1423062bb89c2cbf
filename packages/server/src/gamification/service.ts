import {
  LEADERBOARD_TIE_BREAK,
  type AdminGamification,
  type Award,
  type Badge,
  type CommunitiesConfig,
  type Leaderboard,
  type LeaderboardEntry,
  type LeaderboardPeriod,
  type UserGamification,
  type adminGamificationPatchSchema,
} from '@communities/contract';
import { sql } from 'kysely';
import type { z } from 'zod';

import { assertCan, can, type Actor } from '../access';
import { OPEN_CHANNEL, type FactsLoader } from '../communities/facts';
import { userSummary } from '../communities/presenters';
import type { HostPorts } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { DialectName } from '../platform/db/connect';
import { inTransaction, type DbHandle } from '../platform/db/transaction';
import { forbidden, notFound } from '../platform/errors';

import { levelInfo, levelOf } from './levels';
import { periodWindow, type PeriodWindow } from './periods';
import type { Leaderboards } from './boards';
import { GLOBAL, type SqlScores } from './scores';
import type { GamificationSettings } from './settings';

export interface GamificationDeps {
  db: DbHandle;
  dialect: DialectName;
  bus: EventBus;
  host: Pick<HostPorts, 'identities'>;
  config: CommunitiesConfig['gamification'];
  now: () => Date;
  /** Folds the awards not yet in the week and month rows (fold.ts): snapshots list a period's communities from them. */
  fold?: () => Promise<unknown>;
}

interface Snapshot {
  items: Array<{ rank: number; user_id: number; points: number; level: number; hidden: boolean }>;
}

/** Entries a snapshot keeps of a closed period. */
export const SNAPSHOT_SIZE = 100;

const parseProfileSettings = (json: string | null | undefined): { hide_from_leaderboards?: boolean } => {
  try {
    return (JSON.parse(json ?? '{}') as { hide_from_leaderboards?: boolean }) ?? {};
  } catch {
    return {};
  }
};

/** Leaderboards, profiles, helpful answers, privacy and the editable rules. */
/**
 * How long the set of hidden members is trusted: a change made through another process shows
 * in ranks within this (this process's own changes show at once).
 */
const HIDDEN_TTL_MS = 30_000;

export class GamificationService {
  private hidden: { ids: Set<number>; at: number } | null = null;

  constructor(
    private readonly d: GamificationDeps,
    private readonly facts: FactsLoader,
    private readonly scores: SqlScores,
    private readonly boards: Leaderboards,
    readonly settings: GamificationSettings,
  ) {}

  private get db(): DbHandle {
    return this.d.db;
  }

  private async hiddenUsers(userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('gamification_profiles')
      .select(['user_id', 'settings'])
      .where('user_id', 'in', userIds)
      .execute();
    return new Set(rows.filter((r) => parseProfileSettings(r.settings).hide_from_leaderboards).map((r) => Number(r.user_id)));
  }

  /** Every member hidden from leaderboards, read at most every HIDDEN_TTL_MS (this process's changes at once). */
  private async allHidden(): Promise<Set<number>> {
    const now = Date.now();
    if (this.hidden && now - this.hidden.at < HIDDEN_TTL_MS) return this.hidden.ids;
    const rows = await this.db
      .selectFrom('gamification_profiles')
      .select(['user_id', 'settings'])
      .where('settings', 'like', '%hide_from_leaderboards%')
      .execute();
    const ids = new Set(rows.filter((r) => parseProfileSettings(r.settings).hide_from_leaderboards).map((r) => Number(r.user_id)));
    this.hidden = { ids, at: now };
    return ids;
  }

  /** Hidden members (other than the viewer) ranked above `points` / `userId` on one board. */
  private async hiddenAbove(communityId: number, period: string, userId: number, points: number): Promise<number> {
    const ids = [...(await this.allHidden())].filter((u) => u !== userId);
    let n = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      const got = await this.scores.many(communityId, period, ids.slice(i, i + 1000));
      for (const [u, p] of got) if (p > 0 && (p > points || (p === points && u < userId))) n++;
    }
    return n;
  }

  private async viewerRank(actor: Actor, communityId: number, period: string, points: number): Promise<number | null> {
    const r = await this.boards.rank(communityId, period, actor.userId, points);
    return r === null || actor.isAdmin ? r : r - (await this.hiddenAbove(communityId, period, actor.userId, points));
  }

  /** Who may read a community's leaderboard: whoever may list its members (hidden ones: 404 to outsiders). */
  private async communityId(actor: Actor, ref: string | number): Promise<number> {
    const { community, access } = await this.facts.forCommunity(actor, ref);
    assertCan(actor, 'members.list', { ...access, channel: undefined });
    return community.id;
  }

  async leaderboard(
    actor: Actor,
    ref: string | null,
    query: { period: LeaderboardPeriod; limit?: number | undefined; at?: string | undefined },
  ): Promise<Leaderboard> {
    const communityId = ref === null ? GLOBAL : await this.communityId(actor, ref);
    const limit = query.limit ?? this.d.config.leaderboard_size;
    const tz = this.d.config.timezone;
    const now = this.d.now();
    let w = periodWindow(query.period, now, tz);
    if (query.at !== undefined) {
      const at = new Date(query.at);
      if (Number.isNaN(at.getTime())) throw notFound('No such period');
      const asked = periodWindow(query.period, at, tz);
      if (asked.key !== w.key) {
        if (asked.end === null || asked.end.getTime() > now.getTime()) throw notFound('That period has not closed yet');
        return this.fromSnapshot(actor, communityId, asked, limit);
      }
      w = asked;
    }
    const thresholds = (await this.settings.rules()).level_thresholds;
    // Hidden members are left out for everyone but admins, and leave no gap: a member's rank
    // counts the visible members above them. Admins see everyone, ranked among everyone.
    const rows: Array<{ user_id: number; points: number; rank: number; hidden: boolean }> = [];
    let pos = 0;
    let visible = 0;
    for (let round = 0; rows.length < limit && round < 20; round++) {
      const page = await this.boards.top(communityId, w.key, pos, limit);
      if (page.length === 0) break;
      const hidden = await this.hiddenUsers(page.map((r) => r.user_id));
      for (const r of page) {
        pos++;
        const h = hidden.has(r.user_id);
        if (!h) visible++;
        if (!h || actor.isAdmin) rows.push({ user_id: r.user_id, points: r.points, rank: actor.isAdmin ? pos : visible, hidden: h });
        if (rows.length >= limit) break;
      }
      if (page.length < limit) break;
    }
    const mine = await this.scores.get(communityId, w.key, actor.userId);
    const all = w.key === 'all' ? mine : await this.scores.get(communityId, 'all', actor.userId);
    const viewerRank = mine ? await this.viewerRank(actor, communityId, w.key, mine.points) : null;
    const levels = await this.levels(
      communityId,
      rows.map((r) => r.user_id),
      thresholds,
    );
    const users = await this.d.host.identities.getUsers([...rows.map((r) => r.user_id), actor.userId]);
    return {
      community_id: communityId === GLOBAL ? null : communityId,
      period: query.period,
      starts_at: w.start?.toISOString() ?? null,
      ends_at: w.end?.toISOString() ?? null,
      timezone: tz,
      from_snapshot: false,
      tie_break: LEADERBOARD_TIE_BREAK,
      items: rows.map((r): LeaderboardEntry => ({
        rank: r.rank,
        user: userSummary(r.user_id, users),
        points: r.points,
        level: levels.get(r.user_id) ?? 1,
        hidden: r.hidden,
      })),
      viewer: {
        rank: viewerRank,
        points: mine?.points ?? 0,
        level: levelOf(all?.points ?? 0, thresholds),
        hidden: (await this.hiddenUsers([actor.userId])).has(actor.userId),
      },
    };
  }

  /** Levels are by all-time points in the same scope (community, or site-wide). */
  private async levels(communityId: number, userIds: number[], thresholds: readonly number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('gamification_scores')
      .select(['user_id', 'points'])
      .where('community_id', '=', communityId)
      .where('period', '=', 'all')
      .where('user_id', 'in', userIds)
      .execute();
    return new Map(rows.map((r) => [Number(r.user_id), levelOf(Number(r.points), thresholds)]));
  }

  private async fromSnapshot(actor: Actor, communityId: number, w: PeriodWindow, limit: number): Promise<Leaderboard> {
    const row = await this.db
      .selectFrom('leaderboard_snapshots')
      .select('data')
      .where('community_id', communityId === GLOBAL ? 'is' : '=', communityId === GLOBAL ? null : communityId)
      .where('period', '=', w.period)
      .where('starts_at', '=', w.start!.toISOString())
      .executeTakeFirst();
    if (!row) throw notFound('No snapshot of that period');
    const snap = JSON.parse(row.data) as Snapshot & { viewer_ranks?: never };
    // Snapshot ranks count everyone; for all but admins, hidden members leave no gap.
    let visible = 0;
    const ranked = snap.items.map((i) => ({ ...i, rank: actor.isAdmin ? i.rank : i.hidden ? visible + 1 : ++visible }));
    const shown = ranked.filter((i) => !i.hidden || actor.isAdmin).slice(0, limit);
    const mineInSnap = ranked.find((i) => i.user_id === actor.userId);
    const mine = await this.scores.get(communityId, w.key, actor.userId);
    const users = await this.d.host.identities.getUsers([...shown.map((i) => i.user_id), actor.userId]);
    return {
      community_id: communityId === GLOBAL ? null : communityId,
      period: w.period,
      starts_at: w.start!.toISOString(),
      ends_at: w.end!.toISOString(),
      timezone: this.d.config.timezone,
      from_snapshot: true,
      tie_break: LEADERBOARD_TIE_BREAK,
      items: shown.map((i) => ({ rank: i.rank, user: userSummary(i.user_id, users), points: i.points, level: i.level, hidden: i.hidden })),
      viewer: {
        rank: mineInSnap?.rank ?? (mine ? await this.viewerRank(actor, communityId, w.key, mine.points) : null),
        points: mineInSnap?.points ?? mine?.points ?? 0,
        level: mineInSnap?.level ?? 1,
        hidden: mineInSnap?.hidden ?? false,
      },
    };
  }

  /**
   * Writes the snapshot of every community's (and the site's) week or month that closed before
   * `now` and has none yet: the top SNAPSHOT_SIZE as they stood. Idempotent; the job runs it
   * at each period boundary, and again at start-up for any it missed.
   */
  async snapshotClosedPeriods(now: Date): Promise<number> {
    const tz = this.d.config.timezone;
    const thresholds = (await this.settings.rules()).level_thresholds;
    await this.d.fold?.();
    let written = 0;
    for (const period of ['week', 'month'] as const) {
      const current = periodWindow(period, now, tz);
      const prev = periodWindow(period, new Date(current.start!.getTime() - 1), tz);
      const communities = await this.db
        .selectFrom('gamification_scores')
        .select('community_id')
        .distinct()
        .where('period', '=', prev.key)
        .execute();
      for (const { community_id } of communities) {
        const c = Number(community_id);
        const cid = c === GLOBAL ? null : c;
        const exists = await this.db
          .selectFrom('leaderboard_snapshots')
          .select('id')
          .where('community_id', cid === null ? 'is' : '=', cid)
          .where('period', '=', period)
          .where('starts_at', '=', prev.start!.toISOString())
          .executeTakeFirst();
        if (exists) continue;
        const top = await this.boards.top(c, prev.key, 0, SNAPSHOT_SIZE);
        const hidden = await this.hiddenUsers(top.map((r) => r.user_id));
        const levels = await this.levels(
          c,
          top.map((r) => r.user_id),
          thresholds,
        );
        const data: Snapshot = {
          items: top.map((r, i) => ({
            rank: i + 1,
            user_id: r.user_id,
            points: r.points,
            level: levels.get(r.user_id) ?? 1,
            hidden: hidden.has(r.user_id),
          })),
        };
        const at = now.toISOString();
        await this.db
          .insertInto('leaderboard_snapshots')
          .values({
            community_id: cid,
            period,
            starts_at: prev.start!.toISOString(),
            ends_at: prev.end!.toISOString(),
            data: JSON.stringify(data),
            created_at: at,
            updated_at: at,
          })
          .execute();
        written++;
      }
    }
    return written;
  }

  /** When the next week or month closes: the snapshot job is scheduled for then. */
  nextBoundary(now: Date): Date {
    const tz = this.d.config.timezone;
    const w = periodWindow('week', now, tz).end!;
    const m = periodWindow('month', now, tz).end!;
    return w < m ? w : m;
  }

  async profile(actor: Actor, userId: number, communityRef: number | undefined): Promise<UserGamification> {
    const communityId = communityRef === undefined ? GLOBAL : await this.communityId(actor, communityRef);
    const user = await this.d.host.identities.getUser(userId);
    if (!user) throw notFound('No such user');
    const rules = await this.settings.rules();
    const score = await this.scores.get(communityId, 'all', userId);
    const self = actor.userId === userId || actor.isAdmin;
    // Site-wide, others see points and level only: badges and awards would name communities they may not know.
    const detail = self || communityId !== GLOBAL;
    let badges: Badge[] = [];
    let awards: Award[] = [];
    if (detail) {
      let bq = this.db
        .selectFrom('user_badges')
        .innerJoin('community_badges', 'community_badges.id', 'user_badges.badge_id')
        .select([
          'community_badges.slug',
          'community_badges.name',
          'community_badges.description',
          'community_badges.icon',
          'community_badges.rule',
          'user_badges.community_id',
          'user_badges.awarded_at',
        ])
        .where('user_badges.user_id', '=', userId);
      if (communityId !== GLOBAL) bq = bq.where('user_badges.community_id', '=', communityId);
      badges = (await bq.orderBy('user_badges.awarded_at', 'desc').execute()).map((b) => {
        const r = JSON.parse(b.rule) as { rule: Badge['rule']; threshold: number; icon?: string };
        return {
          slug: b.slug,
          name: b.name,
          description: b.description ?? '',
          icon: r.icon ?? b.icon ?? '🏅',
          rule: r.rule,
          threshold: r.threshold,
          community_id: Number(b.community_id) || null,
          awarded_at: b.awarded_at,
        };
      });
      let aq = this.db
        .selectFrom('gamification_events')
        .select(['id', 'community_id', 'type', 'points', 'target_type', 'target_id', 'source_key', 'occurred_at'])
        .where('user_id', '=', userId);
      if (communityId !== GLOBAL) aq = aq.where('community_id', '=', communityId);
      awards = (await aq.orderBy('id', 'desc').limit(20).execute()).map((a) => ({
        id: Number(a.id),
        community_id: a.community_id === null ? null : Number(a.community_id),
        type: a.type,
        points: Number(a.points),
        source: { target_type: a.target_type, target_id: a.target_id === null ? null : Number(a.target_id), key: a.source_key },
        occurred_at: a.occurred_at,
      }));
    }
    const points = score?.points ?? 0;
    return {
      user: { id: user.id, name: user.name, avatar_url: user.avatarUrl },
      community_id: communityId === GLOBAL ? null : communityId,
      points,
      level: levelInfo(points, rules.level_thresholds),
      badges,
      recent_awards: awards,
      hide_from_leaderboards: (await this.hiddenUsers([userId])).has(userId),
    };
  }

  async setPrivacy(actor: Actor, hide: boolean): Promise<{ hide_from_leaderboards: boolean }> {
    const now = this.d.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom('gamification_profiles')
        .select(['id', 'settings'])
        .where('user_id', '=', actor.userId)
        .executeTakeFirst();
      const settings = JSON.stringify({ ...parseProfileSettings(row?.settings), hide_from_leaderboards: hide });
      if (row) await trx.updateTable('gamification_profiles').set({ settings, updated_at: now }).where('id', '=', row.id).execute();
      else {
        const insert = trx.insertInto('gamification_profiles').values({
          user_id: actor.userId,
          total_points: 0,
          level: 1,
          xp: 0,
          last_awarded_at: null,
          settings,
          created_at: now,
          updated_at: now,
        });
        await (
          this.d.dialect === 'mysql'
            ? insert.onDuplicateKeyUpdate({ settings, updated_at: now })
            : insert.onConflict((oc) => oc.column('user_id').doUpdateSet({ settings, updated_at: now }))
        ).execute();
      }
    });
    if (this.hidden) {
      if (hide) this.hidden.ids.add(actor.userId);
      else this.hidden.ids.delete(actor.userId);
    }
    return { hide_from_leaderboards: hide };
  }

  /**
   * Marks a reply helpful: in a channel, the author of the message it replies to (the asker)
   * or a moderator; on a feed comment, the post's author or a moderator. Nobody marks their own.
   */
  async markHelpful(
    actor: Actor,
    target: { type: 'message' | 'feed_comment'; id: number },
    helpful: boolean,
  ): Promise<{ helpful: boolean }> {
    const t = await this.helpfulTarget(actor, target);
    const moderator = can(actor, 'moderation.review', t.access).allowed;
    if (actor.userId !== t.askerId && !moderator) throw forbidden('Only the asker or a moderator can mark an answer helpful', 'not_asker');
    if (helpful && t.authorId === actor.userId) throw forbidden('You cannot mark your own answer helpful', 'own_answer');
    const now = this.d.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      const existing = await trx
        .selectFrom('gamification_helpful_marks')
        .select('id')
        .where('target_type', '=', target.type)
        .where('target_id', '=', target.id)
        .executeTakeFirst();
      if (helpful === Boolean(existing)) return; // already so: nothing changes, no event
      if (helpful)
        await trx
          .insertInto('gamification_helpful_marks')
          .values({
            target_type: target.type,
            target_id: target.id,
            community_id: t.communityId,
            author_id: t.authorId,
            marked_by: actor.userId,
            created_at: now,
          })
          .execute();
      else await trx.deleteFrom('gamification_helpful_marks').where('id', '=', existing!.id).execute();
      await this.d.bus.record(trx, 'AnswerMarkedHelpful', {
        community_id: t.communityId,
        user_id: actor.userId,
        target_type: target.type,
        target_id: target.id,
        author_id: t.authorId,
        helpful,
      });
    });
    return { helpful };
  }

  private async helpfulTarget(actor: Actor, target: { type: 'message' | 'feed_comment'; id: number }) {
    if (target.type === 'message') {
      const m = await this.db
        .selectFrom('channel_messages')
        .select(['id', 'channel_id', 'user_id', 'reply_to_id', 'is_deleted'])
        .where('id', '=', target.id)
        .executeTakeFirst();
      if (!m || m.is_deleted) throw notFound('No such message');
      const ch = await this.facts.channel(m.channel_id);
      if (!ch) throw notFound('No such message');
      const { community, access } = await this.facts.forCommunity(actor, ch.row.community_id, { channel: ch.facts });
      if (!can(actor, 'channel.view', access).allowed) throw notFound('No such message');
      if (m.reply_to_id === null) throw forbidden('Only a reply can be marked helpful', 'not_a_reply');
      const q = await this.db.selectFrom('channel_messages').select('user_id').where('id', '=', m.reply_to_id).executeTakeFirst();
      return { communityId: community.id, authorId: Number(m.user_id), askerId: q ? Number(q.user_id) : -1, access };
    }
    const c = await this.db
      .selectFrom('central_feed_comments')
      .innerJoin('central_feed_items', 'central_feed_items.id', 'central_feed_comments.feed_item_id')
      .select([
        'central_feed_comments.user_id as author_id',
        'central_feed_comments.deleted_at',
        'central_feed_items.community_id',
        'central_feed_items.user_id as asker_id',
        'central_feed_items.deleted_at as item_deleted_at',
      ])
      .where('central_feed_comments.id', '=', target.id)
      .executeTakeFirst();
    if (!c || c.deleted_at || c.item_deleted_at || c.community_id === null) throw notFound('No such comment');
    const { community, access } = await this.facts.forCommunity(actor, c.community_id, { channel: OPEN_CHANNEL });
    if (!can(actor, 'feed.read', access).allowed) throw notFound('No such comment');
    return { communityId: community.id, authorId: Number(c.author_id), askerId: Number(c.asker_id), access };
  }

  async communitySettings(actor: Actor, ref: string): Promise<{ community_id: number; scale: number; min: number; max: number }> {
    const { community, access } = await this.facts.forCommunity(actor, ref);
    assertCan(actor, 'community.update', access);
    const { min, max } = this.d.config.community_scale;
    return { community_id: community.id, scale: await this.settings.scale(community.id), min, max };
  }

  async updateCommunitySettings(actor: Actor, ref: string, scale: number) {
    const { community, access } = await this.facts.forCommunity(actor, ref);
    assertCan(actor, 'community.update', access);
    await this.settings.setScale(community.id, scale, actor.userId);
    return this.communitySettings(actor, ref);
  }

  async adminSettings(actor: Actor): Promise<AdminGamification> {
    if (!actor.isAdmin) throw forbidden('Site admins only');
    const { rules, updatedAt } = await this.settings.current();
    return { ...rules, community_scale: this.d.config.community_scale, updated_at: updatedAt };
  }

  async updateAdminSettings(actor: Actor, patch: z.output<typeof adminGamificationPatchSchema>): Promise<AdminGamification> {
    if (!actor.isAdmin) throw forbidden('Site admins only');
    const before = await this.settings.rules();
    const { rules, updatedAt } = await this.settings.update(patch, actor.userId);
    // New thresholds move stored levels (level-gated channels read them).
    if (JSON.stringify(before.level_thresholds) !== JSON.stringify(rules.level_thresholds)) await this.relevel(rules.level_thresholds);
    return { ...rules, community_scale: this.d.config.community_scale, updated_at: updatedAt };
  }

  private async relevel(thresholds: readonly number[]): Promise<void> {
    // One UPDATE per table, the level chosen by a CASE over the bands: one pass over the rows
    // whatever the member count (no index orders them by points: migration 0018), and only
    // rows whose level changes are written.
    const levelOfPoints = (column: 'points' | 'total_points') => {
      const bands = thresholds
        .map((t, i) => ({ t, level: i + 1 }))
        .slice(1)
        .reverse();
      // Literals (validated integers): PostgreSQL types a CASE of bound parameters as text.
      if (bands.length === 0) return sql<number>`${sql.lit(1)}`;
      return sql<number>`case ${sql.join(
        bands.map((b) => sql`when ${sql.ref(column)} >= ${sql.lit(Math.trunc(b.t))} then ${sql.lit(b.level)}`),
        sql` `,
      )} else ${sql.lit(1)} end`;
    };
    await this.db
      .updateTable('gamification_scores')
      .set({ level: levelOfPoints('points') })
      .where('period', '=', 'all')
      .where((eb) => eb('level', '!=', levelOfPoints('points')))
      .execute();
    await this.db
      .updateTable('gamification_profiles')
      .set({ level: levelOfPoints('total_points') })
      .where((eb) => eb('level', '!=', levelOfPoints('total_points')))
      .execute();
  }
}
