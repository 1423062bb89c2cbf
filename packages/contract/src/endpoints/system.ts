import { z } from 'zod';

import { featuresResponseSchema } from '../config';
import { endpoint } from '../endpoint';
import { adminPermissionSchema } from '../permissions';

const checkSchema = z.object({
  status: z.enum(['ok', 'down', 'disabled', 'warning']),
  detail: z.string().optional(),
  latency_ms: z.number().optional(),
});

/**
 * `ok` and `degraded` answer 200; `down` (a database, the host or Redis unreachable) and
 * `starting` (the first host sync has not completed) answer 503.
 */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded', 'starting', 'down']),
  version: z.string(),
  uptime_seconds: z.number(),
  checks: z.object({
    database: checkSchema,
    host: checkSchema,
    redis: checkSchema,
    scanner: checkSchema,
    host_sync: checkSchema.describe('disabled when this process waits for no host sync'),
  }),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

export const meResponseSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  avatar_url: z.string().nullable(),
  global_role: z.enum(['admin', 'instructor', 'student']),
  is_admin: z.boolean(),
  /** RocketLMS users.language as stored (may be a language no translation ships for). */
  locale: z.string().nullable(),
  /**
   * The language the addon speaks to this viewer, always one of locales/: the client's x-locale header,
   * else users.language, else Accept-Language, else host.default_locale, else en. Clients show their UI in it.
   */
  language: z.string(),
  /** Text direction of `language`: clients set dir="rtl" for Arabic and the like. */
  direction: z.enum(['ltr', 'rtl']),
  /** users.timezone from the host (IANA), null when unset: clients then use the device's zone. */
  timezone: z.string().nullable(),
  auth_method: z.enum(['jwt', 'session']),
  /** The addon admin permissions the user holds (all four for RocketLMS admins): show the admin area's sections from these. */
  admin_permissions: z.array(adminPermissionSchema),
  /** Whether to show "Create community" (admins, communities.who_can_create, communities.create_host_roles). */
  can_create_community: z.boolean(),
});
export type Me = z.infer<typeof meResponseSchema>;

export const demoUserSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  global_role: z.enum(['admin', 'instructor', 'student']),
});

export const system = {
  health: endpoint({
    method: 'GET',
    path: '/api/communities/health',
    summary: 'Health of the database, host connection, Redis and file scanner',
    tag: 'system',
    auth: 'public',
    response: healthResponseSchema,
    errors: ['service_unavailable'],
  }),
  features: endpoint({
    method: 'GET',
    path: '/api/communities/features',
    summary: 'Feature flags and limits clients must honour; a flag is true only when enabled and served by this server',
    tag: 'system',
    auth: 'public',
    response: featuresResponseSchema,
  }),
  me: endpoint({
    method: 'GET',
    path: '/api/communities/me',
    summary: 'The signed-in user as the addon sees them',
    tag: 'system',
    response: meResponseSchema,
    errors: ['unauthenticated'],
  }),
  demoUsers: endpoint({
    method: 'GET',
    path: '/api/communities/demo/users',
    summary: 'Demo mode only: users one can sign in as',
    tag: 'system',
    auth: 'public',
    response: z.object({ items: z.array(demoUserSchema) }),
    errors: ['not_found'],
  }),
  demoToken: endpoint({
    method: 'POST',
    path: '/api/communities/demo/token',
    summary: 'Demo mode only: a RocketLMS-style JWT for a demo user',
    tag: 'system',
    auth: 'public',
    body: z.object({ user_id: z.number().int().positive() }).strict(),
    response: z.object({ token: z.string(), user: demoUserSchema }),
    errors: ['not_found', 'validation_failed'],
  }),
} as const;
