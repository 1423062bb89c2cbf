import { z } from 'zod';

import { isoTime } from './endpoint';
import { REPORT_STATUSES, REPORT_TARGET_TYPES } from './endpoints/moderation';
import { REALTIME_EVENTS } from './realtime';

/**
 * Moderation's realtime events, each with its zod payload (docs and channel kinds: realtime-events.ts). All go to private user channels
 * (`realtimeChannel.user`): a new report to each moderator of its community (site admins for
 * DM and site-wide reports), an outcome to its reporter, a sanction to the sanctioned user, and
 * an automatic mute or ban to the moderators of its community.
 */
export const MODERATION_REALTIME_EVENTS = {
  reportCreated: REALTIME_EVENTS.moderationReportCreated,
  reportOutcome: REALTIME_EVENTS.moderationReportOutcome,
  sanctionApplied: REALTIME_EVENTS.moderationSanction,
  autoSanction: REALTIME_EVENTS.moderationAutoSanction,
} as const;
export type ModerationRealtimeEventName = (typeof MODERATION_REALTIME_EVENTS)[keyof typeof MODERATION_REALTIME_EVENTS];

export const moderationRealtimeSchemas = {
  'moderation.report_created': z
    .object({
      report_id: z.number().int(),
      community_id: z.number().int().nullable(),
      target_type: z.enum(REPORT_TARGET_TYPES),
      target_id: z.number().int(),
      reason: z.string(),
      source: z.enum(['user', 'filter', 'spam']),
      created_at: isoTime,
    })
    .describe("to each moderator of the report's community (site admins for DM reports): a new report is in the queue"),
  'moderation.report_outcome': z
    .object({ report_id: z.number().int(), status: z.enum(REPORT_STATUSES), outcome: z.string().nullable() })
    .describe('to the reporter: their report was resolved or dismissed (never who else reported)'),
  'moderation.sanction': z
    .object({
      community_id: z.number().int().nullable().describe('null: site-wide'),
      action: z.enum(['warning', 'mute', 'ban', 'kick', 'lift']),
      reason: z.string().nullable(),
      until: isoTime.nullable(),
      source: z.string().describe('manual | auto | job | site'),
    })
    .describe('to the sanctioned user: a warning, mute, ban or kick (and when one is lifted), with the reason and end'),
  'moderation.auto_sanction': z
    .object({
      community_id: z.number().int(),
      user_id: z.number().int().describe('the member who was muted or banned'),
      action: z.enum(['mute', 'ban']),
      reason: z.string(),
      until: isoTime.nullable().describe('null: permanent'),
    })
    .describe("to each moderator of the community: the word filter's thresholds muted or banned a member"),
} as const satisfies Record<ModerationRealtimeEventName, z.ZodType>;

export type ModerationRealtimePayload<N extends ModerationRealtimeEventName> = z.infer<(typeof moderationRealtimeSchemas)[N]>;
