import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { Attachment } from '@communities/contract';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BullQueue } from '../src/platform/queue-bullmq';
import { startWorker } from '../src/worker';

import { startTestServer, type TestServer } from './support/server';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Our own key space in the shared Redis: removed key by key afterwards (never FLUSHALL). */
const PREFIX = `test_bullmq_${randomBytes(5).toString('hex')}`;

let s: TestServer;
let redis: Redis;
let scanner: Server;
/** Answers of the fake HTTP scanner, in order; once used up, every file is clean. */
const scannerAnswers: number[] = [];
let scannerCalls = 0;

beforeAll(async () => {
  redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
  await redis.ping().catch((e: Error) => {
    throw new Error(`Redis at ${REDIS} is not reachable: ${e.message}`);
  });
  scanner = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      scannerCalls++;
      const status = scannerAnswers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { status: 'clean' } : { error: 'busy' }));
    });
  });
  await new Promise<void>((r) => scanner.listen(0, '127.0.0.1', r));
  const port = (scanner.address() as AddressInfo).port;
  s = await startTestServer({
    redis: { url: REDIS },
    queue: { driver: 'bullmq', prefix: PREFIX, retry_backoff_ms: 50 },
    file_scanner: { driver: 'http', http: { url: `http://127.0.0.1:${port}/scan` }, max_attempts: 3 },
  });
});

afterAll(async () => {
  await s?.close();
  await new Promise((r) => scanner?.close(r));
  if (redis) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
});

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function upload(userId: number, text: string): Promise<Attachment> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), 'notes.txt');
  const res = await fetch(`${s.url}/api/communities/uploads?purpose=channel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(userId)}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Attachment;
}

describe('queue.driver = bullmq on the real Redis', () => {
  it('is the queue the context wires, keyed under the configured prefix', async () => {
    expect(s.ctx.queue).toBeInstanceOf(BullQueue);
    const u = s.demo.studentIds[0]!;
    await upload(u, 'prefix check');
    expect(await redis.exists(`${PREFIX}:file.scan:meta`)).toBe(1);
    await s.ctx.queue.processAll();
  });

  it('a scan that fails is retried after its backoff and then succeeds; jobs:status shows the retry', async () => {
    const u = s.demo.studentIds[1]!;
    scannerAnswers.push(503);
    const calls = scannerCalls;
    const up = await upload(u, 'hello from a busy scanner');
    expect(await s.ctx.queue.processAll()).toBe(1);
    expect(scannerCalls).toBe(calls + 1);

    const waiting = await s.ctx.queue.status();
    expect(waiting.kinds['file.scan']).toMatchObject({ delayed: 1, failed: 0 });
    const retry = waiting.retrying.find((j) => j.kind === 'file.scan')!;
    expect(retry).toMatchObject({ attempts: 1, max_attempts: 3, error: expect.stringContaining('HTTP 503') });
    // Due one backoff (50 ms) after the failure: read back from BullMQ's delayed set.
    const wait = Date.parse(retry.next_run_at!) - Date.parse(retry.failed_at!);
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThan(60_000);
    expect((await s.as(u).uploads.status({ params: { kind: 'channel', id: up.id } })).scan_status).toBe('pending');

    // The worker role (BullMQ workers that run by themselves) picks the retry up when it is due.
    s.ctx.queue.start();
    await until('the retried scan', async () => {
      const a = await s.as(u).uploads.status({ params: { kind: 'channel', id: up.id } });
      return a.scan_status === 'clean';
    });
    await s.ctx.queue.stop();
    const row = await s.ctx.db.db
      .selectFrom('file_scan_jobs')
      .selectAll()
      .where('attachment_type', '=', 'channel')
      .where('attachment_id', '=', up.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
    const after = await s.ctx.queue.status();
    expect(after.kinds['file.scan']).toMatchObject({ delayed: 0, active: 0, failed: 0, completed: 2 });
    expect(after.retrying).toEqual([]);
  });

  it('runs the host sync on BullMQ; a sync that fails ends dead and shows in `communities jobs:status`', async () => {
    const db = s.ctx.db.db;
    const before = await db.selectFrom('host_sync_cursors').select('name').execute();
    expect(before).toEqual([]);
    const stopWorker = startWorker(s.ctx);
    try {
      await until('the first host sync', async () => (await s.ctx.queue.status()).kinds['host.sync']?.completed === 1);
      const cursors = await db.selectFrom('host_sync_cursors').select('name').execute();
      expect(cursors.map((c) => c.name)).toContain('enrolments');

      // RocketLMS's sales table goes missing (a broken host database): the next sync fails.
      await sql`alter table sales rename to sales_away`.execute(s.ctx.hostDb);
      try {
        await s.ctx.queue.enqueue('host', 'host.sync', {}, { uniqueKey: 'host.sync', maxAttempts: 1 });
        const dead = await until('the dead host sync', async () => {
          const st = await s.ctx.queue.status();
          return st.kinds['host.sync']?.failed === 1 ? st : null;
        });
        expect(dead.failures[0]).toMatchObject({ kind: 'host.sync', attempts: 1, max_attempts: 1, next_run_at: null });
        expect(dead.failures[0]!.error).toMatch(/sales/);
      } finally {
        await sql`alter table sales_away rename to sales`.execute(s.ctx.hostDb);
      }
    } finally {
      await stopWorker();
    }

    // The operator's view, from another process reading the same Redis.
    const cli = join(import.meta.dirname, '../src/cli/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'jobs:status'], {
      cwd: join(import.meta.dirname, '../../..'),
      env: {
        ...process.env,
        COMMUNITIES_CONFIG: '',
        COMMUNITIES__LOG_LEVEL: 'silent',
        DATABASE_URL: s.ctx.config.database.url,
        REDIS_URL: REDIS,
        COMMUNITIES__QUEUE__DRIVER: 'bullmq',
        COMMUNITIES__QUEUE__PREFIX: PREFIX,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('queue driver: bullmq');
    expect(r.stdout).toMatch(/file\.scan\s+0\s+0\s+0\s+\d+\s+0/);
    expect(r.stdout).toMatch(/host\.sync\s+0\s+0\s+0\s+1\s+1/);
    expect(r.stdout).toMatch(/dead .*\n\s+host\.sync #\d+\s+attempt 1\/1\s+died \S+\s+.*sales/);
  }, 90_000);
});
