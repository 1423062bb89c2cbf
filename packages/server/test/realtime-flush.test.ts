import type { Socket } from 'node:net';

import { realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { authSignature } from '../src/realtime/protocol';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;

// Long enough that the frames below, published a few turns of the event loop apart, are all
// due within one flush interval even on a loaded machine.
beforeAll(async () => {
  s = await startTestServer({ chat: { socket_flush_ms: 1000 } });
});
afterAll(async () => {
  await s.close();
});

/**
 * A raw socket subscribed to `channel`: the text of every frame in the order it came, and, for
 * each TCP read, the `flush-test` frames it carried.
 */
function subscriber(channel: string) {
  return new Promise<{ ws: WebSocket; frames: string[]; reads: number[][] }>((resolve) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/app/${s.ctx.config.chat.app_key}?protocol=7`);
    const frames: string[] = [];
    const reads: number[][] = [];
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { event: string; data: string };
      frames.push(m.event === 'flush-test' ? `flush-test ${(JSON.parse(m.data) as { i: number }).i}` : m.event);
      if (m.event === 'pusher:connection_established') {
        const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
        const auth = authSignature(s.ctx.config.chat.app_key, s.ctx.config.chat.app_secret, socketId, channel);
        ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth } }));
      } else if (m.event === 'pusher_internal:subscription_succeeded') {
        (ws as unknown as { _socket: Socket })._socket.on('data', (chunk: Buffer) => {
          reads.push(
            [...chunk.toString('latin1').matchAll(/"event":"flush-test","channel":"[^"]*","data":"\{\\"i\\":(\d+)/g)].map((x) =>
              Number(x[1]),
            ),
          );
        });
        resolve({ ws, frames, reads });
      }
    });
  });
}

const publish = (channel: string, i: number) => s.ctx.broadcaster.publish([channel], 'flush-test', { i });
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('chat.socket_flush_ms', () => {
  it('frames due to a socket within one interval go in one write, and ws.send frames keep their place after them', async () => {
    const channel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, s.demo.studentIds[0]!);
    const sub = await subscriber(channel);
    // After a quiet spell a frame goes at once…
    await publish(channel, 0);
    await expect.poll(() => sub.frames.includes('flush-test 0')).toBe(true);
    // …those right after it wait for the interval, and go together although published turns apart.
    for (const i of [1, 2, 3]) {
      await publish(channel, i);
      await nextTurn();
    }
    await expect.poll(() => sub.frames.includes('flush-test 3'), { timeout: 5_000 }).toBe(true);
    expect(sub.reads.find((r) => r.includes(1))).toEqual([1, 2, 3]);
    // A pong (written by ws.send) to a ping sent while a frame waits comes after that frame.
    await publish(channel, 4);
    sub.ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
    await expect.poll(() => sub.frames.includes('pusher:pong'), { timeout: 5_000 }).toBe(true);
    expect(sub.frames.slice(-2)).toEqual(['flush-test 4', 'pusher:pong']);
    sub.ws.close();
  });
});
