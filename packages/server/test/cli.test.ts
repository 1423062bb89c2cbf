import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import Database from 'better-sqlite3';

import { MIGRATIONS } from '../src/platform/db/migrations';

const cli = join(import.meta.dirname, '../src/cli/main.ts');
const root = join(import.meta.dirname, '../../..');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, COMMUNITIES_CONFIG: '', COMMUNITIES__LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('the communities command', () => {
  it('lists pending migrations, applies them printing each, is a no-op twice, lists them applied, and seeds the demo school', () => {
    const env = {
      DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}`,
      COMMUNITIES__DATABASE__TABLE_PREFIX: 'cm_',
    };
    const before = run(['migrate', '--status'], env);
    expect(before.out).toMatch(/pending\s+0001_initial\n.*pending\s+0002_host_safe_names/);
    expect(before.out).toMatch(/pending\s+0003_event_outbox/);
    expect(before.out).toContain(`${MIGRATIONS.length} pending`);
    const migrate = run(['migrate'], env);
    expect(migrate.status).toBe(0);
    expect(migrate.out).toMatch(/applied 0001_initial \(table prefix "cm_"\) in \d+ ms\napplied 0002_host_safe_names/);
    expect(run(['migrate'], env).out).toContain('Nothing to migrate: up to date.');
    const status = run(['migrate:status'], env);
    expect(status.out).toMatch(/applied \d{4}-\d\d-\d\dT.*0001_initial/);
    expect(status.out).toContain('Up to date.');
    expect(run(['jobs:status'], env)).toMatchObject({
      status: 0,
      out: expect.stringMatching(/queue driver: database[\s\S]*\(no jobs yet\)/),
    });
    expect(run(['events:status'], env)).toMatchObject({ status: 0, out: expect.stringContaining('No event subscribers have run yet.') });
    expect(run(['seed', '--demo'], env).out).toContain('Demo school ready: admin 1, 3 instructors, 40 students, 5 courses.');
    expect(run(['stats:rebuild', '--from', '2026-01-01', '--to', '2026-01-03'], env)).toMatchObject({
      status: 0,
      out: expect.stringContaining('Rebuilt 3 days (2026-01-01 to 2026-01-03)'),
    });
    // Seven fresh processes, each compiling TypeScript at start: slow on a busy 2-core machine.
  }, 180_000);

  it('search:rebuild rebuilds the full-text indexes (with a table prefix)', () => {
    const env = {
      DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}`,
      COMMUNITIES__DATABASE__TABLE_PREFIX: 'cm_',
    };
    expect(run(['migrate'], env).status).toBe(0);
    expect(run(['search:rebuild'], env)).toMatchObject({
      status: 0,
      out: expect.stringMatching(
        /channel_messages: 0 rows indexed in \d+ ms[\s\S]*communities: 0 rows[\s\S]*Search indexes rebuilt \(sqlite\)\./,
      ),
    });
  }, 120_000);

  it('serve refuses unknown roles, and an API without a gateway that could not reach one', () => {
    const env = { DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}` };
    expect(run(['serve', '--roles', 'api,websocket'], env)).toMatchObject({
      status: 64,
      out: expect.stringContaining('unknown role websocket'),
    });
    // chat.driver broadcast (the default) reaches only this process's own gateway.
    expect(run(['serve', '--roles', 'api'], env)).toMatchObject({
      status: 64,
      out: expect.stringContaining('--roles api without gateway needs chat.driver = redis'),
    });
  }, 60_000);

  it('serve --roles worker on SQLite stays up after its first jobs, and stops on SIGTERM', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite');
    const proc = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--roles', 'worker'], {
      cwd: root,
      env: { ...process.env, COMMUNITIES_CONFIG: '', COMMUNITIES__LOG_LEVEL: 'silent', DATABASE_URL: `sqlite://${file}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const lastSync = () => {
      let db: Database.Database | undefined;
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
        return db.prepare("select cursor from host_sync_cursors where name = 'last_run'").get() as { cursor: string } | undefined;
      } catch {
        return undefined; // not created or not migrated yet
      } finally {
        db?.close();
      }
    };
    try {
      // The host sync the worker enqueues at start has run: its jobs found at boot are done.
      for (const deadline = Date.now() + 90_000; !lastSync();) {
        expect(proc.exitCode, out).toBeNull();
        expect(Date.now() < deadline, `no host sync: ${out}`).toBe(true);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(out).toContain('Worker running.');
      // Past a few polls of the database queue (one a second), with nothing left to do.
      await new Promise((r) => setTimeout(r, 3000));
      expect(proc.exitCode, out).toBeNull();
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  }, 120_000);

  it('refuses to seed demo data into a real RocketLMS', () => {
    const env = {
      DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}`,
      COMMUNITIES__HOST__ADAPTER: 'rocketlms',
      COMMUNITIES__DEMO: 'false',
      COMMUNITIES__CHAT__APP_SECRET: 'a-real-secret-0123456789abcdef',
    };
    const r = run(['seed', '--demo'], env);
    expect(r.status).toBe(1);
    expect(r.out).toContain('Refusing to seed demo data');
  }, 60_000);

  it('will not start demo mode (admin tokens for anyone, demo users seeded) when a real RocketLMS is configured', () => {
    // The deployment variables of a RocketLMS server, with demo and host.adapter left at their defaults.
    const env = {
      DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}`,
      COMMUNITIES__HOST__DATABASE_URL: 'mysql://rocket:pw@127.0.0.1:1/rocketlms',
      JWT_SECRET: 'the-real-rocketlms-jwt-secret',
      APP_KEY: 'base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      COMMUNITIES__HTTP__PORT: '0',
    };
    const r = run(['serve'], env);
    expect(r.status).toBe(78);
    expect(r.out).toContain('demo mode is on');
    for (const key of ['host.database_url', 'host.jwt_secret (JWT_SECRET)', 'host.app_key (APP_KEY)', 'host.adapter = rocketlms'])
      expect(r.out).toContain(key);
    expect(r.out).not.toContain('is running');
  }, 60_000);

  it('will not start demo mode on a server database without chat.app_secret (secrets random per process)', () => {
    const r = run(['serve'], { DATABASE_URL: 'mysql://root@127.0.0.1:1/demo', COMMUNITIES__HTTP__PORT: '0' });
    expect(r.status).toBe(78);
    expect(r.out).toContain('chat.app_secret');
  }, 60_000);

  it('will not run beside a real RocketLMS with the shipped realtime secret (anyone could sign into DMs)', () => {
    const env = {
      DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}`,
      COMMUNITIES__HOST__ADAPTER: 'rocketlms',
      COMMUNITIES__DEMO: 'false',
    };
    const r = run(['config:check'], env);
    expect(r.status).toBe(78);
    expect(r.out).toContain('chat.app_secret');
  }, 60_000);

  it('names Redis and its URL, without the password, when Redis is unreachable at boot', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const r = run(['serve'], {
      DATABASE_URL: `sqlite://${join(mkdtempSync(join(tmpdir(), 'cli-')), 'db.sqlite')}`,
      COMMUNITIES__HTTP__PORT: '0',
      COMMUNITIES__REDIS__URL: `redis://:hunter2@127.0.0.1:${port}/0`,
    });
    expect(r.status).toBe(1);
    expect(r.out).toContain(`Redis at redis://:***@127.0.0.1:${port}/0 (redis.url) is not reachable`);
    expect(r.out).not.toContain('hunter2');
  });
});
