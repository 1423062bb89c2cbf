import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, type Api } from '@communities/client';
import type { CommunitiesConfigInput } from '@communities/contract';
import type { FastifyInstance } from 'fastify';

import { boot } from '../../src/boot';
import type { AppContext } from '../../src/context';
import type { DemoSchool } from '../../src/host/demo/seed';
import { signRocketJwt } from '../../src/host/rocketlms/auth/jwt';
import type { RegisteredRoute } from '../../src/http/app';
import { buildHttpServer } from '../../src/http/server';
import type { RealtimeGateway } from '../../src/realtime/gateway';
import { parseConfig } from '../../src/platform/config';
import { connect } from '../../src/platform/db/connect';
import { migrateToLatest } from '../../src/platform/db/migrate';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_APP_KEY = 'base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
export const TEST_APP_SECRET = 'test-realtime-secret-0123456789abcdef';

export interface TestServer {
  app: FastifyInstance;
  ctx: AppContext;
  demo: DemoSchool;
  routes: RegisteredRoute[];
  /** The built-in gateway (chat.driver broadcast or redis). */
  gateway: RealtimeGateway | null;
  /** http://127.0.0.1:<port> */
  url: string;
  dataDir: string;
  token(userId: number, opts?: { ttlSeconds?: number; now?: Date }): Promise<string>;
  /** The typed client, signed in as `userId` (or anonymous). */
  as(userId: number | null): Api;
  close(): Promise<void>;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

let template: Promise<string> | null = null;

/**
 * A SQLite file with every migration applied (no table prefix), made once per test worker: a
 * server whose database starts as a copy of it finds nothing to migrate, instead of running the
 * migrations again (about half the CPU of starting a test server). Migrations themselves are
 * tested by the suites that run them (migrations, cli, upgrade), which never start from this copy.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'communities-template-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'migrated.sqlite');
    // Migrated in memory and written out whole by VACUUM INTO: a file database's WAL is only
    // folded back into the file once its last connection closes, and the checkpointer's thread
    // may still hold one, so a copy of the file alone could miss the newest migrations' pages.
    const db = connect('sqlite::memory:');
    try {
      await migrateToLatest(db);
      db.sqlite!.prepare('vacuum into ?').run(file);
    } finally {
      await db.destroy();
    }
    return file;
  })();
  return template;
}

/**
 * A real server on a random port over a fresh SQLite file with the demo school seeded:
 * tests call it through the real client, as web and mobile do.
 */
export async function startTestServer(
  overrides: CommunitiesConfigInput = {},
  options: { web?: boolean; demoContent?: boolean } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'communities-test-'));
  const base: CommunitiesConfigInput = {
    log_level: (process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent',
    database: { url: `sqlite://${join(dataDir, 'test.sqlite')}` },
    http: { host: '127.0.0.1', port: 0 },
    // Known secrets, so tests can sign tokens and cookies as RocketLMS would. (The CLI refuses
    // host secrets in demo mode: see assertDemoIsolated. Tests boot without the CLI.)
    host: { jwt_secret: TEST_JWT_SECRET, app_key: TEST_APP_KEY, session_path: join(dataDir, 'sessions') },
    chat: { app_secret: TEST_APP_SECRET },
    storage: { path: join(dataDir, 'uploads') },
  };
  const config = parseConfig(deepMerge(base, overrides));
  // The server's own SQLite file, unprefixed (the template's shape): start from the migrated copy.
  if (config.database.url === base.database!.url && config.database.table_prefix === '') {
    copyFileSync(await migratedTemplate(), join(dataDir, 'test.sqlite'));
  }
  // Tests start from an empty addon (demo school only) unless they ask for the demo content.
  const { ctx, demo } = await boot(config, { seedContent: options.demoContent ?? false });
  const { app, routes, gateway } = await buildHttpServer(ctx, { web: options.web ?? false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const token = (userId: number, opts: { ttlSeconds?: number; now?: Date } = {}) =>
    signRocketJwt(userId, { secret: config.host.jwt_secret!, ...opts });
  return {
    app,
    ctx,
    demo: demo!,
    routes,
    gateway,
    url: address,
    dataDir,
    token,
    as(userId) {
      return createApi({ baseUrl: address, ...(userId === null ? {} : { token: () => token(userId) }) });
    },
    async close() {
      await app.close();
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
