import { endpoints } from '@communities/contract';

import type { GamificationService } from '../../gamification/service';
import { route, type RouteSpec } from '../route';

/** `feedOn`: helpful marks on feed comments exist only with the feed (central_feed). */
export function gamificationRoutes(g: GamificationService, feedOn: boolean): RouteSpec[] {
  const e = endpoints.gamification;
  const feedOnly = new Set<unknown>([e.markCommentHelpful, e.unmarkCommentHelpful]);
  const all: RouteSpec[] = [
    route({
      endpoint: e.globalLeaderboard,
      rateLimit: 'leaderboard_reads',
      handler: ({ viewer, query }) => g.leaderboard(viewer.actor, null, query),
    }),
    route({
      endpoint: e.communityLeaderboard,
      rateLimit: 'leaderboard_reads',
      handler: ({ viewer, params, query }) => g.leaderboard(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.userProfile,
      handler: ({ viewer, params, query }) => g.profile(viewer.actor, params.userId, query.community_id),
    }),
    route({
      endpoint: e.updateMyPrivacy,
      handler: ({ viewer, body }) => g.setPrivacy(viewer.actor, body.hide_from_leaderboards),
    }),
    route({
      endpoint: e.markMessageHelpful,
      rateLimit: 'reactions',
      handler: ({ viewer, params }) => g.markHelpful(viewer.actor, { type: 'message', id: params.messageId }, true),
    }),
    route({
      endpoint: e.unmarkMessageHelpful,
      rateLimit: 'reactions',
      handler: ({ viewer, params }) => g.markHelpful(viewer.actor, { type: 'message', id: params.messageId }, false),
    }),
    route({
      endpoint: e.markCommentHelpful,
      rateLimit: 'reactions',
      handler: ({ viewer, params }) => g.markHelpful(viewer.actor, { type: 'feed_comment', id: params.commentId }, true),
    }),
    route({
      endpoint: e.unmarkCommentHelpful,
      rateLimit: 'reactions',
      handler: ({ viewer, params }) => g.markHelpful(viewer.actor, { type: 'feed_comment', id: params.commentId }, false),
    }),
    route({
      endpoint: e.communitySettings,
      handler: ({ viewer, params }) => g.communitySettings(viewer.actor, params.id),
    }),
    route({
      endpoint: e.updateCommunitySettings,
      handler: ({ viewer, params, body }) => g.updateCommunitySettings(viewer.actor, params.id, body.scale),
    }),
    route({
      endpoint: e.adminSettings,
      handler: ({ viewer }) => g.adminSettings(viewer.actor),
    }),
    route({
      endpoint: e.updateAdminSettings,
      handler: ({ viewer, body }) => g.updateAdminSettings(viewer.actor, body),
    }),
  ];
  return feedOn ? all : all.filter((r) => !feedOnly.has(r.endpoint));
}
