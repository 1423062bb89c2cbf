import { onEvent } from '@communities/client';
import {
  REALTIME_EVENTS,
  realtimeChannel,
  type Channel,
  type ChannelActivity,
  type MentionCreated,
  type ReadStateUpdated,
} from '@communities/contract';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';

import { createBadgeCounter, type MessageSignal } from '../lib/badges';

import { channelKeys, refreshChannels } from './queries/channels';
import { useRealtime } from './realtime';

/** Changes one channel in a community's cached channel list. */
export function patchChannel(qc: QueryClient, slug: string, id: number, patch: (c: Channel) => Partial<Channel> | null): void {
  qc.setQueryData<{ items: Channel[] }>(channelKeys.list(slug), (old) => {
    const c = old?.items.find((x) => x.id === id);
    const changes = c && patch(c);
    return changes ? { items: old!.items.map((x) => (x === c ? { ...c, ...changes } : x)) } : old;
  });
}

/**
 * Keeps the sidebar's unread and mention badges live from light signals, not from every
 * channel's messages: channel.activity on the community channel (open channels) and on the few
 * channels that keep theirs to themselves (private, tier-gated), mention.created and read
 * states on the user channel; channels added or changed re-list them.
 */
export function useLiveBadges({
  slug,
  communityId,
  chats,
  viewing,
  me,
}: {
  slug: string;
  communityId: number | undefined;
  chats: Channel[];
  /** The channel on screen: its conversation reads what arrives there. */
  viewing: number | null;
  me: number;
}): void {
  const qc = useQueryClient();
  const hub = useRealtime();
  const viewingRef = useRef(viewing);
  viewingRef.current = viewing;
  const [countMessage] = useState(() => createBadgeCounter());

  const live = useMemo(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => refreshChannels(qc, slug);
    const message = (channelId: number, authorId: number, signal: MessageSignal) => {
      if (authorId !== me && channelId !== viewingRef.current) patchChannel(qc, slug, channelId, (c) => countMessage(c, signal));
    };
    return {
      refresh,
      // Whatever arrived before a subscription was in place (a new channel, a reconnect) is in
      // the server's counts: fetch them again once the subscriptions settle.
      refreshSoon: () => {
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
      },
      cancel: () => clearTimeout(timer),
      activity: (a: ChannelActivity) => {
        message(a.channel_id, a.author_id, { message_id: a.message_id, mention: a.everyone });
      },
      mention: (m: MentionCreated) => {
        if (m.community_id === communityId) message(m.channel_id, m.author_id, { message_id: m.message_id, mention: true });
      },
      readState: (r: ReadStateUpdated) => {
        if ('channel_id' in r)
          patchChannel(qc, slug, r.channel_id, () => ({
            unread_count: r.unread_count,
            mention_count: r.mention_count,
            last_read_message_id: r.last_read_message_id,
          }));
      },
    };
  }, [qc, slug, me, communityId, countMessage]);

  useEffect(() => {
    if (!hub || !communityId) return;
    const community = realtimeChannel.community(hub.prefix, communityId);
    const user = realtimeChannel.user(hub.prefix, me);
    const offs = [
      hub.on(community, 'pusher:subscription_succeeded', live.refreshSoon),
      onEvent(hub, community, REALTIME_EVENTS.channelActivity, live.activity),
      onEvent(hub, community, REALTIME_EVENTS.channelCreated, live.refresh),
      onEvent(hub, community, REALTIME_EVENTS.channelUpdated, live.refresh),
      onEvent(hub, community, REALTIME_EVENTS.channelDeleted, live.refresh),
      onEvent(hub, user, REALTIME_EVENTS.mentionCreated, live.mention),
      onEvent(hub, user, REALTIME_EVENTS.readStateUpdated, live.readState),
    ];
    return () => {
      live.cancel();
      offs.forEach((off) => off());
    };
  }, [hub, communityId, me, live]);

  // Apart from the community channel, so a channel added here does not resubscribe that one.
  const own = chats
    .filter((c) => c.activity_on === 'channel')
    .map((c) => c.id)
    .join(',');
  useEffect(() => {
    if (!hub || !own) return;
    const offs = own.split(',').flatMap((id) => {
      const ch = realtimeChannel.channel(hub.prefix, Number(id));
      return [
        hub.on(ch, 'pusher:subscription_succeeded', live.refreshSoon),
        onEvent(hub, ch, REALTIME_EVENTS.channelActivity, live.activity),
      ];
    });
    return () => offs.forEach((off) => off());
  }, [hub, own, live]);
}
