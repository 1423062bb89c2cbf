import { Readable } from 'node:stream';

import { ScannerError, type Scanner, type ScanVerdict } from './types';

export interface HttpScannerOptions {
  url: string;
  token?: string | undefined;
  timeoutMs: number;
  verdictField: string;
  cleanValues: string[];
  infectedValues: string[];
}

/** POSTs the file to a scanning service; the JSON verdict is mapped by configuration. */
export class HttpScanner implements Scanner {
  readonly name = 'http';

  constructor(private readonly opts: HttpScannerOptions) {}

  async ping(): Promise<void> {
    // A scanning service has no common health call; reachability shows in the first scan.
  }

  async scan(stream: Readable): Promise<ScanVerdict> {
    let res: Response;
    try {
      // Streaming request bodies need duplex: 'half', which the DOM typings do not know yet.
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- node's web stream type is not the DOM's BodyInit for tsc
        body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      };
      res = await fetch(this.opts.url, init);
    } catch (error) {
      throw new ScannerError(`the scanner is not reachable: ${(error as Error).message}`, error);
    }
    if (!res.ok) throw new ScannerError(`the scanner answered HTTP ${res.status}`);
    let body: Record<string, unknown>;
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch (error) {
      throw new ScannerError('the scanner did not answer JSON', error);
    }
    const raw = body[this.opts.verdictField];
    const verdict = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
    if (this.opts.cleanValues.includes(verdict)) return { verdict: 'clean', raw: body };
    if (this.opts.infectedValues.includes(verdict)) {
      const sig = body.signature ?? body.threat ?? body.name;
      return { verdict: 'infected', ...(typeof sig === 'string' ? { signature: sig } : {}), raw: body };
    }
    throw new ScannerError(`the scanner's verdict "${verdict}" is not mapped`);
  }
}
