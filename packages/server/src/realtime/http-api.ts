import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { Broadcaster } from './broadcaster';

interface TriggerBody {
  name?: unknown;
  data?: unknown;
  channel?: unknown;
  channels?: unknown;
  socket_id?: unknown;
}

const MAX_SKEW_SECONDS = 600;

/** Pusher's HTTP API request signature: HMAC-SHA256 over `METHOD\npath\nsorted query`. */
export function httpApiSignature(secret: string, method: string, path: string, query: Record<string, string>): string {
  const params = Object.keys(query)
    .filter((k) => k !== 'auth_signature')
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join('&');
  return createHmac('sha256', secret).update(`${method}\n${path}\n${params}`).digest('hex');
}

/**
 * The part of Pusher's HTTP API a server publishes through: `POST /apps/{app_id}/events` and
 * `/batch_events`, signed with the app key and secret. With it the built-in gateway is a
 * Pusher-compatible server for other backends too (RocketLMS's Laravel broadcaster, or this
 * addon's workers with chat.driver = pusher).
 */
export function registerPusherHttpApi(
  app: FastifyInstance,
  opts: { base: string; appId: string; key: string; secret: string; broadcaster: () => Broadcaster },
): void {
  void app.register(async (scope) => {
    // The signature covers the body's MD5, so the body is read as the exact bytes sent.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    const verify = (req: FastifyRequest<{ Params: { appId: string } }>): string | null => {
      if (req.params.appId !== opts.appId) return 'Unknown app';
      const q = req.query as Record<string, string>;
      const body = typeof req.body === 'string' ? req.body : '';
      if (q.auth_key !== opts.key) return 'Unknown key';
      // Signed with a recent time only, as Pusher requires: a captured request cannot be replayed later.
      const at = /^\d{1,12}$/.test(q.auth_timestamp ?? '') ? Number(q.auth_timestamp) : NaN;
      if (!(Math.abs(Date.now() / 1000 - at) <= MAX_SKEW_SECONDS)) return 'auth_timestamp missing or more than 600 s off';
      if (body && q.body_md5 !== createHash('md5').update(body).digest('hex')) return 'Body MD5 mismatch';
      const want = Buffer.from(httpApiSignature(opts.secret, 'POST', req.url.split('?')[0]!, q));
      const got = Buffer.from(String(q.auth_signature ?? ''));
      return want.length === got.length && timingSafeEqual(want, got) ? null : 'Invalid signature';
    };

    const trigger = async (e: TriggerBody): Promise<string | null> => {
      const channels = Array.isArray(e.channels) ? e.channels : typeof e.channel === 'string' ? [e.channel] : [];
      if (typeof e.name !== 'string' || channels.length === 0 || channels.length > 100 || !channels.every((c) => typeof c === 'string'))
        return 'An event needs a name and 1 to 100 channels';
      if (e.data !== undefined && typeof e.data !== 'string') return 'data must be a string';
      await opts
        .broadcaster()
        .publish(channels, e.name, e.data ?? '{}', typeof e.socket_id === 'string' ? { exceptSocketId: e.socket_id } : {});
      return null;
    };

    const parse = (body: unknown): unknown => {
      try {
        return JSON.parse(typeof body === 'string' ? body : '') as unknown;
      } catch {
        return null;
      }
    };

    scope.post<{ Params: { appId: string } }>(`${opts.base}/apps/:appId/events`, async (req, reply) => {
      const bad = verify(req);
      if (bad) return reply.code(401).send({ error: bad });
      const problem = await trigger(parse(req.body) ?? {});
      return problem ? reply.code(400).send({ error: problem }) : reply.send({});
    });
    scope.post<{ Params: { appId: string } }>(`${opts.base}/apps/:appId/batch_events`, async (req, reply) => {
      const bad = verify(req);
      if (bad) return reply.code(401).send({ error: bad });
      const batch = (parse(req.body) as { batch?: unknown } | null)?.batch;
      if (!Array.isArray(batch) || batch.length > 10) return reply.code(400).send({ error: 'batch must hold 1 to 10 events' });
      for (const e of batch as TriggerBody[]) {
        const problem = await trigger(e);
        if (problem) return reply.code(400).send({ error: problem });
      }
      return reply.send({ batch: batch.map(() => ({})) });
    });
  });
}
