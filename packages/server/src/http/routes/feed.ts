import { endpoints } from '@communities/contract';

import type { FeedService } from '../../communities/feed/service';
import { route, type RouteSpec } from '../route';

const ok = { ok: true as const };

export function feedRoutes(feed: FeedService): RouteSpec[] {
  const e = endpoints.feed;
  return [
    route({
      endpoint: e.communityFeed,
      handler: ({ viewer, params, query }) => feed.communityFeed(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.globalFeed,
      handler: ({ viewer, query }) => feed.globalFeed(viewer.actor, query),
    }),
    route({
      endpoint: e.post,
      rateLimit: 'feed_posts',
      handler: ({ viewer, params, body }) => feed.post(viewer.actor, viewer.user, params.id, body),
    }),
    route({
      endpoint: e.announce,
      rateLimit: 'feed_posts',
      handler: ({ viewer, body }) => feed.post(viewer.actor, viewer.user, null, { ...body, type: 'announcement' }),
    }),
    route({
      endpoint: e.update,
      handler: ({ viewer, params, body }) => feed.update(viewer.actor, params.itemId, body),
    }),
    route({
      endpoint: e.remove,
      handler: async ({ viewer, params }) => {
        await feed.remove(viewer.actor, params.itemId);
        return ok;
      },
    }),
    route({
      endpoint: e.pin,
      handler: ({ viewer, params }) => feed.setPinned(viewer.actor, params.itemId, true),
    }),
    route({
      endpoint: e.unpin,
      handler: ({ viewer, params }) => feed.setPinned(viewer.actor, params.itemId, false),
    }),
    route({
      endpoint: e.react,
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => feed.react(viewer.actor, params.itemId, body.emoji),
    }),
    route({
      endpoint: e.comments,
      handler: ({ viewer, params, query }) => feed.comments(viewer.actor, params.itemId, query),
    }),
    route({
      endpoint: e.replies,
      handler: ({ viewer, params, query }) => feed.replies(viewer.actor, params.commentId, query),
    }),
    route({
      endpoint: e.comment,
      rateLimit: 'feed_posts',
      handler: ({ viewer, params, body }) => feed.comment(viewer.actor, viewer.user, params.itemId, body),
    }),
    route({
      endpoint: e.updateComment,
      handler: ({ viewer, params, body }) => feed.updateComment(viewer.actor, params.commentId, body.content),
    }),
    route({
      endpoint: e.removeComment,
      handler: async ({ viewer, params }) => {
        await feed.removeComment(viewer.actor, params.commentId);
        return ok;
      },
    }),
    route({
      endpoint: e.reactComment,
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => feed.reactComment(viewer.actor, params.commentId, body.emoji),
    }),
  ];
}
