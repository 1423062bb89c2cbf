import { onEvent } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel, type DmThread } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { Screen } from '../../components/screen';
import { WithMe } from '../../components/with-me';
import { useAddon } from '../../context';
import { dmKeys, useInboxQuery } from '../../state/queries/dm';

import { DMInboxView } from './DMInboxView';
import { NewMessage } from './new-message';

export interface DMInboxScreenProps {
  /** Open a conversation (e.g. push DMThreadScreen); with it the inbox offers "New message". */
  onOpenThread?: (thread: DmThread) => void;
  pageSize?: number;
}

/** The caller's direct messages: previews, unread counts, newest activity first. */
export function DMInboxScreen(props: DMInboxScreenProps) {
  return (
    <Screen name="dm.inbox" feature="dm" testID="dm-inbox-screen">
      <WithMe>
        <DMInbox {...props} />
      </WithMe>
    </Screen>
  );
}

function DMInbox({ onOpenThread, pageSize = 30 }: DMInboxScreenProps) {
  const { me, realtime, features, track } = useAddon();
  const qc = useQueryClient();
  const query = useInboxQuery(pageSize);
  const [composing, setComposing] = useState(false);
  // Under dm.allow_from = nobody only admins start conversations: others are not offered it.
  const mayStart = features?.limits.dm_allow_from !== 'nobody' || me?.is_admin === true;

  // New messages and thread changes arrive on the user's own channel: refresh the inbox.
  const prefix = features?.realtime.channel_prefix;
  useEffect(() => {
    if (!realtime || !me || prefix === undefined) return;
    const channel = realtimeChannel.user(prefix, me.id);
    return onEvent(realtime, channel, REALTIME_EVENTS.dmThreadUpdated, () => void qc.invalidateQueries({ queryKey: dmKeys.all }));
  }, [realtime, me, prefix, qc]);

  if (composing)
    return (
      <NewMessage
        meId={me?.id}
        onCancel={() => setComposing(false)}
        onOpenThread={(thread) => {
          setComposing(false);
          onOpenThread?.(thread);
        }}
      />
    );
  return (
    <DMInboxView
      threads={query.data?.pages.flatMap((p) => p.items) ?? []}
      meId={me?.id}
      status={query.status}
      error={query.error}
      onRetry={() => void query.refetch()}
      onOpen={(thread) => {
        track('tap', 'dm.open', { thread_id: thread.id });
        onOpenThread?.(thread);
      }}
      onEndReached={() => {
        if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
      }}
      loadingMore={query.isFetchingNextPage}
      refreshing={query.isRefetching && !query.isFetchingNextPage}
      onRefresh={() => void query.refetch()}
      onNewMessage={
        onOpenThread && mayStart
          ? () => {
              track('tap', 'dm.new_message');
              setComposing(true);
            }
          : undefined
      }
    />
  );
}
