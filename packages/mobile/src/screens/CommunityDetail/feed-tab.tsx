import type { FeedItem } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Pressable, Text, View } from 'react-native';

import { Empty, ErrorBanner, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import {
  useCommunityFeedQuery,
  useDeletePostMutation,
  usePinPostMutation,
  useReactToPostMutation,
  useUpdatePostMutation,
} from '../../state/queries/feed';
import { useFeedLive } from '../../state/queries/feed-live';

import { PostActionSheet, PostCard, type PostHandlers } from './post-card';
import { PostComposer } from './post-composer';
import { PostDetail } from './post-detail';

const make = (t: CommunitiesTheme) => ({
  pill: {
    alignSelf: 'center' as const,
    marginVertical: 8,
    paddingHorizontal: 16,
    paddingVertical: 8,
    borderRadius: 18,
    backgroundColor: t.primary,
  },
  pillText: { color: t.onPrimary, fontWeight: '600' as const, fontSize: 14 },
});

/**
 * A community's feed: a composer for those who may post, pinned posts first, pull to refresh,
 * more on scroll; a post opens with its comments in place of the list.
 */
export function FeedTab({
  communityId,
  numericId,
  pageSize,
  canPost,
}: {
  communityId: string;
  /** The community's id, which names its realtime channel (`communityId` may be a slug). */
  numericId: number;
  pageSize?: number;
  canPost: boolean;
}) {
  const { t } = useTranslation();
  const { track } = useAddon();
  const s = useStyles(make);
  const query = useCommunityFeedQuery(communityId, pageSize);
  const live = useFeedLive(communityId, numericId);
  const react = useReactToPostMutation(communityId);
  const update = useUpdatePostMutation(communityId);
  const remove = useDeletePostMutation(communityId);
  const pin = usePinPostMutation(communityId);
  const [openId, setOpenId] = useState<number | null>(null);
  const [sheetId, setSheetId] = useState<number | null>(null);
  const [editingId, setEditingId] = useState<number | null>(null);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const pinned = query.data.pages[0]?.pinned ?? [];
  const pinnedIds = new Set(pinned.map((p) => p.id));
  const items = [...pinned, ...query.data.pages.flatMap((p) => p.items).filter((i) => !pinnedIds.has(i.id))];
  const failure = react.error ?? update.error ?? remove.error ?? pin.error;
  const handlers = (item: FeedItem): PostHandlers => ({
    onReact: (emoji) => {
      track('tap', 'feed.react', { item_id: item.id, emoji });
      react.mutate({ itemId: item.id, emoji });
    },
    onSaveEdit: async (content) => {
      track('tap', 'feed.edit', { item_id: item.id });
      try {
        await update.mutateAsync({ itemId: item.id, content });
        setEditingId(null);
        return 'saved';
      } catch {
        return 'failed';
      }
    },
    onDelete: () => {
      track('tap', 'feed.delete', { item_id: item.id });
      remove.mutate(item.id, { onSuccess: () => setOpenId((id) => (id === item.id ? null : id)) });
    },
    onPin: (next) => {
      track('tap', next ? 'feed.pin_short' : 'feed.unpin', { item_id: item.id });
      pin.mutate({ itemId: item.id, pinned: next });
    },
  });
  const banner = (
    <ErrorBanner
      error={failure}
      onDismiss={() => {
        react.reset();
        update.reset();
        remove.reset();
        pin.reset();
      }}
    />
  );
  const sheetItem = sheetId === null ? undefined : items.find((i) => i.id === sheetId);
  // The sheet sits over the whole tab (on the web preview it is an overlay of its parent).
  const sheet = sheetItem ? (
    <PostActionSheet item={sheetItem} h={handlers(sheetItem)} onEdit={() => setEditingId(sheetItem.id)} onClose={() => setSheetId(null)} />
  ) : null;
  const card = (item: FeedItem) => ({
    item,
    onMore: () => setSheetId(item.id),
    editing: editingId === item.id,
    onCancelEdit: () => setEditingId(null),
    ...handlers(item),
  });
  const open = openId === null ? undefined : items.find((i) => i.id === openId);
  if (open)
    return (
      <View style={{ flex: 1 }}>
        {banner}
        <PostDetail communityId={communityId} card={card(open)} onBack={() => setOpenId(null)} />
        {sheet}
      </View>
    );
  return (
    <View style={{ flex: 1 }}>
      {banner}
      {live.fresh > 0 && (
        <Pressable
          style={s.pill}
          accessibilityRole="button"
          testID="feed-new-posts"
          onPress={() => {
            track('tap', 'feed.new_posts_count', { count: live.fresh });
            void live.showFresh();
          }}
        >
          <Text style={s.pillText}>{t('feed.new_posts_count', { count: live.fresh })}</Text>
        </Pressable>
      )}
      <FlatList
        testID="feed-list"
        data={items}
        keyExtractor={(i) => String(i.id)}
        extraData={editingId}
        ListHeaderComponent={canPost ? <PostComposer communityId={communityId} canAttach /> : null}
        renderItem={({ item }) => (
          <PostCard
            {...card(item)}
            pinned={pinnedIds.has(item.id)}
            onOpen={() => {
              track('tap', 'feed.open', { item_id: item.id });
              setOpenId(item.id);
            }}
          />
        )}
        refreshing={query.isRefetching && !query.isFetchingNextPage}
        onRefresh={() => {
          track('tap', 'feed.refresh');
          void query.refetch();
        }}
        onEndReached={() => {
          if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
        }}
        onEndReachedThreshold={0.5}
        ListEmptyComponent={<Empty text={t('feed.empty_start')} />}
        ListFooterComponent={query.isFetchingNextPage ? <ActivityIndicator style={{ padding: 16 }} testID="loading-more" /> : null}
      />
      {sheet}
    </View>
  );
}
