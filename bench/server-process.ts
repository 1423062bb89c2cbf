import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, type Api } from '@communities/client';
import WebSocket from 'ws';

import { signRocketJwt } from '../packages/server/src/host/rocketlms/auth/jwt';
import { authSignature } from '../packages/server/src/realtime/protocol';
import { NODE_FLAGS } from '../packages/server/bin/node-flags.mjs';

import { leanReader, PUSHER_PONG, startsWith } from './lean-ws';

const CLI = new URL('../packages/server/src/cli/main.ts', import.meta.url).pathname;

/** The environment a bench server (or a CLI command on its data) runs with, its data in `dir`. */
export function benchEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Measured as deployed: outside production every realtime publish is also checked
    // against its contract schema (realtime/publish-event.ts), about 30 µs a message.
    NODE_ENV: 'production',
    COMMUNITIES_CONFIG: '',
    COMMUNITIES__LOG_LEVEL: 'error',
    COMMUNITIES__DATABASE__URL: `sqlite://${join(dir, 'bench.sqlite')}`,
    COMMUNITIES__STORAGE__PATH: join(dir, 'uploads'),
    COMMUNITIES__HOST__SESSION_PATH: join(dir, 'sessions'),
  };
}

/** Runs a `communities` CLI command on a bench server's data; resolves with its output. */
export function benchCli(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', CLI, ...args], {
      env: benchEnv(dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`communities ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
}

/**
 * The server in its own process, as `npm start` runs it (SQLite, demo school), so the load
 * generator in this process does not share its event loop: on 2 cores, one each.
 */
/**
 * The machine's CPU time so far, from /proc/stat (Linux; USER_HZ = 100): busy (everything but
 * idle and iowait), stolen (time a virtual machine's cores wanted to run and the hypervisor ran
 * someone else) and total jiffies over all cores. Two readings give how busy the whole
 * machine was between them: on 2 cores, the server, the load generator and SQLite's
 * checkpointer share both.
 */
export function machineCpu(): { busy: number; steal: number; total: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const f = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, steal: f[7] ?? 0, total, cores: lines.filter((l) => /^cpu\d/.test(l)).length };
}

/**
 * The share of the machine's CPU time between two readings that the hypervisor took: on a
 * shared host it comes in stalls of 10–100 ms, which a p99 over a few seconds cannot hide.
 */
export function stealShare(from: ReturnType<typeof machineCpu>, to = machineCpu()): number {
  return Number(((to.steal - from.steal) / Math.max(1, to.total - from.total)).toFixed(2));
}

export async function startServerProcess(env: Record<string, string> = {}, opts: { dir?: string; cpus?: string } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'communities-bench-'));
  const split = Boolean(process.env.BENCH_SPLIT_WORKER);
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  // `cpus`: pinned to those cores by taskset (it execs node, so the pid stays the server's).
  const argv = [
    process.execPath,
    ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []),
    ...NODE_FLAGS,
    '--import',
    'tsx',
    CLI,
    'serve',
    // BENCH_SPLIT_WORKER=1: this process plays api and gateway, a second one the worker (the
    // outbox subscribers and jobs) on the same SQLite file, so each one's CPU shows apart.
    ...(split ? ['--roles', 'api,gateway'] : []),
  ];
  const proc: ChildProcess = spawn(opts.cpus ? 'taskset' : argv[0]!, opts.cpus ? ['-c', opts.cpus, ...argv] : argv.slice(1), {
    env: { ...benchEnv(dir), COMMUNITIES__HTTP__HOST: '127.0.0.1', COMMUNITIES__HTTP__PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  let worker: ChildProcess | undefined;
  let closing = false;
  if (split) {
    // The API process has migrated the file once it listens; the worker starts on it then.
    while (!out.includes('is running') && proc.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    worker = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', CLI, 'serve', '--roles', 'worker'], {
      env: { ...benchEnv(dir), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr!.on('data', (d: Buffer) => process.stderr.write(`[worker] ${d.toString()}`));
    // Said only when it stops before the bench is done with it: its figures would be missing.
    worker.once('exit', (code, signal) => closing || process.stderr.write(`[worker] exited early: ${code} ${signal}\n`));
  }
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null || i > 1800) throw new Error(`server did not start (exit ${proc.exitCode} ${proc.signalCode}): ${out}`);
    if (
      await fetch(`${url}/api/communities/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Demo mode refuses a configured host JWT secret; it keeps its own beside the SQLite file.
  const secret = (JSON.parse(readFileSync(join(dir, 'demo-secrets.json'), 'utf8')) as { jwt_secret: string }).jwt_secret;
  const token = (userId: number) => signRocketJwt(userId, { secret, ttlSeconds: 3600 });
  return {
    url,
    pid: proc.pid!,
    /** CPU seconds (user + system) the server process has used so far, from /proc (Linux). */
    cpuSeconds(): number {
      return processCpuSeconds(proc.pid!);
    },
    /** The worker process's CPU seconds with BENCH_SPLIT_WORKER, else 0. */
    workerCpuSeconds(): number {
      return worker ? processCpuSeconds(worker.pid!) : 0;
    },
    /** The server process's resident memory, from /proc (Linux). */
    rssBytes(): number {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]) * 1024;
    },
    token,
    as: (userId: number): Api => createApi({ baseUrl: url, token: () => token(userId) }),
    dir,
    /** Stops the server; its folder (database, uploads) goes too unless `keep`, for a restart on the same data. */
    async close(keep = false) {
      closing = true;
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        const exited = new Promise((r) => worker.once('exit', r));
        worker.kill('SIGTERM');
        await exited;
      }
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `count` Pusher-protocol sockets subscribed to a private `channel` of a bench server, so what
 * it publishes is really delivered. A frame starting with `prefix` is counted by `onFrame` from
 * its first bytes only, and once subscribed each socket's frames are cut by the lean reader
 * (lean-ws.ts) instead of ws's receiver: the load generator shares the machine with the server,
 * so it spends its core sending requests rather than parsing every copy (ws's receive path is
 * ~9 µs a frame: 60,000 frames/s at 3,000 messages/s to 20 sockets was half a core).
 */
export function subscribedSockets(opts: {
  url: string;
  key: string;
  secret: string;
  channel: string;
  count: number;
  prefix: Buffer;
  onFrame: () => void;
}): Promise<WebSocket[]> {
  return Promise.all(
    Array.from(
      { length: opts.count },
      () =>
        new Promise<WebSocket>((resolve) => {
          const ws = new WebSocket(`${opts.url.replace('http', 'ws')}/app/${opts.key}?protocol=7`);
          ws.on('message', (raw: Buffer) => {
            if (raw.subarray(0, opts.prefix.length).equals(opts.prefix)) return opts.onFrame();
            const m = JSON.parse(raw.toString()) as { event: string; data: string };
            if (m.event === 'pusher:ping') ws.send(PUSHER_PONG);
            else if (m.event === 'pusher:connection_established') {
              const socketId = (JSON.parse(m.data) as { socket_id: string }).socket_id;
              const auth = authSignature(opts.key, opts.secret, socketId, opts.channel);
              ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: opts.channel, auth } }));
            } else if (m.event === 'pusher_internal:subscription_succeeded') {
              leanReader(ws, (buf, start, end) => {
                if (!startsWith(buf, start, end, opts.prefix)) return false;
                opts.onFrame();
                return true;
              });
              resolve(ws);
            }
          });
        }),
    ),
  );
}

/**
 * A community on a bench server: created by an instructor of the demo school (the admin is 1,
 * instructors 2–4, students from 5), joined by 20 students who post, with its #general channel
 * and the students' tokens.
 */
export async function benchCommunity(s: Awaited<ReturnType<typeof startServerProcess>>, name: string) {
  const owner = 2;
  const c = await s.as(owner).communities.create({ body: { name } });
  const authors = Array.from({ length: 20 }, (_, i) => 5 + i);
  for (const u of authors) await s.as(u).communities.join({ params: { id: c.slug }, body: {} });
  const general = (await s.as(owner).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
  const tokens = await Promise.all(authors.map((u) => s.token(u)));
  return { owner, c, authors, general, tokens };
}
