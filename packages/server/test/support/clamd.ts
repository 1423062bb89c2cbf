import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ClamavScanner } from '../../src/security/scanners/clamav';

export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/**
 * A real clamd (Debian's clamav-daemon) on a free loopback port, with a signature database made
 * here: the EICAR test file's MD5 in a .hdb file (no virus database can be downloaded).
 */
export async function startClamd(): Promise<{ port: number; dir: string; stop(): Promise<void>; process: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'clamd-'));
  const port = await freePort();
  writeFileSync(join(dir, 'test.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n');
  writeFileSync(
    join(dir, 'clamd.conf'),
    [
      `Foreground yes`,
      `TCPSocket ${port}`,
      `TCPAddr 127.0.0.1`,
      `DatabaseDirectory ${dir}`,
      `LogFile ${join(dir, 'clamd.log')}`,
      `PidFile ${join(dir, 'clamd.pid')}`,
      `StreamMaxLength 50M`,
      `User root`,
    ].join('\n'),
  );
  const bin = process.env.CLAMD_PATH ?? '/usr/sbin/clamd';
  const child = spawn(bin, ['-c', join(dir, 'clamd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const scanner = new ClamavScanner({ host: '127.0.0.1', port, timeoutMs: 2000, chunkSize: 65536 });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clamd exited (${child.exitCode}): ${output}`);
    try {
      await scanner.ping();
      break;
    } catch {
      if (Date.now() - started > 60_000) {
        child.kill('SIGKILL');
        throw new Error(`clamd did not answer PING within 60 s: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    port,
    dir,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
