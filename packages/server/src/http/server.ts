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
}

/** The API role: contract routes, OpenAPI, the web app. */
export async function buildHttpServer(ctx: AppContext, options: { web?: boolean } = {}): Promise<HttpServer> {
  const app = createFastify(ctx);
  await app.register(fastifyMultipart, {
    limits: { fileSize: ctx.config.file_scanner.max_file_size, files: 1, fields: 5, parts: 6, headerPairs: 100 },
  });
  const base = ctx.config.http.base_path;
  const features = new FeatureTable(ctx.config.features);
  const specs = ctx.config.enabled
    ? allRoutes(ctx, features)
    : allRoutes(ctx, features).filter((r) => r.endpoint.path.endsWith('/health') || r.endpoint.path.endsWith('/features'));
  // pusher-js posts channel authorisation as a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const routes = registerRoutes(app, ctx, specs, features);
  if (ctx.config.enabled && (ctx.config.chat.driver === 'broadcast' || ctx.config.chat.driver === 'redis')) {
    const gateway = new RealtimeGateway({
      key: ctx.config.chat.app_key,
      secret: ctx.config.chat.app_secret,
      path: base,
      activityTimeoutSeconds: ctx.config.chat.activity_timeout_seconds,
      clientEventsPerSecond: ctx.config.chat.client_events_per_second,
      maxBufferedBytes: ctx.config.chat.max_socket_buffer_bytes,
      logger: ctx.logger,
      ...(ctx.realtimeCluster ? { cluster: ctx.realtimeCluster } : {}),
    });
    gateway.attach(app);
    if (ctx.realtimeCluster) await ctx.realtimeCluster.start(gateway, frame);
    else ctx.broadcaster = new LocalBroadcaster(gateway);
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
  const spec = buildOpenApi(base);
  app.get(`${base}/api/communities/openapi.json`, (_req, reply) => reply.send(spec));
  const page = docsPage(spec);
  app.get(`${base}/api/communities/docs`, (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  if (options.web !== false && ctx.config.enabled) await registerWeb(app, ctx);
  return { app, routes };
}
