import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import WebSocket from 'ws';

import { authSignature } from '../packages/server/src/realtime/protocol';

import { jsonPoster } from './http-load';
import { benchCommunity, startServerProcess } from './server-process';

const SECRET = 'bench-app-secret';
const CREATED = Buffer.from(`{"event":"${REALTIME_EVENTS.messageCreated}"`);
/** The message's number travels in its text as `bm<i>x`, found without parsing the frame. */
const MARK = Buffer.from('bm');

const pct = (xs: Float64Array | number[], p: number) => {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1));
};

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** The message number in a message.created frame, or -1 for any other frame. */
function messageNumber(raw: Buffer): number {
  if (!raw.subarray(0, CREATED.length).equals(CREATED)) return -1;
  let at = raw.indexOf(MARK);
  if (at < 0) return -1;
  let n = 0;
  for (at += MARK.length; raw[at]! >= 48 && raw[at]! <= 57; at++) n = n * 10 + raw[at]! - 48;
  return n;
}

interface Room {
  sockets: WebSocket[];
  /** The socket id the server gave each socket (Pusher protocol sockets only). */
  ids: Map<WebSocket, string>;
  /** Receipt latency (ms) of every delivery of messages numbered in [from, to). */
  latencies(from: number, to: number): number[];
  delivered(from: number, to: number): number;
}

/** Opens `count` sockets 250 at a time, and reads back when each message reached each socket. */
async function room(
  count: number,
  open: (idx: number) => Promise<WebSocket>,
  got: Float64Array[],
  sentAt: Float64Array,
  ids: Map<WebSocket, string>,
): Promise<Room> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 250)
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, j) => open(i + j)))));
  return {
    sockets,
    ids,
    latencies(from, to) {
      const out: number[] = [];
      for (const mine of got) for (let n = from; n < to; n++) if (!Number.isNaN(mine[n]!)) out.push(mine[n]! - sentAt[n]!);
      return out;
    },
    delivered(from, to) {
      let d = 0;
      for (const mine of got) for (let n = from; n < to; n++) if (!Number.isNaN(mine[n]!)) d++;
      return d;
    },
  };
}

/**
 * `count` Pusher-protocol clients on `channel` (authorised with the app secret, as the auth
 * endpoint would), opened `batch` at a time. Each records when every message numbered by
 * `sentAt` reached it.
 */
async function openRoom(url: string, key: string, channel: string, count: number, sentAt: Float64Array): Promise<Room> {
  const got: Array<Float64Array> = [];
  const ids = new Map<WebSocket, string>();
  const open = (idx: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/app/${key}?protocol=7`, { perMessageDeflate: false });
      const mine = new Float64Array(sentAt.length).fill(Number.NaN);
      got[idx] = mine;
      ws.on('error', reject);
      ws.on('message', (raw: Buffer) => {
        const n = messageNumber(raw);
        if (n >= 0) {
          if (n < mine.length) mine[n] = performance.now();
          return;
        }
        if (raw.subarray(0, CREATED.length).equals(CREATED)) return;
        const m = JSON.parse(raw.toString()) as { event: string; data: string };
        if (m.event === 'pusher:connection_established') {
          const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
          ids.set(ws, socketId);
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: authSignature(key, SECRET, socketId, channel) } }));
        } else if (m.event === 'pusher_internal:subscription_succeeded' && m.data === '{}') resolve(ws);
      });
    });
  return room(count, open, got, sentAt, ids);
}

/** `count` messages at `rate` a second, open loop: each leaves when it is due, late or not. */
async function postAtRate(send: (i: number) => Promise<void>, from: number, count: number, rate: number, sentAt: Float64Array) {
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt[from + i] = performance.now();
    inflight.push(
      send(from + i).catch((err: unknown) => {
        if (errors++ === 0) console.error(`first failed send (${from + i}): ${String(err)}`);
      }),
    );
  }
  await Promise.all(inflight);
  return errors;
}

const settle = async (room: Room, from: number, to: number, expected: number, ms = 10_000) => {
  const t = performance.now();
  while (room.delivered(from, to) < expected && performance.now() - t < ms) await new Promise((r) => setTimeout(r, 50));
};

/**
 * The raw baseline: a bare `ws` server in its own process that sends the same frame to every
 * socket when it gets `POST /send/<i>`, so both sides are measured the same way (its RSS per
 * connection, POST → receipt at the same rate).
 */
async function rawServer() {
  const code = `
    const http = require('node:http'); const { WebSocketServer } = require('ws');
    const srv = http.createServer((req, res) => {
      const i = Number(req.url.split('/').pop());
      const text = JSON.stringify({ event: ${JSON.stringify(REALTIME_EVENTS.messageCreated)}, channel: 'private-room',
        data: JSON.stringify({ id: i, content: 'bm' + i + 'x ' + 'y'.repeat(160), author: { id: 5, name: 'Bench' } }) });
      for (const c of wss.clients) c.send(text);
      res.end('ok');
    });
    const wss = new WebSocketServer({ server: srv, perMessageDeflate: false });
    wss.on('connection', (ws) => ws.send(JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1' }) })));
    srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
  `;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
  const port = await new Promise<number>((resolve) => proc.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { proc, url: `http://127.0.0.1:${port}`, rss: () => rssOf(proc.pid!) };
}

/** Raw sockets on the baseline server: the same receipt bookkeeping as openRoom. */
async function openRawRoom(url: string, count: number, sentAt: Float64Array): Promise<Room> {
  const got: Float64Array[] = [];
  const ids = new Map<WebSocket, string>();
  const open = (idx: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url.replace('http', 'ws'), { perMessageDeflate: false });
      const mine = new Float64Array(sentAt.length).fill(Number.NaN);
      got[idx] = mine;
      ws.on('error', reject);
      ws.on('message', (raw: Buffer) => {
        const n = messageNumber(raw);
        if (n >= 0 && n < mine.length) mine[n] = performance.now();
        else if (n < 0) resolve(ws);
      });
    });
  return room(count, open, got, sentAt, ids);
}

/**
 * One big room: `clients` Pusher-protocol clients (in this process, the server in its own) on
 * one channel, messages posted through HTTP (persisted, full pipeline) at `rate` a second:
 * POST → receipt latency over every delivery, server RSS growth per connection, and the same
 * with a presence storm (`storm` clients joining the channel's presence channel within a
 * second) under way. Beside a bare `ws` server broadcasting the same frames to as many
 * sockets at the same rate. `benchBigRoom({ clients: 1000, rate: 100 })` is the fan-out row.
 */
export async function benchBigRoom(opts: { clients?: number; rate?: number; seconds?: number; storm?: number } = {}) {
  const clients = opts.clients ?? 10_000;
  const rate = opts.rate ?? 4;
  const seconds = opts.seconds ?? 15;
  const storm = Math.min(opts.storm ?? 1000, clients);
  const perPhase = Math.max(1, Math.round(rate * seconds));
  const sentAt = new Float64Array(perPhase * 2);

  const s = await startServerProcess({
    COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
    COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1',
    COMMUNITIES__CHAT__APP_SECRET: SECRET,
  });
  let server;
  try {
    const { owner, general, tokens } = await benchCommunity(s, 'Big Room');
    const { key, channel_prefix: prefix } = (await s.as(owner).system.features()).realtime;
    const channel = realtimeChannel.channel(prefix, general.id);
    const poster = jsonPoster({
      url: `${s.url}/api/communities/channels/${general.id}/messages`,
      tokens,
      concurrency: 64,
      body: (i) => ({ content: `bm${i}x big room message ${'y'.repeat(140)}`, nonce: `big-room-${i}` }),
      expect: 201,
    });
    // Warm the post path before connecting, so the first messages measure the room, not V8.
    await poster.run(perPhase * 2, perPhase * 2 + 500);
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = s.rssBytes();
    const t0 = performance.now();
    const room = await openRoom(s.url, key, channel, clients, sentAt);
    const connectSeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const rss1 = s.rssBytes();

    const cpu0 = s.cpuSeconds();
    const quietErrors = await postAtRate((i) => poster.post(i), 0, perPhase, rate, sentAt);
    await settle(room, 0, perPhase, perPhase * clients);
    const serverCpuQuiet = s.cpuSeconds() - cpu0;

    // The presence storm: `storm` of the clients join the channel's presence channel within a second.
    const presence = realtimeChannel.channelPresence(prefix, general.id);
    let joined = 0;
    const stormDone = new Promise<void>((resolve) => {
      if (storm === 0) return resolve();
      room.sockets.slice(0, storm).forEach((ws, i) => {
        setTimeout(
          () => {
            const onEst = (raw: Buffer) => {
              const text = raw.toString();
              if (text.includes('subscription_succeeded') && text.includes(presence)) {
                ws.off('message', onEst);
                if (++joined === storm) resolve();
              }
            };
            ws.on('message', onEst);
            const socketId = room.ids.get(ws)!;
            const data = JSON.stringify({ user_id: String(100_000 + i), user_info: { name: `Storm ${i}` } });
            ws.send(
              JSON.stringify({
                event: 'pusher:subscribe',
                data: { channel: presence, auth: authSignature(key, SECRET, socketId, presence, data), channel_data: data },
              }),
            );
          },
          (i * 1000) / storm,
        );
      });
    });
    const stormErrors = await postAtRate((i) => poster.post(i), perPhase, perPhase, rate, sentAt);
    await settle(room, perPhase, perPhase * 2, perPhase * clients);
    const stormJoined = await Promise.race([stormDone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    const rss2 = s.rssBytes();
    const quiet = room.latencies(0, perPhase);
    const stormy = room.latencies(perPhase, perPhase * 2);
    const result = {
      connect_seconds: Number(connectSeconds.toFixed(1)),
      server_rss_mb: { before: Math.round(rss0 / 2 ** 20), connected: Math.round(rss1 / 2 ** 20), after_storm: Math.round(rss2 / 2 ** 20) },
      rss_per_connection_kb: Number(((rss1 - rss0) / clients / 1024).toFixed(1)),
      quiet: {
        messages: perPhase,
        errors: quietErrors,
        delivered: `${room.delivered(0, perPhase)}/${perPhase * clients}`,
        p50_ms: pct(quiet, 50),
        p99_ms: pct(quiet, 99),
        server_cpu_us_per_delivery: Number(((serverCpuQuiet * 1e6) / Math.max(1, perPhase * clients)).toFixed(2)),
      },
      presence_storm: {
        joins: storm,
        all_joined: stormJoined,
        errors: stormErrors,
        delivered: `${room.delivered(perPhase, perPhase * 2)}/${perPhase * clients}`,
        p50_ms: pct(stormy, 50),
        p99_ms: pct(stormy, 99),
      },
    };
    poster.close();
    for (const ws of room.sockets) ws.terminate();
    await s.close();

    // Baseline: the same number of raw sockets, the same frames at the same rate.
    server = await rawServer();
    const rawSent = new Float64Array(perPhase);
    const base0 = server.rss();
    const raw = await openRawRoom(server.url, clients, rawSent);
    await new Promise((r) => setTimeout(r, 2000));
    const base1 = server.rss();
    const rawErrors = await postAtRate(
      (i) => fetch(`${server!.url}/send/${i}`, { method: 'POST' }).then((r) => void r.text()),
      0,
      perPhase,
      rate,
      rawSent,
    );
    await settle(raw, 0, perPhase, perPhase * clients);
    const rawLat = raw.latencies(0, perPhase);
    for (const ws of raw.sockets) ws.terminate();
    const baseline = {
      rss_per_connection_kb: Number(((base1 - base0) / clients / 1024).toFixed(1)),
      errors: rawErrors,
      delivered: `${raw.delivered(0, perPhase)}/${perPhase * clients}`,
      p50_ms: pct(rawLat, 50),
      p99_ms: pct(rawLat, 99),
    };
    return {
      clients,
      rate_per_second: rate,
      ...result,
      raw_ws: baseline,
      p99_ratio: result.quiet.p99_ms !== null && baseline.p99_ms ? Number((result.quiet.p99_ms / baseline.p99_ms).toFixed(2)) : null,
      load_average: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(1))),
    };
  } finally {
    server?.proc.kill();
    await s.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const out = await benchBigRoom({ clients: arg('--clients'), rate: arg('--rate'), seconds: arg('--seconds'), storm: arg('--storm') });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.exit(0);
}
