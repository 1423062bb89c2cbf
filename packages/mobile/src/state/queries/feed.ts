import { feedKeys } from '@communities/client';
import type { FeedItem } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';

import { useAddon } from '../../context';
import { toggleReaction as toggle } from '@communities/client';

export { feedKeys };

export type FeedPage = { items: FeedItem[]; pinned: FeedItem[]; next_cursor: string | null };

export function useCommunityFeedQuery(id: string, limit = 20) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: feedKeys.list(id, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.feed.communityFeed({ params: { id }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last: FeedPage) => last.next_cursor ?? undefined,
  });
}

/** Rewrites the feed pages of a community (every page size) held in the cache. */
function patchFeed(qc: QueryClient, communityId: string, f: (page: FeedPage, index: number) => FeedPage) {
  qc.setQueriesData<InfiniteData<FeedPage>>({ queryKey: feedKeys.community(communityId) }, (data) =>
    data ? { ...data, pages: data.pages.map(f) } : data,
  );
}

/** Applies `f` to one post wherever the community's cached feed shows it. */
export function patchPost(qc: QueryClient, communityId: string, itemId: number, f: (item: FeedItem) => FeedItem) {
  const each = (list: FeedItem[]) => list.map((i) => (i.id === itemId ? f(i) : i));
  patchFeed(qc, communityId, (p) => ({ ...p, items: each(p.items), pinned: each(p.pinned) }));
}

/** A post from the community's cached feed (the detail screen reads the copy the list shows). */
export function findPost(qc: QueryClient, communityId: string, itemId: number): FeedItem | undefined {
  for (const [, data] of qc.getQueriesData<InfiniteData<FeedPage>>({ queryKey: feedKeys.community(communityId) }))
    for (const p of data?.pages ?? []) {
      const hit = p.items.find((i) => i.id === itemId) ?? p.pinned.find((i) => i.id === itemId);
      if (hit) return hit;
    }
  return undefined;
}

/** Toggles a reaction on a post at once; the server's counts replace the guess, a failure undoes it. */
export function useReactToPostMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ itemId, emoji }: { itemId: number; emoji: string }) => api.feed.react({ params: { itemId }, body: { emoji } }),
    onMutate: ({ itemId, emoji }) => {
      const before = findPost(qc, communityId, itemId)?.reactions;
      patchPost(qc, communityId, itemId, (i) => ({ ...i, reactions: toggle(i.reactions, emoji) }));
      return { before };
    },
    onSuccess: (res, { itemId }) => patchPost(qc, communityId, itemId, (i) => ({ ...i, reactions: res.reactions })),
    onError: (_e, { itemId }, ctx) => {
      if (ctx?.before) patchPost(qc, communityId, itemId, (i) => ({ ...i, reactions: ctx.before! }));
    },
  });
}

export interface NewPost {
  title?: string;
  content: string;
  attachmentIds: number[];
}

/**
 * Posts to the feed. The nonce is made once per draft (the caller keeps it until the post is
 * confirmed), so a retry after a lost answer returns the same post instead of a second one.
 */
export function useCreatePostMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ post, nonce }: { post: NewPost; nonce: string }) =>
      api.feed.post({
        params: { id: communityId },
        body: { content: post.content, attachment_ids: post.attachmentIds, nonce, ...(post.title ? { title: post.title } : {}) },
      }),
    onSuccess: (item) => {
      patchFeed(qc, communityId, (p, i) => (i === 0 && !p.items.some((x) => x.id === item.id) ? { ...p, items: [item, ...p.items] } : p));
    },
  });
}

export function useUpdatePostMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ itemId, content }: { itemId: number; content: string }) => api.feed.update({ params: { itemId }, body: { content } }),
    onSuccess: (item) => patchPost(qc, communityId, item.id, () => item),
  });
}

export function useDeletePostMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (itemId: number) => api.feed.remove({ params: { itemId } }),
    onSuccess: (_r, itemId) =>
      patchFeed(qc, communityId, (p) => ({
        ...p,
        items: p.items.filter((i) => i.id !== itemId),
        pinned: p.pinned.filter((i) => i.id !== itemId),
      })),
  });
}

/** Pins or unpins, then reloads the feed: a pinned post moves to the top, an unpinned one back in time order. */
export function usePinPostMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ itemId, pinned }: { itemId: number; pinned: boolean }) =>
      pinned ? api.feed.pin({ params: { itemId } }) : api.feed.unpin({ params: { itemId } }),
    onSuccess: (item) => {
      patchPost(qc, communityId, item.id, () => item);
      return qc.invalidateQueries({ queryKey: feedKeys.community(communityId) });
    },
  });
}
