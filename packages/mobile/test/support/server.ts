import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

import { createApi, type Api } from '@communities/client';

export interface DemoSchool {
  adminId: number;
  instructorIds: number[];
  studentIds: number[];
  courseIds: number[];
  bannedUserId: number;
  inactiveUserId: number;
}

export interface RealServer {
  /** http://127.0.0.1:<port> */
  url: string;
  demo: DemoSchool;
  /** A RocketLMS-style JWT for a demo user, issued by the server's demo sign-in. */
  token(userId: number): Promise<string>;
  /** The typed client as `userId` (or anonymous), to arrange data and check what the server holds. */
  as(userId: number | null): Api;
  close(): Promise<void>;
}

/**
 * The server's own test server (Fastify, SQLite, the demo school, the realtime gateway) in a
 * child process: Jest's React Native transform cannot load the server, and the screens should
 * reach it over real HTTP anyway.
 */
export async function startRealServer(
  options: { demoContent?: boolean; config?: Record<string, unknown>; /** run queued jobs such as file scans */ worker?: boolean } = {},
): Promise<RealServer> {
  const script = resolve(__dirname, 'server-main.mjs');
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      ...(options.demoContent ? ['--demo-content'] : []),
      ...(options.worker ? ['--worker'] : []),
      ...(options.config ? [`--config=${JSON.stringify(options.config)}`] : []),
    ],
    { cwd: resolve(__dirname, '..', '..'), stdio: 'pipe', env: { ...process.env, NODE_ENV: 'test' } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((ok, fail) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        ok(out.slice(0, nl));
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => fail(new Error(`test server exited (${code}) before listening:\n${stderr}`)));
    // A server that never comes up must not outlive the suite.
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`test server did not listen within 100 s:\n${stderr}`));
    }, 100_000);
    child.stdout.once('data', () => clearTimeout(timer));
  });
  const { url, demo } = JSON.parse(first) as { url: string; demo: DemoSchool };
  const tokens = new Map<number, string>();
  const token = async (userId: number) => {
    let t = tokens.get(userId);
    if (!t) {
      t = (await createApi({ baseUrl: url }).system.demoToken({ body: { user_id: userId } })).token;
      tokens.set(userId, t);
    }
    return t;
  };
  const server: RealServer = {
    url,
    demo,
    token,
    as: (userId) => createApi({ baseUrl: url, ...(userId === null ? {} : { token: () => token(userId) }) }),
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.stdin.end();
      }),
  };
  // The first requests of a fresh process are slow (lazy modules, first identity lookup): pay that here.
  await server.as(demo.studentIds[0]!).system.me();
  await server.as(null).system.features();
  return server;
}
