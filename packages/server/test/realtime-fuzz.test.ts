import { connect } from 'node:net';

import { createRealtime, type Realtime } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { authSignature } from '../src/realtime/protocol';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(async () => {
  s = await startTestServer();
  // In production an exception escaping a handler ends the process; here it is recorded.
  process.on('uncaughtException', onCrash);
});
afterAll(async () => {
  process.off('uncaughtException', onCrash);
  await s.close();
});

const wsUrl = () => `${s.url.replace('http', 'ws')}/app/${s.ctx.config.chat.app_key}?protocol=7&client=js&version=8.6.0`;

/** A raw socket past connection_established; collects every frame and the close code. */
function open(): Promise<{ ws: WebSocket; socketId: string; frames: Array<Record<string, unknown>>; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl());
    const frames: Array<Record<string, unknown>> = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('error', () => undefined);
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as Record<string, unknown>;
      frames.push(m);
      if (m.event === 'pusher:connection_established')
        resolve({ ws, socketId: (JSON.parse(m.data as string) as { socket_id: string }).socket_id, frames, closed });
    });
    ws.once('unexpected-response', () => reject(new Error('refused')));
  });
}

const key = () => s.ctx.config.chat.app_key;
const secret = () => s.ctx.config.chat.app_secret;
const presence = () => realtimeChannel.channelPresence(s.ctx.config.chat.broadcast_channel_prefix, 7);

/** Frames no client should send: each must be refused or ignored, never taken as anything else. */
function badFrames(socketId: string): Array<string | Buffer> {
  const ch = presence();
  const signed = (channelData: string) => authSignature(key(), secret(), socketId, ch, channelData);
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  return [
    'null',
    '0',
    '-1e999',
    'true',
    '"pusher:ping"',
    '[]',
    '[{"event":"pusher:ping"}]',
    '{}',
    '',
    '{',
    'not json at all',
    '\u0000',
    '{"event":null}',
    '{"event":42,"data":{}}',
    '{"event":["pusher:subscribe"]}',
    '{"event":{"toString":"x"}}',
    '{"event":"pusher:subscribe"}',
    '{"event":"pusher:subscribe","data":null}',
    '{"event":"pusher:subscribe","data":7}',
    '{"event":"pusher:subscribe","data":"not json"}',
    '{"event":"pusher:subscribe","data":"null"}',
    '{"event":"pusher:subscribe","data":[]}',
    '{"event":"pusher:subscribe","data":{"channel":5}}',
    '{"event":"pusher:subscribe","data":{"channel":["private-a"]}}',
    '{"event":"pusher:subscribe","data":{"channel":null,"auth":null}}',
    '{"event":"pusher:subscribe","data":{"channel":"private-a","auth":5}}',
    '{"event":"pusher:subscribe","data":{"channel":"private-a","auth":{"a":1}}}',
    `{"event":"pusher:subscribe","data":{"channel":"${'private-'.padEnd(5000, 'x')}"}}`,
    '{"event":"pusher:subscribe","data":{"__proto__":{"channel":"private-a"}}}',
    '{"event":"pusher:subscribe","data":{"constructor":{"prototype":{"x":1}},"channel":"private-a"}}',
    JSON.stringify({ event: 'pusher:subscribe', data: { channel: ch, auth: 'x:y', channel_data: 5 } }),
    JSON.stringify({ event: 'pusher:subscribe', data: { channel: ch, auth: 'x:y' } }),
    JSON.stringify({ event: 'pusher:subscribe', data: { channel: ch, auth: signed('null'), channel_data: 'null' } }),
    JSON.stringify({ event: 'pusher:subscribe', data: { channel: ch, auth: signed('[]'), channel_data: '[]' } }),
    JSON.stringify({
      event: 'pusher:subscribe',
      data: { channel: ch, auth: signed('{"user_id":null}'), channel_data: '{"user_id":null}' },
    }),
    JSON.stringify({ event: 'pusher:subscribe', data: { channel: ch, auth: signed('not json'), channel_data: 'not json' } }),
    JSON.stringify({ event: 'pusher:subscribe', data: JSON.stringify({ channel: ch, auth: 7 }) }),
    '{"event":"pusher:unsubscribe"}',
    '{"event":"pusher:unsubscribe","data":null}',
    '{"event":"pusher:unsubscribe","data":{"channel":{}}}',
    '{"event":"pusher:unsubscribe","data":{"channel":"private-never-joined"}}',
    '{"event":"pusher:ping","data":null}',
    '{"event":"pusher:pong","data":[1,2,3]}',
    '{"event":"client-typing"}',
    '{"event":"client-typing","channel":5,"data":{}}',
    '{"event":"client-typing","channel":null}',
    `{"event":"client-typing","channel":"${ch}","data":{}}`,
    '{"event":"client-typing","channel":"presence-not-mine.1","data":{}}',
    '{"event":"client-typing","channel":"private-not-mine.1","data":{}}',
    `{"event":"client-","channel":"${ch}"}`,
    '{"event":"pusher_internal:subscription_succeeded","channel":"private-a","data":"{}"}',
    '{"event":"pusher:error","data":{"code":4200}}',
    `{"event":"pusher:ping","data":${deep(20_000)}}`,
    `{"event":"pusher:subscribe","data":${deep(20_000)}}`,
    `{"event":"client-typing","channel":"${ch}","data":${deep(20_000)}}`,
    `{"event":"pusher:ping","data":[${Array.from({ length: 12_000 }, (_, i) => i).join(',')}]}`,
    `{"event":"pusher:ping","data":"${'x'.repeat(60_000)}"}`,
    Buffer.from([0x00, 0xff, 0x10]),
    Buffer.from('{"event":"pusher:ping","data":{}}'),
  ];
}

async function goodClientStillServed(): Promise<void> {
  const u = s.demo.studentIds[0]!;
  const features = await s.as(null).system.features();
  const rt: Realtime = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(u) });
  try {
    const channel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, u);
    await rt.subscribed(channel);
    const got = new Promise((resolve) => rt.on(channel, REALTIME_EVENTS.readStateUpdated, resolve));
    await s.ctx.broadcaster.publish([channel], REALTIME_EVENTS.readStateUpdated, { channel_id: 1, unread_count: 0 });
    expect(await got).toEqual({ channel_id: 1, unread_count: 0 });
  } finally {
    rt.disconnect();
  }
}

describe('the gateway under malformed input', () => {
  it('survives every malformed frame, answers with errors, and still serves a good client', async () => {
    const c = await open();
    // A presence subscription first, so client events on it reach the re-encoding path.
    const ch = presence();
    const member = JSON.stringify({ user_id: '1', user_info: {} });
    c.ws.send(
      JSON.stringify({
        event: 'pusher:subscribe',
        data: { channel: ch, auth: authSignature(key(), secret(), c.socketId, ch, member), channel_data: member },
      }),
    );
    for (const f of badFrames(c.socketId)) c.ws.send(f, { binary: Buffer.isBuffer(f) });
    // Still answering on the same socket after all of it.
    c.ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
    await expect.poll(() => c.frames.some((m) => m.event === 'pusher:pong'), { timeout: 5000 }).toBe(true);
    expect(c.frames.filter((m) => m.event === 'pusher:error').length).toBeGreaterThan(10);
    // Nothing malformed became a subscription.
    const succeeded = c.frames.filter((m) => m.event === 'pusher_internal:subscription_succeeded').map((m) => m.channel);
    expect(succeeded).toEqual([ch]);
    c.ws.close();
    expect(crashes).toEqual([]);
    await goodClientStillServed();
  });

  it('closes only the offending socket for oversize frames and invalid UTF-8', async () => {
    const big = await open();
    big.ws.send(`{"event":"pusher:ping","data":"${'x'.repeat(200_000)}"}`);
    expect(await big.closed).toBe(1009);
    const utf8 = await open();
    utf8.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect(await utf8.closed).toBe(1007);
    expect(crashes).toEqual([]);
    await goodClientStillServed();
  });

  it('survives malformed upgrade requests and a flood of sockets that vanish mid-frame', async () => {
    const port = Number(new URL(s.url).port);
    const raw = (text: string) =>
      new Promise<void>((resolve) => {
        const sock = connect(port, '127.0.0.1', () => sock.end(text));
        sock.on('error', () => resolve());
        sock.on('close', () => resolve());
        sock.resume();
      });
    const upgrade = (path: string, extra = '') =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
    await raw(upgrade('//['));
    await raw(upgrade('/app/'));
    await raw(upgrade(`/app/${key()}`));
    await raw(upgrade(`/app/${key()}?protocol=abc`, 'Sec-WebSocket-Key: not-base64\r\n'));
    await raw(upgrade(`/app/${key()}`, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n') + '\x81\xfe\xff');
    const many = await Promise.all(Array.from({ length: 20 }, () => open()));
    for (const c of many) {
      c.ws.send('{"event":"pusher:subscribe","data":{"channel":"private-x","auth":"a:b"}}');
      c.ws.terminate();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(crashes).toEqual([]);
    await goodClientStillServed();
  });
});
