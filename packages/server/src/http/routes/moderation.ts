import { endpoints } from '@communities/contract';

import type { ModerationServices } from '../../moderation';
import { route, type RouteSpec } from '../route';

const ok = { ok: true as const };

/** Reports, queues, word lists, the audit log and sanctions (see moderation/). */
export function moderationRoutes(m: ModerationServices): RouteSpec[] {
  const e = endpoints.moderation;
  const csv = (name: string, body: string, reply: { header(k: string, v: string): unknown; send(b: string): unknown }) => {
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${name}"`);
    reply.header('cache-control', 'private, no-store');
    reply.send(body);
    return undefined;
  };
  return [
    route({ endpoint: e.report, rateLimit: 'reports', handler: ({ viewer, body }) => m.reports.create(viewer.actor, body) }),
    route({ endpoint: e.myReports, handler: ({ viewer, query }) => m.reports.mine(viewer.actor, query) }),
    route({ endpoint: e.queue, handler: ({ viewer, params, query }) => m.reports.queue(viewer.actor, params.id, query) }),
    route({ endpoint: e.globalQueue, handler: ({ viewer, query }) => m.reports.globalQueue(viewer.actor, query) }),
    route({ endpoint: e.getReport, handler: ({ viewer, params }) => m.reports.get(viewer.actor, params.reportId) }),
    route({ endpoint: e.updateReport, handler: ({ viewer, params, body }) => m.reports.update(viewer.actor, params.reportId, body) }),
    route({ endpoint: e.held, handler: ({ viewer, params, query }) => m.reports.held(viewer.actor, params.id, query) }),
    route({
      endpoint: e.contentAction,
      handler: async ({ viewer, body }) => {
        await m.words.contentAction(viewer.actor, body);
        return ok;
      },
    }),
    route({ endpoint: e.words, handler: ({ viewer, params }) => m.words.communityWords(viewer.actor, params.id) }),
    route({ endpoint: e.setWords, handler: ({ viewer, params, body }) => m.words.setCommunityWords(viewer.actor, params.id, body) }),
    route({ endpoint: e.wordList, handler: ({ viewer, query }) => m.words.clientList(viewer.actor, query.community_id) }),
    route({ endpoint: e.badWords, handler: ({ viewer, query }) => m.words.badWords(viewer.actor, query) }),
    route({ endpoint: e.addBadWords, handler: ({ viewer, body }) => m.words.addBadWords(viewer.actor, body.words) }),
    route({
      endpoint: e.deleteBadWord,
      handler: async ({ viewer, params }) => {
        await m.words.deleteBadWord(viewer.actor, params.wordId);
        return ok;
      },
    }),
    route({ endpoint: e.actions, handler: ({ viewer, params, query }) => m.audit.list(viewer.actor, params.id, query) }),
    route({ endpoint: e.globalActions, handler: ({ viewer, query }) => m.audit.list(viewer.actor, null, query) }),
    route({
      endpoint: e.exportActions,
      handler: async ({ viewer, params, query, reply }) =>
        csv(`moderation-${params.id}.csv`, await m.audit.csv(viewer.actor, params.id, query), reply),
    }),
    route({
      endpoint: e.exportGlobalActions,
      handler: async ({ viewer, query, reply }) => csv('moderation.csv', await m.audit.csv(viewer.actor, null, query), reply),
    }),
    route({ endpoint: e.sanctions, handler: ({ viewer, params, query }) => m.sanctions.list(viewer.actor, params.id, query) }),
    route({ endpoint: e.siteSanctions, handler: ({ viewer, query }) => m.sanctions.listSite(viewer.actor, query) }),
    route({ endpoint: e.sanctionSite, handler: ({ viewer, body }) => m.sanctions.sanctionSite(viewer.actor, body) }),
    route({
      endpoint: e.liftSiteSanction,
      handler: async ({ viewer, params }) => {
        await m.sanctions.liftSite(viewer.actor, params.sanctionId);
        return ok;
      },
    }),
    route({
      endpoint: e.warn,
      handler: async ({ viewer, params, body }) => {
        await m.sanctions.warn(viewer.actor, params.id, params.userId, body.reason);
        return ok;
      },
    }),
  ];
}
