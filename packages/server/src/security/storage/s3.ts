import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import type { LocalStorage } from './local';
import { assertKey, type FileStorage } from './types';

export interface S3Options {
  bucket: string;
  region?: string | undefined;
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

/**
 * Permanent storage in an S3-compatible bucket (AWS, MinIO, R2…). New uploads still land in
 * local temporary storage, where the scanner reads them; only clean files are uploaded.
 */
export class S3Storage implements FileStorage {
  readonly name = 's3';
  private readonly client: S3Client;

  constructor(
    private readonly temp: LocalStorage,
    private readonly opts: S3Options,
    private readonly tempRoot: string,
  ) {
    this.client = new S3Client({
      region: opts.region ?? 'us-east-1',
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      ...(opts.accessKeyId && opts.secretAccessKey
        ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } }
        : {}),
    });
  }

  putTemp(stream: Readable) {
    return this.temp.putTemp(stream);
  }

  readHead(key: string, bytes: number) {
    return this.temp.readHead(key, bytes);
  }

  async read(key: string): Promise<Readable> {
    assertKey(key);
    if (key.startsWith('tmp/')) return this.temp.read(key);
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
    return res.Body as Readable;
  }

  private async upload(localKey: string, remoteKey: string): Promise<string> {
    const path = `${this.tempRoot}/${localKey}`;
    const { size } = await stat(path);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.opts.bucket, Key: remoteKey, Body: createReadStream(path), ContentLength: size }),
    );
    await this.temp.delete(localKey);
    return remoteKey;
  }

  promote(tempKey: string): Promise<string> {
    assertKey(tempKey);
    return this.upload(tempKey, `files/${tempKey.split('/')[1]!}`);
  }

  async quarantine(key: string): Promise<string> {
    assertKey(key);
    const next = `quarantine/${key.split('/')[1]!}`;
    if (key.startsWith('tmp/')) return this.upload(key, next);
    await this.client.send(new CopyObjectCommand({ Bucket: this.opts.bucket, CopySource: `${this.opts.bucket}/${key}`, Key: next }));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
    return next;
  }

  async putBuffer(prefix: 'thumbs', data: Buffer, ext: string): Promise<string> {
    const key = `${prefix}/${crypto.randomUUID()}.${ext}`;
    await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: data }));
    return key;
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    if (key.startsWith('tmp/')) return this.temp.delete(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
  }
}
