import { createServer } from 'node:http';

import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import WebSocket, { WebSocketServer } from 'ws';

import { authSignature } from '../packages/server/src/realtime/protocol';
import { startTestServer } from '../packages/server/test/support/server';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3));
};

/** Opens `n` sockets and resolves when each has run `onOpen` to completion. */
async function openAll(n: number, url: string, onOpen: (ws: WebSocket) => Promise<void>): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, () => {
        const ws = new WebSocket(url);
        sockets.push(ws);
        return onOpen(ws);
      }),
    );
  }
  return sockets;
}

/**
 * p50/p99 delivery latency of one message to N subscribed Pusher-protocol clients through the
 * gateway, beside a raw `ws` server broadcasting the same payload to N raw sockets.
 */
export async function benchRealtime(opts: { clients?: number; messages?: number } = {}) {
  const clients = opts.clients ?? 1000;
  const messages = opts.messages ?? 100;
  const payload = { id: 0, content: 'x'.repeat(200), author: { id: 1, name: 'Bench' } };

  const measure = async (sockets: WebSocket[], send: (i: number) => void, isMessage: (raw: string) => number | null) => {
    const latencies: number[] = [];
    for (let i = 0; i < messages; i++) {
      let got = 0;
      const sent = performance.now();
      await new Promise<void>((resolve) => {
        const handlers = sockets.map((ws) => {
          const h = (raw: Buffer) => {
            if (isMessage(raw.toString()) !== i) return;
            latencies.push(performance.now() - sent);
            ws.off('message', h);
            if (++got === sockets.length) resolve();
          };
          ws.on('message', h);
          return h;
        });
        void handlers;
        send(i);
      });
    }
    return { p50_ms: pct(latencies, 50), p99_ms: pct(latencies, 99) };
  };

  // The gateway.
  const s = await startTestServer({ log_level: 'silent' });
  const { app_key: key, app_secret: secret, broadcast_channel_prefix: prefix } = s.ctx.config.chat;
  const channel = realtimeChannel.community(prefix, 1);
  const gatewaySockets = await openAll(
    clients,
    `${s.url.replace('http', 'ws')}/app/${key}?protocol=7`,
    (ws) =>
      new Promise<void>((resolve) => {
        ws.on('message', function first(raw: Buffer) {
          const m = JSON.parse(raw.toString()) as { event: string; data: string };
          if (m.event === 'pusher:connection_established') {
            const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
            ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: authSignature(key, secret, socketId, channel) } }));
          } else if (m.event === 'pusher_internal:subscription_succeeded') {
            ws.off('message', first);
            resolve();
          }
        });
      }),
  );
  const gateway = await measure(
    gatewaySockets,
    (i) => void s.ctx.broadcaster.publish([channel], REALTIME_EVENTS.messageCreated, { ...payload, id: i }),
    (raw) => {
      const m = JSON.parse(raw) as { event: string; data: string };
      return m.event === REALTIME_EVENTS.messageCreated ? (JSON.parse(m.data) as { id: number }).id : null;
    },
  );
  for (const ws of gatewaySockets) ws.terminate();
  await s.close();

  // Baseline: a bare ws server sending the same JSON to every socket.
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  const rawSockets = await openAll(clients, `ws://127.0.0.1:${port}`, (ws) => new Promise<void>((r) => ws.on('open', () => r())));
  while (wss.clients.size < clients) await new Promise((r) => setTimeout(r, 10));
  const raw = await measure(
    rawSockets,
    (i) => {
      const text = JSON.stringify({ event: REALTIME_EVENTS.messageCreated, channel, data: JSON.stringify({ ...payload, id: i }) });
      for (const c of wss.clients) c.send(text);
    },
    (text) => {
      const m = JSON.parse(text) as { data: string };
      return (JSON.parse(m.data) as { id: number }).id;
    },
  );
  for (const ws of rawSockets) ws.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  http.close();
  return { clients, messages, gateway, raw_ws: raw, p99_ratio: Number((gateway.p99_ms / raw.p99_ms).toFixed(3)) };
}
