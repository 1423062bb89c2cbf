import { z } from 'zod';

import { feedCommentSchema, feedItemSchema, reactionSummarySchema } from './endpoints/feed';

/**
 * Feed realtime events, published after commit on the community's private channel
 * (`realtimeChannel.community`), which only members who may read the community subscribe to.
 * Every payload is the post or comment "as everyone sees it": the per-viewer fields
 * (`viewer_can`, the `me` of reactions) stay out, and clients keep their own.
 */
export const FEED_REALTIME_EVENTS = {
  postCreated: 'feed.post.created',
  postUpdated: 'feed.post.updated',
  postDeleted: 'feed.post.deleted',
  commentCreated: 'feed.comment.created',
  commentUpdated: 'feed.comment.updated',
  commentDeleted: 'feed.comment.deleted',
  reactionChanged: 'feed.reaction.changed',
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

/** Where each feed event goes and what it carries (for docs/EVENTS.md). */
export const FEED_REALTIME_EVENT_DOCS: Record<FeedRealtimeEventName, { on: string; data: string }> = {
  'feed.post.created': {
    on: 'community',
    data: 'a new post or announcement as every member sees it (the feed item without `viewer_can` and `reactions`)',
  },
  'feed.post.updated': {
    on: 'community',
    data: "the post after an edit, a pin or unpin, or when an attachment's scan finished; without `viewer_can` and `reactions` (clients keep theirs)",
  },
  'feed.post.deleted': { on: 'community', data: '`{ id, community_id }`' },
  'feed.comment.created': {
    on: 'community',
    data: "`{ comment, comment_count }`: the comment or reply without `viewer_can` and `reactions`, and its post's new comment count",
  },
  'feed.comment.updated': { on: 'community', data: 'the comment after an edit, without `viewer_can` and `reactions`' },
  'feed.comment.deleted': { on: 'community', data: '`{ id, feed_item_id }` (the thread keeps a "deleted" placeholder)' },
  'feed.reaction.changed': {
    on: 'community',
    data: '`{ feed_item_id, comment_id, reactions }`: the reactions of a post (`comment_id` null) or comment after a change, each `{ emoji, count }` without `me` (clients keep theirs)',
  },
};
