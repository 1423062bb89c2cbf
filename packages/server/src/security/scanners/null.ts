import type { Readable } from 'node:stream';

import type { Scanner, ScanVerdict } from './types';

/** Development only: says clean without looking. Start-up warns when it is on outside demo mode. */
export class NullScanner implements Scanner {
  readonly name = 'null';

  async scan(stream: Readable): Promise<ScanVerdict> {
    for await (const _ of stream) {
      // drain
    }
    return { verdict: 'clean', raw: 'not scanned (null scanner)' };
  }

  async ping(): Promise<void> {}
}
