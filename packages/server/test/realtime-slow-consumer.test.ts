import type { Socket } from 'node:net';

import { realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { authSignature } from '../src/realtime/protocol';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ chat: { max_socket_buffer_bytes: 256 * 1024 } });
});
afterAll(async () => {
  await s.close();
});

/** A raw socket subscribed to `channel`, counting the frames it reads. */
function subscriber(channel: string) {
  return new Promise<{ ws: WebSocket; received: () => number; closed: Promise<number> }>((resolve) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/app/${s.ctx.config.chat.app_key}?protocol=7`);
    let received = 0;
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('error', () => undefined);
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { event: string; data: string };
      if (m.event === 'pusher:connection_established') {
        const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
        const auth = authSignature(s.ctx.config.chat.app_key, s.ctx.config.chat.app_secret, socketId, channel);
        ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth } }));
      } else if (m.event === 'pusher_internal:subscription_succeeded') resolve({ ws, received: () => received, closed });
      else if (m.event === 'bulk') received++;
    });
  });
}

describe('a socket that stops reading', () => {
  it('is closed once it holds more than chat.max_socket_buffer_bytes, while a reading one gets everything', async () => {
    const channel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, s.demo.studentIds[0]!);
    const stalled = await subscriber(channel);
    const reader = await subscriber(channel);
    // The stalled peer stops reading its TCP socket: the kernel buffers fill, then the server's.
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();
    let closedEarly = false;
    void stalled.closed.then(() => (closedEarly = true));
    const frames = 600;
    const blob = 'x'.repeat(50_000);
    for (let i = 0; i < frames; i++) {
      await s.ctx.broadcaster.publish([channel], 'bulk', { i, blob });
      await new Promise((r) => setImmediate(r));
    }
    await expect.poll(() => reader.received(), { timeout: 20_000 }).toBe(frames);
    expect(closedEarly).toBe(false);
    // When it reads again it finds the close (4100: reconnect after a back-off) or the cut socket.
    (stalled.ws as unknown as { _socket: Socket })._socket.resume();
    expect([4100, 1006]).toContain(await stalled.closed);
    expect(stalled.received()).toBeLessThan(frames);
    reader.ws.close();
  }, 60_000);

  it('50 sockets that never read are cut while messages flood in; 5 that read get everything, and unsent bytes stay bounded', async () => {
    const limit = s.ctx.config.chat.max_socket_buffer_bytes;
    const channel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, s.demo.studentIds[1]!);
    const gateway = s.gateway!;
    const stalled = await Promise.all(Array.from({ length: 50 }, () => subscriber(channel)));
    const readers = await Promise.all(Array.from({ length: 5 }, () => subscriber(channel)));
    for (const c of stalled) (c.ws as unknown as { _socket: Socket })._socket.pause();
    const codes = stalled.map((c) => c.closed);
    const closedBefore = gateway.stats().slowClosed;
    const rssBefore = process.memoryUsage().rss;
    const frames = 600;
    const blob = 'x'.repeat(50_000);
    let peak = 0;
    let sent = 0;
    for (let i = 0; i < frames; i++) {
      await s.ctx.broadcaster.publish([channel], 'bulk', { i, blob });
      // After the gateway's flush of this turn (its setImmediate ran first): what sockets hold unsent now.
      await new Promise((r) => setImmediate(r));
      peak = Math.max(peak, gateway.stats().bufferedBytes);
      sent += blob.length;
    }
    for (const r of readers) await expect.poll(() => r.received(), { timeout: 30_000 }).toBe(frames);
    // The server let go of every stalled socket on its own (they still do not read)…
    expect(gateway.stats().slowClosed - closedBefore).toBe(50);
    expect(gateway.stats().connections).toBe(5);
    // …and never held much more than the bound per socket, where without it each stalled one
    // would hold nearly everything sent to it (30 MB each, 1.5 GB for the 50).
    const frameBytes = blob.length + 100;
    expect(peak).toBeLessThanOrEqual(55 * (limit + frameBytes));
    expect(peak).toBeLessThan((50 * sent) / 10);
    console.info(
      JSON.stringify({
        stalled: 50,
        readers: 5,
        frames,
        frame_bytes: frameBytes,
        bound_bytes: limit,
        peak_unsent_bytes: peak,
        unsent_without_bound_upper_bytes: 50 * sent,
        rss_growth_bytes: process.memoryUsage().rss - rssBefore,
      }),
    );
    for (const c of stalled) (c.ws as unknown as { _socket: Socket })._socket.resume();
    for (const code of await Promise.all(codes)) expect([4100, 1006]).toContain(code);
    expect(Math.max(...stalled.map((c) => c.received()))).toBeLessThan(frames);
    for (const r of readers) r.ws.close();
  }, 120_000);
});
