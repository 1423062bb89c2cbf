import { z } from 'zod';

import { cursorQuery, endpoint, isoTime, okResponse, page } from '../endpoint';
import { isEmoji } from '../markdown';

import { communityRef, userSummarySchema } from './communities';
import { attachmentSchema } from './uploads';

const idNum = z.coerce.number().int().positive();
export const reactionSummarySchema = z.object({ emoji: z.string(), count: z.number().int(), me: z.boolean() });
export const emojiSchema = z.string().refine(isEmoji, 'a single emoji');
const nonce = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)
  .optional()
  .describe('client idempotency key: the same nonce returns the same item');

export const feedItemSchema = z.object({
  id: z.number().int(),
  community_id: z.number().int().nullable(),
  type: z.enum(['post', 'announcement', 'course_event', 'system']),
  title: z.string().nullable(),
  /** Markdown source; null when the item was removed. */
  content: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  author: userSummarySchema,
  mentions: z.array(z.number().int()),
  /** With scan status: clients show an infected or failed file as removed. */
  attachments: z.array(attachmentSchema),
  is_pinned: z.boolean(),
  comment_count: z.number().int(),
  reactions: z.array(reactionSummarySchema),
  created_at: isoTime,
  edited_at: isoTime.nullable(),
  viewer_can: z.object({ edit: z.boolean(), delete: z.boolean(), pin: z.boolean(), comment: z.boolean(), react: z.boolean() }),
});
export type FeedItem = z.infer<typeof feedItemSchema>;

export const feedCommentSchema = z.object({
  id: z.number().int(),
  feed_item_id: z.number().int(),
  parent_id: z.number().int().nullable(),
  content: z.string().nullable(),
  author: userSummarySchema,
  reactions: z.array(reactionSummarySchema),
  reply_count: z.number().int(),
  created_at: isoTime,
  edited_at: isoTime.nullable(),
  deleted: z.boolean(),
  /** The post's author (or a moderator) marked this comment helpful. */
  helpful: z.boolean(),
  viewer_can: z.object({
    edit: z.boolean(),
    delete: z.boolean(),
    /** Not the viewer's own, and the viewer wrote the post or moderates (gamification on). */
    mark_helpful: z.boolean(),
  }),
});
export const commentThreadSchema = feedCommentSchema.extend({ replies: z.array(feedCommentSchema) });
export type FeedComment = z.infer<typeof feedCommentSchema>;

const postBody = z
  .object({
    type: z.enum(['post', 'announcement']).default('post'),
    title: z.string().trim().min(1).max(200).optional(),
    content: z.string().trim().min(1).max(20_000),
    attachment_ids: z.array(z.number().int().positive()).max(50).default([]),
    nonce,
  })
  .strict();

export const feed = {
  communityFeed: endpoint({
    method: 'GET',
    path: '/api/communities/:id/feed',
    summary: "A community's feed: pinned items, then latest or top; keyset paginated",
    tag: 'feed',
    feature: 'central_feed',
    params: communityRef,
    query: z
      .object({
        sort: z.enum(['latest', 'top']).default('latest'),
        period: z.enum(['day', 'week', 'month', 'all']).default('week'),
        type: z.enum(['post', 'announcement', 'course_event', 'system']).optional(),
        ...cursorQuery,
      })
      .strict(),
    response: page(feedItemSchema).extend({ pinned: z.array(feedItemSchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  globalFeed: endpoint({
    method: 'GET',
    path: '/api/communities/feed',
    summary: "The caller's feed across their communities, with global announcements",
    tag: 'feed',
    feature: 'central_feed',
    query: z.object({ ...cursorQuery }).strict(),
    response: page(feedItemSchema),
  }),
  post: endpoint({
    method: 'POST',
    path: '/api/communities/:id/feed',
    summary: 'Post to a community feed (Markdown; mentions as @[Name](user:ID); announcements need the announce permission)',
    tag: 'feed',
    feature: 'central_feed',
    params: communityRef,
    body: postBody,
    response: feedItemSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'rate_limited'],
  }),
  announce: endpoint({
    method: 'POST',
    path: '/api/communities/feed',
    summary: "A global announcement, shown in everyone's feed (admins)",
    tag: 'feed',
    feature: 'central_feed',
    body: postBody.omit({ type: true }),
    response: feedItemSchema,
    status: 201,
    errors: ['forbidden'],
  }),
  update: endpoint({
    method: 'PATCH',
    path: '/api/communities/feed/:itemId',
    summary: 'Edit your post',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    body: z
      .object({ title: z.string().trim().min(1).max(200).nullable().optional(), content: z.string().trim().min(1).max(20_000).optional() })
      .strict(),
    response: feedItemSchema,
    errors: ['forbidden', 'not_found'],
  }),
  remove: endpoint({
    method: 'DELETE',
    path: '/api/communities/feed/:itemId',
    summary: 'Delete a post (its author, or moderators above the author)',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  pin: endpoint({
    method: 'POST',
    path: '/api/communities/feed/:itemId/pin',
    summary: 'Pin a post to the top of its community feed',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    response: feedItemSchema,
    errors: ['forbidden', 'not_found'],
  }),
  unpin: endpoint({
    method: 'DELETE',
    path: '/api/communities/feed/:itemId/pin',
    summary: 'Unpin a post',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    response: feedItemSchema,
    errors: ['forbidden', 'not_found'],
  }),
  react: endpoint({
    method: 'POST',
    path: '/api/communities/feed/:itemId/reactions',
    summary: 'Toggle a reaction on a post',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    body: z.object({ emoji: emojiSchema }).strict(),
    response: z.object({ reacted: z.boolean(), reactions: z.array(reactionSummarySchema) }),
    errors: ['forbidden', 'not_found'],
  }),
  comments: endpoint({
    method: 'GET',
    path: '/api/communities/feed/:itemId/comments',
    summary: 'Comments, oldest first, each with its first replies',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    query: z.object({ ...cursorQuery }).strict(),
    response: page(commentThreadSchema),
    errors: ['forbidden', 'not_found'],
  }),
  replies: endpoint({
    method: 'GET',
    path: '/api/communities/feed/comments/:commentId/replies',
    summary: 'More replies to a comment',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ commentId: idNum }).strict(),
    query: z.object({ ...cursorQuery }).strict(),
    response: page(feedCommentSchema),
    errors: ['forbidden', 'not_found'],
  }),
  comment: endpoint({
    method: 'POST',
    path: '/api/communities/feed/:itemId/comments',
    summary: 'Comment, or reply to a comment (a reply to a reply joins its thread: two levels)',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ itemId: idNum }).strict(),
    body: z.object({ content: z.string().trim().min(1).max(10_000), parent_id: z.number().int().positive().optional(), nonce }).strict(),
    response: feedCommentSchema,
    status: 201,
    errors: ['forbidden', 'not_found', 'rate_limited'],
  }),
  updateComment: endpoint({
    method: 'PATCH',
    path: '/api/communities/feed/comments/:commentId',
    summary: 'Edit your comment',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ commentId: idNum }).strict(),
    body: z.object({ content: z.string().trim().min(1).max(10_000) }).strict(),
    response: feedCommentSchema,
    errors: ['forbidden', 'not_found'],
  }),
  removeComment: endpoint({
    method: 'DELETE',
    path: '/api/communities/feed/comments/:commentId',
    summary: 'Delete a comment (its author, or moderators above the author)',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ commentId: idNum }).strict(),
    response: okResponse,
    errors: ['forbidden', 'not_found'],
  }),
  reactComment: endpoint({
    method: 'POST',
    path: '/api/communities/feed/comments/:commentId/reactions',
    summary: 'Toggle a reaction on a comment',
    tag: 'feed',
    feature: 'central_feed',
    params: z.object({ commentId: idNum }).strict(),
    body: z.object({ emoji: emojiSchema }).strict(),
    response: z.object({ reacted: z.boolean(), reactions: z.array(reactionSummarySchema) }),
    errors: ['forbidden', 'not_found'],
  }),
} as const;
