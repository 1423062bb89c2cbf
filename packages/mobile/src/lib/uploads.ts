import type { Api } from '@communities/client';
import { endpoints, type Attachment } from '@communities/contract';

import type { PickedFile } from '../config';

/**
 * Uploads a file the host's picker returned. React Native's FormData takes `{ uri, name, type }`;
 * web and tests hand over a Blob. The server scans it before anyone else can download it.
 */
export function uploadPicked(
  api: Api,
  file: PickedFile,
  query:
    | { purpose: 'channel' }
    | { purpose: 'feed' }
    | { purpose: 'community_icon' }
    | { purpose: 'community_cover' }
    | { purpose: 'dm'; thread_id: number },
): Promise<Attachment> {
  const body = new FormData();
  if (file.blob) body.append('file', file.blob, file.name);
  else body.append('file', { uri: file.uri, name: file.name, type: file.type } as unknown as Blob);
  return api.call(endpoints.uploads.upload, { query, body } as never);
}
