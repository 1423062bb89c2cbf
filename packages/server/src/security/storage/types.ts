import type { Readable } from 'node:stream';

/**
 * Where uploaded bytes live. Uploads always land in local temporary storage first (scanning
 * reads them there); `promote` moves a clean file to permanent storage, local or S3.
 * Keys are ours (random ids under tmp/, files/, quarantine/, thumbs/), never the user's name.
 */
export interface FileStorage {
  readonly name: string;
  /** Streams into a temp file; the caller enforces the size limit on the stream. */
  putTemp(stream: Readable): Promise<{ key: string; size: number; sha256: string }>;
  readHead(key: string, bytes: number): Promise<Buffer>;
  read(key: string): Promise<Readable>;
  promote(tempKey: string): Promise<string>;
  quarantine(key: string): Promise<string>;
  putBuffer(prefix: 'thumbs', data: Buffer, ext: string): Promise<string>;
  delete(key: string): Promise<void>;
}

export const KEY = /^(tmp|files|quarantine|thumbs)\/[A-Za-z0-9-]{36}(\.[a-z0-9]{1,8})?$/;

export function assertKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`Refusing storage key ${JSON.stringify(key)}`);
}
