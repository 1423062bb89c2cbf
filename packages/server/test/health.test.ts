import { rmSync } from 'node:fs';

import type { HealthResponse } from '@communities/contract';
import { afterEach, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

async function health(server: TestServer): Promise<{ status: number; retryAfter: string | null; body: HealthResponse }> {
  const res = await fetch(`${server.url}/api/communities/health`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as HealthResponse };
}

async function communityWithGeneral(server: TestServer) {
  const student = server.demo.studentIds[0]!;
  const c = await makeCommunity(server, { name: 'Faulty Town' });
  await addMember(server, c.id, student);
  const general = (await server.as(student).channels.list({ params: { id: c.slug } })).items.find((ch) => ch.slug === 'general')!;
  return { student, c, general };
}

describe('health on SQLite', () => {
  it('refuses writes with 503 and reports down (503) once the data folder is deleted under the running server', async () => {
    s = await startTestServer();
    const { student, c, general } = await communityWithGeneral(s);
    await s.as(student).channels.post({ params: { channelId: general.id }, body: { content: 'before' } });
    rmSync(s.dataDir, { recursive: true, force: true });
    // SQLite would go on writing to the unlinked file: acknowledged, then lost at the restart.
    const e = await expectStatus(
      s.as(student).channels.post({ params: { channelId: general.id }, body: { content: 'into the void' } }),
      503,
      'service_unavailable',
    );
    expect(e.details).toEqual({ retry_after: 5 });
    expect(e.retryAfterSeconds).toBe(5);
    await expectStatus(s.as(student).feed.post({ params: { id: c.slug }, body: { content: 'lost?' } }), 503, 'service_unavailable');
    const h = await health(s);
    expect(h.status).toBe(503);
    expect(h.body.status).toBe('down');
    expect(h.body.checks.database).toMatchObject({ status: 'down', detail: expect.stringContaining('was removed') });
  });

  it('a full disk answers 503 (not 500) with the real error in health, which says degraded until writes work again', async () => {
    s = await startTestServer({ rate_limits: { messages: { max: 1000, window_seconds: 1 } } });
    const { student, c, general } = await communityWithGeneral(s);
    const sqlite = s.ctx.db.sqlite!;
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    // SQLite's own page limit fails writes exactly as a full disk does (SQLITE_FULL).
    sqlite.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(3900);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        s!.as(student).channels.post({ params: { channelId: general.id }, body: { content: `${i} ${big}` } }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason as { status: number; code: string });
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((f) => `${f.status} ${f.code}`))).toEqual(new Set(['503 service_unavailable']));
    // A feed post, group-committed as messages are, fails the same way.
    let feedFailure: unknown = null;
    for (let i = 0; i < 50 && !feedFailure; i++)
      feedFailure = await s
        .as(student)
        .feed.post({ params: { id: c.slug }, body: { content: `${i} ${big}` } })
        .then(
          () => null,
          (e: unknown) => e,
        );
    expect(feedFailure).toMatchObject({ status: 503, code: 'service_unavailable' });
    // Background writers (outbox cursors, which update rows in place and so still fit) may succeed
    // meanwhile: health reports the latest write, so let them finish and fail one more post.
    await s.ctx.bus.idle();
    await expect(
      s.as(student).channels.post({ params: { channelId: general.id }, body: { content: `last ${big}` } }),
    ).rejects.toMatchObject({ status: 503 });
    let h = await health(s);
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('degraded');
    expect(h.body.checks.database).toMatchObject({ status: 'warning', detail: expect.stringContaining('database or disk is full') });
    sqlite.pragma('max_page_count = 1073741823');
    await s.as(student).channels.post({ params: { channelId: general.id }, body: { content: 'room again' } });
    h = await health(s);
    expect(h.body.checks.database.status).toBe('ok');
  });
});

describe('health while the first host sync is pending', () => {
  it('says starting (503) until the sync this process runs has completed, then ok', async () => {
    s = await startTestServer();
    s.ctx.hostSync.awaitFirstRun('here');
    const before = await health(s);
    expect(before.status).toBe(503);
    expect(before.body.status).toBe('starting');
    expect(before.body.checks.host_sync.status).toBe('warning');
    await s.ctx.hostSync.runOnce();
    const after = await health(s);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('ok');
    expect(after.body.checks.host_sync.status).toBe('ok');
  });

  it('an API-only process is ready once any node has completed a sync (recorded in the database)', async () => {
    s = await startTestServer();
    s.ctx.hostSync.awaitFirstRun('anywhere');
    expect((await health(s)).body.status).toBe('starting');
    // Another worker's sync, as far as this process can tell: the record in the shared database.
    await s.ctx.db.db
      .insertInto('host_sync_cursors')
      .values({ name: 'last_run', cursor: new Date().toISOString(), updated_at: new Date().toISOString() })
      .execute();
    expect((await health(s)).body.status).toBe('ok');
  });
});
