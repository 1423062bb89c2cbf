import { useInfiniteQuery, useQuery } from '@tanstack/react-query';

import { useAddon } from '../../context';

export const dmKeys = {
  all: ['communities', 'dm'] as const,
  inbox: (limit: number) => ['communities', 'dm', 'inbox', limit] as const,
  thread: (threadId: number) => ['communities', 'dm', 'thread', threadId] as const,
  unread: ['communities', 'dm', 'unread'] as const,
};

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
