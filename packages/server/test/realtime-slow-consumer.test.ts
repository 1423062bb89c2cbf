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
});
