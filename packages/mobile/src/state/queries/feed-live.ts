import {
  applyCommentReactions,
  applyCommentUpdate,
  applyPostReactions,
  applyPostUpdate,
  feedKeys,
  markCommentDeleted,
  postIds,
  onEvent,
  removePost,
  setCommentCount,
  type CommentsPage,
  type FeedPages,
} from '@communities/client';
import { FEED_REALTIME_EVENTS, realtimeChannel, type FeedRealtimeEventName, type FeedRealtimePayload } from '@communities/contract';
import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';

import { useAddon } from '../../context';

const patchFeed = (qc: QueryClient, key: string, fn: (d: FeedPages) => FeedPages) =>
  qc.setQueriesData<FeedPages>({ queryKey: feedKeys.community(key) }, (d) => (d ? fn(d) : d));
/** Mobile keeps a post's comments as pages; each page is patched like the web's one list. */
const patchComments = (qc: QueryClient, itemId: number, fn: (d: CommentsPage) => CommentsPage) =>
  qc.setQueryData<InfiniteData<CommentsPage>>(feedKeys.comments(itemId), (d) => (d ? { ...d, pages: d.pages.map(fn) } : d));

/**
 * Keeps a community's feed live from its realtime channel, as the web feed does (the same pure
 * cache patching, from `@communities/client`): others' new posts wait behind a "N new posts"
 * pill, edits, pins, scan results, deletes and reactions change in place, others' comments are
 * fetched for an open post, and whatever was pushed while the socket was away is fetched again.
 */
export function useFeedLive(key: string, communityId: number) {
  const { realtime, features, me } = useAddon();
  const qc = useQueryClient();
  const [fresh, setFresh] = useState<number[]>([]);
  const meId = me?.id;
  const prefix = features?.realtime.channel_prefix;

  useEffect(() => {
    if (!realtime || prefix === undefined) return;
    const channel = realtimeChannel.community(prefix, communityId);
    const E = FEED_REALTIME_EVENTS;
    // Each payload parsed by its contract schema; one that does not match is dropped and reported.
    const on = <N extends FeedRealtimeEventName>(event: N, f: (d: FeedRealtimePayload<N>) => void) =>
      onEvent(realtime, channel, event, (d) => f(d as FeedRealtimePayload<N>));
    // Counted from here: a channel already subscribed (the tab was open before) has had its first.
    let subscriptions = realtime.pusher.channel(channel)?.subscribed ? 1 : 0;
    const offs = [
      on(E.postCreated, (p) => {
        for (const [, d] of qc.getQueriesData<FeedPages>({ queryKey: feedKeys.community(key) })) if (postIds(d).has(p.id)) return;
        // The viewer's own post from this device is in the list from the server's answer; from
        // another device it is fetched, so it comes with the viewer's rights.
        if (p.author.id === meId) void qc.invalidateQueries({ queryKey: feedKeys.community(key) });
        else setFresh((f) => (f.includes(p.id) ? f : [...f, p.id]));
      }),
      on(E.postUpdated, (p) => patchFeed(qc, key, (d) => applyPostUpdate(d, p))),
      on(E.postDeleted, ({ id }) => {
        patchFeed(qc, key, (d) => removePost(d, id));
        setFresh((f) => f.filter((x) => x !== id));
      }),
      on(E.commentCreated, ({ comment, comment_count }) => {
        patchFeed(qc, key, (d) => setCommentCount(d, comment.feed_item_id, comment_count));
        if (comment.author.id !== meId) void qc.invalidateQueries({ queryKey: feedKeys.comments(comment.feed_item_id) });
      }),
      on(E.commentUpdated, (c) => patchComments(qc, c.feed_item_id, (d) => applyCommentUpdate(d, c))),
      on(E.commentDeleted, ({ id, feed_item_id }) => patchComments(qc, feed_item_id, (d) => markCommentDeleted(d, id))),
      on(E.reactionChanged, (r) => {
        if (r.comment_id === null) patchFeed(qc, key, (d) => applyPostReactions(d, r));
        else patchComments(qc, r.feed_item_id, (d) => applyCommentReactions(d, r));
      }),
      // pusher-js subscribes again after a reconnect: what was pushed meanwhile is fetched instead.
      realtime.on(channel, 'pusher:subscription_succeeded', () => {
        if (subscriptions++ > 0) void qc.invalidateQueries({ queryKey: feedKeys.all });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [realtime, prefix, communityId, key, meId, qc]);

  const showFresh = useCallback(async () => {
    setFresh([]);
    await qc.resetQueries({ queryKey: feedKeys.community(key) });
  }, [qc, key]);
  return { fresh: fresh.length, showFresh };
}
