import { z } from 'zod';

import { endpoint } from '../endpoint';

import { communityRef, userSummarySchema } from './communities';

const idNum = z.coerce.number().int().positive();

/**
 * What the activity rollups count, each kind separately so views can filter. `dm` is counted per
 * user only (never per community) and is shown to that user alone.
 */
export const ACTIVITY_KINDS = ['message', 'dm', 'post', 'comment', 'reaction', 'course_completion'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const ANALYTICS_PERIODS = ['day', 'week', 'month'] as const;
export type AnalyticsPeriod = (typeof ANALYTICS_PERIODS)[number];

/** The longest range one heatmap or analytics read covers, in days. */
export const ACTIVITY_MAX_DAYS = 366;

/** A local calendar date, YYYY-MM-DD. */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'a real date')
  .describe('a local date, YYYY-MM-DD (in tz)');

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const tzParam = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'an IANA time zone such as Asia/Kolkata')
  .optional()
  .describe("IANA time zone the days and hours are shown in (default: the viewer's users.timezone, else UTC)");

/** `kinds=message,post` or `kinds=message&kinds=post`; default: every kind the viewer may see. */
const kindsParam = z
  .preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
    z.array(z.enum(ACTIVITY_KINDS)).min(1).max(ACTIVITY_KINDS.length),
  )
  .optional()
  .describe(`comma-separated kinds out of ${ACTIVITY_KINDS.join(', ')} (default: all the viewer may see)`);

const rangeQuery = {
  from: localDate.optional().describe('first local day, YYYY-MM-DD (default: 364 days before `to`)'),
  to: localDate.optional().describe('last local day, YYYY-MM-DD, inclusive (default: today in tz)'),
  tz: tzParam,
};

export const userHeatmapQuery = z
  .object({ ...rangeQuery, kinds: kindsParam, community_id: idNum.optional().describe("one community's slice only") })
  .strict();
export const communityHeatmapQuery = z.object({ ...rangeQuery, kinds: kindsParam }).strict();

export const heatmapDaySchema = z.object({
  /** Local date. */
  date: z.string(),
  count: z.number().int(),
  /** Counts per kind (only kinds with a count). */
  kinds: z.record(z.string(), z.number().int()),
});
export type HeatmapDay = z.infer<typeof heatmapDaySchema>;

export const heatmapSchema = z.object({
  subject: z.object({ type: z.enum(['user', 'community']), id: z.number().int() }),
  /** The community slice, or null for a user's activity in every community they share with the viewer. */
  community_id: z.number().int().nullable(),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  kinds: z.array(z.enum(ACTIVITY_KINDS)),
  /** Days with activity only, ascending (days not listed had none). */
  days: z.array(heatmapDaySchema),
  /** Day-by-hour grid in `timezone`: grid[weekday][hour], weekday 0 = Monday … 6 = Sunday. */
  grid: z.array(z.array(z.number().int()).length(24)).length(7),
  total: z.number().int(),
  /** The highest day count, for the legend's scale. */
  max_day: z.number().int(),
});
export type Heatmap = z.infer<typeof heatmapSchema>;

export const analyticsQuery = z
  .object({
    period: z.enum(ANALYTICS_PERIODS).default('day'),
    ...rangeQuery,
    from: localDate.optional().describe('first local day (default: 29 days before `to`)'),
    top: z.coerce.number().int().min(1).max(50).default(10).describe('top contributors and busiest channels listed'),
  })
  .strict();

export const ANALYTICS_SERIES_FIELDS = [
  'active_members',
  'messages',
  'posts',
  'comments',
  'reactions',
  'course_completions',
  'new_members',
  'left_members',
  'join_requests',
  'points',
] as const;
export type AnalyticsSeriesField = (typeof ANALYTICS_SERIES_FIELDS)[number];

const seriesFields = Object.fromEntries(ANALYTICS_SERIES_FIELDS.map((f) => [f, z.number().int()])) as Record<
  AnalyticsSeriesField,
  z.ZodNumber
>;

export const analyticsPointSchema = z.object({
  /** First local day of the bucket (a Monday for weeks, the 1st for months; clipped to `from`). */
  start: z.string(),
  ...seriesFields,
});
export type AnalyticsPoint = z.infer<typeof analyticsPointSchema>;

export const retentionSchema = z.object({
  /** Members who joined in the range at least `days` days before its end. */
  cohort: z.number().int(),
  /** Of them, those active in the community `days` or more days after joining. */
  retained: z.number().int(),
  /** retained / cohort, null with no cohort. */
  rate: z.number().nullable(),
});

export const communityAnalyticsSchema = z.object({
  community_id: z.number().int(),
  period: z.enum(ANALYTICS_PERIODS),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  series: z.array(analyticsPointSchema),
  /** Sums over the range; active_members is the distinct count over the whole range. */
  totals: analyticsPointSchema.omit({ start: true }),
  /** Distinct active members in the 1, 7, 30 and 90 days ending at `to`. */
  actives: z.object({ d1: z.number().int(), d7: z.number().int(), d30: z.number().int(), d90: z.number().int() }),
  top_contributors: z.array(z.object({ user: userSummarySchema, count: z.number().int() })),
  busiest_channels: z.array(z.object({ channel: z.object({ id: z.number().int(), name: z.string() }), messages: z.number().int() })),
  /** Activity per local hour of day (0..23) over the range. */
  busiest_hours: z.array(z.number().int()).length(24),
  retention: z.object({ d7: retentionSchema, d30: retentionSchema }),
});
export type CommunityAnalytics = z.infer<typeof communityAnalyticsSchema>;

export const adminAnalyticsQuery = z
  .object({
    ...rangeQuery,
    from: localDate.optional().describe('first local day (default: 29 days before `to`)'),
    limit: z.coerce.number().int().min(1).max(500).default(100).describe('communities listed, busiest first'),
  })
  .strict();

export const adminAnalyticsSchema = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  /** Site-wide sums; active_members is distinct over every community. */
  totals: analyticsPointSchema.omit({ start: true }),
  communities: z.array(
    z.object({
      community: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }),
      ...analyticsPointSchema.omit({ start: true }).shape,
    }),
  ),
});
export type AdminAnalytics = z.infer<typeof adminAnalyticsSchema>;

export const heatmapSettingsSchema = z.object({
  /** Whether members who share a community see your heatmap (owners, moderators and admins always do). */
  show_activity: z.boolean(),
  /** True when show_activity is the school's default, never set by you. */
  is_default: z.boolean(),
});
export type HeatmapSettings = z.infer<typeof heatmapSettingsSchema>;

/** `GET /api/communities/:id/member-activity`: each member's actions over the last 7 local days. */
export const memberActivityQuery = z
  .object({
    tz: tzParam,
    limit: z.coerce.number().int().min(1).max(200).default(100).describe('members listed, busiest first'),
  })
  .strict();
export const memberActivitySchema = z.object({
  community_id: z.number().int(),
  /** The seven local days counted (today and the six before), in `timezone`. */
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  /** Current members with activity in the range that this viewer may see, busiest first. */
  items: z.array(z.object({ user: userSummarySchema, count: z.number().int() })),
  /** Active members left out because they keep their activity private (owners, moderators and admins see everyone). */
  hidden: z.number().int(),
});
export type MemberActivity = z.infer<typeof memberActivitySchema>;

export const analytics = {
  userHeatmap: endpoint({
    method: 'GET',
    path: '/api/users/:id/heatmap',
    summary:
      "A member's activity calendar and day-by-hour grid in the viewer's time zone: visible to the member, site admins, owners and moderators (their community's slice only), and to fellow members if the member shows their activity; DMs only to the member",
    tag: 'analytics',
    feature: 'heatmap',
    params: z.object({ id: idNum }).strict(),
    query: userHeatmapQuery,
    response: heatmapSchema,
    errors: ['not_found', 'validation_failed'],
  }),
  communityHeatmap: endpoint({
    method: 'GET',
    path: '/api/communities/:id/heatmap',
    summary: "A community's activity calendar and day-by-hour grid (owners, moderators, view_analytics roles and site admins)",
    tag: 'analytics',
    feature: 'heatmap',
    params: communityRef,
    query: communityHeatmapQuery,
    response: heatmapSchema,
    errors: ['not_found', 'forbidden', 'validation_failed'],
  }),
  communityAnalytics: endpoint({
    method: 'GET',
    path: '/api/communities/:id/analytics',
    summary:
      "A community's insights over a range (day, week or month buckets in the viewer's time zone): series and totals, 1/7/30/90-day actives, top contributors, busiest channels and hours, retention after 7 and 30 days",
    tag: 'analytics',
    feature: 'heatmap',
    params: communityRef,
    query: analyticsQuery,
    response: communityAnalyticsSchema,
    errors: ['not_found', 'forbidden', 'validation_failed'],
  }),
  memberActivity: endpoint({
    method: 'GET',
    path: '/api/communities/:id/member-activity',
    summary:
      "Activity this week: each member's actions (messages, posts, comments, reactions, course completions) over the last 7 days in the viewer's time zone, busiest first. Owners, moderators and admins always, listing everyone; members when the owner enables `show_member_activity` and shows the member list (`show_member_list`; else 403 member_list_hidden), listing those who show their activity (and themselves)",
    tag: 'analytics',
    feature: 'heatmap',
    params: communityRef,
    query: memberActivityQuery,
    response: memberActivitySchema,
    errors: ['not_found', 'forbidden', 'validation_failed'],
  }),
  exportCommunityAnalytics: endpoint({
    method: 'GET',
    path: '/api/communities/:id/analytics/export',
    summary: "A community's analytics series as CSV (one row per bucket, every series field), with the same query",
    tag: 'analytics',
    feature: 'heatmap',
    params: communityRef,
    query: analyticsQuery,
    response: z.unknown(),
    raw: { response: 'binary' },
    errors: ['not_found', 'forbidden', 'validation_failed'],
  }),
  adminAnalytics: endpoint({
    method: 'GET',
    path: '/api/communities/admin/analytics',
    summary: 'Site-wide analytics by community over a range (site admins)',
    tag: 'analytics',
    feature: 'heatmap',
    query: adminAnalyticsQuery,
    response: adminAnalyticsSchema,
    errors: ['forbidden', 'validation_failed'],
  }),
  exportAdminAnalytics: endpoint({
    method: 'GET',
    path: '/api/communities/admin/analytics/export',
    summary: 'Site-wide analytics by community as CSV (site admins)',
    tag: 'analytics',
    feature: 'heatmap',
    query: adminAnalyticsQuery,
    response: z.unknown(),
    raw: { response: 'binary' },
    errors: ['forbidden', 'validation_failed'],
  }),
  heatmapSettings: endpoint({
    method: 'GET',
    path: '/api/users/me/heatmap-settings',
    summary: 'Whether fellow members see your activity heatmap',
    tag: 'analytics',
    feature: 'heatmap',
    response: heatmapSettingsSchema,
  }),
  updateHeatmapSettings: endpoint({
    method: 'PATCH',
    path: '/api/users/me/heatmap-settings',
    summary: 'Show your activity heatmap to fellow members, or hide it (owners, moderators and admins still see it)',
    tag: 'analytics',
    feature: 'heatmap',
    body: z.object({ show_activity: z.boolean() }).strict(),
    response: heatmapSettingsSchema,
  }),
} as const;
