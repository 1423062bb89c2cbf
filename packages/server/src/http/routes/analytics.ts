import { endpoints } from '@communities/contract';

import type { AnalyticsService } from '../../analytics';
import { route, type RouteSpec } from '../route';

type Reply = { header(k: string, v: string): unknown; send(b: string): unknown };
const csv = (name: string, body: string, reply: Reply) => {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  reply.header('cache-control', 'private, no-store');
  reply.send(body);
  return Promise.resolve(undefined);
};

/** Heatmaps, community insights, the site-wide analytics and their CSV exports (#18). */
export function analyticsRoutes(a: AnalyticsService): RouteSpec[] {
  const e = endpoints.analytics;
  return [
    route({ endpoint: e.userHeatmap, handler: ({ viewer, params, query }) => a.userHeatmap(viewer, params.id, query) }),
    route({ endpoint: e.communityHeatmap, handler: ({ viewer, params, query }) => a.communityHeatmap(viewer, params.id, query) }),
    route({ endpoint: e.communityAnalytics, handler: ({ viewer, params, query }) => a.communityAnalytics(viewer, params.id, query) }),
    route({
      endpoint: e.exportCommunityAnalytics,
      handler: async ({ viewer, params, query, reply }) =>
        csv(`analytics-${params.id}-${query.period}.csv`, await a.communityCsv(viewer, params.id, query), reply),
    }),
    route({ endpoint: e.memberActivity, handler: ({ viewer, params, query }) => a.memberActivity(viewer, params.id, query) }),
    route({ endpoint: e.adminAnalytics, handler: ({ viewer, query }) => a.adminAnalytics(viewer, query) }),
    route({
      endpoint: e.exportAdminAnalytics,
      handler: async ({ viewer, query, reply }) => csv('analytics.csv', await a.adminCsv(viewer, query), reply),
    }),
    route({ endpoint: e.heatmapSettings, handler: ({ viewer }) => a.settings(viewer) }),
    route({ endpoint: e.updateHeatmapSettings, handler: ({ viewer, body }) => a.updateSettings(viewer, body.show_activity) }),
  ];
}
