// Run by tsx in a child process (see server.ts beside this file): the server's own test server
// (real Fastify, real SQLite, demo school seeded, built-in realtime gateway) on a random port.
// Prints one JSON line with its URL and the demo school, then serves until stdin closes.
import { startWorker } from '../../../server/src/worker.ts';
import { startTestServer } from '../../../server/test/support/server.ts';

const demoContent = process.argv.includes('--demo-content');
const configArg = process.argv.find((a) => a.startsWith('--config='));
const overrides = configArg ? JSON.parse(configArg.slice('--config='.length)) : {};
const server = await startTestServer(overrides, { demoContent });
// The worker role runs queued jobs (file scans among them), as it does beside a real API.
const stopWorker = process.argv.includes('--worker') ? startWorker(server.ctx) : null;
process.stdout.write(`${JSON.stringify({ url: server.url, demo: server.demo })}\n`);

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  // Bounded: a job still running when the suite ends must not hold the suite's afterAll past its timeout.
  const giveUp = setTimeout(() => {
    process.stderr.write('test server: shutdown took over 10 s, exiting anyway\n');
    process.exit(0);
  }, 10_000);
  await stopWorker?.();
  await server.close();
  clearTimeout(giveUp);
  process.exit(0);
};
process.stdin.on('end', () => void close());
process.stdin.resume();
process.on('SIGTERM', () => void close());
