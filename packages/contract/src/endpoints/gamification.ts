import { z } from 'zod';

import { gamificationRulesSchema, badgeDefinitionSchema, POINT_ACTIONS } from '../config';
import { endpoint, isoTime } from '../endpoint';

import { communityRef, userSummarySchema } from './communities';

const idNum = z.coerce.number().int().positive();

export const LEADERBOARD_PERIODS = ['week', 'month', 'all_time'] as const;
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];

/**
 * The documented order of a leaderboard: more points first; equal points by lower user id (the
 * longer-standing account). The same order in every store (SQL, Redis) and in snapshots, so a
 * rank never depends on where it was computed, and never changes between two identical reads.
 */
export const LEADERBOARD_TIE_BREAK = 'points descending, then user id ascending';

export const levelSchema = z.object({
  level: z.number().int().min(1),
  /** Points where this level starts. */
  level_at: z.number().int(),
  /** Points where the next level starts; null at the top level. */
  next_level_at: z.number().int().nullable(),
  /** 0..1 of the way from this level to the next (1 at the top level). */
  progress: z.number().min(0).max(1),
});
export type LevelInfo = z.infer<typeof levelSchema>;

export const leaderboardEntrySchema = z.object({
  /**
   * 1-based, in LEADERBOARD_TIE_BREAK order. Members hidden from leaderboards are not counted
   * for anyone but admins (no gaps); admins see everyone ranked among everyone.
   */
  rank: z.number().int().min(1),
  user: userSummarySchema,
  points: z.number().int(),
  level: z.number().int().min(1),
  /** Shown to admins only: the member hid themselves from leaderboards. */
  hidden: z.boolean(),
});
export type LeaderboardEntry = z.infer<typeof leaderboardEntrySchema>;

export const leaderboardSchema = z.object({
  /** null for the global (site-wide) leaderboard. */
  community_id: z.number().int().nullable(),
  period: z.enum(LEADERBOARD_PERIODS),
  /** Start of the period in the school's time zone, as UTC; null for all_time. */
  starts_at: isoTime.nullable(),
  /** End (exclusive) of the period; null for all_time. */
  ends_at: isoTime.nullable(),
  timezone: z.string(),
  /** True when this is a closed period read from `leaderboard_snapshots`. */
  from_snapshot: z.boolean(),
  tie_break: z.string(),
  items: z.array(leaderboardEntrySchema),
  /** The caller's own place, even outside the top N; rank null with no points in the period. */
  viewer: z.object({ rank: z.number().int().nullable(), points: z.number().int(), level: z.number().int(), hidden: z.boolean() }),
});
export type Leaderboard = z.infer<typeof leaderboardSchema>;

const leaderboardQuery = z
  .object({
    period: z.enum(LEADERBOARD_PERIODS).default('week'),
    limit: z.coerce.number().int().min(1).max(100).optional().describe('entries (default gamification.leaderboard_size)'),
    at: isoTime
      .optional()
      .describe('any instant inside a past week or month: answers its snapshot, written when the period closed (404 if none)'),
  })
  .strict();

export const badgeSchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  rule: badgeDefinitionSchema.shape.rule,
  threshold: z.number().int(),
  community_id: z.number().int().nullable(),
  awarded_at: isoTime,
});
export type Badge = z.infer<typeof badgeSchema>;

export const awardSchema = z.object({
  id: z.number().int(),
  community_id: z.number().int().nullable(),
  /** The rule (a point action) or `reversal:<action>` when points were taken back. */
  type: z.string(),
  points: z.number().int(),
  /** Where it came from: `{ target_type, target_id }` and the domain event id. */
  source: z.record(z.string(), z.unknown()),
  occurred_at: isoTime,
});
export type Award = z.infer<typeof awardSchema>;

export const userGamificationSchema = z.object({
  user: userSummarySchema,
  community_id: z.number().int().nullable(),
  points: z.number().int(),
  level: levelSchema,
  badges: z.array(badgeSchema),
  /** The latest 20 ledger rows (awards and reversals). */
  recent_awards: z.array(awardSchema),
  hide_from_leaderboards: z.boolean(),
});
export type UserGamification = z.infer<typeof userGamificationSchema>;

export const adminGamificationSchema = gamificationRulesSchema.extend({
  /** Bounds owners may scale point values within, per community (config only). */
  community_scale: z.object({ min: z.number(), max: z.number() }),
  updated_at: isoTime.nullable(),
});
export type AdminGamification = z.infer<typeof adminGamificationSchema>;

/** PATCH: each section sent replaces that section (points and caps merge key by key). */
export const adminGamificationPatchSchema = z
  .object({
    points: gamificationRulesSchema.shape.points.unwrap().partial().optional(),
    anti_farming: z
      .object({
        daily_caps: z
          .object(
            Object.fromEntries(POINT_ACTIONS.map((a) => [a, z.number().int().min(0).max(1_000_000)])) as Record<
              (typeof POINT_ACTIONS)[number],
              z.ZodNumber
            >,
          )
          .partial()
          .strict()
          .optional(),
        reactions_per_reactor_per_author_per_day: z.number().int().min(0).max(1000).optional(),
        dm_weight: z.number().min(0).max(1).optional(),
        min_message_length: z.number().int().min(0).max(10_000).optional(),
      })
      .strict()
      .optional(),
    milestones: gamificationRulesSchema.shape.milestones.unwrap().partial().optional(),
    level_thresholds: gamificationRulesSchema.shape.level_thresholds.unwrap().optional(),
    badges: gamificationRulesSchema.shape.badges.unwrap().optional(),
  })
  .strict();

export const communityGamificationSchema = z.object({
  community_id: z.number().int(),
  /** Multiplier of every point value in this community, within the configured bounds. */
  scale: z.number(),
  min: z.number(),
  max: z.number(),
});

const helpfulResponse = z.object({ helpful: z.boolean() });
const userParams = z.object({ userId: idNum }).strict();

export const gamification = {
  communityLeaderboard: endpoint({
    method: 'GET',
    path: '/api/communities/:id/leaderboard',
    summary:
      "A community's leaderboard for a period (weeks from Monday and months in gamification.timezone): top N and the caller's own rank even outside it; ties: points descending, then user id ascending; members who hid themselves are left out except for admins (ranks still count them); ?at= reads a closed period's snapshot",
    tag: 'gamification',
    feature: 'leaderboard',
    params: communityRef,
    query: leaderboardQuery,
    response: leaderboardSchema,
    errors: ['not_found', 'forbidden'],
  }),
  globalLeaderboard: endpoint({
    method: 'GET',
    path: '/api/communities/leaderboard',
    summary: "The site-wide leaderboard for a period: points from every community, top N and the caller's own rank",
    tag: 'gamification',
    feature: 'leaderboard',
    query: leaderboardQuery,
    response: leaderboardSchema,
    errors: ['not_found'],
  }),
  userProfile: endpoint({
    method: 'GET',
    path: '/api/communities/users/:userId/gamification',
    summary: "A user's points, level, progress, badges and recent awards, site-wide or in one community",
    tag: 'gamification',
    feature: 'gamification',
    params: userParams,
    query: z.object({ community_id: idNum.optional() }).strict(),
    response: userGamificationSchema,
    errors: ['not_found'],
  }),
  updateMyPrivacy: endpoint({
    method: 'PATCH',
    path: '/api/communities/users/me/gamification',
    summary: 'Hide yourself from leaderboards (admins still see you), or show yourself again',
    tag: 'gamification',
    feature: 'gamification',
    body: z.object({ hide_from_leaderboards: z.boolean() }).strict(),
    response: z.object({ hide_from_leaderboards: z.boolean() }),
  }),
  markMessageHelpful: endpoint({
    method: 'POST',
    path: '/api/communities/channels/messages/:messageId/helpful',
    summary: 'Mark a reply helpful (the asker of the question it replies to, or a moderator); awards answer_marked_helpful to its author',
    tag: 'gamification',
    feature: 'gamification',
    params: z.object({ messageId: idNum }).strict(),
    response: helpfulResponse,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  unmarkMessageHelpful: endpoint({
    method: 'DELETE',
    path: '/api/communities/channels/messages/:messageId/helpful',
    summary: 'Take a helpful mark back (the points are reversed)',
    tag: 'gamification',
    feature: 'gamification',
    params: z.object({ messageId: idNum }).strict(),
    response: helpfulResponse,
    errors: ['forbidden', 'not_found'],
  }),
  markCommentHelpful: endpoint({
    method: 'POST',
    path: '/api/communities/feed/comments/:commentId/helpful',
    summary: "Mark a feed comment helpful (the post's author, or a moderator); awards answer_marked_helpful to its author",
    tag: 'gamification',
    feature: 'gamification',
    params: z.object({ commentId: idNum }).strict(),
    response: helpfulResponse,
    errors: ['forbidden', 'not_found', 'conflict'],
  }),
  unmarkCommentHelpful: endpoint({
    method: 'DELETE',
    path: '/api/communities/feed/comments/:commentId/helpful',
    summary: 'Take a helpful mark on a feed comment back (the points are reversed)',
    tag: 'gamification',
    feature: 'gamification',
    params: z.object({ commentId: idNum }).strict(),
    response: helpfulResponse,
    errors: ['forbidden', 'not_found'],
  }),
  communitySettings: endpoint({
    method: 'GET',
    path: '/api/communities/:id/gamification',
    summary: "A community's point scale (owners and admins)",
    tag: 'gamification',
    feature: 'gamification',
    params: communityRef,
    response: communityGamificationSchema,
    errors: ['forbidden', 'not_found'],
  }),
  updateCommunitySettings: endpoint({
    method: 'PATCH',
    path: '/api/communities/:id/gamification',
    summary: 'Scale every point value in this community, within gamification.community_scale (owners and admins)',
    tag: 'gamification',
    feature: 'gamification',
    params: communityRef,
    body: z.object({ scale: z.number().min(0).max(10) }).strict(),
    response: communityGamificationSchema,
    errors: ['forbidden', 'not_found', 'validation_failed'],
  }),
  adminSettings: endpoint({
    method: 'GET',
    path: '/api/communities/admin/gamification',
    summary: 'Point values, anti-farming rules, level thresholds and badges in force (site admins)',
    tag: 'gamification',
    feature: 'gamification',
    response: adminGamificationSchema,
    errors: ['forbidden'],
  }),
  updateAdminSettings: endpoint({
    method: 'PATCH',
    path: '/api/communities/admin/gamification',
    summary: 'Edit point values, anti-farming rules, level thresholds and badges at runtime (site admins); stored in the database',
    tag: 'gamification',
    feature: 'gamification',
    body: adminGamificationPatchSchema,
    response: adminGamificationSchema,
    errors: ['forbidden'],
  }),
} as const;
