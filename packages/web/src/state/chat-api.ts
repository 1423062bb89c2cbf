import { ApiError } from '@communities/client';
import { endpoints, type Attachment, type UserSummary } from '@communities/contract';

import { api } from '../api';

/** Uploads go through the typed client's raw multipart call; the file is scanned before anyone sees it. */
export function uploadFile(file: File, query: { purpose: 'channel' } | { purpose: 'dm'; thread_id: number }): Promise<Attachment> {
  const body = new FormData();
  body.append('file', file, file.name);
  return api.call(endpoints.uploads.upload, { query, body } as never);
}

export const attachmentStatus = (a: Attachment): Promise<Attachment> => api.uploads.status({ params: { kind: a.kind, id: a.id } });

/**
 * People to @mention in a community (its channels and its feed), best matches first, never the
 * viewer. Where the owner hid the member list, a bare `@` lists nobody (the server refuses to list
 * the roster, 403 member_list_hidden) and typed letters still find people by name.
 */
export async function communityMentions(slug: string, q: string, me: number): Promise<UserSummary[]> {
  try {
    const page = await api.communities.members({ params: { id: slug }, query: { limit: 10, ...(q ? { q } : {}) } });
    return page.items.map((m) => m.user).filter((u) => u.id !== me);
  } catch (error) {
    if (error instanceof ApiError && error.details.reason === 'member_list_hidden') return [];
    throw error;
  }
}
