import { realtimeChannel } from '@communities/contract';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

import type { AppContext } from '../context';

import { createFastify, FeatureTable, registerRoutes, type RegisteredRoute } from './app';
import { LocalBroadcaster } from '../realtime/broadcaster';
import { RealtimeGateway } from '../realtime/gateway';
import { registerPusherHttpApi } from '../realtime/http-api';
import { frame } from '../realtime/protocol';
import { RevocationApplier } from '../realtime/revoke';

import { buildOpenApi, docsPage } from './openapi';
import { allRoutes } from './routes';
import { registerWeb } from './web';

export interface HttpServer {
  app: FastifyInstance;
  routes: RegisteredRoute[];
  /** The built-in gateway, when this server plays that role and chat.driver is broadcast or redis. */
  gateway: RealtimeGateway | null;
}

export interface HttpRoles {
  /** The web app (default on; it is part of the API role). */
  web?: boolean;
  /** The API role: contract routes, OpenAPI, the web app (default on). Off: health only. */
  api?: boolean;
  /** The gateway role: the Pusher-protocol WebSocket endpoint and Pusher HTTP API (default on). */
  gateway?: boolean;
}

/** The HTTP side of `serve`: the API role, the gateway role, or both in one server. */
export async function buildHttpServer(ctx: AppContext, options: HttpRoles = {}): Promise<HttpServer> {
  const api = options.api !== false;
  const app = createFastify(ctx);
  await app.register(fastifyMultipart, {
    limits: { fileSize: ctx.config.file_scanner.max_file_size, files: 1, fields: 5, parts: 6, headerPairs: 100 },
  });
  const base = ctx.config.http.base_path;
  const features = new FeatureTable(ctx.config.features);
  // A gateway alone answers health only: load balancers check it like any node.
  const specs = allRoutes(ctx, features).filter((r) =>
    !api
      ? r.endpoint.path.endsWith('/health')
      : ctx.config.enabled || r.endpoint.path.endsWith('/health') || r.endpoint.path.endsWith('/features'),
  );
  // pusher-js posts channel authorisation as a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const routes = registerRoutes(app, ctx, specs, features);
  let gateway: RealtimeGateway | null = null;
  if (options.gateway !== false && ctx.config.enabled && (ctx.config.chat.driver === 'broadcast' || ctx.config.chat.driver === 'redis')) {
    gateway = new RealtimeGateway({
      key: ctx.config.chat.app_key,
      secret: ctx.config.chat.app_secret,
      path: base,
      activityTimeoutSeconds: ctx.config.chat.activity_timeout_seconds,
      clientEventsPerSecond: ctx.config.chat.client_events_per_second,
      maxBufferedBytes: ctx.config.chat.max_socket_buffer_bytes,
      socketFlushMs: ctx.config.chat.socket_flush_ms,
      presenceMemberLimit: ctx.config.chat.presence_member_limit,
      logger: ctx.logger,
      ...(ctx.realtimeCluster ? { cluster: ctx.realtimeCluster } : {}),
    });
    gateway.attach(app);
    if (ctx.realtimeCluster) await ctx.realtimeCluster.start(gateway, frame);
    else ctx.broadcaster = new LocalBroadcaster(gateway);
    // "Connected" for DM notifications: the user's own channel is subscribed on this gateway
    // (with several gateway nodes, a user connected to another node counts as away).
    const g = gateway;
    ctx.presence = (userId) =>
      Promise.resolve(g.subscribersOf(realtimeChannel.user(ctx.config.chat.broadcast_channel_prefix, userId)).length > 0);
    // Lost access ends subscriptions on every node: through Redis when clustered.
    const revocations = new RevocationApplier(gateway, ctx.services.channelAuth, ctx.config.chat.broadcast_channel_prefix);
    revocations.watch(gateway);
    if (ctx.realtimeCluster) await ctx.realtimeCluster.onRevocation((r) => revocations.apply(r));
    else ctx.revoker.attach((r) => revocations.apply(r));
    registerPusherHttpApi(app, {
      base,
      appId: ctx.config.chat.app_id,
      key: ctx.config.chat.app_key,
      secret: ctx.config.chat.app_secret,
      broadcaster: () => ctx.broadcaster,
    });
  }
  if (!api) return { app, routes, gateway };
  const spec = buildOpenApi(base);
  app.get(`${base}/api/communities/openapi.json`, (_req, reply) => reply.send(spec));
  const page = docsPage(spec);
  app.get(`${base}/api/communities/docs`, (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  if (options.web !== false && ctx.config.enabled) await registerWeb(app, ctx);
  return { app, routes, gateway };
}
