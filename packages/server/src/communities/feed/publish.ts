import {
  FEED_REALTIME_EVENTS,
  realtimeChannel,
  type FeedComment,
  type FeedItem,
  type FeedRealtimeEventName,
  type FeedRealtimePayload,
} from '@communities/contract';

import { publishEvent } from '../../realtime/publish-event';
import type { CommunityDeps } from '../deps';

/**
 * Feed pushes, after commit, on the community's private channel: only those the access engine
 * lets subscribe to it (the members who may read the community) receive them. What goes out is
 * the post or comment as everyone sees it; per-viewer fields stay out. A failed push is logged,
 * never a failed request: the write happened, and clients catch up over REST.
 */
export class FeedPublisher {
  constructor(private readonly ctx: Pick<CommunityDeps, 'broadcaster' | 'config' | 'logger'>) {}

  private send<E extends FeedRealtimeEventName>(communityId: number | null, event: E, data: FeedRealtimePayload<E>): void {
    // Global announcements have no community channel; clients see them on their next fetch.
    if (communityId === null) return;
    const channel = realtimeChannel.community(this.ctx.config.chat.broadcast_channel_prefix, communityId);
    publishEvent(this.ctx, channel, event, data).catch((err: unknown) => {
      this.ctx.logger.warn({ err, event }, 'realtime publish failed');
    });
  }

  postCreated(item: FeedItem): void {
    this.send(item.community_id, FEED_REALTIME_EVENTS.postCreated, shared(item));
  }

  postUpdated(item: FeedItem): void {
    this.send(item.community_id, FEED_REALTIME_EVENTS.postUpdated, shared(item));
  }

  postDeleted(id: number, communityId: number | null): void {
    if (communityId !== null) this.send(communityId, FEED_REALTIME_EVENTS.postDeleted, { id, community_id: communityId });
  }

  commentCreated(communityId: number | null, comment: FeedComment, commentCount: number): void {
    this.send(communityId, FEED_REALTIME_EVENTS.commentCreated, { comment: shared(comment), comment_count: commentCount });
  }

  commentUpdated(communityId: number | null, comment: FeedComment): void {
    this.send(communityId, FEED_REALTIME_EVENTS.commentUpdated, shared(comment));
  }

  commentDeleted(communityId: number | null, id: number, feedItemId: number): void {
    this.send(communityId, FEED_REALTIME_EVENTS.commentDeleted, { id, feed_item_id: feedItemId });
  }

  /** Counts as everyone sees them: the reactor's `me` is theirs alone. */
  reactionChanged(
    communityId: number | null,
    feedItemId: number,
    commentId: number | null,
    reactions: readonly { emoji: string; count: number }[],
  ): void {
    this.send(communityId, FEED_REALTIME_EVENTS.reactionChanged, {
      feed_item_id: feedItemId,
      comment_id: commentId,
      reactions: reactions.map(({ emoji, count }) => ({ emoji, count })),
    });
  }
}

/** Drops the fields that differ per viewer: rights, and reactions with their `me`. */
function shared<T extends { viewer_can: unknown; reactions: unknown }>(x: T): Omit<T, 'viewer_can' | 'reactions'> {
  const { viewer_can: _rights, reactions: _reactions, ...rest } = x;
  return rest;
}
