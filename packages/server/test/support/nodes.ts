import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { DialectName } from '../../src/platform/db/connect';

import { createTestDatabase, type TestDatabase } from './databases';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');

export const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export interface Node {
  port: number;
  proc: ChildProcess;
  url: string;
  /** What the process printed so far. */
  output: () => string;
}

/**
 * `communities serve` as deployed: a real process on its own port, so a crash shows as an exit.
 * Resolves once health says ok, or with `until: 'answers'` once it answers at all (for tests of
 * what health says). Demo mode on a server database derives its sign-in secrets from
 * chat.app_secret, so processes given the same one accept each other's demo sign-ins.
 */
export async function serveProcess(
  env: Record<string, string>,
  opts: { port?: number; until?: 'ok' | 'answers'; roles?: string; startMs?: number } = {},
): Promise<Node> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...(opts.roles ? ['--roles', opts.roles] : [])], {
    env: {
      ...process.env,
      COMMUNITIES_CONFIG: '',
      COMMUNITIES__LOG_LEVEL: 'warn',
      COMMUNITIES__HTTP__HOST: '127.0.0.1',
      COMMUNITIES__HTTP__PORT: String(port),
      COMMUNITIES__CHAT__APP_SECRET: 'serve-test-secret-0123456789',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // What health last said, for the error: a server that prints its banner but never reports ok says why here.
  let lastHealth = 'no answer yet';
  // Seeding the demo school into a server database takes a while on a busy 2-core machine.
  for (const deadline = Date.now() + (opts.startMs ?? 100_000); Date.now() < deadline;) {
    if (proc.exitCode !== null) throw new Error(`serve exited (${proc.exitCode}): ${out}`);
    // A worker alone serves no HTTP: it is ready once it says so (after migrating and seeding).
    const ready =
      opts.roles === 'worker'
        ? out.includes('Worker running.')
        : await fetch(`${url}/api/communities/health`).then(
            async (r) => {
              if (!r.ok) lastHealth = `${r.status} ${await r.text()}`;
              return r.ok || opts.until === 'answers';
            },
            (e: Error) => ((lastHealth = e.message), false),
          );
    if (ready) return { port, proc, url, output: () => out };
    await new Promise((r) => setTimeout(r, 150));
  }
  proc.kill('SIGKILL');
  throw new Error(`serve did not start: health ${lastHealth}; output: ${out}`);
}

/** A `communities serve` process with chat.driver = redis, sharing `appId`'s Redis keys with its peers. */
export function startNode(opts: {
  dbUrl: string;
  redisUrl: string;
  appId: string;
  env?: Record<string, string>;
  /** `serve --roles` (default: all of them). */
  roles?: string;
  startMs?: number;
}): Promise<Node> {
  return serveProcess(
    {
      COMMUNITIES__DATABASE__URL: opts.dbUrl,
      COMMUNITIES__REDIS__URL: opts.redisUrl,
      COMMUNITIES__CHAT__DRIVER: 'redis',
      COMMUNITIES__CHAT__APP_ID: opts.appId,
      COMMUNITIES__RATE_LIMITS__STORE: 'redis',
      ...opts.env,
    },
    { ...(opts.roles ? { roles: opts.roles } : {}), ...(opts.startMs ? { startMs: opts.startMs } : {}) },
  );
}

/**
 * A server on `port` for the outbox suites: limits that never cut the load short, delivery
 * leases that run out soon after a kill, and delivery a quarter second behind commits, so a
 * kill lands between commits and their delivery.
 */
export const serveForOutbox = (env: Record<string, string>, port: number): Promise<Node> =>
  serveProcess(
    {
      COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
      COMMUNITIES__RATE_LIMITS__MEMBERSHIP__MAX: '1000000',
      COMMUNITIES__EVENTS__LEASE_SECONDS: '2',
      COMMUNITIES__EVENTS__LINGER_MS: '250',
      ...env,
    },
    { port },
  );

/**
 * Where a served process keeps its data on `dialect`: a SQLite file in `dir`, or a fresh, empty
 * server database (RocketLMS is MySQL: beside PostgreSQL the demo school lives in a SQLite file).
 * `env` points the process at it; `db`, for a server database, is what to drop afterwards.
 */
export async function servedDatabase(
  dialect: DialectName,
  dir: string,
): Promise<{ url: string; env: Record<string, string>; db?: TestDatabase }> {
  if (dialect === 'sqlite') {
    const url = `sqlite://${join(dir, 'addon.sqlite')}`;
    return { url, env: { DATABASE_URL: url } };
  }
  const db = await createTestDatabase(dialect);
  await db.db.destroy();
  const env: Record<string, string> = { DATABASE_URL: db.url };
  if (dialect === 'postgres') env.COMMUNITIES__HOST__DATABASE_URL = `sqlite://${join(dir, 'host.sqlite')}`;
  return { url: db.url, env, db };
}
