import { ApiError, dmKeys, searchPeople, type Api, type Person } from '@communities/client';
import type { DmThread, UserSummary } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { useAddon } from '../../context';

export { dmKeys };

export function useInboxQuery(limit = 30) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: dmKeys.inbox(limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.dm.inbox({ query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useThreadQuery(threadId: number) {
  const { api } = useAddon();
  return useQuery({ queryKey: dmKeys.thread(threadId), queryFn: ({ signal }) => api.dm.thread({ params: { threadId } }, { signal }) });
}

/** Unread DM threads and messages, for a badge on the host's Messages menu item. */
export function useDmUnreadQuery() {
  const { api } = useAddon();
  return useQuery({ queryKey: dmKeys.unread, queryFn: ({ signal }) => api.dm.unread(undefined, { signal }) });
}

export type DmRefusal = 'you_blocked' | 'not_allowed' | 'no_shared_community' | 'unavailable';

/** Why the server would not open a conversation with someone, in words a screen can choose from. */
export class DmStartError extends Error {
  constructor(
    readonly code: DmRefusal,
    readonly person: UserSummary,
  ) {
    super(`cannot message ${person.name}: ${code}`);
  }
}

/**
 * Opens the 1:1 thread with someone (the existing one if there is one). A 403 is a block (either
 * way) or DMs switched off: we say which only when the caller did the blocking, since a block by
 * the other person is theirs to keep private.
 */
async function startDm(api: Api, person: UserSummary): Promise<DmThread> {
  try {
    return await api.dm.start({ body: { user_ids: [person.id] } });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // An unknown id and a stranger answer alike (404), so neither is told apart from the other;
    // someone met in a member list who answers 404 no longer shares a community with the viewer.
    if (error.status === 404) throw new DmStartError('no_shared_community', person);
    if (error.status === 422) {
      const code = error.issues.find((i) => i.path.startsWith('body.user_ids'))?.code;
      throw new DmStartError(code === 'no_shared_community' ? 'no_shared_community' : 'unavailable', person);
    }
    if (error.status !== 403) throw error;
    const blocked = await api.dm.blocks().catch(() => null);
    throw new DmStartError(blocked?.items.some((u) => u.id === person.id) ? 'you_blocked' : 'not_allowed', person);
  }
}

export function useStartDmMutation() {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (person: UserSummary) => startDm(api, person),
    onSuccess: (thread) => {
      qc.setQueryData(dmKeys.thread(thread.id), thread);
      void qc.invalidateQueries({ queryKey: dmKeys.inboxes });
    },
  });
}

export type { Person };

/**
 * People the caller could message: members of the communities they belong to (the server's
 * `dm.allow_from` default), found by name through each community's member search.
 */
export function usePeopleQuery(q: string, meId: number | undefined) {
  const { api } = useAddon();
  return useQuery({
    queryKey: dmKeys.people(q),
    queryFn: ({ signal }) => searchPeople(api, q, meId, signal),
    staleTime: 60_000,
  });
}
