import { createHash } from 'node:crypto';

import { createRealtime, type Realtime } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PusherHttpBroadcaster } from '../src/realtime/broadcaster';
import { httpApiSignature } from '../src/realtime/http-api';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let rt: Realtime;

beforeAll(async () => {
  s = await startTestServer();
  const features = await s.as(null).system.features();
  rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(s.demo.studentIds[0]!) });
});
afterAll(async () => {
  rt.disconnect();
  await s.close();
});

describe("the gateway's Pusher HTTP API", () => {
  it('takes events from the `pusher` package (chat.driver = pusher pointed at it) and delivers them', async () => {
    const port = Number(new URL(s.url).port);
    const broadcaster = new PusherHttpBroadcaster({
      ...s.ctx.config.chat,
      pusher_host: '127.0.0.1',
      pusher_port: port,
      pusher_use_tls: false,
    });
    const channel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, s.demo.studentIds[0]!);
    await rt.subscribed(channel);
    const got = new Promise((resolve) => rt.on(channel, REALTIME_EVENTS.readStateUpdated, resolve));
    await broadcaster.publish([channel], REALTIME_EVENTS.readStateUpdated, { channel_id: 1, unread_count: 0 });
    expect(await got).toEqual({ channel_id: 1, unread_count: 0 });
  });

  it('refuses unsigned or wrongly signed requests', async () => {
    const url = `${s.url}/apps/${s.ctx.config.chat.app_id}/events`;
    const body = JSON.stringify({ name: 'x', channels: ['private-a'], data: '{}' });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const wrong = new PusherHttpBroadcaster({
      ...s.ctx.config.chat,
      app_secret: 'not-the-secret',
      pusher_host: '127.0.0.1',
      pusher_port: Number(new URL(s.url).port),
      pusher_use_tls: false,
    });
    await expect(wrong.publish(['private-a'], 'x', {})).rejects.toMatchObject({ status: 401 });
  });
});

describe('replayed HTTP API requests', () => {
  const signedUrl = (query: Record<string, string>, body: string) => {
    const path = `/apps/${s.ctx.config.chat.app_id}/events`;
    const q: Record<string, string> = {
      auth_key: s.ctx.config.chat.app_key,
      auth_version: '1.0',
      body_md5: createHash('md5').update(body).digest('hex'),
      ...query,
    };
    q.auth_signature = httpApiSignature(s.ctx.config.chat.app_secret, 'POST', path, q);
    return `${s.url}${path}?${new URLSearchParams(q).toString()}`;
  };
  const body = JSON.stringify({ name: REALTIME_EVENTS.readStateUpdated, channels: ['private-a'], data: '{}' });
  const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('refuses a correctly signed request without auth_timestamp, or one more than 600 s off', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await post(signedUrl({}, body))).status).toBe(401);
    expect((await post(signedUrl({ auth_timestamp: String(now - 700) }, body))).status).toBe(401);
    expect((await post(signedUrl({ auth_timestamp: String(now + 700) }, body))).status).toBe(401);
    expect((await post(signedUrl({ auth_timestamp: 'soon' }, body))).status).toBe(401);
    expect((await post(signedUrl({ auth_timestamp: String(now - 30) }, body))).status).toBe(200);
  });
});
