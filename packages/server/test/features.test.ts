import { endpoints, FEATURE_NAMES, type Endpoint, type FeatureName, type FeaturesResponse } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AppContext } from '../src/context';
import { buildHttpServer } from '../src/http/server';

import { startTestServer, type TestServer } from './support/server';

const contract = Object.values(endpoints).flatMap((g) => Object.values(g as Record<string, Endpoint>));
const endpointsOf = (f: FeatureName) => contract.filter((e) => e.feature === f);
/** The route table's answer: a registered route whose endpoint, or the code behind it, serves `f`. */
const served = (routes: TestServer['routes'], f: FeatureName) =>
  routes.some((r) => r.spec.endpoint.feature === f || (r.spec.serves ?? []).includes(f));
/** Flags whose code is not a route: what has to run for each to be on. */
const CODE_FEATURES: Partial<Record<FeatureName, (ctx: AppContext) => boolean>> = {
  file_scanning: (ctx) => ctx.services.uploads.scanner.name !== 'null',
};

let s: TestServer;
let scanning: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  scanning = await startTestServer({ file_scanner: { driver: 'http', http: { url: 'http://127.0.0.1:9/scan' } } });
});
afterAll(async () => {
  await s?.close();
  await scanning?.close();
});

/** The same running context with different flags, served by a fresh HTTP app (registration reads the flags). */
async function withFlags(base: TestServer, features: Partial<Record<FeatureName, boolean>>, enabled = true) {
  const ctx = { ...base.ctx, config: { ...base.ctx.config, enabled, features: { ...base.ctx.config.features, ...features } } };
  const { app, routes } = await buildHttpServer(ctx, { web: false });
  await app.ready();
  const get = async () => (await app.inject({ method: 'GET', url: '/api/communities/features' })).json<FeaturesResponse>();
  const authorization = `Bearer ${await base.token(base.demo.adminId)}`;
  /** The path of an endpoint with every parameter filled in, asked by an admin. */
  const call = async (e: Endpoint) => {
    const res = await app.inject({ method: e.method, url: e.path.replace(/:[A-Za-z]+/g, '1'), headers: { authorization }, payload: {} });
    return { status: res.statusCode, body: res.json<{ error?: { code: string; message: string } }>() };
  };
  const has = (e: Endpoint) => app.hasRoute({ method: e.method, url: e.path });
  return { app, routes, features: get, call, has };
}

describe('GET /features is truthful', () => {
  it('reports a flag on only when it is enabled and its routes are registered (or its code runs)', async () => {
    for (const server of [s, scanning]) {
      const f = (await server.as(null).system.features()).features;
      for (const name of FEATURE_NAMES) {
        const routed = server.routes.some((r) => r.spec.endpoint.feature === name);
        const runs = CODE_FEATURES[name]?.(server.ctx) ?? false;
        expect({ name, on: f[name] }).toEqual({ name, on: server.ctx.config.features[name] && (routed || runs) });
        expect({ name, on: f[name] }).toEqual({ name, on: server.ctx.config.features[name] && served(server.routes, name) });
      }
    }
  });

  it('says no to what nothing serves yet, though every flag is on in the config', async () => {
    expect(Object.values(s.ctx.config.features).every(Boolean)).toBe(true);
    const f = (await s.as(null).system.features()).features;
    expect(f).toEqual({
      central_feed: true,
      channels: true,
      dm: true,
      pricing_tiers: true,
      // The null scanner (demo default) lets every file through unscanned: not file scanning.
      file_scanning: false,
      leaderboard: true,
      gamification: true,
      heatmap: false,
      chatroom: false,
      bad_word_filter: true,
    });
    expect((await scanning.as(null).system.features()).features.file_scanning).toBe(true);
  });

  it('turning each flag off answers its routes 404 and reports it off; the other flags keep theirs', async () => {
    const on = await withFlags(scanning, {});
    try {
      for (const name of FEATURE_NAMES)
        for (const e of endpointsOf(name)) expect({ e: e.path, has: on.has(e) }).toEqual({ e: e.path, has: true });
    } finally {
      await on.app.close();
    }
    for (const name of FEATURE_NAMES) {
      const off = await withFlags(scanning, { [name]: false });
      try {
        const f = (await off.features()).features;
        expect({ name, on: f[name] }).toEqual({ name, on: false });
        for (const e of endpointsOf(name)) {
          const res = await off.call(e);
          expect({ route: `${e.method} ${e.path}`, status: res.status, code: res.body.error?.code }).toEqual({
            route: `${e.method} ${e.path}`,
            status: 404,
            code: 'not_found',
          });
        }
        // Routes stay registered (admins may turn the flag back on at runtime) but answer as absent.
        for (const other of FEATURE_NAMES.filter((o) => o !== name)) {
          const routed = off.routes.some((r) => r.spec.endpoint.feature === other);
          expect({ other, on: f[other] }).toEqual({ other, on: routed || (CODE_FEATURES[other]?.(scanning.ctx) ?? false) });
          expect({ other, on: f[other] }).toEqual({ other, on: served(off.routes, other) });
        }
      } finally {
        await off.app.close();
      }
    }
  });

  it('with the addon switched off, no feature reads on', async () => {
    const off = await withFlags(scanning, {}, false);
    try {
      const f = await off.features();
      expect(f.enabled).toBe(false);
      expect(Object.entries(f.features).filter(([, on]) => on)).toEqual([]);
    } finally {
      await off.app.close();
    }
  });
});
