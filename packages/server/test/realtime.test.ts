import { createRealtime, type Realtime } from '@communities/client';
import { realtimeChannel, REALTIME_EVENTS } from '@communities/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { authSignature } from '../src/realtime/protocol';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
const clients: Realtime[] = [];

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await s.close();
});

async function client(userId: number): Promise<Realtime> {
  const features = await s.as(null).system.features();
  const rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(userId) });
  clients.push(rt);
  return rt;
}

const prefix = () => s.ctx.config.chat.broadcast_channel_prefix;

describe('the Pusher-protocol gateway with real pusher-js clients', () => {
  it("pushes an upload's scan status to its uploader's private channel", async () => {
    const u = s.demo.studentIds[0]!;
    const rt = await client(u);
    const channel = realtimeChannel.user(prefix(), u);
    await rt.subscribed(channel);
    const got = new Promise<{ id: number; scan_status: string }>((resolve) =>
      rt.on(channel, REALTIME_EVENTS.uploadScanned, (d) => resolve(d as { id: number; scan_status: string })),
    );
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#333' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'x.png');
    const up = (await (
      await fetch(`${s.url}/api/communities/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(u)}` },
        body: form,
      })
    ).json()) as { id: number };
    await s.ctx.queue.processAll();
    expect(await got).toMatchObject({ id: up.id, scan_status: 'unscanned' });
  });

  it("refuses someone else's inbox (404) and unknown channels", async () => {
    const rt = await client(s.demo.studentIds[1]!);
    await expect(rt.subscribed(realtimeChannel.user(prefix(), s.demo.studentIds[2]!))).rejects.toMatchObject({ status: 404 });
    await expect(rt.subscribed(realtimeChannel.dm(prefix(), 999))).rejects.toMatchObject({ status: 404 });
    await expect(rt.subscribed('private-elsewhere.thing')).rejects.toMatchObject({ status: 404 });
  });

  it("lets members subscribe to their community's channel, and not outsiders of a private one", async () => {
    const owner = s.demo.instructorIds[0]!;
    const c = await s.as(owner).communities.create({ body: { name: 'Live Room', visibility: 'private' } });
    const ch = realtimeChannel.community(prefix(), c.id);
    await (await client(owner)).subscribed(ch);
    await expect((await client(s.demo.studentIds[3]!)).subscribed(ch)).rejects.toMatchObject({ status: 404 });
  });
});

describe('protocol details on a raw socket', () => {
  const open = (key = s.ctx.config.chat.app_key) =>
    new Promise<{ ws: WebSocket; socketId: string; next: () => Promise<Record<string, unknown>> }>((resolve, reject) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/app/${key}?protocol=7&client=js&version=8.6.0`);
      const queue: Array<Record<string, unknown>> = [];
      const waiters: Array<(m: Record<string, unknown>) => void> = [];
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString()) as Record<string, unknown>;
        const w = waiters.shift();
        if (w) w(m);
        else queue.push(m);
      });
      const next = () => new Promise<Record<string, unknown>>((r) => (queue.length ? r(queue.shift()!) : waiters.push(r)));
      ws.once('error', reject);
      void next().then((m) => {
        if (m.event !== 'pusher:connection_established') return reject(new Error(JSON.stringify(m)));
        resolve({ ws, socketId: (JSON.parse(m.data as string) as { socket_id: string }).socket_id, next });
      });
    });

  it('establishes with a socket id, answers pings, and refuses bad signatures and public channels', async () => {
    const { ws, socketId, next } = await open();
    expect(socketId).toMatch(/^\d+\.\d+$/);
    ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
    expect((await next()).event).toBe('pusher:pong');
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'private-communities.user.1', auth: 'nope:0000' } }));
    expect(await next()).toMatchObject({ event: 'pusher:subscription_error', channel: 'private-communities.user.1' });
    ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'public-news' } }));
    expect((await next()).event).toBe('pusher:subscription_error');
    ws.close();
  });

  it('keeps presence member lists and forwards client events to others only, rate-limited', async () => {
    const { key, secret } = { key: s.ctx.config.chat.app_key, secret: s.ctx.config.chat.app_secret };
    const channel = realtimeChannel.channelPresence(prefix(), 42);
    const join = async (userId: string) => {
      const c = await open();
      const data = JSON.stringify({ user_id: userId, user_info: { name: `U${userId}` } });
      c.ws.send(
        JSON.stringify({
          event: 'pusher:subscribe',
          data: { channel, auth: authSignature(key, secret, c.socketId, channel, data), channel_data: data },
        }),
      );
      return c;
    };
    const a = await join('1');
    const first = await a.next();
    expect(JSON.parse(first.data as string)).toMatchObject({ presence: { ids: ['1'], count: 1 } });
    const b = await join('2');
    expect(JSON.parse((await b.next()).data as string)).toMatchObject({ presence: { count: 2 } });
    expect(await a.next()).toMatchObject({ event: 'pusher_internal:member_added' });
    b.ws.send(JSON.stringify({ event: REALTIME_EVENTS.clientTyping, channel, data: { typing: true } }));
    expect(await a.next()).toMatchObject({ event: REALTIME_EVENTS.clientTyping, user_id: '2' });
    for (let i = 0; i < 12; i++) b.ws.send(JSON.stringify({ event: REALTIME_EVENTS.clientTyping, channel, data: { typing: true } }));
    const errors: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 3; i++) errors.push(await b.next());
    expect(errors.some((m) => m.event === 'pusher:error' && (m.data as { code: number }).code === 4301)).toBe(true);
    b.ws.close();
    let removed: Record<string, unknown>;
    do removed = await a.next();
    while (removed.event === REALTIME_EVENTS.clientTyping);
    expect(removed).toMatchObject({ event: 'pusher_internal:member_removed' });
    a.ws.close();
  });

  it('closes connections for an unknown app key', async () => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/app/wrong-key?protocol=7`);
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    expect(code).toBe(4001);
  });
});
