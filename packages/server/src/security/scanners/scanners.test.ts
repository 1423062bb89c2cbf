import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { ClamavScanner } from './clamav';
import { HttpScanner } from './http';
import { NullScanner } from './null';
import { ScannerError } from './types';

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** A real HTTP scanning service on loopback that answers by what it receives. */
async function scanService(answer: (body: string, auth: string | undefined) => { status: number; json: unknown }): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const a = answer(body, req.headers.authorization);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/scan`;
}

const opts = { timeoutMs: 2000, verdictField: 'result', cleanValues: ['ok'], infectedValues: ['virus'] };

describe('HTTP scanner', () => {
  it('sends the bytes with the bearer token and maps verdicts', async () => {
    const url = await scanService((body, auth) => ({
      status: auth === 'Bearer t0k' ? 200 : 401,
      json: body.includes('EVIL') ? { result: 'virus', signature: 'Test.Evil' } : { result: 'ok' },
    }));
    const scanner = new HttpScanner({ url, token: 't0k', ...opts });
    expect((await scanner.scan(Readable.from([Buffer.from('hello')]))).verdict).toBe('clean');
    expect(await scanner.scan(Readable.from([Buffer.from('EVIL bytes')]))).toMatchObject({ verdict: 'infected', signature: 'Test.Evil' });
    await expect(new HttpScanner({ url, token: 'wrong', ...opts }).scan(Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
      ScannerError,
    );
  });

  it('treats unknown verdicts, bad JSON and unreachable services as errors, never clean', async () => {
    const url = await scanService(() => ({ status: 200, json: { result: 'maybe' } }));
    await expect(new HttpScanner({ url, ...opts }).scan(Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(ScannerError);
    await expect(
      new HttpScanner({ url: 'http://127.0.0.1:9/scan', ...opts }).scan(Readable.from([Buffer.from('x')])),
    ).rejects.toBeInstanceOf(ScannerError);
  });
});

describe('clamd client', () => {
  it('reports a refused connection as an error', async () => {
    const scanner = new ClamavScanner({ host: '127.0.0.1', port: 9, timeoutMs: 1000, chunkSize: 1024 });
    await expect(scanner.scan(Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(ScannerError);
    await expect(scanner.ping()).rejects.toBeInstanceOf(ScannerError);
  });
});

describe('null scanner', () => {
  it('passes files without looking, and says so: unscanned (development only)', async () => {
    expect((await new NullScanner().scan(Readable.from([Buffer.from('x')]))).verdict).toBe('unscanned');
  });
});
