import { z } from 'zod';

import { feedCommentSchema, feedItemSchema, reactionSummarySchema } from './endpoints/feed';
import { REALTIME_EVENTS } from './realtime';

/**
 * Feed realtime events (their docs and channel kinds are in realtime-events.ts with every other event), published after commit on the community's private channel
 * (`realtimeChannel.community`), which only members who may read the community subscribe to.
 * Every payload is the post or comment "as everyone sees it": the per-viewer fields
 * (`viewer_can`, the `me` of reactions) stay out, and clients keep their own.
 */
export const FEED_REALTIME_EVENTS = {
  postCreated: REALTIME_EVENTS.feedPostCreated,
  postUpdated: REALTIME_EVENTS.feedPostUpdated,
  postDeleted: REALTIME_EVENTS.feedPostDeleted,
  commentCreated: REALTIME_EVENTS.feedCommentCreated,
  commentUpdated: REALTIME_EVENTS.feedCommentUpdated,
  commentDeleted: REALTIME_EVENTS.feedCommentDeleted,
  reactionChanged: REALTIME_EVENTS.feedReactionChanged,
} as const;
export type FeedRealtimeEventName = (typeof FEED_REALTIME_EVENTS)[keyof typeof FEED_REALTIME_EVENTS];

/** A post without what differs per viewer. */
export const feedPostPushSchema = feedItemSchema.omit({ viewer_can: true, reactions: true });
export type FeedPostPush = z.infer<typeof feedPostPushSchema>;
/** A comment without what differs per viewer. */
export const feedCommentPushSchema = feedCommentSchema.omit({ viewer_can: true, reactions: true });
export type FeedCommentPush = z.infer<typeof feedCommentPushSchema>;

/**
 * A post's or comment's reactions after someone reacted or took a reaction back: the counts as
 * everyone sees them, without `me` (each client keeps its own).
 */
export const feedReactionPushSchema = z.object({
  feed_item_id: z.number().int(),
  /** The comment reacted to, or null for the post itself. */
  comment_id: z.number().int().nullable(),
  reactions: z.array(reactionSummarySchema.omit({ me: true })),
});
export type FeedReactionPush = z.infer<typeof feedReactionPushSchema>;

export const feedRealtimeSchemas = {
  'feed.post.created': feedPostPushSchema,
  'feed.post.updated': feedPostPushSchema,
  'feed.post.deleted': z.object({ id: z.number().int(), community_id: z.number().int() }),
  'feed.comment.created': z.object({ comment: feedCommentPushSchema, comment_count: z.number().int() }),
  'feed.comment.updated': feedCommentPushSchema,
  'feed.comment.deleted': z.object({ id: z.number().int(), feed_item_id: z.number().int() }),
  'feed.reaction.changed': feedReactionPushSchema,
} satisfies Record<FeedRealtimeEventName, z.ZodType>;
export type FeedRealtimePayload<E extends FeedRealtimeEventName> = z.infer<(typeof feedRealtimeSchemas)[E]>;
