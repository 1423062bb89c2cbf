import type { FastifyRequest } from 'fastify';

import type { Viewer } from './viewer';

/** Turns a request's host credentials (RocketLMS JWT or Laravel session) into a Viewer; http/auth.ts implements it. */
export interface Authenticator {
  /** The caller, or null when no credentials were sent. Bad credentials throw (401/403/419). */
  authenticate(request: FastifyRequest): Promise<Viewer | null>;
  /** Forget cached host lookups for a user (after a host ban is seen by the sync job). */
  forget(userId: number): void;
}
