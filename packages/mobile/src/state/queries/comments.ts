import { feedKeys } from '@communities/client';
import type { FeedComment } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';

import { useAddon } from '../../context';
import { toggleReaction } from '@communities/client';

import { patchPost } from './feed';

export type CommentThread = FeedComment & { replies: FeedComment[] };
type Page = { items: CommentThread[]; next_cursor: string | null };

/** A post's comments, oldest first, each with its first replies; more pages as the list scrolls. */
export function useCommentsQuery(itemId: number, limit = 30) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: feedKeys.comments(itemId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.feed.comments({ params: { itemId }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last: Page) => last.next_cursor ?? undefined,
  });
}

/** Replies past the first few the thread came with. */
export function useMoreRepliesQuery(commentId: number, enabled: boolean, limit = 30) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: feedKeys.replies(commentId),
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.feed.replies({ params: { commentId }, query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Applies `f` to one comment or reply wherever the post's cached thread shows it. */
function patchComment(qc: QueryClient, itemId: number, commentId: number, f: (c: FeedComment) => FeedComment) {
  const one = <C extends FeedComment>(c: C): C => (c.id === commentId ? { ...c, ...f(c) } : c);
  qc.setQueryData<InfiniteData<Page>>(feedKeys.comments(itemId), (data) =>
    data
      ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((t) => ({ ...one(t), replies: t.replies.map(one) })) })) }
      : data,
  );
  qc.setQueriesData<InfiniteData<{ items: FeedComment[]; next_cursor: string | null }>>(
    { queryKey: [...feedKeys.all, 'replies'] },
    (data) => (data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map(one) })) } : data),
  );
}

function findComment(qc: QueryClient, itemId: number, commentId: number): FeedComment | undefined {
  for (const p of qc.getQueryData<InfiniteData<Page>>(feedKeys.comments(itemId))?.pages ?? [])
    for (const t of p.items) {
      if (t.id === commentId) return t;
      const r = t.replies.find((x) => x.id === commentId);
      if (r) return r;
    }
  return undefined;
}

/** The post's thread is read again after a change, so order and reply counts are the server's. */
const refresh = (qc: QueryClient, itemId: number) =>
  Promise.all([
    qc.invalidateQueries({ queryKey: feedKeys.comments(itemId) }),
    qc.invalidateQueries({ queryKey: [...feedKeys.all, 'replies'] }),
  ]);

/** Comments on a post, or replies to a comment (`parentId`); the post's count follows. */
export function useCommentMutation(communityId: string, itemId: number) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ content, parentId, nonce }: { content: string; parentId: number | null; nonce: string }) =>
      api.feed.comment({ params: { itemId }, body: { content, nonce, ...(parentId ? { parent_id: parentId } : {}) } }),
    onSuccess: () => {
      patchPost(qc, communityId, itemId, (i) => ({ ...i, comment_count: i.comment_count + 1 }));
      // Then the feed's own counts, which include what others wrote meanwhile.
      void qc.invalidateQueries({ queryKey: feedKeys.community(communityId) });
      return refresh(qc, itemId);
    },
  });
}

export function useUpdateCommentMutation(itemId: number) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ commentId, content }: { commentId: number; content: string }) =>
      api.feed.updateComment({ params: { commentId }, body: { content } }),
    onSuccess: (comment) => patchComment(qc, itemId, comment.id, () => comment),
  });
}

export function useDeleteCommentMutation(itemId: number) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (commentId: number) => api.feed.removeComment({ params: { commentId } }),
    onSuccess: (_r, commentId) => {
      // The server keeps the count (a deleted comment stays as a tombstone in its thread).
      patchComment(qc, itemId, commentId, (c) => ({
        ...c,
        content: null,
        deleted: true,
        viewer_can: { edit: false, delete: false, mark_helpful: false },
      }));
      return refresh(qc, itemId);
    },
  });
}

/** Marks a comment helpful or takes the mark back (the post's author, or a moderator); shown once the server agrees. */
export function useHelpfulCommentMutation(itemId: number) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ commentId, helpful }: { commentId: number; helpful: boolean }) =>
      helpful
        ? api.gamification.markCommentHelpful({ params: { commentId } })
        : api.gamification.unmarkCommentHelpful({ params: { commentId } }),
    onSuccess: (res, { commentId }) => patchComment(qc, itemId, commentId, (c) => ({ ...c, helpful: res.helpful })),
  });
}

/** Toggles a reaction on a comment at once; the server's counts replace the guess, a failure undoes it. */
export function useReactToCommentMutation(itemId: number) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ commentId, emoji }: { commentId: number; emoji: string }) =>
      api.feed.reactComment({ params: { commentId }, body: { emoji } }),
    onMutate: ({ commentId, emoji }) => {
      const before = findComment(qc, itemId, commentId)?.reactions;
      patchComment(qc, itemId, commentId, (c) => ({ ...c, reactions: toggleReaction(c.reactions, emoji) }));
      return { before };
    },
    onSuccess: (res, { commentId }) => patchComment(qc, itemId, commentId, (c) => ({ ...c, reactions: res.reactions })),
    onError: (_e, { commentId }, ctx) => {
      if (ctx?.before) patchComment(qc, itemId, commentId, (c) => ({ ...c, reactions: ctx.before! }));
    },
  });
}
