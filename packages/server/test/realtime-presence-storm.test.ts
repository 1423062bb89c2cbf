import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { authSignature } from '../src/realtime/protocol';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

interface Frame {
  event: string;
  data: string;
}

/** A raw socket that keeps every frame it reads. */
function socket() {
  return new Promise<{ ws: WebSocket; id: string; frames: Frame[] }>((resolve) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/app/${s.ctx.config.chat.app_key}?protocol=7`);
    const frames: Frame[] = [];
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as Frame;
      if (m.event === 'pusher:connection_established') resolve({ ws, id: (JSON.parse(m.data) as { socket_id: string }).socket_id, frames });
      else frames.push(m);
    });
  });
}

const join = (c: { ws: WebSocket; id: string }, channel: string, userId: string) => {
  const data = JSON.stringify({ user_id: userId, user_info: { name: userId } });
  const auth = authSignature(s.ctx.config.chat.app_key, s.ctx.config.chat.app_secret, c.id, channel, data);
  c.ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth, channel_data: data } }));
};

/** The member list a pusher-js client would hold after these frames, and every add it was told of twice or about itself. */
function view(frames: Frame[], self: string) {
  const members = new Set<string>();
  const wrong: string[] = [];
  for (const f of frames) {
    const d = JSON.parse(f.data) as { presence?: { ids: string[] }; user_id?: string };
    if (f.event === 'pusher_internal:subscription_succeeded') for (const id of d.presence!.ids) members.add(id);
    else if (f.event === 'pusher_internal:member_added') {
      if (members.has(d.user_id!) || d.user_id === self) wrong.push(`added ${d.user_id} twice or self`);
      members.add(d.user_id!);
    } else if (f.event === 'pusher_internal:member_removed') {
      if (!members.delete(d.user_id!)) wrong.push(`removed ${d.user_id} it did not have`);
    }
  }
  return { members: [...members].sort(), wrong };
}

describe('a presence join storm (member frames gathered and sent together)', () => {
  it('30 joins in one go: every member ends with all 30 once, never told twice of one, nor of itself, nor of one in its list', async () => {
    const channel = 'presence-storm-test';
    const users = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const sockets = await Promise.all(users.map(() => socket()));
    // All 30 subscriptions sent in the same turn: they reach the server within one presence flush.
    sockets.forEach((c, i) => join(c, channel, users[i]!));
    for (const [i, c] of sockets.entries()) await expect.poll(() => view(c.frames, users[i]!).members, { timeout: 10_000 }).toEqual(users);
    for (const [i, c] of sockets.entries()) expect(view(c.frames, users[i]!).wrong).toEqual([]);

    // One leaves and one joins and leaves at once: the others see the leaver go, and the
    // newcomer come and go in that order (or not at all, had it gone before they heard of it).
    const late = await socket();
    sockets[0]!.ws.close();
    join(late, channel, 'late');
    late.ws.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel } }));
    const rest = users.slice(1);
    for (const [i, c] of sockets.entries()) {
      if (i === 0) continue;
      await expect.poll(() => view(c.frames, users[i]!).members, { timeout: 10_000 }).toEqual(rest);
      expect(view(c.frames, users[i]!).wrong).toEqual([]);
    }
    // The newcomer's own list had everyone but itself, then it left: no frame about itself.
    expect(view(late.frames, 'late').wrong).toEqual([]);
    for (const c of [...sockets.slice(1), late]) c.ws.close();
  });
});
