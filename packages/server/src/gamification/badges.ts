import type { BadgeDefinition, BadgeRule, GamificationRules } from '@communities/contract';

import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';

import { previousDay } from './periods';

export interface AwardedBadge {
  slug: string;
  name: string;
  icon: string;
  communityId: number | null;
  awardedAt: string;
}

/** Emoji icons fit the 0001 `icon` column; an inline SVG lives in the rule JSON with the rest. */
const shortIcon = (icon: string) => (icon.length <= 32 && !icon.startsWith('<') ? icon : null);

/**
 * Badges: definitions from the rules in force (config, then admins), mirrored into
 * `community_badges` by slug; `user_badges` holds each award once per member and community
 * (its unique key), with the date.
 */
export class Badges {
  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
    private readonly now: () => Date,
  ) {}

  /** The badge row for a definition, created or brought up to date. */
  async badgeId(def: BadgeDefinition): Promise<number> {
    const at = this.now().toISOString();
    const rule = JSON.stringify({ rule: def.rule, threshold: def.threshold, icon: def.icon });
    const values = { name: def.name, description: def.description, icon: shortIcon(def.icon), rule, updated_at: at };
    const row = await this.db
      .selectFrom('community_badges')
      .select(['id', 'name', 'description', 'rule'])
      .where('slug', '=', def.slug)
      .executeTakeFirst();
    if (row) {
      if (row.name !== def.name || row.rule !== rule || (row.description ?? '') !== def.description)
        await this.db.updateTable('community_badges').set(values).where('id', '=', row.id).execute();
      return Number(row.id);
    }
    const insert = this.db.insertInto('community_badges').values({ slug: def.slug, ...values, created_at: at });
    await (this.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('slug').doNothing())).execute();
    const created = await this.db.selectFrom('community_badges').select('id').where('slug', '=', def.slug).executeTakeFirstOrThrow();
    return Number(created.id);
  }

  /** Checks every badge of these rules (all when omitted) not yet held in this community; awards those now earned. */
  async evaluate(
    rules: GamificationRules,
    userId: number,
    communityId: number,
    earnedAt: Date,
    timeZoneDay: string,
    kinds?: readonly BadgeRule[],
  ): Promise<AwardedBadge[]> {
    const defs = kinds ? rules.badges.filter((b) => kinds.includes(b.rule)) : rules.badges;
    if (defs.length === 0) return [];
    const held = new Set(
      (
        await this.db
          .selectFrom('user_badges')
          .innerJoin('community_badges', 'community_badges.id', 'user_badges.badge_id')
          .select('community_badges.slug')
          .where('user_badges.user_id', '=', userId)
          .where('user_badges.community_id', '=', communityId)
          .execute()
      ).map((r) => r.slug),
    );
    const out: AwardedBadge[] = [];
    for (const def of defs) {
      if (held.has(def.slug)) continue;
      if (!(await this.earned(def, userId, communityId, timeZoneDay))) continue;
      const badgeId = await this.badgeId(def);
      const at = earnedAt.toISOString();
      const insert = this.db
        .insertInto('user_badges')
        .values({ user_id: userId, badge_id: badgeId, community_id: communityId, awarded_at: at });
      const r = await (
        this.dialect === 'mysql'
          ? insert.ignore()
          : insert.onConflict((oc) => oc.columns(['user_id', 'badge_id', 'community_id']).doNothing())
      ).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0)
        out.push({ slug: def.slug, name: def.name, icon: def.icon, communityId, awardedAt: at });
    }
    return out;
  }

  private async earned(def: BadgeDefinition, userId: number, communityId: number, today: string): Promise<boolean> {
    const count = async (q: { executeTakeFirst(): Promise<{ n: number | string | bigint } | undefined> }) =>
      Number((await q.executeTakeFirst())?.n ?? 0);
    switch (def.rule) {
      case 'first_post':
      case 'messages': {
        // Counted up to the threshold only: the cost stays the same however much a member posts.
        const enough = def.rule === 'messages' ? Math.max(1, def.threshold) : 1;
        const n = (
          await this.db
            .selectFrom('channel_messages')
            .innerJoin('channels', 'channels.id', 'channel_messages.channel_id')
            .select('channel_messages.id')
            .where('channels.community_id', '=', communityId)
            .where('channel_messages.user_id', '=', userId)
            .where('channel_messages.is_deleted', '=', 0)
            .limit(enough)
            .execute()
        ).length;
        if (def.rule === 'messages') return n >= def.threshold;
        if (n > 0) return true;
        return (
          (await count(
            this.db
              .selectFrom('central_feed_items')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('community_id', '=', communityId)
              .where('user_id', '=', userId)
              .where('deleted_at', 'is', null),
          )) > 0
        );
      }
      case 'helpful_answers':
        return (
          (await count(
            this.db
              .selectFrom('gamification_helpful_marks')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('community_id', '=', communityId)
              .where('author_id', '=', userId),
          )) >= def.threshold
        );
      case 'course_completed':
        return (
          (await count(
            this.db
              .selectFrom('gamification_events')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('user_id', '=', userId)
              .where('community_id', '=', communityId)
              .where('type', '=', 'complete_course_in_linked_community'),
          )) >= def.threshold
        );
      case 'early_member': {
        // Among the first N to join: members who joined before this one (ids grow with joins).
        const me = await this.db
          .selectFrom('community_members')
          .select(['id', 'joined_at'])
          .where('community_id', '=', communityId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (!me) return false;
        const before = await count(
          this.db
            .selectFrom('community_members')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('community_id', '=', communityId)
            .where('id', '<', me.id),
        );
        return before + 1 <= def.threshold;
      }
      case 'streak_days': {
        const days = new Set(
          (
            await this.db
              .selectFrom('gamification_active_days')
              .select('day')
              .where('user_id', '=', userId)
              .where('community_id', '=', communityId)
              .where('day', '<=', today)
              .orderBy('day', 'desc')
              .limit(def.threshold)
              .execute()
          ).map((r) => r.day),
        );
        let d = today;
        for (let i = 0; i < def.threshold; i++, d = previousDay(d)) if (!days.has(d)) return false;
        return true;
      }
    }
  }
}
