import { z } from 'zod';

/**
 * Domain events: recorded in the transaction that causes them (the outbox), consumed by
 * gamification, heatmap, analytics, notifications, the feed and realtime. docs/EVENTS.md
 * lists each with its payload; a test keeps the two in step.
 */
const ids = { community_id: z.number().int().nullable(), user_id: z.number().int() };

export const domainEventSchemas = {
  CommunityCreated: z
    .object({ ...ids, community_id: z.number().int(), slug: z.string(), visibility: z.string() })
    .describe('a community is published (created directly, or through the setup wizard)'),
  CommunityUpdated: z
    .object({ ...ids, community_id: z.number().int(), changed: z.array(z.string()) })
    .describe("a community's details, visibility or settings change"),
  CommunityArchived: z.object({ ...ids, community_id: z.number().int() }).describe('a community is archived'),
  CommunityJoined: z
    .object({
      ...ids,
      community_id: z.number().int(),
      source: z.string(),
      member_count: z.number().int().describe('members right after this join, counted in its transaction'),
    })
    .describe('a user becomes an active member (join, approved request, invite, course enrolment, subscription)'),
  CommunityLeft: z
    .object({ ...ids, community_id: z.number().int(), reason: z.string() })
    .describe('a member leaves, is removed, or loses access'),
  MembershipRequested: z.object({ ...ids, community_id: z.number().int() }).describe('a user asks to join a community that needs approval'),
  MemberRoleChanged: z
    .object({ ...ids, community_id: z.number().int(), by_user_id: z.number().int(), from: z.string(), to: z.string() })
    .describe("a member's community role changes (including ownership transfer)"),
  CourseLinked: z
    .object({ ...ids, community_id: z.number().int(), course_id: z.number().int(), course_type: z.string(), link_type: z.string() })
    .describe('a course, bundle or live class is linked to a community'),
  CourseCompleted: z
    .object({ ...ids, course_id: z.number().int(), completed_at: z.string() })
    .describe('the host sync sees a new course completion (a RocketLMS course certificate), once per user and course'),
  FeedPostCreated: z
    .object({ ...ids, feed_item_id: z.number().int(), type: z.string() })
    .describe('a feed post or announcement is published'),
  FeedCommentCreated: z
    .object({
      ...ids,
      feed_item_id: z.number().int(),
      comment_id: z.number().int(),
      parent_id: z.number().int().nullable(),
      item_author_id: z.number().int(),
    })
    .describe('a comment or reply is added to a feed post'),
  ReactionAdded: z
    .object({ ...ids, target_type: z.string(), target_id: z.number().int(), emoji: z.string(), target_author_id: z.number().int() })
    .describe('a reaction is added to a post, comment or message'),
  ReactionRemoved: z
    .object({ ...ids, target_type: z.string(), target_id: z.number().int(), emoji: z.string(), target_author_id: z.number().int() })
    .describe('a reaction is removed'),
  MessageDeleted: z
    .object({
      ...ids,
      community_id: z.number().int(),
      channel_id: z.number().int(),
      message_id: z.number().int(),
      author_id: z.number().int(),
      by_user_id: z.number().int(),
    })
    .describe('a channel message is deleted (by its author or a moderator); user_id is the deleter'),
  FeedItemDeleted: z
    .object({ ...ids, feed_item_id: z.number().int(), author_id: z.number().int() })
    .describe('a feed post is deleted or removed by moderation; user_id is the deleter'),
  FeedCommentDeleted: z
    .object({ ...ids, feed_item_id: z.number().int(), comment_id: z.number().int(), author_id: z.number().int() })
    .describe('a feed comment is deleted or removed by moderation; user_id is the deleter'),
  AnswerMarkedHelpful: z
    .object({
      ...ids,
      community_id: z.number().int(),
      target_type: z.enum(['message', 'feed_comment']),
      target_id: z.number().int(),
      author_id: z.number().int(),
      helpful: z.boolean().describe('true when marked, false when the mark is taken back'),
    })
    .describe('a reply in a channel or a feed comment is marked helpful (or unmarked); user_id is who marked it'),
  MessagePosted: z
    .object({
      ...ids,
      channel_id: z.number().int(),
      message_id: z.number().int(),
      reply_to_id: z.number().int().nullable(),
      mentions: z.array(z.number().int()),
      mention_everyone: z
        .boolean()
        .optional()
        .describe('an @everyone that pings (the author may use it); absent on events recorded before it was added'),
    })
    .describe('a message is posted in a community channel'),
  DMStarted: z
    .object({ ...ids, thread_id: z.number().int(), participant_ids: z.array(z.number().int()), type: z.enum(['dm', 'group']) })
    .describe('a new 1:1 or group DM thread is created'),
  DMMessagePosted: z
    .object({ ...ids, thread_id: z.number().int(), message_id: z.number().int() })
    .describe('a message is posted in a DM thread'),
  FileFlagged: z
    .object({ ...ids, attachment_type: z.string(), attachment_id: z.number().int(), signature: z.string().nullable() })
    .describe('a scan finds an upload infected'),
  UserBanned: z
    .object({
      ...ids,
      by_user_id: z.number().int().nullable(),
      expires_at: z.string().nullable(),
      source: z.string(),
      reason: z.string().nullable().optional(),
    })
    .describe('a user is banned from a community (by a moderator or automatically)'),
  UserMuted: z
    .object({
      ...ids,
      by_user_id: z.number().int().nullable(),
      expires_at: z.string().nullable(),
      source: z.string(),
      reason: z.string().nullable().optional(),
    })
    .describe('a user is muted in a community (by a moderator or automatically)'),
  ContentViolated: z
    .object({
      ...ids,
      rule: z.string(),
      severity: z.string(),
      target_type: z.string(),
      target_id: z.number().int().nullable().describe('null when the post was refused'),
    })
    .describe('the word filter or a spam rule caught a post (the automatic mute and ban thresholds count these)'),
  ReportCreated: z
    .object({
      ...ids,
      report_id: z.number().int(),
      target_type: z.string(),
      target_id: z.number().int(),
      reason: z.string(),
      source: z.string(),
    })
    .describe(
      'a report enters a moderation queue (from a user, or flagged or held by the filter); user_id is the reporter (0 for the filter)',
    ),
  MembershipDecided: z
    .object({
      ...ids,
      community_id: z.number().int(),
      by_user_id: z.number().int(),
      decision: z.enum(['approved', 'rejected']),
      message: z.string().nullable(),
    })
    .describe('an owner or moderator approves or rejects a join request; user_id is the requester'),
  ReportClosed: z
    .object({
      ...ids,
      report_id: z.number().int(),
      reporter_id: z.number().int(),
      by_user_id: z.number().int(),
      status: z.enum(['resolved', 'dismissed']),
    })
    .describe("a moderator resolves or dismisses a report; user_id is the reporter (the filter's reports are never closed to anyone)"),
  UserWarned: z
    .object({ ...ids, by_user_id: z.number().int().nullable(), reason: z.string() })
    .describe('a moderator (or an admin, site-wide) warns a user'),
} as const;

export type DomainEventName = keyof typeof domainEventSchemas;
export type DomainEventPayload<N extends DomainEventName> = z.infer<(typeof domainEventSchemas)[N]>;
export const DOMAIN_EVENT_NAMES = Object.keys(domainEventSchemas) as DomainEventName[];

export interface DomainEvent<N extends DomainEventName = DomainEventName> {
  id: string;
  name: N;
  payload: DomainEventPayload<N>;
  occurred_at: string;
}
