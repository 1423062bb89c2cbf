import { endpoints, type HealthResponse } from '@communities/contract';
import { textDirection } from '@communities/contract/i18n';
import { sql } from 'kysely';

import { adminPermissionsOf, mayCreateCommunity } from '../../access';
import type { AppContext } from '../../context';
import { signRocketJwt } from '../../host/rocketlms/auth/jwt';
import { AppError } from '../../platform/errors';
import type { FeatureTable } from '../app';
import { requestLocale } from '../locale';
import { route, type RouteSpec } from '../route';

const startedAt = Date.now();
const VERSION = '0.1.0';

type Check = HealthResponse['checks']['database'];

/**
 * Runs one dependency check, giving up after `timeoutMs`: a frozen database must not hold the
 * health answer (or a load balancer's probe) for as long as the freeze lasts.
 */
export async function timed(fn: () => Promise<unknown>, timeoutMs: number, onTimeout?: (error: Error) => void): Promise<Check> {
  const t = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      onTimeout?.(error);
      reject(error);
    }, timeoutMs);
  });
  const work = fn();
  work.catch(() => {}); // may fail after the timeout won
  try {
    await Promise.race([work, timeout]);
    return { status: 'ok', latency_ms: Math.round((performance.now() - t) * 10) / 10 };
  } catch (error) {
    return { status: 'down', detail: (error as Error).message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

/** The addon database: answers a query, and on SQLite its writes can still persist. */
export async function databaseCheck(ctx: AppContext, timeoutMs: number): Promise<Check> {
  // A timeout opens the circuit, so requests fail fast (503) until the database answers again.
  const check = await timed(
    async () => {
      await ctx.db.gate.recheck(); // while requests fail fast, health waits for the probe's verdict
      await sql`select 1`.execute(ctx.db.db);
    },
    timeoutMs,
    (e) => ctx.db.gate.fail(e),
  );
  const guard = ctx.db.sqliteGuard;
  if (check.status !== 'ok' || !guard) return check;
  const problem = guard.fileProblem();
  if (problem) return { status: 'down', detail: problem };
  const failure = guard.writeFailure;
  if (failure) return { ...check, status: 'warning', detail: `writes fail since ${failure.at.toISOString()}: ${failure.message}` };
  return check;
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
    pricing: {
      currency: config.pricing.default_currency,
      locale: config.host.default_locale,
      checkout: config.integration.payment_gateway_adapter,
    },
  };
}

export function systemRoutes(ctx: AppContext, features: FeatureTable): RouteSpec[] {
  const e = endpoints.system;
  return [
    route({
      endpoint: e.health,
      async handler({ status }) {
        const ms = ctx.config.database.health_timeout_ms;
        const [database, host, redis, scanner, sync] = await Promise.all([
          databaseCheck(ctx, ms),
          timed(
            async () => {
              await ctx.hostGate?.recheck();
              await ctx.host.ping();
            },
            ms,
            (e) => ctx.hostGate?.fail(e),
          ),
          ctx.redis ? timed(() => ctx.redis!.ping(), ms) : Promise.resolve({ status: 'disabled' } as const),
          ctx.config.features.file_scanning && ctx.config.file_scanner.driver !== 'null'
            ? timed(() => ctx.services.uploads.scanner.ping(), ms).then((c) => ({ ...c, detail: ctx.config.file_scanner.driver }))
            : Promise.resolve({ status: 'warning', detail: 'null scanner: uploads are not scanned (development only)' } as const),
          ctx.hostSync.readiness().catch(() => 'starting' as const),
        ]);
        const hostSync: Check =
          sync === 'ready'
            ? { status: 'ok' }
            : sync === 'starting'
              ? { status: 'warning', detail: 'waiting for the first host sync (course memberships)' }
              : { status: 'disabled' };
        // A scanner outage delays uploads (they wait, pending) but the API still serves: degraded, not down.
        // So does a SQLite write failure (disk full) that reads survive: writes answer 503 meanwhile.
        const down = [database, host, redis].some((c) => c.status === 'down');
        const starting = !down && sync === 'starting';
        if (down || starting) status(503);
        return {
          // The null scanner is expected in demo mode; anywhere else it degrades health.
          status: down
            ? ('down' as const)
            : starting
              ? ('starting' as const)
              : database.status === 'warning' || scanner.status === 'down' || (scanner.status === 'warning' && !isDemoSignInEnabled(ctx))
                ? ('degraded' as const)
                : ('ok' as const),
          version: VERSION,
          uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
          checks: { database, host, redis, scanner, host_sync: hostSync },
        };
      },
    }),
    route({
      endpoint: e.features,
      handler: () => Promise.resolve(featuresOf(ctx, features)),
    }),
    route({
      endpoint: e.me,
      handler: ({ viewer, raw }) => {
        const config = ctx.services.communities.facts.baseContext().config;
        const language = requestLocale(raw, ctx.config.host.default_locale);
        return Promise.resolve({
          id: viewer.user.id,
          name: viewer.user.name,
          avatar_url: viewer.user.avatarUrl,
          global_role: viewer.user.globalRole,
          is_admin: viewer.user.isAdmin,
          locale: viewer.user.locale,
          language,
          direction: textDirection(language),
          timezone: viewer.user.timezone,
          auth_method: viewer.authMethod,
          admin_permissions: adminPermissionsOf(viewer.actor, config),
          can_create_community: mayCreateCommunity(viewer.actor, config),
        });
      },
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
