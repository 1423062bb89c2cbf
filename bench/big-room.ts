import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';

import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import WebSocket from 'ws';

import { authSignature } from '../packages/server/src/realtime/protocol';

import { jsonPoster } from './http-load';
import { leanReader, PUSHER_PONG, startsWith, type OnText } from './lean-ws';
import { benchCommunity, machineCpu, startServerProcess, stealShare } from './server-process';

const SECRET = 'bench-app-secret';
const CREATED = Buffer.from(`{"event":"${REALTIME_EVENTS.messageCreated}"`);
/** The presence storm's member_added frames (half a million of them), passed over unparsed, as message frames are. */
const MEMBER = Buffer.from('{"event":"pusher_internal:member_');
const SUCCEEDED = Buffer.from('{"event":"pusher_internal:subscription_succeeded"');
/** The message's number travels in its text as `bm<i>x`, found without parsing the frame. */
const MARK = Buffer.from('bm');

const pct = (xs: Float64Array | number[], p: number) => {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1));
};

/** CPU seconds (user + system) of a process so far, from /proc (Linux; USER_HZ = 100). */
const cpuOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** This (load generator) process's CPU seconds. */
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Sockets a process holds open, from its file descriptors: the server letting go of one shows here. */
const socketFds = (pid: number) => {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
};
/** The soft limit on open files of this process (inherited by the server and the raw baseline it spawns). */
const openFilesLimit = () => Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
/** Where a long run is, on stderr (stdout carries the JSON). */
const step = (what: string) => process.stderr.write(`big room ${new Date().toISOString().slice(11, 19)} ${what}\n`);
const usPer = (seconds: number, count: number) => Number(((seconds * 1e6) / Math.max(1, count)).toFixed(2));

/**
 * Server on core 0, this load generator (all its threads) on core 1, where the machine has two
 * cores and taskset (`BENCH_PIN=0`: no pinning). Undone by `unpin` for the benches after this one.
 */
function pinCores(): { server: string; load: string; unpin: () => void } | null {
  const n = cpus().length;
  if (process.env.BENCH_PIN === '0' || n < 2) return null;
  const set = (list: string) => spawnSync('taskset', ['-a', '-cp', list, String(process.pid)], { stdio: 'ignore' }).status === 0;
  if (!set(String(n - 1))) return null;
  return { server: '0', load: String(n - 1), unpin: () => void set(`0-${n - 1}`) };
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** The message number in a message.created frame, or -1 for any other frame. */
function messageNumber(raw: Buffer): number {
  return messageAt(raw, 0, raw.length);
}

/** messageNumber of the frame payload at buf[start, end), read in place. */
function messageAt(buf: Buffer, start: number, end: number): number {
  if (!startsWith(buf, start, end, CREATED)) return -1;
  let at = buf.indexOf(MARK, start + CREATED.length);
  if (at < 0 || at >= end) return -1;
  let n = 0;
  for (at += MARK.length; at < end && buf[at]! >= 48 && buf[at]! <= 57; at++) n = n * 10 + buf[at]! - 48;
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
      // No UTF-8 check of every copy (the raw baseline's sockets skip it too): the load generator's core is the scarce one.
      const ws = new WebSocket(`${url.replace('http', 'ws')}/app/${key}?protocol=7`, {
        perMessageDeflate: false,
        skipUTF8Validation: true,
      });
      const mine = new Float64Array(sentAt.length).fill(Number.NaN);
      got[idx] = mine;
      ws.on('error', reject);
      // After the subscription: message frames (and presence member frames, passed over) read in place.
      const onText: OnText = (buf, start, end, at) => {
        const n = messageAt(buf, start, end);
        if (n >= 0) {
          if (n < mine.length) mine[n] = at;
          return true;
        }
        return startsWith(buf, start, end, CREATED) || startsWith(buf, start, end, MEMBER);
      };
      ws.on('message', (raw: Buffer) => {
        const n = messageNumber(raw);
        if (n >= 0) {
          if (n < mine.length) mine[n] = performance.now();
          return;
        }
        if (raw.subarray(0, CREATED.length).equals(CREATED) || raw.subarray(0, MEMBER.length).equals(MEMBER)) return;
        const m = JSON.parse(raw.toString()) as { event: string; data: string };
        if (m.event === 'pusher:ping') ws.send(PUSHER_PONG);
        else if (m.event === 'pusher:connection_established') {
          const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
          ids.set(ws, socketId);
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: authSignature(key, SECRET, socketId, channel) } }));
        } else if (m.event === 'pusher_internal:subscription_succeeded' && m.data === '{}') {
          leanReader(ws, onText);
          resolve(ws);
        }
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
 * A client that subscribes to `channels`, then never reads another byte (a frozen tab): its
 * TCP socket is paused, so what the server sends it piles up in the kernel, then in the
 * server's socket buffer. `resume()` reads again and resolves with the close code it finds.
 */
function stalledClient(url: string, key: string, channels: string[]) {
  return new Promise<{ resume: () => Promise<number | 'open'> }>((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/app/${key}?protocol=7`, { perMessageDeflate: false });
    let pending = channels.length;
    let code: number | null = null;
    ws.on('error', () => undefined);
    ws.once('error', reject);
    ws.on('close', (c) => (code = c));
    ws.on('message', (raw: Buffer) => {
      if (raw.subarray(0, CREATED.length).equals(CREATED)) return;
      const m = JSON.parse(raw.toString()) as { event: string; data: string };
      if (m.event === 'pusher:connection_established') {
        const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
        for (const channel of channels)
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: authSignature(key, SECRET, socketId, channel) } }));
      } else if (m.event === 'pusher_internal:subscription_succeeded' && --pending === 0) {
        const socket = (ws as unknown as { _socket: Socket })._socket;
        socket.pause();
        resolve({
          async resume() {
            socket.resume();
            const t = performance.now();
            while (code === null && performance.now() - t < 15_000) await new Promise((r) => setTimeout(r, 50));
            if (code === null) ws.terminate();
            return code ?? 'open';
          },
        });
      }
    });
  });
}

/** A client on `channel` that reads everything and counts the message.created frames. */
function countingClient(url: string, key: string, channel: string) {
  return new Promise<{ ws: WebSocket; count: () => number }>((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/app/${key}?protocol=7`, { perMessageDeflate: false });
    let n = 0;
    ws.once('error', reject);
    ws.on('message', (raw: Buffer) => {
      if (raw.subarray(0, CREATED.length).equals(CREATED)) return void n++;
      const m = JSON.parse(raw.toString()) as { event: string; data: string };
      if (m.event === 'pusher:ping') ws.send(PUSHER_PONG);
      else if (m.event === 'pusher:connection_established') {
        const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
        ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: authSignature(key, SECRET, socketId, channel) } }));
      } else if (m.event === 'pusher_internal:subscription_succeeded') resolve({ ws, count: () => n });
    });
  });
}

/**
 * The raw baseline: a bare `ws` server in its own process (on the server's core when pinned)
 * that sends the same frame to every socket when it gets `POST /send` with `{ i }`, so both
 * sides are measured the same way: its RSS per connection, POST → receipt at the same rate,
 * posted by the same keep-alive client.
 */
async function rawServer(cpu: string | undefined) {
  const code = `
    const http = require('node:http'); const { WebSocketServer } = require('ws');
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const i = JSON.parse(body).i;
        const text = JSON.stringify({ event: ${JSON.stringify(REALTIME_EVENTS.messageCreated)}, channel: 'private-room',
          data: JSON.stringify({ id: i, content: 'bm' + i + 'x ' + 'y'.repeat(160), author: { id: 5, name: 'Bench' } }) });
        for (const c of wss.clients) c.send(text);
        res.end('ok');
      });
    });
    srv.keepAliveTimeout = 120000;
    const wss = new WebSocketServer({ server: srv, perMessageDeflate: false });
    wss.on('connection', (ws) => ws.send(JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '1.1' }) })));
    srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
  `;
  const argv = [process.execPath, '-e', code];
  const proc = spawn(cpu ? 'taskset' : argv[0]!, cpu ? ['-c', cpu, ...argv] : argv.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: process.cwd(),
  });
  const port = await new Promise<number>((resolve) => proc.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { proc, url: `http://127.0.0.1:${port}`, rss: () => rssOf(proc.pid!), cpu: () => cpuOf(proc.pid!) };
}

/** Raw sockets on the baseline server: the same receipt bookkeeping as openRoom. */
async function openRawRoom(url: string, count: number, sentAt: Float64Array): Promise<Room> {
  const got: Float64Array[] = [];
  const ids = new Map<WebSocket, string>();
  const open = (idx: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url.replace('http', 'ws'), { perMessageDeflate: false, skipUTF8Validation: true });
      const mine = new Float64Array(sentAt.length).fill(Number.NaN);
      got[idx] = mine;
      ws.on('error', reject);
      const onText: OnText = (buf, start, end, at) => {
        const n = messageAt(buf, start, end);
        if (n >= 0 && n < mine.length) mine[n] = at;
        return true;
      };
      ws.on('message', (raw: Buffer) => {
        const n = messageNumber(raw);
        if (n >= 0 && n < mine.length) mine[n] = performance.now();
        else if (n < 0) {
          leanReader(ws, onText);
          resolve(ws);
        }
      });
    });
  return room(count, open, got, sentAt, ids);
}

/** Delivery figures of messages [from, to) in a room, with both processes' CPU per delivery. */
function phase(
  r: Room,
  clients: number,
  from: number,
  to: number,
  errors: number,
  serverCpu: number,
  loadCpu: number,
  machine0: ReturnType<typeof machineCpu>,
) {
  const lat = r.latencies(from, to);
  return {
    messages: to - from,
    errors,
    delivered: `${r.delivered(from, to)}/${(to - from) * clients}`,
    p50_ms: pct(lat, 50),
    p99_ms: pct(lat, 99),
    server_cpu_us_per_delivery: usPer(serverCpu, (to - from) * clients),
    load_cpu_us_per_delivery: usPer(loadCpu, (to - from) * clients),
    machine_cpu_steal_share: stealShare(machine0),
  };
}

/**
 * One big room: `clients` Pusher-protocol clients (in this process, the server in its own,
 * pinned to separate cores where there are two) on one channel, messages posted through HTTP
 * (persisted, full pipeline) at `rate` a second, `seconds` per phase:
 * - server RSS growth per connection;
 * - quiet: POST → receipt latency over every delivery;
 * - presence storm: the same while `storm` of the clients join the channel's presence
 *   channel within a second;
 * - slow consumers: the same while `slow` more clients on the room (and on a second channel,
 *   flooded with long messages so their buffers fill in seconds, not hours) never read: the
 *   server must cut them past `chat.max_socket_buffer_bytes`, its RSS growth bounded;
 * beside a bare `ws` server broadcasting the same frames to as many sockets at the same rate.
 * Every phase gives server and load-generator CPU µs per delivery.
 * `benchBigRoom({ clients: 1000, rate: 100, storm: 0, slow: 0 })` is the fan-out row.
 */
export async function benchBigRoom(opts: { clients?: number; rate?: number; seconds?: number; storm?: number; slow?: number } = {}) {
  const clients = opts.clients ?? 10_000;
  const rate = opts.rate ?? 4;
  const seconds = opts.seconds ?? 15;
  const storm = Math.min(opts.storm ?? 1000, clients);
  const slow = opts.slow ?? 50;
  const perPhase = Math.max(1, Math.round(rate * seconds));
  const sentAt = new Float64Array(perPhase * 3);
  // Both sides hold one descriptor per socket (the server and the raw baseline inherit this limit).
  const fdLimit = openFilesLimit();
  if (fdLimit < clients + slow + 1000)
    throw new Error(
      `big room: ${clients + slow} sockets need more than ulimit -n ${fdLimit}: raise it (ulimit -n ${clients + slow + 4000})`,
    );
  const pin = pinCores();

  const s = await startServerProcess(
    {
      COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
      COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1',
      COMMUNITIES__CHAT__APP_SECRET: SECRET,
    },
    { cpus: pin?.server },
  );
  let server: Awaited<ReturnType<typeof rawServer>> | undefined;
  try {
    const { owner, c, general, tokens } = await benchCommunity(s, 'Big Room');
    const { key, channel_prefix: prefix } = (await s.as(owner).system.features()).realtime;
    const channel = realtimeChannel.channel(prefix, general.id);
    // A second channel nobody in the room is on: the post path is warmed there, and flooded for the slow consumers.
    const side = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'side' } });
    const sideChannel = realtimeChannel.channel(prefix, side.id);
    const poster = jsonPoster({
      url: `${s.url}/api/communities/channels/${general.id}/messages`,
      tokens,
      concurrency: 64,
      body: (i) => ({ content: `bm${i}x big room message ${'y'.repeat(140)}`, nonce: `big-room-${i}` }),
      expect: 201,
    });
    const FLOOD_TEXT = 'z'.repeat(3900);
    const sidePoster = jsonPoster({
      url: `${s.url}/api/communities/channels/${side.id}/messages`,
      tokens,
      concurrency: 16,
      body: (i) => ({ content: `side ${i} ${FLOOD_TEXT}`, nonce: `side-nonce-${i}` }),
      expect: 201,
    });
    let sideNext = 0;
    const postSide = async (n: number) => {
      await sidePoster.run(sideNext, sideNext + n);
      sideNext += n;
    };

    // RSS per connection, before any warm-up garbage the connections could reuse: once over all
    // of them, once over the second half alone (the first half may land in heap already there).
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = s.rssBytes();
    const t0 = performance.now();
    const half = Math.floor(clients / 2);
    step('connecting');
    const room1 = await openRoom(s.url, key, channel, half, sentAt);
    await new Promise((r) => setTimeout(r, 1000));
    const rssHalf = s.rssBytes();
    const room2 = await openRoom(s.url, key, channel, clients - half, sentAt);
    const connectSeconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const rss1 = s.rssBytes();
    const room = merge(room1, room2);

    step('warming');
    // Warm the post path on the side channel (the same code, no fan-out to the room).
    await postSide(500);
    await poster.run(perPhase * 3, perPhase * 3 + 20);
    await new Promise((r) => setTimeout(r, 2000));

    const measure = async (from: number) => {
      const cpu0 = s.cpuSeconds();
      const load0 = ownCpu();
      const machine0 = machineCpu();
      const errors = await postAtRate((i) => poster.post(i), from, perPhase, rate, sentAt);
      await settle(room, from, from + perPhase, perPhase * clients);
      return phase(room, clients, from, from + perPhase, errors, s.cpuSeconds() - cpu0, ownCpu() - load0, machine0);
    };
    step('quiet phase');
    const quiet = await measure(0);

    // The presence storm: `storm` of the clients join the channel's presence channel within a second.
    const presence = realtimeChannel.channelPresence(prefix, general.id);
    let joined = 0;
    const stormDone = new Promise<void>((resolve) => {
      if (storm === 0) return resolve();
      room.sockets.slice(0, storm).forEach((ws, i) => {
        setTimeout(
          () => {
            const onEst = (raw: Buffer) => {
              if (!raw.subarray(0, SUCCEEDED.length).equals(SUCCEEDED)) return;
              if (raw.includes(presence)) {
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
    step('storm phase');
    const stormPhase = storm > 0 ? await measure(perPhase) : null;
    const stormJoined = await Promise.race([stormDone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    const rss2 = s.rssBytes();

    // Slow consumers: `slow` clients on the room and the side channel that never read, 5 on the
    // side channel that do; the side channel is flooded (4 KB messages) while the room gets its
    // rate, until the server has let go of the `slow` sockets (or 4,000 floods, 16 MB each).
    let slowPhase = null;
    if (slow > 0) {
      step('slow consumers');
      const stalled = await Promise.all(Array.from({ length: slow }, () => stalledClient(s.url, key, [channel, sideChannel])));
      const readers = await Promise.all(Array.from({ length: 5 }, () => countingClient(s.url, key, sideChannel)));
      const sideFrom = sideNext;
      await postSide(32); // its keep-alive sockets open again, so they do not move the count below
      await new Promise((r) => setTimeout(r, 500));
      const fds0 = socketFds(s.pid);
      const rssA = s.rssBytes();
      let peak = rssA;
      const sampler = setInterval(() => (peak = Math.max(peak, s.rssBytes())), 100);
      const floodStart = sideNext;
      let cut = 0;
      const flooding = (async () => {
        while (sideNext - floodStart < 4000 && (cut = Math.max(0, fds0 - socketFds(s.pid))) < slow) await postSide(50);
      })();
      const [roomFigures] = await Promise.all([measure(perPhase * 2), flooding]);
      // A cut socket's descriptor goes when the gateway terminates it, 2 s after its close frame.
      await new Promise((r) => setTimeout(r, 2500));
      cut = Math.max(cut, fds0 - socketFds(s.pid));
      clearInterval(sampler);
      const flooded = sideNext - floodStart;
      const readerCounts = readers.map((r) => r.count());
      const codes: Record<string, number> = {};
      for (const code of await Promise.all(stalled.map((x) => x.resume()))) codes[code] = (codes[code] ?? 0) + 1;
      for (const r of readers) r.ws.terminate();
      const floodFrameBytes = FLOOD_TEXT.length + 400;
      slowPhase = {
        never_reading: slow,
        cut_by_server: cut,
        close_codes_when_read_again: codes,
        flood_messages: flooded,
        flood_bytes_per_stalled_socket: flooded * floodFrameBytes,
        readers_got_all_flood: readerCounts.every((n) => n >= sideNext - sideFrom),
        server_rss_growth_mb_peak: Number(((peak - rssA) / 2 ** 20).toFixed(1)),
        unsent_without_bound_mb: Math.round((slow * flooded * floodFrameBytes) / 2 ** 20),
        room: roomFigures,
      };
    }
    const result = {
      connect_seconds: Number(connectSeconds.toFixed(1)),
      server_rss_mb: {
        before: Math.round(rss0 / 2 ** 20),
        connected: Math.round(rss1 / 2 ** 20),
        after_storm: Math.round(rss2 / 2 ** 20),
      },
      rss_per_connection_kb: Number(((rss1 - rss0) / clients / 1024).toFixed(1)),
      rss_per_connection_second_half_kb: Number(((rss1 - rssHalf) / (clients - half) / 1024).toFixed(1)),
      quiet,
      presence_storm: stormPhase && { joins: storm, all_joined: stormJoined, ...stormPhase },
      slow_consumers: slowPhase,
    };
    poster.close();
    sidePoster.close();
    for (const ws of room.sockets) ws.terminate();
    await s.close();

    // Baseline: the same number of raw sockets, the same frames at the same rate.
    step('raw ws baseline');
    server = await rawServer(pin?.server);
    const rawSent = new Float64Array(perPhase);
    const base0 = server.rss();
    const raw = await openRawRoom(server.url, clients, rawSent);
    await new Promise((r) => setTimeout(r, 2000));
    const base1 = server.rss();
    const rawPoster = jsonPoster({ url: `${server.url}/send`, tokens: ['-'], concurrency: 64, body: (i) => ({ i }), expect: 200 });
    const rawCpu0 = server.cpu();
    const rawLoad0 = ownCpu();
    const rawMachine0 = machineCpu();
    const rawErrors = await postAtRate((i) => rawPoster.post(i), 0, perPhase, rate, rawSent);
    await settle(raw, 0, perPhase, perPhase * clients);
    const baseline = {
      rss_per_connection_kb: Number(((base1 - base0) / clients / 1024).toFixed(1)),
      ...phase(raw, clients, 0, perPhase, rawErrors, server.cpu() - rawCpu0, ownCpu() - rawLoad0, rawMachine0),
    };
    rawPoster.close();
    for (const ws of raw.sockets) ws.terminate();
    return {
      clients,
      rate_per_second: rate,
      pinned: pin ? { server_core: pin.server, load_core: pin.load } : null,
      open_files_limit: fdLimit,
      ...result,
      raw_ws: baseline,
      p99_ratio: quiet.p99_ms !== null && baseline.p99_ms ? Number((quiet.p99_ms / baseline.p99_ms).toFixed(2)) : null,
      load_average: loadavg().map((x) => Number(x.toFixed(1))),
    };
  } finally {
    server?.proc.kill();
    await s.close();
    pin?.unpin();
  }
}

/** Two rooms' sockets and receipts as one. */
function merge(a: Room, b: Room): Room {
  for (const [ws, id] of b.ids) a.ids.set(ws, id);
  return {
    sockets: [...a.sockets, ...b.sockets],
    ids: a.ids,
    latencies: (from, to) => [...a.latencies(from, to), ...b.latencies(from, to)],
    delivered: (from, to) => a.delivered(from, to) + b.delivered(from, to),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const out = await benchBigRoom({
    clients: arg('--clients'),
    rate: arg('--rate'),
    seconds: arg('--seconds'),
    storm: arg('--storm'),
    slow: arg('--slow'),
  });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.exit(0);
}
