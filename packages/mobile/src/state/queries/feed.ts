import { feedKeys } from '@communities/client';
import type { FeedItem } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';

import { useAddon } from '../../context';
import { toggle } from '../chat/conversation';

export { feedKeys };

type Page = { items: FeedItem[]; pinned: FeedItem[]; next_cursor: string | null };

export function useCommunityFeedQuery(id: string, limit = 20) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: feedKeys.list(id, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.feed.communityFeed({ params: { id }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last: Page) => last.next_cursor ?? undefined,
  });
}

/** Toggles a reaction on a post at once; the server's counts replace the guess, a failure undoes it. */
export function useReactToPostMutation(communityId: string, limit = 20) {
  const { api } = useAddon();
  const qc = useQueryClient();
  const key = feedKeys.list(communityId, limit);
  const patch = (itemId: number, f: (item: FeedItem) => FeedItem) =>
    qc.setQueryData<InfiniteData<Page>>(key, (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((p) => ({
              ...p,
              items: p.items.map((i) => (i.id === itemId ? f(i) : i)),
              pinned: p.pinned.map((i) => (i.id === itemId ? f(i) : i)),
            })),
          }
        : data,
    );
  return useMutation({
    mutationFn: ({ itemId, emoji }: { itemId: number; emoji: string }) => api.feed.react({ params: { itemId }, body: { emoji } }),
    onMutate: ({ itemId, emoji }) => {
      const before = qc.getQueryData<InfiniteData<Page>>(key);
      patch(itemId, (i) => ({ ...i, reactions: toggle(i.reactions, emoji) }));
      return { before };
    },
    onSuccess: (res, { itemId }) => patch(itemId, (i) => ({ ...i, reactions: res.reactions })),
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(key, ctx.before);
    },
  });
}
