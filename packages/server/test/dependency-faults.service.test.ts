import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseAppKey } from '../src/host/rocketlms/auth/laravel-encrypter';
import { makeLaravelCookie, makeSessionPayload, randomSessionId, randomToken } from '../src/host/rocketlms/auth/test-vectors';

import { createTestDatabase, MYSQL_SERVER, POSTGRES_SERVER, type TestDatabase } from './support/databases';
import { startPrivatePostgres, startTcpProxy, type PrivatePostgres, type TcpProxy } from './support/faults';
import { serveProcess, type Node } from './support/nodes';
import { startTestServer, TEST_APP_KEY, type TestServer } from './support/server';

/** What the brief promises a load balancer: the outage shows in health within 2 s (plus slack for a busy CI machine). */
const HEALTH_BUDGET_MS = 2500;

interface Answer {
  status: number;
  ms: number;
  code: string | null;
  retryAfter: string | null;
  body: Record<string, any>;
}

async function call(url: string, token?: string, init: RequestInit = {}): Promise<Answer> {
  const t = performance.now();
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  const body = (await res.json()) as Record<string, any>;
  return {
    status: res.status,
    ms: Math.round(performance.now() - t),
    code: (body.error?.code as string | undefined) ?? null,
    retryAfter: res.headers.get('retry-after'),
    body,
  };
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const hostFiles: string[] = [];
/** The demo school's own SQLite file (a PostgreSQL addon database cannot hold the MySQL-shaped host). */
function hostFile(): string {
  const file = join(tmpdir(), `faults-host-${Date.now()}-${hostFiles.length}.sqlite`);
  hostFiles.push(file);
  return file;
}
afterAll(() => {
  for (const f of hostFiles) for (const x of [f, `${f}-wal`, `${f}-shm`]) rmSync(x, { force: true });
});

/** A `communities serve` process on SQLite files of its own in `dir`, ready once health answers. */
async function serve(env: Record<string, string>): Promise<Node & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'faults-serve-'));
  const node = await serveProcess(
    {
      COMMUNITIES__HOST__SESSION_PATH: join(dir, 'sessions'),
      COMMUNITIES__STORAGE__PATH: join(dir, 'uploads'),
      COMMUNITIES__DATABASE__URL: `sqlite://${join(dir, 'addon.sqlite')}`,
      ...env,
    },
    { until: 'answers' },
  );
  return { ...node, dir };
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

describe('PostgreSQL restarts under a running `communities serve`', () => {
  let pgServer: PrivatePostgres;
  let node: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    const admin = new pg.Client({ connectionString: pgServer.url() });
    await admin.connect();
    await admin.query('create database addon');
    await admin.end();
    node = await serve({
      COMMUNITIES__DATABASE__URL: pgServer.url('addon'),
      // The demo school is MySQL-shaped; on PostgreSQL it lives in a SQLite file of its own.
      COMMUNITIES__HOST__DATABASE_URL: `sqlite://${hostFile()}`,
    });
  });
  afterAll(async () => {
    if (node) await stop(node.proc);
    if (node) rmSync(node.dir, { recursive: true, force: true });
    await pgServer?.destroy();
  });

  it('survives, answers 503 fast (health included) while PostgreSQL is down, and recovers when it returns', async () => {
    const users = (await call(`${node.url}/api/communities/demo/users`)).body.items as Array<{ id: number; global_role: string }>;
    const student = users.find((u) => u.global_role === 'student')!;
    const minted = await call(`${node.url}/api/communities/demo/token`, undefined, {
      method: 'POST',
      body: JSON.stringify({ user_id: student.id }),
    });
    const token = minted.body.token as string;
    const list = `${node.url}/api/communities`;
    const health = `${node.url}/api/communities/health`;
    expect(
      (
        await eventually(
          () => call(health),
          (a) => a.status === 200,
        )
      ).body.status,
    ).toBe('ok');
    expect((await call(list, token)).status).toBe(200);

    await pgServer.stop(); // idle pooled connections are terminated ("terminating connection due to administrator command")
    const down = await call(health);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('down');
    expect(down.body.checks.database.status).toBe('down');
    expect(down.ms).toBeLessThan(HEALTH_BUDGET_MS);
    const refused = await call(list, token);
    expect(refused).toMatchObject({ status: 503, code: 'service_unavailable', retryAfter: '5' });
    expect(refused.ms).toBeLessThan(HEALTH_BUDGET_MS);
    expect(node.proc.exitCode).toBeNull();

    await pgServer.start();
    const back = await eventually(
      () => call(list, token),
      (a) => a.status === 200,
    );
    expect(back.status).toBe(200);
    expect(
      (
        await eventually(
          () => call(health),
          (a) => a.status === 200,
        )
      ).body.status,
    ).toBe('ok');
    expect(node.proc.exitCode, node.output()).toBeNull();
    expect(node.output()).toMatch(/reconnects on demand/);
  });
});

describe('a frozen PostgreSQL (a TCP proxy that stops forwarding)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let s: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    proxy = await startTcpProxy(Number(new URL(POSTGRES_SERVER).port || 5432));
    const u = new URL(db.url);
    u.port = String(proxy.port);
    s = await startTestServer({
      database: { url: u.toString() },
      host: { database_url: `sqlite://${hostFile()}` },
    });
  });
  afterAll(async () => {
    await s?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('health says down within 2 s, requests fail fast with 503 instead of hanging, and all recovers when it thaws', async () => {
    const token = await s.token(s.demo.studentIds[0]!);
    const list = `${s.url}/api/communities`;
    const health = `${s.url}/api/communities/health`;
    expect((await call(list, token)).status).toBe(200);
    proxy.pause();
    const down = await call(health);
    expect(down).toMatchObject({ status: 503, body: { status: 'down', checks: { database: { status: 'down' } } } });
    expect(down.ms).toBeLessThan(HEALTH_BUDGET_MS);
    const refused = await call(list, token);
    expect(refused).toMatchObject({ status: 503, code: 'service_unavailable', retryAfter: '5' });
    expect(refused.ms).toBeLessThan(HEALTH_BUDGET_MS);
    // Health keeps answering within its budget for as long as the freeze lasts.
    expect((await call(health)).ms).toBeLessThan(HEALTH_BUDGET_MS);
    proxy.resume();
    expect(
      (
        await eventually(
          () => call(health),
          (a) => a.status === 200,
        )
      ).body.status,
    ).toBe('ok');
    expect(
      (
        await eventually(
          () => call(list, token),
          (a) => a.status === 200,
        )
      ).status,
    ).toBe(200);
  });
});

describe('MariaDB connections reset and frozen (a TCP proxy in front of the shared server)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let s: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    proxy = await startTcpProxy(Number(new URL(MYSQL_SERVER).port || 3306));
    const u = new URL(db.url);
    u.port = String(proxy.port);
    // The demo school shares the addon's MariaDB database, so host reads go through the proxy too.
    s = await startTestServer({ database: { url: u.toString() } });
  });
  afterAll(async () => {
    await s?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('after every connection is reset (PROTOCOL_CONNECTION_LOST) the server reconnects; nothing crashes', async () => {
    const token = await s.token(s.demo.studentIds[0]!);
    const list = `${s.url}/api/communities`;
    expect((await call(list, token)).status).toBe(200);
    proxy.reset();
    // Each answer is a success or a clean 503; never a 500, never a hang.
    for (let i = 0; i < 5; i++) {
      const a = await call(list, token);
      expect([200, 503], JSON.stringify(a.body)).toContain(a.status);
    }
    expect(
      (
        await eventually(
          () => call(list, token),
          (a) => a.status === 200,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await eventually(
          () => call(`${s.url}/api/communities/health`),
          (a) => a.status === 200,
        )
      ).body.status,
    ).toBe('ok');
  });

  it('frozen: health says down within 2 s, requests get 503 fast, and the server recovers when it thaws', async () => {
    const token = await s.token(s.demo.studentIds[0]!);
    const list = `${s.url}/api/communities`;
    const health = `${s.url}/api/communities/health`;
    expect((await call(list, token)).status).toBe(200);
    proxy.pause();
    const down = await call(health);
    expect(down).toMatchObject({ status: 503, body: { status: 'down' } });
    expect(down.ms).toBeLessThan(HEALTH_BUDGET_MS);
    const refused = await call(list, token);
    expect(refused).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(refused.ms).toBeLessThan(HEALTH_BUDGET_MS);
    proxy.resume();
    expect(
      (
        await eventually(
          () => call(health),
          (a) => a.status === 200,
        )
      ).body.status,
    ).toBe('ok');
    expect(
      (
        await eventually(
          () => call(list, token),
          (a) => a.status === 200,
        )
      ).status,
    ).toBe(200);
  });
});

describe("Laravel's session Redis frozen and reset (a TCP proxy in front of the shared Redis)", () => {
  const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const PREFIX = `test_faults_${Date.now()}:`;
  let proxy: TcpProxy;
  let s: TestServer;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
    proxy = await startTcpProxy(Number(new URL(REDIS).port || 6379));
    s = await startTestServer({
      host: { session_driver: 'redis', session_redis_url: `redis://127.0.0.1:${proxy.port}`, session_redis_prefix: PREFIX },
    });
  });
  afterAll(async () => {
    await s?.close();
    await proxy?.close();
    redis?.disconnect();
  });

  it('a cookie request answers 503 (not 500, not a hang) while Redis is silent, and signs in again once it answers', async () => {
    const sessionId = randomSessionId();
    const payload = makeSessionPayload({ userId: s.demo.studentIds[0]!, token: randomToken() });
    await redis.set(`${PREFIX}${sessionId}`, payload, 'EX', 120);
    const cookie = makeLaravelCookie({ key: parseAppKey(TEST_APP_KEY), cookieName: 'rocketlms_session', sessionId });
    const me = () =>
      call(`${s.url}/api/communities/me`, undefined, { headers: { cookie: `rocketlms_session=${encodeURIComponent(cookie)}` } });
    expect((await me()).status).toBe(200);
    proxy.pause();
    const frozen = await me();
    expect(frozen).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(frozen.ms).toBeLessThan(5000);
    proxy.resume();
    expect((await eventually(me, (a) => a.status === 200)).status).toBe(200);
    proxy.reset();
    expect((await eventually(me, (a) => a.status === 200)).status).toBe(200);
    await redis.del(`${PREFIX}${sessionId}`);
  });
});

describe('first boot', () => {
  it('health says ok only once the host sync has made the course memberships', async () => {
    const node = await serve({});
    try {
      const ok = await eventually(
        () => call(`${node.url}/api/communities/health`),
        (a) => a.status === 200,
      );
      expect(ok.body.status).toBe('ok');
      // Read straight from the file the server writes: course members exist by the time health says ok.
      const file = new Database(join(node.dir, 'addon.sqlite'), { readonly: true });
      const row = file.prepare("select count(*) as n from community_members where source = 'course'").get() as { n: number };
      file.close();
      expect(row.n).toBeGreaterThan(0);
    } finally {
      await stop(node.proc);
      rmSync(node.dir, { recursive: true, force: true });
    }
  });
});
