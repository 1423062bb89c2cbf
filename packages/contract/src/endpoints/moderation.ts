import { z } from 'zod';

import { cursorQuery, endpoint, isoTime, okResponse, page } from '../endpoint';

import { communityRef, userSummarySchema } from './communities';

const idNum = z.coerce.number().int().positive();

/** What may be reported. */
export const REPORT_TARGET_TYPES = ['channel_message', 'dm_message', 'feed_item', 'feed_comment', 'user'] as const;
export type ReportTargetType = (typeof REPORT_TARGET_TYPES)[number];
/** Why, from a fixed list (plus free text in `note`). */
export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'sexual', 'violence', 'self_harm', 'misinformation', 'other'] as const;
export const REPORT_STATUSES = ['open', 'reviewing', 'resolved', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** What the word filter does with a match (moderation.actions.on_detect, per severity, per community). */
export const FILTER_ACTIONS = ['censor', 'reject', 'flag', 'hold'] as const;
export type FilterAction = (typeof FILTER_ACTIONS)[number];
/** Audit log actions: sanctions on users, and moderators' actions on content and reports. */
export const MODERATION_ACTIONS = [
  'warning',
  'mute',
  'ban',
  'kick',
  'unmute',
  'unban',
  'lift',
  'content_delete',
  'content_hide',
  'content_restore',
  'content_approve',
  'content_reject',
  'dm_view',
  'report_update',
] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/**
 * The details of a 403 for a sanctioned user (`error.details`): `reason` is the machine code
 * (`muted` | `banned`), `until` the end (null: until lifted), `sanction_reason` the moderator's
 * (or the automatic rule's) words, so clients can say "You are muted until 14:32: spam".
 */
export const sanctionDetailsSchema = z.object({
  reason: z.enum(['muted', 'banned']),
  until: isoTime.nullable(),
  sanction_reason: z.string().nullable(),
  scope: z.enum(['community', 'site']),
});
export type SanctionDetails = z.infer<typeof sanctionDetailsSchema>;

/**
 * The details of the 422 `content_rejected`: the offending spans of the submitted text
 * (UTF-16 offsets into the field as sent, end exclusive) so a composer can highlight them.
 */
export const contentRejectedDetailsSchema = z.object({
  field: z.string().describe('body field, e.g. content, name, title'),
  spans: z.array(z.object({ start: z.number().int(), end: z.number().int(), severity: z.enum(SEVERITIES) })),
  rule: z.enum(['word', 'spam_repeat', 'spam_mentions', 'spam_links']),
});
export type ContentRejectedDetails = z.infer<typeof contentRejectedDetailsSchema>;

/** The reported content as a moderator sees it inline in the queue (null content: deleted). */
export const reportTargetSchema = z.object({
  type: z.enum(REPORT_TARGET_TYPES),
  id: z.number().int(),
  author: userSummarySchema.nullable(),
  content: z.string().nullable(),
  created_at: isoTime.nullable(),
  /** Where it lives: channel id for channel messages, thread id for DMs, feed item for comments. */
  container_id: z.number().int().nullable(),
  moderation_state: z.enum(['visible', 'flagged', 'held', 'hidden', 'deleted']).nullable(),
});

export const reportSchema = z.object({
  id: z.number().int(),
  community_id: z.number().int().nullable(),
  reporter: userSummarySchema.nullable().describe('null for automatic reports (word filter, spam rules)'),
  source: z.enum(['user', 'filter', 'spam']),
  reason: z.string(),
  note: z.string().nullable(),
  status: z.enum(REPORT_STATUSES),
  assigned_to: userSummarySchema.nullable(),
  resolution_notes: z.string().nullable(),
  target: reportTargetSchema,
  /** Open reports on the same target (from all reporters). */
  open_reports_on_target: z.number().int(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type ModerationReport = z.infer<typeof reportSchema>;

/** A report as its reporter sees it: the outcome, never who else reported. */
export const myReportSchema = z.object({
  id: z.number().int(),
  target_type: z.enum(REPORT_TARGET_TYPES),
  target_id: z.number().int(),
  reason: z.string(),
  note: z.string().nullable(),
  status: z.enum(REPORT_STATUSES),
  outcome: z.string().nullable().describe('resolution notes, once resolved or dismissed'),
  created_at: isoTime,
  updated_at: isoTime,
});
export type MyReport = z.infer<typeof myReportSchema>;

/** A DM report as staff open it: the message and a bounded window around it, never the whole thread. */
export const reportDetailSchema = reportSchema.extend({
  context: z.array(
    z.object({
      id: z.number().int(),
      author: userSummarySchema.nullable(),
      content: z.string(),
      created_at: isoTime,
      is_target: z.boolean(),
    }),
  ),
});
export type ModerationReportDetail = z.infer<typeof reportDetailSchema>;

export const createReportBody = z
  .object({
    target_type: z.enum(REPORT_TARGET_TYPES),
    target_id: z.number().int().positive(),
    /** For `user` reports: the community where it happened (the user's queue); ignored otherwise. */
    community_id: z.number().int().positive().optional(),
    reason: z.enum(REPORT_REASONS),
    note: z.string().trim().max(1000).optional(),
  })
  .strict();

export const queueQuery = z
  .object({
    status: z.enum(REPORT_STATUSES).optional().describe('default: open and reviewing'),
    target_type: z.enum(REPORT_TARGET_TYPES).optional(),
    ...cursorQuery,
  })
  .strict();

export const updateReportBody = z
  .object({
    status: z.enum(REPORT_STATUSES).optional(),
    /** Assign to a moderator (null: unassign); `reviewing` without it assigns the caller. */
    assigned_to: z.number().int().positive().nullable().optional(),
    resolution_notes: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine((b) => b.status !== undefined || b.assigned_to !== undefined || b.resolution_notes !== undefined, {
    message: 'Give a status, an assignee or notes',
    path: ['status'],
  });

export const wordEntrySchema = z.object({
  word: z.string().trim().min(1).max(100),
  severity: z.enum(SEVERITIES).default('medium'),
  replacement: z.string().max(100).nullable().default(null),
});
export const severityActionsSchema = z
  .object({ low: z.enum(FILTER_ACTIONS).optional(), medium: z.enum(FILTER_ACTIONS).optional(), high: z.enum(FILTER_ACTIONS).optional() })
  .strict();

/** A community's own word lists: extra words, words it allows, and the action per severity. */
export const communityWordsSchema = z.object({
  words: z.array(wordEntrySchema).max(2000),
  allow: z.array(z.string().trim().min(1).max(100)).max(2000),
  actions: severityActionsSchema,
});
export type CommunityWords = z.infer<typeof communityWordsSchema>;

export const badWordSchema = z.object({
  id: z.number().int(),
  word: z.string(),
  severity: z.enum(SEVERITIES),
  replacement: z.string().nullable(),
  created_at: isoTime,
});
export type BadWord = z.infer<typeof badWordSchema>;

/** The list clients use for a local warning before sending (the server still decides). */
export const wordListSchema = z.object({
  version: z.string().describe('changes whenever any list changes; clients refetch when it differs'),
  replace_char: z.string(),
  words: z.array(z.object({ word: z.string(), severity: z.enum(SEVERITIES) })),
  allow: z.array(z.string()),
});
export type WordList = z.infer<typeof wordListSchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  community_id: z.number().int().nullable(),
  action: z.enum(MODERATION_ACTIONS),
  user: userSummarySchema.nullable().describe('the user acted on (null for content actions without an author)'),
  moderator: userSummarySchema.nullable().describe('null for automatic actions'),
  reason: z.string().nullable(),
  target_type: z.string().nullable(),
  target_id: z.number().int().nullable(),
  expires_at: isoTime.nullable(),
  source: z.string().describe('manual | auto | job | site'),
  created_at: isoTime,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const auditFilters = {
  user_id: idNum.optional(),
  moderator_id: idNum.optional(),
  action: z.enum(MODERATION_ACTIONS).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('on or after (ISO-8601 date-time)'),
  to: z.iso.datetime({ offset: true }).optional().describe('before (ISO-8601 date-time)'),
};
export const auditQuery = z.object({ ...auditFilters, ...cursorQuery }).strict();
export const auditExportQuery = z.object(auditFilters).strict();

export const sanctionSchema = z.object({
  id: z.number().int(),
  community_id: z.number().int().nullable(),
  user: userSummarySchema,
  action: z.enum(['mute', 'ban']),
  reason: z.string().nullable(),
  expires_at: isoTime.nullable(),
  moderator: userSummarySchema.nullable(),
  source: z.string(),
  created_at: isoTime,
});
export type Sanction = z.infer<typeof sanctionSchema>;

export const siteSanctionBody = z
  .object({
    user_id: z.number().int().positive(),
    action: z.enum(['warning', 'mute', 'ban']),
    reason: z.string().trim().min(1).max(500),
    duration_minutes: z.number().int().min(1).max(525_600).optional().describe('omit for permanent'),
  })
  .strict();

export const contentActionBody = z
  .object({
    target_type: z.enum(['channel_message', 'dm_message', 'feed_item', 'feed_comment']),
    target_id: z.number().int().positive(),
    action: z.enum(['delete', 'hide', 'restore', 'approve', 'reject']),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();

export const heldItemSchema = reportTargetSchema.extend({ community_id: z.number().int().nullable(), reason: z.string().nullable() });

const reportParams = z.object({ reportId: idNum }).strict();

export const moderation = {
  report: endpoint({
    method: 'POST',
    path: '/api/communities/reports',
    summary:
      'Report a message, DM message, feed post, comment or user you can see; one open report per reporter and target (a second answers 409 with details.report_id)',
    tag: 'moderation',
    body: createReportBody,
    response: myReportSchema,
    status: 201,
    errors: ['not_found', 'conflict', 'rate_limited'],
  }),
  myReports: endpoint({
    method: 'GET',
    path: '/api/communities/reports',
    summary: 'Your reports and their outcome, newest first',
    tag: 'moderation',
    query: z.object(cursorQuery).strict(),
    response: page(myReportSchema),
  }),
  queue: endpoint({
    method: 'GET',
    path: '/api/communities/:id/moderation/reports',
    summary: "A community's report queue (owners and moderators), newest first, with the reported content inline",
    tag: 'moderation',
    params: communityRef,
    query: queueQuery,
    response: page(reportSchema),
    errors: ['forbidden', 'not_found'],
  }),
  globalQueue: endpoint({
    method: 'GET',
    path: '/api/communities/admin/moderation/reports',
    summary: 'Every report of the site, DMs included (site admins)',
    tag: 'moderation',
    query: queueQuery,
    response: page(reportSchema),
    errors: ['forbidden'],
  }),
  getReport: endpoint({
    method: 'GET',
    path: '/api/communities/moderation/reports/:reportId',
    summary: 'One report; a DM report carries the message and a bounded window around it, and the view is audit-logged',
    tag: 'moderation',
    params: reportParams,
    response: reportDetailSchema,
    errors: ['not_found'],
  }),
  updateReport: endpoint({
    method: 'PATCH',
    path: '/api/communities/moderation/reports/:reportId',
    summary: 'Assign, review, resolve or dismiss a report with notes; the reporter is told the outcome',
    tag: 'moderation',
    params: reportParams,
    body: updateReportBody,
    response: reportSchema,
    errors: ['not_found', 'forbidden'],
  }),
  held: endpoint({
    method: 'GET',
    path: '/api/communities/:id/moderation/held',
    summary: 'Held and flagged content waiting for a moderator',
    tag: 'moderation',
    params: communityRef,
    query: z.object(cursorQuery).strict(),
    response: page(heldItemSchema),
    errors: ['forbidden', 'not_found'],
  }),
  contentAction: endpoint({
    method: 'POST',
    path: '/api/communities/moderation/content',
    summary: 'Delete, hide, restore, approve or reject a message, post or comment (recorded in the audit log)',
    tag: 'moderation',
    body: contentActionBody,
    response: okResponse,
    errors: ['not_found', 'forbidden'],
  }),
  words: endpoint({
    method: 'GET',
    path: '/api/communities/:id/moderation/words',
    summary: "A community's word list, allow-list and action per severity (owners and moderators)",
    tag: 'moderation',
    params: communityRef,
    response: communityWordsSchema,
    errors: ['forbidden', 'not_found'],
  }),
  setWords: endpoint({
    method: 'PUT',
    path: '/api/communities/:id/moderation/words',
    summary: "Replace a community's word list, allow-list and actions per severity (owners)",
    tag: 'moderation',
    params: communityRef,
    body: communityWordsSchema.strict(),
    response: communityWordsSchema,
    errors: ['forbidden', 'not_found'],
  }),
  wordList: endpoint({
    method: 'GET',
    path: '/api/communities/moderation/word-list',
    summary: "The words a client checks locally before sending (global list, plus a community's own when given)",
    tag: 'moderation',
    feature: 'bad_word_filter',
    query: z.object({ community_id: idNum.optional() }).strict(),
    response: wordListSchema,
    errors: ['not_found'],
  }),
  badWords: endpoint({
    method: 'GET',
    path: '/api/communities/admin/bad-words',
    summary: 'The global bad words (site admins)',
    tag: 'moderation',
    query: z.object({ q: z.string().trim().max(100).optional(), ...cursorQuery }).strict(),
    response: page(badWordSchema),
    errors: ['forbidden'],
  }),
  addBadWords: endpoint({
    method: 'POST',
    path: '/api/communities/admin/bad-words',
    summary: 'Add or update global bad words (one, or an imported list); existing words get the new severity and replacement',
    tag: 'moderation',
    body: z.object({ words: z.array(wordEntrySchema).min(1).max(5000) }).strict(),
    response: z.object({ added: z.number().int(), updated: z.number().int() }),
    errors: ['forbidden'],
  }),
  deleteBadWord: endpoint({
    method: 'DELETE',
    path: '/api/communities/admin/bad-words/:wordId',
    summary: 'Remove a global bad word',
    tag: 'moderation',
    params: z.object({ wordId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  actions: endpoint({
    method: 'GET',
    path: '/api/communities/:id/moderation/actions',
    summary: "A community's audit log (owners and moderators): filter by user, moderator, action and date",
    tag: 'moderation',
    params: communityRef,
    query: auditQuery,
    response: page(auditEntrySchema),
    errors: ['forbidden', 'not_found'],
  }),
  exportActions: endpoint({
    method: 'GET',
    path: '/api/communities/:id/moderation/actions/export',
    summary: "A community's audit log as CSV, with the same filters",
    tag: 'moderation',
    params: communityRef,
    query: auditExportQuery,
    response: z.unknown(),
    raw: { response: 'binary' },
    errors: ['forbidden', 'not_found'],
  }),
  globalActions: endpoint({
    method: 'GET',
    path: '/api/communities/admin/moderation/actions',
    summary: 'The whole audit log (site admins), with the same filters',
    tag: 'moderation',
    query: auditQuery,
    response: page(auditEntrySchema),
    errors: ['forbidden'],
  }),
  exportGlobalActions: endpoint({
    method: 'GET',
    path: '/api/communities/admin/moderation/actions/export',
    summary: 'The whole audit log as CSV (site admins)',
    tag: 'moderation',
    query: auditExportQuery,
    response: z.unknown(),
    raw: { response: 'binary' },
    errors: ['forbidden'],
  }),
  sanctions: endpoint({
    method: 'GET',
    path: '/api/communities/:id/moderation/sanctions',
    summary: 'Active mutes and bans in a community (lift them through the members route)',
    tag: 'moderation',
    params: communityRef,
    query: z.object(cursorQuery).strict(),
    response: page(sanctionSchema),
    errors: ['forbidden', 'not_found'],
  }),
  siteSanctions: endpoint({
    method: 'GET',
    path: '/api/communities/admin/sanctions',
    summary: 'Active sanctions everywhere, site-wide ones included (site admins)',
    tag: 'moderation',
    query: z.object(cursorQuery).strict(),
    response: page(sanctionSchema),
    errors: ['forbidden'],
  }),
  sanctionSite: endpoint({
    method: 'POST',
    path: '/api/communities/admin/sanctions',
    summary:
      'Warn, mute or ban a user site-wide (site admins); a site-wide mute or ban applies in every community (joined before or while it lasts: a ban refuses joins) and in DMs',
    tag: 'moderation',
    body: siteSanctionBody,
    response: sanctionSchema.extend({ action: z.enum(['warning', 'mute', 'ban']) }),
    status: 201,
    errors: ['forbidden', 'not_found'],
  }),
  liftSiteSanction: endpoint({
    method: 'DELETE',
    path: '/api/communities/admin/sanctions/:sanctionId',
    summary: 'Lift a site-wide mute or ban',
    tag: 'moderation',
    params: z.object({ sanctionId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  warn: endpoint({
    method: 'POST',
    path: '/api/communities/:id/members/:userId/warnings',
    summary: 'Warn a member, with a reason (they are told; it counts in the audit log)',
    tag: 'membership',
    params: z.object({ id: z.string().min(1).max(80), userId: idNum }).strict(),
    body: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
    response: okResponse,
    status: 201,
    errors: ['forbidden', 'not_found'],
  }),
};
