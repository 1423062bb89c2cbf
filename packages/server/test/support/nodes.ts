import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');

export const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export interface Node {
  port: number;
  proc: ChildProcess;
  url: string;
  /** What the process printed so far. */
  output: () => string;
}

/** A `communities serve` process with chat.driver = redis, sharing `appId`'s Redis keys with its peers. */
export async function startNode(opts: { dbUrl: string; redisUrl: string; appId: string; env?: Record<string, string> }): Promise<Node> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    env: {
      ...process.env,
      COMMUNITIES_CONFIG: '',
      COMMUNITIES__LOG_LEVEL: 'warn',
      COMMUNITIES__DATABASE__URL: opts.dbUrl,
      COMMUNITIES__HTTP__HOST: '127.0.0.1',
      COMMUNITIES__HTTP__PORT: String(port),
      COMMUNITIES__REDIS__URL: opts.redisUrl,
      COMMUNITIES__CHAT__DRIVER: 'redis',
      COMMUNITIES__CHAT__APP_ID: opts.appId,
      // Every node signs and checks subscriptions with the same secret; in demo mode the
      // demo's sign-in secrets derive from it too, so each node accepts the other's tokens.
      COMMUNITIES__CHAT__APP_SECRET: 'cluster-test-secret-0123456789',
      COMMUNITIES__RATE_LIMITS__STORE: 'redis',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Seeding the demo school into a server database takes a while on a busy 2-core machine.
  for (const deadline = Date.now() + 100_000; Date.now() < deadline;) {
    if (proc.exitCode !== null) throw new Error(`node exited: ${out}`);
    const ok = await fetch(`${url}/api/communities/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { port, proc, url, output: () => out };
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`node did not start: ${out}`);
}
