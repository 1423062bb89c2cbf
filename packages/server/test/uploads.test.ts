import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Attachment } from '@communities/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { expectStatus } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let png: Buffer;

beforeAll(async () => {
  s = await startTestServer({ file_scanner: { max_file_size: 256 * 1024 } });
  png = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 90, g: 90, b: 210 } } })
    .png()
    .toBuffer();
});
afterAll(async () => s.close());

async function upload(userId: number, data: Buffer, name: string, query = 'purpose=channel', type = 'image/png') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const res = await fetch(`${s.url}/api/communities/uploads?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(userId)}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Attachment & { error?: { code: string; issues?: Array<{ path: string }> } } };
}

const get = async (userId: number, path: string) =>
  fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${await s.token(userId)}` } });
const tmpFiles = () => {
  try {
    return readdirSync(join(s.dataDir, 'uploads', 'tmp'));
  } catch {
    return [];
  }
};

describe('uploads', () => {
  it('accepts an image as pending, serves nothing until the scan, then the file and a thumbnail', async () => {
    const u = s.demo.studentIds[0]!;
    const up = await upload(u, png, '../../etc/holiday\u202Egnp.exe.png');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      kind: 'channel',
      scan_status: 'pending',
      mime_type: 'image/png',
      is_image: true,
      width: 800,
      height: 600,
      download_url: null,
    });
    expect(up.body.original_name).toBe('holidaygnp.exe.png');
    expect((await get(u, `/api/communities/uploads/channel/${up.body.id}/download`)).status).toBe(404);
    expect(await s.ctx.queue.processAll()).toBe(1);
    const status = await s.as(u).uploads.status({ params: { kind: 'channel', id: up.body.id } });
    // The test server has no scanner (the null one): served as before, but labelled truthfully.
    expect(status.scan_status).toBe('unscanned');
    expect((await s.as(null).system.features()).features.file_scanning).toBe(false);
    const file = await get(u, status.download_url!);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; filename\*=UTF-8''/);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    const thumb = await get(u, status.thumbnail_url!);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 240]);
  });

  it('serves non-images as attachments', async () => {
    const u = s.demo.studentIds[0]!;
    const up = await upload(u, Buffer.from('hello, notes\n'), 'notes.txt', 'purpose=feed', 'text/plain');
    expect(up.body.mime_type).toBe('text/plain');
    await s.ctx.queue.processAll();
    const res = await get(u, `/api/communities/uploads/channel/${up.body.id}/download`);
    expect(res.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''notes.txt");
  });

  it('sniffs the type from the bytes: an executable named .png is refused with 415, and nothing is kept', async () => {
    const exe = Buffer.concat([
      Buffer.from('MZ'),
      Buffer.alloc(58),
      Buffer.from([0x80, 0, 0, 0]),
      Buffer.alloc(64),
      Buffer.from('PE\0\0'),
      Buffer.alloc(200),
    ]);
    const r = await upload(s.demo.studentIds[1]!, exe, 'cute-cat.png');
    expect(r.status).toBe(415);
    expect(r.body.error?.code).toBe('unsupported_media_type');
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200)]);
    expect((await upload(s.demo.studentIds[1]!, elf, 'photo.jpg')).status).toBe(415);
    expect(
      (await upload(s.demo.studentIds[1]!, Buffer.from([0, 1, 2, 3, 0, 0, 0xff]), 'data.txt', 'purpose=channel', 'text/plain')).status,
    ).toBe(415);
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses an oversize stream with 413 without keeping it on disk', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    const r = await upload(s.demo.studentIds[1]!, big, 'big.txt', 'purpose=channel', 'text/plain');
    expect(r.status).toBe(413);
    expect(r.body.error?.code).toBe('payload_too_large');
    expect(tmpFiles()).toEqual([]);
  });

  it("hides another user's unbound upload and another thread's attachment (404)", async () => {
    const [a, b, c] = s.demo.studentIds;
    const mine = await upload(a!, png, 'mine.png');
    await s.ctx.queue.processAll();
    expect((await get(b!, `/api/communities/uploads/channel/${mine.body.id}/download`)).status).toBe(404);
    await expectStatus(s.as(b!).uploads.status({ params: { kind: 'channel', id: mine.body.id } }), 404);

    const now = new Date().toISOString();
    const db = s.ctx.db.db;
    const thread = await db
      .insertInto('dm_threads')
      .values({ created_by: a!, type: 'dm', pair_key: `${a}:${b}`, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const u of [a!, b!])
      await db.insertInto('dm_participants').values({ thread_id: thread.id, user_id: u, role: 'member', joined_at: now }).execute();
    const dm = await upload(a!, png, 'for-b.png', `purpose=dm&thread_id=${thread.id}`);
    expect(dm.body.kind).toBe('dm');
    await s.ctx.queue.processAll();
    // Until it is sent, the file is its uploader's alone; then the thread's participants read it.
    expect((await get(b!, `/api/communities/uploads/dm/${dm.body.id}/download`)).status).toBe(404);
    await s.as(a!).dm.post({ params: { threadId: thread.id }, body: { content: 'for you', attachment_ids: [dm.body.id] } });
    expect((await get(b!, `/api/communities/uploads/dm/${dm.body.id}/download`)).status).toBe(200);
    expect((await get(c!, `/api/communities/uploads/dm/${dm.body.id}/download`)).status).toBe(404);
    expect((await get(s.demo.adminId, `/api/communities/uploads/dm/${dm.body.id}/download`)).status).toBe(404);
    expect((await upload(c!, png, 'sneak.png', `purpose=dm&thread_id=${thread.id}`)).status).toBe(404);
    const noThread = await upload(a!, png, 'x.png', 'purpose=dm');
    expect(noThread.status).toBe(422);
    expect(noThread.body.error?.issues?.[0]?.path).toBe('query.thread_id');
  });

  it('lets readers of a post download its attachment, and outsiders of a hidden community not', async () => {
    const owner = s.demo.instructorIds[0]!;
    const c = await s.as(owner).communities.create({ body: { name: 'Files Here', visibility: 'hidden' } });
    const up = await upload(owner, png, 'slide.png', 'purpose=feed');
    await s.ctx.queue.processAll();
    const post = await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: 'see attached', attachment_ids: [up.body.id] } });
    expect(post.attachments.map((a) => [a.id, a.scan_status, a.is_image])).toEqual([[up.body.id, 'unscanned', true]]);
    expect((await get(s.demo.studentIds[2]!, `/api/communities/uploads/channel/${up.body.id}/download`)).status).toBe(404);
    expect((await get(s.demo.adminId, `/api/communities/uploads/channel/${up.body.id}/download`)).status).toBe(200);
    await expectStatus(
      s.as(s.demo.studentIds[2]!).feed.post({ params: { id: 'photography' }, body: { content: 'steal', attachment_ids: [up.body.id] } }),
      404,
    );
  });

  it("community icons must be the owner's clean image uploads made for that purpose", async () => {
    const owner = s.demo.instructorIds[1]!;
    const icon = await upload(owner, png, 'icon.png', 'purpose=community_icon');
    const wrong = await upload(owner, png, 'feed.png', 'purpose=feed');
    const e1 = await expectStatus(s.as(owner).communities.create({ body: { name: 'Iconic', icon_upload_id: icon.body.id } }), 422);
    expect(e1.issues[0]).toMatchObject({ path: 'body.icon_upload_id', message: expect.stringContaining('pending') });
    await s.ctx.queue.processAll();
    await expectStatus(s.as(owner).communities.create({ body: { name: 'Iconic', icon_upload_id: wrong.body.id } }), 422);
    await expectStatus(s.as(s.demo.instructorIds[2]!).communities.create({ body: { name: 'Thief', icon_upload_id: icon.body.id } }), 422);
    const c = await s.as(owner).communities.create({ body: { name: 'Iconic', icon_upload_id: icon.body.id } });
    expect(c.icon_url).toBe(`/api/communities/uploads/channel/${icon.body.id}/download`);
    expect((await get(s.demo.studentIds[3]!, c.icon_url!)).status).toBe(200);
  });

  it('needs the file field, and sign-in', async () => {
    const form = new FormData();
    form.append('other', 'x');
    const res = await fetch(`${s.url}/api/communities/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.token(s.demo.studentIds[0]!)}` },
      body: form,
    });
    expect(res.status).toBe(422);
    const anon = await fetch(`${s.url}/api/communities/uploads`, { method: 'POST', body: new FormData() });
    expect(anon.status).toBe(401);
  });
});
