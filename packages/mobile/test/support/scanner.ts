import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the school's scanning service (the server's `file_scanner.driver = http`):
 * files containing EICAR-TEST are infected, files containing HOLD-SCAN wait for `release()`,
 * everything else is clean.
 */
export async function startScanner() {
  const held: Array<() => void> = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('latin1');
      const answer = (status: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
      if (body.includes('EICAR-TEST')) answer('infected');
      else if (body.includes('HOLD-SCAN')) held.push(() => answer('clean'));
      else answer('clean');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scan`,
    held: () => held.length,
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const answer of held.splice(0)) answer();
        server.close(() => done());
      }),
  };
}
