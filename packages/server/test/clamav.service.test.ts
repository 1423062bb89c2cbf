import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Attachment } from '@communities/contract';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { configSchema } from '@communities/contract';

import { AppError } from '../src/platform/errors';
import { RedisRateLimiter } from '../src/security/rate-limit';

import { startClamd, EICAR } from './support/clamd';
import { addMember, makeCommunity, recordEvents } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let clamd: Awaited<ReturnType<typeof startClamd>>;
let s: TestServer;

beforeAll(async () => {
  clamd = await startClamd();
  s = await startTestServer({ file_scanner: { driver: 'clamav', clamav: { port: clamd.port, timeout_ms: 3000 }, max_attempts: 3 } });
});
afterAll(async () => {
  await s?.close();
  await clamd?.stop();
});

async function upload(userId: number, text: string, name: string) {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  const res = await fetch(`${s.url}/api/communities/uploads?purpose=channel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(userId)}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Attachment;
}

const download = async (userId: number, id: number) =>
  (
    await fetch(`${s.url}/api/communities/uploads/channel/${id}/download`, {
      headers: { authorization: `Bearer ${await s.token(userId)}` },
    })
  ).status;

describe('scanning with a real clamd', () => {
  it('marks EICAR infected, quarantines it, flags it, and never serves it', async () => {
    const u = s.demo.studentIds[0]!;
    const events = recordEvents(s);
    const up = await upload(u, EICAR, 'eicar.txt');
    await s.ctx.queue.processAll();
    const status = await s.as(u).uploads.status({ params: { kind: 'channel', id: up.id } });
    expect(status).toMatchObject({ scan_status: 'infected', download_url: null });
    expect(await download(u, up.id)).toBe(404);
    expect(await download(s.demo.adminId, up.id)).toBe(404);
    const row = await s.ctx.db.db.selectFrom('channel_message_attachments').selectAll().where('id', '=', up.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.scan_report!)).toMatchObject({
      verdict: 'infected',
      signature: expect.stringContaining('Eicar-Test-Signature'),
      action: 'quarantined',
    });
    expect(row.path.startsWith('quarantine/')).toBe(true);
    expect(existsSync(join(s.dataDir, 'uploads', row.path))).toBe(true);
    await s.ctx.bus.idle();
    expect(events.of('FileFlagged').map((e) => e.payload.attachment_id)).toEqual([up.id]);
    events.off();
  });

  it('a message whose attachment is infected shows it removed; the community owner hears of it', async () => {
    const owner = s.demo.instructorIds[0]!;
    const u = s.demo.studentIds[1]!;
    const c = await makeCommunity(s, { ownerId: owner, name: 'Virus Watch' });
    await addMember(s, c.id, u);
    const general = (await s.as(u).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
    const up = await upload(u, EICAR, 'totally-safe.txt');
    const m = await s
      .as(u)
      .channels.post({ params: { channelId: general.id }, body: { content: 'see attached', attachment_ids: [up.id] } });
    expect(m.attachments[0]).toMatchObject({ scan_status: 'pending', download_url: null });
    await s.ctx.queue.processAll();
    const seen = (await s.as(owner).channels.messages({ params: { channelId: general.id }, query: { around: m.id, limit: 1 } })).items[0]!;
    expect(seen.attachments[0]).toMatchObject({ id: up.id, scan_status: 'infected', download_url: null, thumbnail_url: null });
    expect(await download(owner, up.id)).toBe(404);
    const notes = await s.ctx.db.db.selectFrom('community_notifications').selectAll().where('user_id', '=', owner).execute();
    expect(notes.map((n) => n.title)).toContain('An upload was blocked: it contains malware');
    // An upload flagged before it was shared anywhere goes to the school's admins.
    const admins = await s.ctx.db.db.selectFrom('community_notifications').select('title').where('user_id', '=', s.demo.adminId).execute();
    expect(admins.length).toBeGreaterThan(0);
  });

  it('lets a clean file through', async () => {
    const u = s.demo.studentIds[1]!;
    const up = await upload(u, 'Lecture notes: nothing to see here.\n', 'notes.txt');
    await s.ctx.queue.processAll();
    expect((await s.as(u).uploads.status({ params: { kind: 'channel', id: up.id } })).scan_status).toBe('clean');
    expect(await download(u, up.id)).toBe(200);
  });

  it('with clamd gone, files stay pending and then fail — never clean; health says degraded', async () => {
    expect((await s.as(null).system.health()).checks.scanner).toMatchObject({ status: 'ok', detail: 'clamav' });
    await clamd.stop();
    const health = await s.as(null).system.health();
    expect(health.checks.scanner, JSON.stringify(health)).toMatchObject({ status: 'down' });
    expect(health.status).toBe('degraded');
    expect(health.checks.scanner.status).toBe('down');
    const u = s.demo.studentIds[2]!;
    const up = await upload(u, 'scanned later\n', 'later.txt');
    await s.ctx.queue.processAll();
    expect((await s.as(u).uploads.status({ params: { kind: 'channel', id: up.id } })).scan_status).toBe('pending');
    expect(await download(u, up.id)).toBe(404);
    // Retries back off; step the clock past each wait.
    for (let i = 1; i <= 3; i++) await s.ctx.queue.processAll({ now: () => new Date(Date.now() + i * 3_600_000) });
    const final = await s.as(u).uploads.status({ params: { kind: 'channel', id: up.id } });
    expect(final.scan_status).toBe('failed');
    expect(await download(u, up.id)).toBe(404);
    const job = await s.ctx.db.db.selectFrom('file_scan_jobs').selectAll().where('attachment_id', '=', up.id).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'failed', attempts: 3 });
  });
});

describe('rate limits in Redis', () => {
  it('share one budget between processes and answer with Retry-After', async () => {
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const a = new Redis(url, { maxRetriesPerRequest: 1 });
    const b = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      await a.ping().catch((e: Error) => {
        throw new Error(`Redis at ${url} is not reachable: ${e.message}`);
      });
      const rules = configSchema.parse({ rate_limits: { uploads: { max: 3, window_seconds: 60 } } }).rate_limits;
      const prefix = `test:rl:${Date.now()}:`;
      const one = new RedisRateLimiter(rules, a, Date.now, prefix);
      const two = new RedisRateLimiter(rules, b, Date.now, prefix);
      await one.consume('uploads', 'u1');
      await two.consume('uploads', 'u1');
      await one.consume('uploads', 'u1');
      const e = await two.consume('uploads', 'u1').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).status).toBe(429);
      expect(Number((e as AppError).extra.headers?.['retry-after'])).toBeGreaterThanOrEqual(19);
      await two.consume('uploads', 'u2');
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
