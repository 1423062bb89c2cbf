import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

import { assertKey, type FileStorage } from './types';

export class LocalStorage implements FileStorage {
  readonly name = 'local';

  constructor(private readonly root: string) {}

  private path(key: string): string {
    assertKey(key);
    return join(this.root, key);
  }

  async putTemp(stream: Readable): Promise<{ key: string; size: number; sha256: string }> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    const key = `tmp/${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(stream, count, createWriteStream(this.path(key), { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      await rm(this.path(key), { force: true });
      throw error;
    }
    return { key, size, sha256: hash.digest('hex') };
  }

  async readHead(key: string, bytes: number): Promise<Buffer> {
    const fh = await open(this.path(key), 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  read(key: string): Promise<Readable> {
    return Promise.resolve(createReadStream(this.path(key)));
  }

  private async move(key: string, folder: 'files' | 'quarantine'): Promise<string> {
    await mkdir(join(this.root, folder), { recursive: true });
    const next = `${folder}/${key.split('/')[1]!}`;
    await rename(this.path(key), this.path(next));
    return next;
  }

  promote(tempKey: string): Promise<string> {
    return this.move(tempKey, 'files');
  }

  quarantine(key: string): Promise<string> {
    return this.move(key, 'quarantine');
  }

  async putBuffer(prefix: 'thumbs', data: Buffer, ext: string): Promise<string> {
    await mkdir(join(this.root, prefix), { recursive: true });
    const key = `${prefix}/${randomUUID()}.${ext}`;
    await writeFile(this.path(key), data, { mode: 0o600 });
    return key;
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
