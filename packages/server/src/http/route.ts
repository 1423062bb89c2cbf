import type { Endpoint, EndpointOutput, FeatureName } from '@communities/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import type { Action } from '@communities/contract';

import type { Viewer } from '../host/viewer';
import type { RateLimitKey } from '../security/rate-limit';

/**
 * How a route is authorised. Every route declares one; a test fails for a route that does not.
 * - `public`: no sign-in (health, features, public discovery); the string says why.
 * - `signedIn`: any signed-in, active host user; the string says why no engine check applies
 *   (e.g. the caller's own inbox, whose rows are filtered to the caller by the service).
 * - `action`: the access engine decides, with the facts the service loads for the resource.
 */
export type AccessRule = { public: string } | { signedIn: string } | { action: Action | readonly Action[] };

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
}

export interface RouteSpec<E extends Endpoint = Endpoint> {
  endpoint: E;
  access: AccessRule;
  rateLimit?: RateLimitKey;
  /**
   * Flags this route serves besides its endpoint's own `feature`: code that is not a route but
   * runs behind this one (e.g. the upload routes serve `file_scanning` when a real scanner runs).
   */
  serves?: readonly FeatureName[];
  handler(req: RouteRequest<E>): Promise<EndpointOutput<E>>;
}

/** Ties a handler to its contract endpoint so params, body and output are typed from it. */
export function route<E extends Endpoint>(spec: RouteSpec<E>): RouteSpec {
  return spec;
}
