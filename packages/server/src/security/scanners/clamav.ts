import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

import { ScannerError, type Scanner, type ScanVerdict } from './types';

export interface ClamavOptions {
  host: string;
  port: number;
  socket?: string | undefined;
  timeoutMs: number;
  chunkSize: number;
}

/**
 * clamd over TCP or a Unix socket with the INSTREAM command: the file goes as chunks, each
 * prefixed by its 4-byte big-endian length, ended by a zero-length chunk; clamd answers
 * `stream: OK`, `stream: <signature> FOUND` or an error, terminated by NUL (z-commands).
 */
export class ClamavScanner implements Scanner {
  readonly name = 'clamav';

  constructor(private readonly opts: ClamavOptions) {}

  private open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.opts.socket ? connect(this.opts.socket) : connect(this.opts.port, this.opts.host);
      socket.setTimeout(this.opts.timeoutMs);
      socket.once('connect', () => resolve(socket));
      socket.once('error', (e) => reject(new ScannerError(`clamd is not reachable: ${e.message}`, e)));
      socket.once('timeout', () => {
        socket.destroy();
        reject(new ScannerError('clamd did not answer in time'));
      });
    });
  }

  /** Sends a command and reads the NUL-terminated reply while `feed` writes the body. */
  private async command(command: string, feed?: (socket: Socket) => Promise<void>): Promise<string> {
    const socket = await this.open();
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const done = (error: Error | null, value?: string) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (error) reject(error instanceof ScannerError ? error : new ScannerError(error.message, error));
        else resolve(value!);
      };
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        const nul = all.indexOf(0);
        if (nul >= 0) done(null, all.subarray(0, nul).toString('utf8').trim());
      });
      socket.on('error', (e) => done(e));
      socket.on('timeout', () => done(new ScannerError('clamd timed out')));
      socket.on('close', () => done(new ScannerError('clamd closed the connection without a verdict')));
      socket.write(`z${command}\0`);
      if (feed) feed(socket).catch((e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
    });
  }

  async ping(): Promise<void> {
    const reply = await this.command('PING');
    if (reply !== 'PONG') throw new ScannerError(`clamd answered ${reply} to PING`);
  }

  async scan(stream: Readable): Promise<ScanVerdict> {
    const reply = await this.command('INSTREAM', async (socket) => {
      for await (const chunk of stream) {
        const data = chunk as Buffer;
        for (let at = 0; at < data.length; at += this.opts.chunkSize) {
          const part = data.subarray(at, at + this.opts.chunkSize);
          const len = Buffer.alloc(4);
          len.writeUInt32BE(part.length);
          if (!socket.write(Buffer.concat([len, part]))) await new Promise((r) => socket.once('drain', r));
          if (socket.destroyed) return;
        }
      }
      socket.write(Buffer.alloc(4));
    });
    const found = /^stream: (.+) FOUND$/.exec(reply);
    if (found) return { verdict: 'infected', signature: found[1]!, raw: reply };
    if (reply === 'stream: OK') return { verdict: 'clean', raw: reply };
    throw new ScannerError(`clamd could not scan: ${reply}`);
  }
}
