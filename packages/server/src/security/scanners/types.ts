import type { Readable } from 'node:stream';

export interface ScanVerdict {
  /** `unscanned`: the scanner did not look (the null scanner); served like clean, labelled truthfully. */
  verdict: 'clean' | 'unscanned' | 'infected';
  signature?: string;
  raw?: unknown;
}

export interface Scanner {
  readonly name: string;
  /** Scans a stream. Any failure (refused, timeout, odd reply) throws ScannerError, never "clean". */
  scan(stream: Readable): Promise<ScanVerdict>;
  ping(): Promise<void>;
}

export class ScannerError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
