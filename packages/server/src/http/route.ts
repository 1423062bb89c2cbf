import type { Endpoint, EndpointOutput, FeatureName } from '@communities/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import type { Viewer } from '../host/viewer';
import type { RateLimitKey } from '../security/rate-limit';

export interface RouteRequest<E extends Endpoint> {
  params: z.output<E['params']>;
  query: z.output<E['query']>;
  body: z.output<E['body']>;
  /** The signed-in user; present on every `auth: 'user'` endpoint (the auth hook guarantees it). */
  viewer: Viewer;
  /** On public endpoints the caller may or may not be signed in. */
  maybeViewer: Viewer | null;
  raw: FastifyRequest;
  reply: FastifyReply;
  /** Answer with this status instead of the endpoint's (health's 503 with its usual body). */
  status: (code: number) => void;
}

/**
 * A route: its contract endpoint (which says whether sign-in is needed) and its handler. Routes
 * carry no access declaration: the service authorises through access/ with the facts it loads
 * (a declared action list was read by nothing and drifted from what the services check).
 */
export interface RouteSpec<E extends Endpoint = Endpoint> {
  endpoint: E;
  rateLimit?: RateLimitKey;
  /**
   * Flags this route serves besides its endpoint's own `feature`: code that is not a route but
   * runs behind this one (e.g. the upload routes serve `file_scanning` when a real scanner runs).
   */
  serves?: readonly FeatureName[];
  /** Also take an url-encoded form body (pusher-js posts channel authorisation as one); others take JSON only. */
  form?: true;
  handler(req: RouteRequest<E>): Promise<EndpointOutput<E>>;
}

/** Ties a handler to its contract endpoint so params, body and output are typed from it. */
export function route<E extends Endpoint>(spec: RouteSpec<E>): RouteSpec {
  return spec;
}
