import { endpoints } from '@communities/contract';

import type { FeedService } from '../../communities/feed/service';
import { route, type RouteSpec } from '../route';

const ok = { ok: true as const };

export function feedRoutes(feed: FeedService): RouteSpec[] {
  const e = endpoints.feed;
  return [
    route({
      endpoint: e.communityFeed,
      access: { action: 'feed.read' },
      handler: ({ viewer, params, query }) => feed.communityFeed(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.globalFeed,
      access: { signedIn: "the caller's own feed: the service reads only communities where the engine allows feed.read" },
      handler: ({ viewer, query }) => feed.globalFeed(viewer.actor, query),
    }),
    route({
      endpoint: e.post,
      access: { action: ['feed.post', 'feed.announce'] },
      rateLimit: 'feed_posts',
      handler: ({ viewer, params, body }) => feed.post(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.announce,
      access: { action: 'admin.global' },
      rateLimit: 'feed_posts',
      handler: ({ viewer, body }) => feed.post(viewer.actor, null, { ...body, type: 'announcement' }),
    }),
    route({
      endpoint: e.update,
      access: { action: 'feed.read' },
      handler: ({ viewer, params, body }) => feed.update(viewer.actor, params.itemId, body),
    }),
    route({
      endpoint: e.remove,
      access: { action: 'feed.delete_any' },
      handler: async ({ viewer, params }) => {
        await feed.remove(viewer.actor, params.itemId);
        return ok;
      },
    }),
    route({
      endpoint: e.pin,
      access: { action: 'feed.pin' },
      handler: ({ viewer, params }) => feed.setPinned(viewer.actor, params.itemId, true),
    }),
    route({
      endpoint: e.unpin,
      access: { action: 'feed.pin' },
      handler: ({ viewer, params }) => feed.setPinned(viewer.actor, params.itemId, false),
    }),
    route({
      endpoint: e.react,
      access: { action: 'feed.react' },
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => feed.react(viewer.actor, params.itemId, body.emoji),
    }),
    route({
      endpoint: e.comments,
      access: { action: 'feed.read' },
      handler: ({ viewer, params, query }) => feed.comments(viewer.actor, params.itemId, query),
    }),
    route({
      endpoint: e.replies,
      access: { action: 'feed.read' },
      handler: ({ viewer, params, query }) => feed.replies(viewer.actor, params.commentId, query),
    }),
    route({
      endpoint: e.comment,
      access: { action: 'feed.comment' },
      rateLimit: 'feed_posts',
      handler: ({ viewer, params, body }) => feed.comment(viewer.actor, params.itemId, body),
    }),
    route({
      endpoint: e.updateComment,
      access: { action: 'feed.read' },
      handler: ({ viewer, params, body }) => feed.updateComment(viewer.actor, params.commentId, body.content),
    }),
    route({
      endpoint: e.removeComment,
      access: { action: 'feed.delete_any' },
      handler: async ({ viewer, params }) => {
        await feed.removeComment(viewer.actor, params.commentId);
        return ok;
      },
    }),
    route({
      endpoint: e.reactComment,
      access: { action: 'feed.react' },
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => feed.reactComment(viewer.actor, params.commentId, body.emoji),
    }),
  ];
}
