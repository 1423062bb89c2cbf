import { z } from 'zod';

import type { FeatureName } from './config';
import type { ErrorCode } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One API method, defined once: the server registers and validates from it, the client
 * calls through it, OpenAPI and docs/API.md are generated from it.
 */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Fastify-style path, e.g. /api/communities/:id/join */
  path: string;
  summary: string;
  tag: string;
  /** public: no sign-in; user: a signed-in host user is required. */
  auth: 'public' | 'user';
  /** The route exists only when this feature is on. */
  feature?: FeatureName | undefined;
  params: P;
  query: Q;
  body: B;
  response: R;
  /** Success status; 200 unless stated. */
  status: number;
  errors: readonly ErrorCode[];
  /** Non-JSON body (multipart upload) or response (file download). */
  raw?: { request?: 'multipart'; response?: 'binary' } | undefined;
}

const empty = z.object({}).strict();
export type Empty = typeof empty;

export function endpoint<
  P extends z.ZodType = Empty,
  Q extends z.ZodType = Empty,
  B extends z.ZodType = Empty,
  R extends z.ZodType = z.ZodType,
>(def: {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  auth?: 'public' | 'user';
  feature?: FeatureName;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  status?: number;
  errors?: readonly ErrorCode[];
  raw?: { request?: 'multipart'; response?: 'binary' };
}): Endpoint<P, Q, B, R> {
  return {
    auth: 'user',
    status: 200,
    errors: [],
    ...def,
    params: (def.params ?? empty) as P,
    query: (def.query ?? empty) as Q,
    body: (def.body ?? empty) as B,
  };
}

export type EndpointInput<E extends Endpoint> = (z.input<E['params']> extends Record<string, never>
  ? { params?: undefined }
  : { params: z.input<E['params']> }) &
  (z.input<E['query']> extends Record<string, never> ? { query?: undefined } : { query?: z.input<E['query']> }) &
  (z.input<E['body']> extends Record<string, never> ? { body?: undefined } : { body: z.input<E['body']> });

export type EndpointOutput<E extends Endpoint> = z.output<E['response']>;

/** A group of endpoints keyed by method name: `communities.list`, `chat.postMessage`. */
export type EndpointGroup = Record<string, Endpoint>;
export type EndpointRegistry = Record<string, EndpointGroup>;

/** Common shapes. */
export const idParam = z.object({ id: z.coerce.number().int().positive() }).strict();
export const cursorQuery = {
  cursor: z.string().max(200).optional().describe('opaque cursor from next_cursor'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
export const okResponse = z.object({ ok: z.literal(true) });
/**
 * A PATCH body from a create body: every field optional and without its default, so a PATCH
 * changes only the fields it sends (`.partial()` keeps defaults, which would reset the rest).
 */
export function patchOf<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, v]) => [
      k,
      (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)).optional(),
    ]),
  );
  return z.object(shape as unknown as { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer I> ? I : S[K]> }).strict();
}
/** ISO-8601 UTC timestamps, as stored and served. */
export const isoTime = z.string().describe('ISO-8601 UTC timestamp');
