import { resolve } from 'node:path';

import type { CommunitiesConfig } from '@communities/contract';

import { LocalStorage } from './local';
import { S3Storage } from './s3';
import type { FileStorage } from './types';

export type { FileStorage } from './types';

export function createStorage(config: CommunitiesConfig): FileStorage {
  const root = resolve(config.storage.path);
  const local = new LocalStorage(root);
  if (config.storage.driver === 'local') return local;
  if (!config.storage.s3_bucket) throw new Error('storage.s3_bucket is required when storage.driver is s3');
  return new S3Storage(
    local,
    {
      bucket: config.storage.s3_bucket,
      region: config.storage.s3_region,
      endpoint: config.storage.s3_endpoint,
      accessKeyId: config.storage.s3_access_key_id,
      secretAccessKey: config.storage.s3_secret_access_key,
    },
    root,
  );
}
