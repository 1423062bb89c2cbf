import { randomUUID } from 'node:crypto';

import {
  ERROR_STATUS,
  FEATURE_NAMES,
  type CommunitiesConfig,
  type ErrorBody,
  type ErrorIssue,
  type FeatureName,
} from '@communities/contract';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';

import { AccessDeniedError } from '../access';
import type { AppContext } from '../context';
import { isUnavailable } from '../platform/db/faults';
import { AppError } from '../platform/errors';
import { enterRequestScope } from '../platform/request-scope';

import { localizeErrorMessage, rememberViewerLanguage, requestLocale } from './locale';

import type { RouteSpec } from './route';

function toIssues(error: z.ZodError, where: string): ErrorIssue[] {
  return error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    code: i.code,
    message: i.message,
  }));
}

function parsePart<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new AppError('validation_failed', 'The request is not valid', { issues: toIssues(result.error, where) });
  return result.data;
}

function sendError(reply: FastifyReply, status: number, body: ErrorBody, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) void reply.header(k, v);
  return reply.code(status).type('application/json').send(body);
}

/** What a 503 for an unavailable database or Redis tells clients to wait before retrying. */
const RETRY_AFTER_SECONDS = 5;

/** Maps anything thrown to the API's error body; unexpected errors get an id and no details. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    return sendError(
      reply,
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.extra.issues ? { issues: error.extra.issues } : {}),
          ...(error.extra.details ? { details: error.extra.details } : {}),
        },
      },
      error.extra.headers,
    );
  }
  if (error instanceof AccessDeniedError) {
    const code = error.code;
    const message = code === 'not_found' ? 'Not found' : code === 'unauthenticated' ? 'Sign in first' : 'You are not allowed to do that';
    return sendError(reply, ERROR_STATUS[code], {
      error: { code, message, ...(code === 'forbidden' ? { details: { reason: error.reason, ...error.sanction } } : {}) },
    });
  }
  if (isUnavailable(error) || isUnavailable((error as { cause?: unknown } | null)?.cause)) {
    // Logged with the real cause (disk full, connection lost, timeout); the caller may retry.
    request.log.warn({ err: error }, 'dependency unavailable');
    return sendError(
      reply,
      503,
      {
        error: {
          code: 'service_unavailable',
          message: 'A service we depend on is unavailable right now; try again shortly',
          details: { retry_after: RETRY_AFTER_SECONDS },
        },
      },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  const fe = error as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return sendError(reply, 413, { error: { code: 'payload_too_large', message: 'The request body is too large' } });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return sendError(reply, 415, { error: { code: 'unsupported_media_type', message: 'Send application/json' } });
  }
  if (fe.statusCode === 400 || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe instanceof SyntaxError) {
    return sendError(reply, 400, { error: { code: 'bad_request', message: 'The request body is not valid JSON' } });
  }
  const id = randomUUID();
  request.log.error({ err: error, errorId: id }, 'unhandled error');
  return sendError(reply, 500, { error: { code: 'internal', message: 'Something went wrong on our side', id } });
}

/** Whether a request carries a body at all (a POST without one is fine on any route). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** JSON routes take application/json only (forms where the route says so): anything else is 415, before any work. */
function assertJsonBody(request: FastifyRequest, form: boolean): void {
  if (!hasBody(request)) return;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || (form && type === 'application/x-www-form-urlencoded')) return;
  throw new AppError('unsupported_media_type', form ? 'Send application/json or a form' : 'Send application/json');
}

/** A client's x-request-id is kept only when it is a short, safe token (it ends up in logs and headers). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface RegisteredRoute {
  method: string;
  url: string;
  spec: RouteSpec;
}

/**
 * Which feature flags this server serves, decided by route registration alone: a flag is on
 * when config enables it *and* a registered route serves it (its endpoint's `feature`, or the
 * route's `serves` for code behind it that is not a route). `GET /features` reads nothing
 * else, so a flag with no code behind it is reported off.
 */
export class FeatureTable {
  private readonly served = new Set<FeatureName>();

  constructor(private readonly flags: CommunitiesConfig['features']) {}

  /** Called by registerRoutes for every route it registers. */
  serve(feature: FeatureName): void {
    this.served.add(feature);
  }

  on(feature: FeatureName): boolean {
    return this.flags[feature] && this.served.has(feature);
  }

  all(): Record<FeatureName, boolean> {
    return Object.fromEntries(FEATURE_NAMES.map((f) => [f, this.on(f)])) as Record<FeatureName, boolean>;
  }
}

/**
 * Registers contract routes: authenticate → rate-limit → validate → handler → present.
 * Endpoints whose feature is off are not registered at all; those registered mark their
 * feature served in `features`.
 */
export function registerRoutes(app: FastifyInstance, ctx: AppContext, routes: RouteSpec[], features?: FeatureTable): RegisteredRoute[] {
  const registered: RegisteredRoute[] = [];
  const base = ctx.config.http.base_path;
  for (const spec of routes) {
    const ep = spec.endpoint;
    const url = base + ep.path;
    // Registered whatever the flag says, and checked per request: admins turn features on and off at runtime.
    app.route({
      method: ep.method,
      url,
      handler: async (request, reply) => {
        if (ep.feature && !ctx.config.features[ep.feature])
          throw new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
        if (ep.raw?.request !== 'multipart') assertJsonBody(request, spec.form === true);
        const viewer = await ctx.auth.authenticate(request);
        rememberViewerLanguage(request, viewer?.user.locale);
        if (ep.auth === 'user' && !viewer) throw new AppError('unauthenticated', 'Sign in first');
        if (spec.rateLimit && viewer) await ctx.rateLimiter.consume(spec.rateLimit, String(viewer.user.id));
        const params = parsePart(ep.params, request.params, 'params');
        const query = parsePart(ep.query, request.query, 'query');
        const body = ep.raw?.request === 'multipart' ? {} : parsePart(ep.body, request.body, 'body');
        let status: number = ep.status;
        const scope = enterRequestScope(viewer?.actor);
        const out = await spec.handler({
          params,
          query,
          body,
          viewer: viewer as NonNullable<typeof viewer>,
          maybeViewer: viewer,
          raw: request,
          reply,
          status: (code) => (status = code),
        });
        // A change made through an "open as owner" grant: logged as the admin, on the owner's behalf.
        const acting = scope.actingAsOwner;
        if (acting && ep.method !== 'GET')
          await ctx.services.admin.audit.write(null, {
            actorId: acting.adminId,
            onBehalfOf: acting.ownerId,
            communityId: acting.communityId,
            action: `${ep.method} ${ep.path}`,
            detail: { grant_id: acting.grantId, params, fields: body && typeof body === 'object' ? Object.keys(body) : [] },
          });
        if (ep.raw?.response === 'binary') return reply;
        void reply.code(status);
        return ep.response.parse(out);
      },
    });
    for (const f of [...(ep.feature ? [ep.feature] : []), ...(spec.serves ?? [])]) features?.serve(f);
    registered.push({ method: ep.method, url, spec });
  }
  return registered;
}

export function createFastify(ctx: AppContext): FastifyInstance {
  const app = Fastify({
    loggerInstance: ctx.logger,
    bodyLimit: ctx.config.http.body_limit_bytes,
    trustProxy: ctx.config.http.trust_proxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Bad percent-encoding and over-long path segments, found by the router: the API's error shape.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, 400, {
        error: {
          code: 'bad_request',
          message: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long' : 'The URL is not valid',
        },
      });
    },
    // Errors Node's HTTP parser meets before there is a request (headers or URL too large, garbage).
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, text, message] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'The request headers or URL are too large']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'The request took too long to arrive']
            : [400, 'Bad Request', 'The request is not valid HTTP'];
      const body = JSON.stringify({ error: { code: 'bad_request', message } });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(err);
    },
  });
  app.setErrorHandler((error, request, reply) => handleError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, { error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
  );
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    // No response of ours is to be content-sniffed: JSON, files (which set their own type) and pages alike.
    void reply.header('x-content-type-options', 'nosniff');
    // Error bodies speak the request's language (x-locale, users.language, Accept-Language); success bodies carry data.
    if (reply.statusCode >= 400 && typeof payload === 'string' && payload.startsWith('{"error"')) {
      const locale = requestLocale(request, ctx.config.host.default_locale);
      void reply.header('content-language', locale);
      if (locale !== 'en') {
        try {
          const body = JSON.parse(payload) as ErrorBody;
          body.error.message = localizeErrorMessage(body.error.code, body.error.message, locale);
          return JSON.stringify(body);
        } catch {
          return payload;
        }
      }
    }
    return payload;
  });
  // pino's Logger is richer than FastifyBaseLogger; callers only need the base instance type.
  return app as unknown as FastifyInstance;
}
