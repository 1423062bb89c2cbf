import type { Readable } from 'node:stream';

import type { Scanner, ScanVerdict } from './types';

/** Development only: passes files without looking, as `unscanned`. Start-up warns when it is on outside demo mode. */
export class NullScanner implements Scanner {
  readonly name = 'null';

  async scan(stream: Readable): Promise<ScanVerdict> {
    for await (const _ of stream) {
      // drain
    }
    return { verdict: 'unscanned', raw: 'not scanned (null scanner)' };
  }

  async ping(): Promise<void> {}
}
