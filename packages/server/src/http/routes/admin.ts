import { endpoints, type AdminOverview } from '@communities/contract';

import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../route';

import { databaseCheck, timed } from './system';

const ok = { ok: true as const };

/** Health of what the admin overview shows: the database, Redis, the scanner and the job queue (dead jobs warn). */
async function health(ctx: AppContext): Promise<AdminOverview['health']> {
  const ms = ctx.config.database.health_timeout_ms;
  const [database, redis, scanner, queue] = await Promise.all([
    databaseCheck(ctx, ms),
    ctx.redis ? timed(() => ctx.redis!.ping(), ms) : Promise.resolve({ status: 'disabled' as const }),
    ctx.config.features.file_scanning && ctx.config.file_scanner.driver !== 'null'
      ? timed(() => ctx.services.uploads.scanner.ping(), ms)
      : Promise.resolve({ status: 'warning' as const, detail: 'null scanner: uploads are not scanned' }),
    (async () => {
      let dead = 0;
      const check = await timed(async () => {
        dead = (await ctx.queue.status({ limit: 50 })).failures.length;
      }, ms);
      return check.status === 'ok' && dead > 0
        ? { status: 'warning' as const, detail: `${dead} dead job(s): see communities jobs:status` }
        : check;
    })(),
  ]);
  const strip = (c: { status: 'ok' | 'down' | 'disabled' | 'warning'; detail?: string | undefined }) => ({
    status: c.status,
    ...(c.detail !== undefined ? { detail: c.detail } : {}),
  });
  return { database: strip(database), redis: strip(redis), scanner: strip(scanner), queue: strip(queue) };
}

export function adminRoutes(ctx: AppContext): RouteSpec[] {
  const e = endpoints.admin;
  const a = ctx.services.admin;
  return [
    route({ endpoint: e.overview, handler: ({ viewer }) => a.overview(viewer.actor, () => health(ctx)) }),
    route({ endpoint: e.settings, handler: ({ viewer }) => a.settings(viewer.actor) }),
    route({ endpoint: e.updateSettings, handler: ({ viewer, body }) => a.updateSettings(viewer.actor, body.values) }),
    route({ endpoint: e.communities, handler: ({ viewer, query }) => a.communities(viewer.actor, query) }),
    route({ endpoint: e.updateCommunity, handler: ({ viewer, params, body }) => a.updateCommunity(viewer.actor, params.id, body) }),
    route({ endpoint: e.actAsOwner, handler: ({ viewer, params, body }) => a.actAsOwner(viewer.actor, params.id, body) }),
    route({
      endpoint: e.endActAsOwner,
      handler: async ({ viewer, params }) => {
        await a.endActAsOwner(viewer.actor, params.id);
        return ok;
      },
    }),
    route({ endpoint: e.audit, handler: ({ viewer, query }) => a.auditLog(viewer.actor, query) }),
  ];
}
