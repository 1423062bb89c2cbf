import {
  GAMIFICATION_REALTIME_EVENTS,
  realtimeChannel,
  type BadgeAwardedEvent,
  type DomainEvent,
  type DomainEventName,
  type LevelUpEvent,
  type BadgeRule,
  type PointAction,
} from '@communities/contract';

import type { HostPorts } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';
import type { Logger } from '../platform/logger';
import type { Broadcaster } from '../realtime/broadcaster';
import { publishEvent, type EventPublisher } from '../realtime/publish-event';

import type { AwardedBadge, Badges } from './badges';
import { DayMemo } from './day-memo';
import { AwardRound, type AwardInput, type AwardOutcome, type Ledger } from './ledger';
import { dayKey } from './periods';
import type { GamificationSettings } from './settings';

export const GAMIFICATION_SUBSCRIBER = 'gamification.points';

export interface PointsDeps {
  db: DbHandle;
  dialect: DialectName;
  ledger: Ledger;
  badges: Badges;
  settings: GamificationSettings;
  timeZone: string;
  logger: Logger;
  host: Pick<HostPorts, 'notifications'>;
  channelPrefix: string;
  /** Read at use: the gateway's broadcaster is wired when the HTTP server starts. */
  broadcaster: () => Broadcaster;
}

/** The badge rules each kind of award can move: a badge is checked only when its rule may have changed. */
const BADGE_RULES_BY_ACTION: Partial<Record<PointAction, readonly BadgeRule[]>> = {
  post_message: ['first_post', 'messages'],
  reply_message: ['first_post', 'messages'],
  feed_post: ['first_post'],
  answer_marked_helpful: ['helpful_answers'],
  complete_course_in_linked_community: ['course_completed'],
  join_community: ['early_member'],
  early_member: ['early_member'],
};

const trimmedLength = (s: string | null | undefined) => (s ?? '').trim().length;

/**
 * Points from domain events: a durable outbox subscriber ('gamification.points'). Each award's
 * source key names the event or the thing it is for, so a redelivered event awards nothing
 * twice; reversals are keyed by the award they take back.
 */
export class PointsSubscriber {
  /** Member-days already recorded (`user|community` for the day): the rest of that day's activity writes nothing. */
  private readonly activeSeen = new DayMemo();

  constructor(private readonly d: PointsDeps) {}

  register(bus: EventBus): void {
    bus.durable({
      name: GAMIFICATION_SUBSCRIBER,
      events: Object.keys(this.handlers) as DomainEventName[],
      // A page of events is one round: its awards are written together at the end (Ledger.flush),
      // all or nothing; a failed page is retried event by event by the dispatcher.
      batch: async (events) => {
        const round = new AwardRound();
        for (const e of events) {
          const h = this.handlers[e.name] as ((e: DomainEvent, round: AwardRound) => Promise<void>) | undefined;
          if (h) await h(e, round);
        }
        await this.finish(round);
      },
    });
  }

  private async minLength(): Promise<number> {
    return (await this.d.settings.rules()).anti_farming.min_message_length;
  }

  /** Adds an award to the round (written by `finish`). */
  private award(input: AwardInput, round: AwardRound): Promise<AwardOutcome> {
    return this.d.ledger.collect(input, round);
  }

  /** Writes the round's awards, then announces level-ups and checks the badges they may have moved. */
  private async finish(round: AwardRound): Promise<void> {
    if (round.size === 0) return;
    const done = await this.d.ledger.flush(round);
    for (const l of done.levels) await this.levelUp(l.userId, l.communityId, l.before, l.after, l.points);
    const checked = new Set<string>();
    for (const a of done.awarded) {
      const kinds = BADGE_RULES_BY_ACTION[a.action];
      const k = `${a.userId}|${a.communityId}|${a.action}`;
      if (a.communityId === null || !kinds || checked.has(k)) continue;
      checked.add(k);
      await this.badges(a.userId, a.communityId, a.occurredAt, kinds);
    }
  }

  /** Checks the badges whose rules this kind of activity can change (none: nothing to do). */
  private async badges(userId: number, communityId: number, at: Date, kinds: readonly BadgeRule[] | undefined): Promise<void> {
    if (!kinds?.length) return;
    const rules = await this.d.settings.rules();
    const won = await this.d.badges.evaluate(rules, userId, communityId, at, dayKey(at, this.d.timeZone), kinds);
    for (const b of won) await this.pushBadge(userId, b);
  }

  private async levelUp(userId: number, communityId: number | null, before: number, after: number, points: number): Promise<void> {
    if (after <= before) return;
    const thresholds = (await this.d.settings.rules()).level_thresholds;
    const data: LevelUpEvent = {
      community_id: communityId,
      previous_level: before,
      level: after,
      points,
      next_level_at: thresholds[after] ?? null,
    };
    await publishEvent(
      this.publisher(),
      realtimeChannel.user(this.d.channelPrefix, userId),
      GAMIFICATION_REALTIME_EVENTS.levelUp,
      data,
    ).catch((error: unknown) => this.d.logger.warn({ err: error }, 'level-up broadcast failed'));
    // The notifications domain stores it in the bell and, when the school wants it
    // (notifications.host_kinds or gamification.notify_host_on_level_up), in RocketLMS.
    await this.d.host.notifications
      .notify({
        userId,
        title: `Level ${after}`,
        message: `You reached level ${after}.`,
        type: 'communities_level_up',
        data: { ...data, dedupe_key: `level_up:${communityId ?? 0}:${after}` },
      })
      .catch((error: unknown) => this.d.logger.warn({ err: error }, 'level-up notification failed'));
  }

  private async pushBadge(userId: number, b: AwardedBadge): Promise<void> {
    const data: BadgeAwardedEvent = { community_id: b.communityId, slug: b.slug, name: b.name, icon: b.icon, awarded_at: b.awardedAt };
    await this.d.host.notifications
      .notify({
        userId,
        title: b.name,
        message: `You earned the ${b.name} badge.`,
        type: 'communities_badge',
        data: { ...data, dedupe_key: `badge:${b.communityId ?? 0}:${b.slug}` },
      })
      .catch((error: unknown) => this.d.logger.warn({ err: error }, 'badge notification failed'));
    await publishEvent(
      this.publisher(),
      realtimeChannel.user(this.d.channelPrefix, userId),
      GAMIFICATION_REALTIME_EVENTS.badgeAwarded,
      data,
    ).catch((error: unknown) => this.d.logger.warn({ err: error }, 'badge broadcast failed'));
  }

  private publisher(): EventPublisher {
    return { broadcaster: this.d.broadcaster(), config: { chat: { broadcast_channel_prefix: this.d.channelPrefix } } };
  }

  /**
   * Records a day of activity; the active-days milestone and streak badges read these. Only a
   * member's first activity of a day can change either, so the rest of the day costs one insert.
   */
  private async active(userId: number, communityId: number, at: Date, round: AwardRound): Promise<void> {
    const day = dayKey(at, this.d.timeZone);
    const seen = `${userId}|${communityId}`;
    if (this.activeSeen.has(day, seen)) return;
    const insert = this.d.db.insertInto('gamification_active_days').values({ user_id: userId, community_id: communityId, day });
    const r = await (
      this.d.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.columns(['user_id', 'community_id', 'day']).doNothing())
    ).executeTakeFirst();
    this.activeSeen.add(day, seen);
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return;
    const rules = await this.d.settings.rules();
    const days = await this.d.db
      .selectFrom('gamification_active_days')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    if (Number(days?.n ?? 0) >= rules.milestones.active_days)
      await this.award({ userId, communityId, action: 'active_days', sourceKey: `active:${communityId}:${userId}`, occurredAt: at }, round);
    await this.badges(userId, communityId, at, ['streak_days']);
  }

  /**
   * Whether one more post of `action` by the member can change nothing: the day already counts
   * as active and the day's cap for it is full. Then the post itself need not even be read.
   */
  private async spent(userId: number, communityId: number, action: PointAction, at: Date): Promise<boolean> {
    if (!this.activeSeen.has(dayKey(at, this.d.timeZone), `${userId}|${communityId}`)) return false;
    return this.d.ledger.capped({ userId, communityId, action, occurredAt: at });
  }

  private readonly handlers: { [N in DomainEventName]?: (e: DomainEvent<N>, round: AwardRound) => Promise<void> } = {
    MessagePosted: async (e, round) => {
      const p = e.payload;
      if (p.community_id === null) return;
      const at = new Date(e.occurred_at);
      const action = p.reply_to_id ? 'reply_message' : 'post_message';
      await this.active(p.user_id, p.community_id, at, round);
      if (await this.d.ledger.capped({ userId: p.user_id, communityId: p.community_id, action, occurredAt: at })) return;
      const m = await this.d.db
        .selectFrom('channel_messages')
        .select(['content', 'is_deleted', 'user_id'])
        .where('id', '=', p.message_id)
        .executeTakeFirst();
      if (!m || m.is_deleted) return;
      if (trimmedLength(m.content) < (await this.minLength())) return;
      await this.award(
        {
          userId: p.user_id,
          communityId: p.community_id,
          action,
          sourceKey: `msg:${p.message_id}`,
          occurredAt: at,
          target: { type: 'message', id: p.message_id },
        },
        round,
      );
    },
    DMStarted: async (e, round) => {
      await this.award(
        {
          userId: e.payload.user_id,
          communityId: null,
          action: 'start_dm',
          sourceKey: `dm:${e.payload.thread_id}`,
          occurredAt: new Date(e.occurred_at),
          target: { type: 'dm_thread', id: e.payload.thread_id },
        },
        round,
      );
    },
    DMMessagePosted: async (e, round) => {
      const m = await this.d.db.selectFrom('dm_messages').select(['content']).where('id', '=', e.payload.message_id).executeTakeFirst();
      if (!m || trimmedLength(m.content) < (await this.minLength())) return;
      await this.award(
        {
          userId: e.payload.user_id,
          communityId: null,
          action: 'dm_message',
          sourceKey: `dmm:${e.payload.message_id}`,
          occurredAt: new Date(e.occurred_at),
          target: { type: 'dm_message', id: e.payload.message_id },
        },
        round,
      );
    },
    CommunityJoined: async (e, round) => {
      const p = e.payload;
      const at = new Date(e.occurred_at);
      // Once per member and community: leaving and joining again earns nothing more.
      await this.award(
        {
          userId: p.user_id,
          communityId: p.community_id,
          action: 'join_community',
          sourceKey: `join:${p.community_id}:${p.user_id}`,
          occurredAt: at,
        },
        round,
      );
      const rules = await this.d.settings.rules();
      if (p.member_count <= rules.milestones.early_member_count)
        await this.award(
          {
            userId: p.user_id,
            communityId: p.community_id,
            action: 'early_member',
            sourceKey: `early:${p.community_id}:${p.user_id}`,
            occurredAt: at,
            metadata: { member_count: p.member_count },
          },
          round,
        );
      else await this.badges(p.user_id, p.community_id, at, ['early_member']);
    },
    CourseCompleted: async (e, round) => {
      const p = e.payload;
      const links = await this.d.db
        .selectFrom('community_courses')
        .innerJoin('community_members', 'community_members.community_id', 'community_courses.community_id')
        .select('community_courses.community_id')
        .where('community_courses.course_id', '=', p.course_id)
        .where('community_members.user_id', '=', p.user_id)
        .where('community_members.status', 'in', ['active', 'muted'])
        .execute();
      for (const c of new Set(links.map((l) => Number(l.community_id))))
        await this.award(
          {
            userId: p.user_id,
            communityId: c,
            action: 'complete_course_in_linked_community',
            sourceKey: `course:${c}:${p.user_id}:${p.course_id}`,
            occurredAt: new Date(e.occurred_at),
            metadata: { course_id: p.course_id },
          },
          round,
        );
    },
    FeedPostCreated: async (e, round) => {
      const p = e.payload;
      if (p.community_id === null || p.type !== 'post') return;
      const at = new Date(e.occurred_at);
      if (await this.spent(p.user_id, p.community_id, 'feed_post', at)) return;
      const item = await this.d.db
        .selectFrom('central_feed_items')
        .select(['content', 'title', 'deleted_at'])
        .where('id', '=', p.feed_item_id)
        .executeTakeFirst();
      if (!item || item.deleted_at) return;
      await this.active(p.user_id, p.community_id, at, round);
      if (trimmedLength(item.content) < (await this.minLength())) return;
      await this.award(
        {
          userId: p.user_id,
          communityId: p.community_id,
          action: 'feed_post',
          sourceKey: `fp:${p.feed_item_id}`,
          occurredAt: at,
          target: { type: 'feed_item', id: p.feed_item_id },
        },
        round,
      );
    },
    FeedCommentCreated: async (e, round) => {
      const p = e.payload;
      if (p.community_id === null) return;
      const at = new Date(e.occurred_at);
      if (await this.spent(p.user_id, p.community_id, 'feed_comment', at)) return;
      const c = await this.d.db
        .selectFrom('central_feed_comments')
        .select(['content', 'deleted_at'])
        .where('id', '=', p.comment_id)
        .executeTakeFirst();
      if (!c || c.deleted_at) return;
      await this.active(p.user_id, p.community_id, at, round);
      if (trimmedLength(c.content) < (await this.minLength())) return;
      await this.award(
        {
          userId: p.user_id,
          communityId: p.community_id,
          action: 'feed_comment',
          sourceKey: `fc:${p.comment_id}`,
          occurredAt: at,
          target: { type: 'feed_comment', id: p.comment_id },
        },
        round,
      );
    },
    ReactionAdded: async (e, round) => {
      const p = e.payload;
      // Reacting to yourself never earns; reactions outside a community (DMs, site-wide posts) neither.
      if (p.community_id === null || p.user_id === p.target_author_id) return;
      await this.award(
        {
          userId: p.target_author_id,
          communityId: p.community_id,
          action: 'receive_reaction',
          sourceKey: `rx:${e.id}`,
          occurredAt: new Date(e.occurred_at),
          actorId: p.user_id,
          target: { type: p.target_type, id: p.target_id },
          metadata: { emoji: p.emoji },
        },
        round,
      );
    },
    ReactionRemoved: async (e, round) => {
      const p = e.payload;
      await this.finish(round);
      await this.d.ledger.reverse({ type: p.target_type, id: p.target_id }, { actorId: p.user_id, type: 'receive_reaction', latest: true });
    },
    MessageDeleted: async (e, round) => {
      await this.finish(round);
      await this.d.ledger.reverse({ type: 'message', id: e.payload.message_id });
    },
    FeedItemDeleted: async (e, round) => {
      await this.finish(round);
      await this.d.ledger.reverse({ type: 'feed_item', id: e.payload.feed_item_id });
    },
    FeedCommentDeleted: async (e, round) => {
      await this.finish(round);
      await this.d.ledger.reverse({ type: 'feed_comment', id: e.payload.comment_id });
    },
    AnswerMarkedHelpful: async (e, round) => {
      const p = e.payload;
      const target = { type: p.target_type, id: p.target_id };
      if (!p.helpful) {
        await this.finish(round);
        await this.d.ledger.reverse(target, { type: 'answer_marked_helpful' });
        return;
      }
      if (p.user_id === p.author_id) return;
      await this.award(
        {
          userId: p.author_id,
          communityId: p.community_id,
          action: 'answer_marked_helpful',
          sourceKey: `helpful:${e.id}`,
          occurredAt: new Date(e.occurred_at),
          actorId: p.user_id,
          target,
        },
        round,
      );
    },
  };
}
