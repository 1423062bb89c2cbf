import {
  addOwnComment,
  applyCommentReactions,
  applyCommentUpdate,
  applyPostReactions,
  applyPostUpdate,
  feedKeys,
  markCommentDeleted,
  postIds,
  prependPost,
  removePost,
  setCommentCount,
  setCommentHelpful,
  setReactions,
  type CommentsPage,
  type FeedPages,
} from '@communities/client';
import { endpoints, FEED_REALTIME_EVENTS, realtimeChannel, type Attachment, type UserSummary } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';

import { api } from '../../api';
import { communityMentions } from '../chat-api';
import { useRealtime, useRealtimeEvent, useRealtimeSubscribed } from '../realtime';

/** Web data access for a community feed: queries, mutations, and the live updates that keep them current. */
export const FEED_PAGE_SIZE = 10;
const nonce = () => crypto.randomUUID().replace(/-/g, '');

export function useCommunityFeedQuery(slug: string) {
  return useInfiniteQuery({
    queryKey: feedKeys.list(slug, FEED_PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.feed.communityFeed({ params: { id: slug }, query: { limit: FEED_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useFeedCommentsQuery(itemId: number) {
  return useQuery({
    queryKey: feedKeys.comments(itemId),
    queryFn: () => api.feed.comments({ params: { itemId }, query: { limit: 50 } }),
  });
}

/** Every cached page list of the community's feed (one per page size), patched alike. */
const patchFeed = (qc: QueryClient, slug: string, fn: (d: FeedPages) => FeedPages) =>
  qc.setQueriesData<FeedPages>({ queryKey: feedKeys.community(slug) }, (d) => (d ? fn(d) : d));
const patchComments = (qc: QueryClient, itemId: number, fn: (d: CommentsPage) => CommentsPage) =>
  qc.setQueryData<CommentsPage>(feedKeys.comments(itemId), (d) => (d ? fn(d) : d));

/** Uploads for a post go through the scanned upload flow; nobody downloads them before the scan says clean. */
export function uploadFeedFile(file: File): Promise<Attachment> {
  const body = new FormData();
  body.append('file', file, file.name);
  return api.call(endpoints.uploads.upload, { query: { purpose: 'feed' }, body } as never);
}

/** People to @mention in a community's feed, best matches first, never the viewer. */
export function feedMentions(slug: string, q: string, me: number): Promise<UserSummary[]> {
  return communityMentions(slug, q, me);
}

const postMutationKey = (slug: string) => [...feedKeys.community(slug), 'post'] as const;

export function useCreatePostMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: postMutationKey(slug),
    mutationFn: (v: { title: string; content: string; attachments: Attachment[] }) =>
      api.feed.post({
        params: { id: slug },
        body: {
          content: v.content,
          ...(v.title.trim() ? { title: v.title.trim() } : {}),
          attachment_ids: v.attachments.map((a) => a.id),
          nonce: nonce(),
        },
      }),
    // The author's own post shows at once, with the rights the server gave them.
    onSuccess: (item) => patchFeed(qc, slug, (d) => prependPost(d, item)),
  });
}

export function useUpdatePostMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; title: string | null; content: string }) =>
      api.feed.update({ params: { itemId: v.id }, body: { title: v.title?.trim() ? v.title.trim() : null, content: v.content } }),
    onSuccess: (item) => patchFeed(qc, slug, (d) => applyPostUpdate(d, item)),
  });
}

export function useDeletePostMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.feed.remove({ params: { itemId: id } }),
    onSuccess: (_r, id) => patchFeed(qc, slug, (d) => removePost(d, id)),
  });
}

export function usePinPostMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; pinned: boolean }) =>
      v.pinned ? api.feed.pin({ params: { itemId: v.id } }) : api.feed.unpin({ params: { itemId: v.id } }),
    onSuccess: (item) => patchFeed(qc, slug, (d) => applyPostUpdate(d, item)),
  });
}

export function useReactPostMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; emoji: string }) => api.feed.react({ params: { itemId: v.id }, body: { emoji: v.emoji } }),
    // The answer has the post's reactions with the viewer's marks: patched in place, no refetch of every page.
    onSuccess: (r, v) => patchFeed(qc, slug, (d) => setReactions(d, v.id, r.reactions)),
  });
}

export function useCreateCommentMutation(slug: string, itemId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { content: string; parentId: number | null }) =>
      api.feed.comment({
        params: { itemId },
        body: { content: v.content, ...(v.parentId ? { parent_id: v.parentId } : {}), nonce: nonce() },
      }),
    onSuccess: (c) => {
      patchComments(qc, itemId, (d) => addOwnComment(d, c));
      void qc.invalidateQueries({ queryKey: feedKeys.community(slug) });
    },
  });
}

export function useUpdateCommentMutation(itemId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; content: string }) =>
      api.feed.updateComment({ params: { commentId: v.id }, body: { content: v.content } }),
    onSuccess: (c) => patchComments(qc, itemId, (d) => applyCommentUpdate(d, c)),
  });
}

export function useDeleteCommentMutation(itemId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.feed.removeComment({ params: { commentId: id } }),
    onSuccess: (_r, id) => patchComments(qc, itemId, (d) => markCommentDeleted(d, id)),
  });
}

/** Marks a comment helpful or takes the mark back (the post's author, or a moderator). */
export function useHelpfulCommentMutation(itemId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; helpful: boolean }) =>
      v.helpful
        ? api.gamification.markCommentHelpful({ params: { commentId: v.id } })
        : api.gamification.unmarkCommentHelpful({ params: { commentId: v.id } }),
    onSuccess: (r, v) => patchComments(qc, itemId, (d) => setCommentHelpful(d, v.id, r.helpful)),
  });
}

export function useReactCommentMutation(itemId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; emoji: string }) => api.feed.reactComment({ params: { commentId: v.id }, body: { emoji: v.emoji } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: feedKeys.comments(itemId) }),
  });
}

/**
 * Keeps the open feed live from the community's channel: edits, pins, scans and deletions in
 * place; new comments under open posts; someone else's new posts wait behind a "N new posts"
 * pill (`fresh`) so the page never jumps under the reader, and `showFresh` brings them in.
 */
export function useFeedLive(slug: string, communityId: number, me: number | undefined) {
  const qc = useQueryClient();
  const hub = useRealtime();
  const channel = hub ? realtimeChannel.community(hub.prefix, communityId) : null;
  const [fresh, setFresh] = useState<number[]>([]);
  const E = FEED_REALTIME_EVENTS;

  useRealtimeEvent(channel, E.postCreated, (d) => {
    const p = d;
    const shown = postIds(qc.getQueryData<FeedPages>(feedKeys.list(slug, FEED_PAGE_SIZE)));
    if (shown.has(p.id)) return;
    if (p.author.id === me) {
      // Posted here: the server's answer shows it (the push may come first). Posted from another
      // tab or device: fetched again, so it comes with the viewer's rights.
      if (qc.isMutating({ mutationKey: postMutationKey(slug) }) === 0) void qc.invalidateQueries({ queryKey: feedKeys.community(slug) });
      return;
    }
    setFresh((f) => (f.includes(p.id) ? f : [...f, p.id]));
  });
  useRealtimeEvent(channel, E.postUpdated, (d) => {
    patchFeed(qc, slug, (data) => applyPostUpdate(data, d));
  });
  useRealtimeEvent(channel, E.postDeleted, (d) => {
    const { id } = d;
    patchFeed(qc, slug, (data) => removePost(data, id));
    setFresh((f) => f.filter((x) => x !== id));
  });
  useRealtimeEvent(channel, E.commentCreated, (d) => {
    const { comment, comment_count } = d;
    patchFeed(qc, slug, (data) => setCommentCount(data, comment.feed_item_id, comment_count));
    // Someone else's comment: fetched again, so it arrives with the viewer's rights over it.
    if (comment.author.id !== me) void qc.invalidateQueries({ queryKey: feedKeys.comments(comment.feed_item_id) });
  });
  useRealtimeEvent(channel, E.commentUpdated, (d) => {
    const c = d;
    patchComments(qc, c.feed_item_id, (data) => applyCommentUpdate(data, c));
  });
  useRealtimeEvent(channel, E.commentDeleted, (d) => {
    const { id, feed_item_id } = d;
    patchComments(qc, feed_item_id, (data) => markCommentDeleted(data, id));
  });
  useRealtimeEvent(channel, E.reactionChanged, (d) => {
    const r = d;
    if (r.comment_id === null) patchFeed(qc, slug, (data) => applyPostReactions(data, r));
    else patchComments(qc, r.feed_item_id, (data) => applyCommentReactions(data, r));
  });

  // pusher-js subscribes again after a reconnect: what was pushed meanwhile is fetched instead.
  const subscriptions = useRef(0);
  useRealtimeSubscribed(channel, () => {
    if (subscriptions.current++ > 0) void qc.invalidateQueries({ queryKey: feedKeys.all });
  });

  const showFresh = useCallback(async () => {
    setFresh([]);
    await qc.resetQueries({ queryKey: feedKeys.community(slug) });
  }, [qc, slug]);
  return { fresh: fresh.length, showFresh };
}
