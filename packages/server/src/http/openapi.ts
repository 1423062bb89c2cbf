import { ERROR_STATUS, endpoints, errorBodySchema, type Endpoint } from '@communities/contract';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

function parameters(ep: Endpoint): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', ep.params],
    ['query', ep.query],
  ] as const) {
    const js = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        schema: prop,
        ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
      });
    }
  }
  return out;
}

/** OpenAPI 3.1 for every contract endpoint; JSON Schema 2020-12 is its native dialect. */
export function buildOpenApi(basePath = ''): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [group, eps] of Object.entries(endpoints)) {
    for (const [name, ep] of Object.entries(eps as Record<string, Endpoint>)) {
      const path = basePath + ep.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const hasBody = Object.keys((toSchema(ep.body, 'input') as { properties?: object }).properties ?? {}).length > 0;
      const errors = new Set<string>(['validation_failed', ...ep.errors, ...(ep.auth === 'user' ? ['unauthenticated'] : [])]);
      const responses: Record<string, unknown> = {
        [String(ep.status)]: {
          description: 'Success',
          content:
            ep.raw?.response === 'binary'
              ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
              : { 'application/json': { schema: toSchema(ep.response, 'output') } },
        },
      };
      for (const code of errors) {
        const status = String(ERROR_STATUS[code as keyof typeof ERROR_STATUS] ?? 400);
        const prev = responses[status] as { description: string } | undefined;
        responses[status] = {
          description: prev ? `${prev.description}, ${code}` : code,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
      (paths[path] ??= {})[ep.method.toLowerCase()] = {
        operationId: `${group}.${name}`,
        summary: ep.summary,
        tags: [ep.tag],
        ...(ep.feature ? { 'x-feature': ep.feature } : {}),
        security: ep.auth === 'user' ? [{ bearer: [] }, { laravelSession: [] }] : [],
        parameters: parameters(ep),
        ...(ep.raw?.request === 'multipart'
          ? {
              requestBody: {
                required: true,
                content: {
                  'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } },
                },
              },
            }
          : hasBody
            ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(ep.body, 'input') } } } }
            : {}),
        responses,
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'RocketLMS Communities API',
      version: '0.1.0',
      description: 'Communities, feed, channels, chat, DMs, gamification and moderation for a RocketLMS school.',
    },
    paths,
    components: {
      schemas: { Error: toSchema(errorBodySchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The RocketLMS API JWT (HS256, JWT_SECRET)' },
        laravelSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'rocketlms_session',
          description: 'The Laravel session cookie; unsafe methods also need X-XSRF-TOKEN',
        },
      },
    },
  };
}

/** A dependency-free docs page: the spec rendered as a list (no CDN is reachable offline). */
export function docsPage(spec: Record<string, unknown>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(
    spec.paths as Record<string, Record<string, { summary: string; tags: string[]; security: unknown[] }>>,
  )) {
    for (const [method, op] of Object.entries(ops)) {
      rows.push(
        `<tr><td class="m ${method}">${method.toUpperCase()}</td><td><code>${esc(path)}</code></td><td>${esc(op.summary)}</td><td>${esc(op.tags.join(', '))}</td><td>${op.security.length ? 'sign-in' : 'public'}</td></tr>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>RocketLMS Communities API</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2330}table{border-collapse:collapse;width:100%}td,th{padding:.4rem .6rem;border-bottom:1px solid #e5e7eb;text-align:left}.m{font-weight:700;font-family:ui-monospace,monospace}.get{color:#047857}.post{color:#1d4ed8}.patch,.put{color:#b45309}.delete{color:#b91c1c}</style></head>
<body><h1>RocketLMS Communities API</h1><p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Summary</th><th>Tag</th><th>Auth</th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`;
}
