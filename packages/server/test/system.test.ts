import { ApiError } from '@communities/client';
import { endpoints, type Endpoint } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { createFastify, registerRoutes } from '../src/http/app';
import { route } from '../src/http/route';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

async function raw(path: string, init: RequestInit = {}) {
  const res = await fetch(s.url + path, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('system endpoints', () => {
  it('reports health of the database and host without credentials', async () => {
    const health = await s.as(null).system.health();
    expect(health.checks.database.status).toBe('ok');
    expect(health.checks.host.status).toBe('ok');
    expect(health.checks.redis.status).toBe('disabled');
    expect(health.checks.scanner.status).toBe('warning');
    expect(health.status).toBe('ok');
  });

  it('tells clients which features are on', async () => {
    const f = await s.as(null).system.features();
    expect(f.enabled).toBe(true);
    expect(f.demo).toBe(true);
    expect(f.features.central_feed).toBe(true);
    expect(f.limits.max_message_length).toBe(4000);
    expect(f.realtime.auth_endpoint).toBe('/api/communities/broadcasting/auth');
  });

  it('refuses protected routes without credentials with 401 and a code', async () => {
    const error = await s
      .as(null)
      .system.me()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).code).toBe('unauthenticated');
  });

  it('knows the signed-in user from a RocketLMS JWT', async () => {
    const me = await s.as(s.demo.studentIds[0]!).system.me();
    expect(me.id).toBe(s.demo.studentIds[0]);
    expect(me.global_role).toBe('student');
    expect(me.auth_method).toBe('jwt');
    // The demo host keeps users.timezone: clients show heatmaps and insights in it.
    expect(me.timezone).toBe('UTC');
    const admin = await s.as(s.demo.adminId).system.me();
    expect(admin.is_admin).toBe(true);
  });

  it('answers invalid input with 422 and field paths', async () => {
    const r = await raw('/api/communities/demo/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'seven', extra: 1 }),
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('validation_failed');
    const paths = (r.body.error.issues as Array<{ path: string }>).map((i) => i.path);
    expect(paths).toContain('body.user_id');
  });

  it('answers malformed JSON with 400, unknown routes with a JSON 404', async () => {
    const bad = await raw('/api/communities/demo/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"user_id":',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
    const missing = await raw('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('serves OpenAPI 3.1 listing every contract endpoint, and a docs page', async () => {
    const spec = (await raw('/api/communities/openapi.json')).body;
    expect(spec.openapi).toBe('3.1.0');
    const ops = Object.values(spec.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    const expected = Object.entries(endpoints).flatMap(([g, eps]) => Object.keys(eps).map((k) => `${g}.${k}`));
    expect(ops.sort()).toEqual(expected.sort());
    const docs = await fetch(`${s.url}/api/communities/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
  });

  it('issues demo tokens only in demo mode', async () => {
    const { token, user } = await s.as(null).system.demoToken({ body: { user_id: s.demo.instructorIds[0]! } });
    expect(user.global_role).toBe('instructor');
    const me = await fetch(`${s.url}/api/communities/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });
});

describe('route inventory', () => {
  it('every contract endpoint is registered', () => {
    const registered = new Set(s.routes.map((r) => `${r.method} ${r.spec.endpoint.path}`));
    const all = Object.values(endpoints).flatMap((g) => Object.values(g as Record<string, Endpoint>));
    const unregistered = all.filter((e) => !registered.has(`${e.method} ${e.path}`)).map((e) => `${e.method} ${e.path}`);
    expect(unregistered).toEqual([]);
  });
});

describe('unexpected errors', () => {
  it('answer 500 with an error id and no stack', async () => {
    const app = createFastify(s.ctx);
    const boom = {
      ...endpoints.system.health,
      path: '/api/communities/boom',
      response: z.object({}),
    } as unknown as Endpoint;
    registerRoutes(app, s.ctx, [
      route({
        endpoint: boom,
        handler: () => Promise.reject(new Error('secret internal detail at /srv/x.ts:12')),
      }),
    ]);
    const res = await app.inject({ method: 'GET', url: '/api/communities/boom' });
    expect(res.statusCode).toBe(500);
    const body = res.json<{ error: { code: string; id: string; message: string } }>();
    expect(body.error.code).toBe('internal');
    expect(body.error.id).toMatch(/[0-9a-f-]{36}/);
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('x.ts');
    await app.close();
  });
});

describe('addon switches', () => {
  it('with enabled=false only health and features answer', async () => {
    const off = await startTestServer({ enabled: false });
    try {
      expect((await fetch(`${off.url}/api/communities/health`)).status).toBe(200);
      expect((await off.as(null).system.features()).enabled).toBe(false);
      const me = await fetch(`${off.url}/api/communities/me`, {
        headers: { authorization: `Bearer ${await off.token(off.demo.adminId)}` },
      });
      expect(me.status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('refuses demo sign-in when the host adapter is RocketLMS', async () => {
    const real = await startTestServer({});
    try {
      // Same data, but configured as a real RocketLMS host: the demo endpoints must refuse.
      real.ctx.config.host.adapter = 'rocketlms';
      const r = await fetch(`${real.url}/api/communities/demo/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: real.demo.adminId }),
      });
      expect(r.status).toBe(404);
      expect((await real.as(null).system.features()).demo).toBe(false);
    } finally {
      await real.close();
    }
  });
});
