import type { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';
import * as ws from 'ws';

import { wireFrame } from './gateway';

/** ws's frame parser (exported at runtime, not in its types). */
const Receiver = (ws as unknown as { Receiver: new (opts: { isServer: boolean }) => Writable }).Receiver;

/** What ws's own parser (the one in every Node client) reads from these bytes, as a client does. */
function parse(bytes: Buffer): string[] {
  const got: string[] = [];
  const r = new Receiver({ isServer: false });
  r.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    got.push(data.toString('utf8'));
  });
  r.on('error', (err: Error) => {
    throw err;
  });
  r.write(bytes);
  return got;
}

describe('wireFrame: a text frame built once for every socket', () => {
  it('reads back as the same text at every length encoding (7-bit, 16-bit, 64-bit) and with multi-byte characters', () => {
    const texts = ['', 'x'.repeat(125), 'é'.repeat(63), 'y'.repeat(126), 'z'.repeat(65_535), 'w'.repeat(65_536), 'مرحبا 👋'.repeat(20_000)];
    for (const t of texts) expect(parse(wireFrame(t))).toEqual([t]);
    // Frames back to back in one write, as a corked socket sends them.
    expect(parse(Buffer.concat(texts.map(wireFrame)))).toEqual(texts);
  });
});
