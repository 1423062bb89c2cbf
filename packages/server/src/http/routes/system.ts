import { endpoints, type HealthResponse } from '@communities/contract';
import { sql } from 'kysely';

import type { AppContext } from '../../context';
import { signRocketJwt } from '../../host/rocketlms/auth/jwt';
import { AppError } from '../../platform/errors';
import type { FeatureTable } from '../app';
import { route, type RouteSpec } from '../route';

const startedAt = Date.now();
const VERSION = '0.1.0';

async function timed(fn: () => Promise<unknown>): Promise<HealthResponse['checks']['database']> {
  const t = performance.now();
  try {
    await fn();
    return { status: 'ok', latency_ms: Math.round((performance.now() - t) * 10) / 10 };
  } catch (error) {
    return { status: 'down', detail: (error as Error).message.slice(0, 200) };
  }
}

export function isDemoSignInEnabled(ctx: AppContext): boolean {
  return ctx.config.demo && ctx.config.host.adapter === 'demo';
}

/** What GET /features answers; a flag reads on only when the route table serves it (see FeatureTable). */
export function featuresOf(ctx: AppContext, served: FeatureTable) {
  const { config } = ctx;
  const external = config.chat.driver === 'pusher';
  return {
    enabled: config.enabled,
    demo: isDemoSignInEnabled(ctx),
    features: served.all(),
    limits: {
      max_message_length: config.chat.max_message_length,
      max_attachments_per_message: config.chat.max_attachments_per_message,
      max_file_size: config.file_scanner.max_file_size,
      allowed_mimetypes: config.file_scanner.allowed_mimetypes,
      max_group_participants: config.dm.max_group_participants,
      dm_allow_from: config.dm.allow_from,
    },
    realtime: {
      driver: config.chat.driver,
      key: config.chat.app_key,
      ws_host: external ? (config.chat.pusher_host ?? null) : null,
      ws_port: external ? (config.chat.pusher_port ?? null) : null,
      ws_path: external ? '' : config.http.base_path,
      force_tls: external ? config.chat.pusher_use_tls : false,
      cluster: config.chat.pusher_cluster ?? null,
      auth_endpoint: `${config.http.base_path}/api/communities/broadcasting/auth`,
      channel_prefix: config.chat.broadcast_channel_prefix,
    },
    login_url: config.host.login_url ?? `${config.host.base_url.replace(/\/$/, '')}/login`,
  };
}

export function systemRoutes(ctx: AppContext, features: FeatureTable): RouteSpec[] {
  const e = endpoints.system;
  return [
    route({
      endpoint: e.health,
      async handler({ reply }) {
        const database = await timed(() => sql`select 1`.execute(ctx.db.db));
        const host = await timed(() => ctx.host.ping());
        const redis = ctx.redis ? await timed(() => ctx.redis!.ping()) : ({ status: 'disabled' } as const);
        const scanner =
          ctx.config.features.file_scanning && ctx.config.file_scanner.driver !== 'null'
            ? { ...(await timed(() => ctx.services.uploads.scanner.ping())), detail: ctx.config.file_scanner.driver }
            : ({ status: 'warning', detail: 'null scanner: uploads are not scanned (development only)' } as const);
        // A scanner outage delays uploads (they wait, pending) but the API still serves: degraded, not down.
        const down = [database, host, redis].some((c) => c.status === 'down');
        if (down) void reply.code(503);
        return {
          // The null scanner is expected in demo mode; anywhere else it degrades health.
          status: down
            ? ('down' as const)
            : scanner.status === 'down' || (scanner.status === 'warning' && !isDemoSignInEnabled(ctx))
              ? ('degraded' as const)
              : ('ok' as const),
          version: VERSION,
          uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
          checks: { database, host, redis, scanner },
        };
      },
    }),
    route({
      endpoint: e.features,
      handler: () => Promise.resolve(featuresOf(ctx, features)),
    }),
    route({
      endpoint: e.me,
      handler: ({ viewer }) =>
        Promise.resolve({
          id: viewer.user.id,
          name: viewer.user.name,
          avatar_url: viewer.user.avatarUrl,
          global_role: viewer.user.globalRole,
          is_admin: viewer.user.isAdmin,
          locale: viewer.user.locale,
          auth_method: viewer.authMethod,
        }),
    }),
    route({
      endpoint: e.demoUsers,
      async handler() {
        if (!isDemoSignInEnabled(ctx)) throw new AppError('not_found', 'Demo sign-in is off');
        const rows = await ctx.hostDb.selectFrom('users').select(['id']).where('deleted_at', 'is', null).orderBy('id').limit(60).execute();
        const users = await ctx.host.identities.getUsers(rows.map((r) => r.id));
        return {
          items: [...users.values()]
            .filter((u) => u.state === 'active')
            .map((u) => ({ id: u.id, name: u.name, global_role: u.globalRole })),
        };
      },
    }),
    route({
      endpoint: e.demoToken,
      async handler({ body }) {
        if (!isDemoSignInEnabled(ctx) || !ctx.config.host.jwt_secret) throw new AppError('not_found', 'Demo sign-in is off');
        const user = await ctx.host.identities.getUser(body.user_id);
        if (!user) throw new AppError('not_found', 'No such demo user');
        const token = await signRocketJwt(user.id, {
          secret: ctx.config.host.jwt_secret,
          ttlSeconds: 7 * 24 * 3600,
          ...(ctx.config.host.jwt_prv ? { prv: ctx.config.host.jwt_prv } : {}),
        });
        return { token, user: { id: user.id, name: user.name, global_role: user.globalRole } };
      },
    }),
  ];
}
