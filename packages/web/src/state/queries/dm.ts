import { dmKeys, searchPeople, type Person } from '@communities/client';
import type { DmThread } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import { api } from '../../api';

export { dmKeys };

/** Everything cached about DMs (inbox, threads, unread, blocks) is fetched again. */
export const refreshDms = (qc: QueryClient) => void qc.invalidateQueries({ queryKey: dmKeys.all });

export function useInboxQuery(limit = 30) {
  return useInfiniteQuery({
    queryKey: dmKeys.inbox(limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.dm.inbox({ query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useThreadQuery(threadId: number) {
  return useQuery({
    queryKey: dmKeys.thread(threadId),
    queryFn: ({ signal }) => api.dm.thread({ params: { threadId } }, { signal }),
    retry: false,
  });
}

/** Unread DM threads and messages (the Messages badge). */
export function useDmUnreadQuery() {
  return useQuery({ queryKey: dmKeys.unread, queryFn: ({ signal }) => api.dm.unread(undefined, { signal }) });
}

/** People the caller blocked. */
export function useBlocksQuery() {
  return useQuery({ queryKey: dmKeys.blocks, queryFn: ({ signal }) => api.dm.blocks(undefined, { signal }) });
}

/** After reading a thread: its unread count and the badge change. */
export function refreshUnread(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: dmKeys.unread });
  void qc.invalidateQueries({ queryKey: dmKeys.inboxes });
}

export function useBlockMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, block }: { userId: number; block: boolean }) =>
      block ? api.dm.block({ params: { userId } }) : api.dm.unblock({ params: { userId } }),
    onSuccess: () => refreshDms(qc),
  });
}

/** Removes someone from a group (its owner), or the caller leaves. */
export function useRemoveParticipantMutation(threadId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) => api.dm.removeParticipant({ params: { threadId, userId } }),
    onSuccess: () => refreshDms(qc),
  });
}

const settle = (qc: QueryClient, thread: DmThread) => {
  qc.setQueryData(dmKeys.thread(thread.id), thread);
  void qc.invalidateQueries({ queryKey: dmKeys.inboxes });
};

/** Opens the 1:1 thread with one person (the existing one if there is one) or starts a group. */
export function useStartDmMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { user_ids: number[]; group?: boolean; title?: string }) => api.dm.start({ body }),
    onSuccess: (thread) => settle(qc, thread),
  });
}

export function useRenameThreadMutation(threadId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (title: string | null) => api.dm.rename({ params: { threadId }, body: { title } }),
    onSuccess: (thread) => settle(qc, thread),
  });
}

export function useAddPeopleMutation(threadId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userIds: number[]) => api.dm.invite({ params: { threadId }, body: { user_ids: userIds } }),
    onSuccess: (thread) => settle(qc, thread),
  });
}

export type { Person };

/**
 * People the caller could message: members of the communities they take part in (the server's
 * `dm.allow_from` default), found by name through each community's member search, as on mobile.
 */
export function usePeopleQuery(q: string, meId: number) {
  return useQuery({
    queryKey: dmKeys.people(q),
    queryFn: ({ signal }) => searchPeople(api, q, meId, signal),
    staleTime: 60_000,
  });
}
