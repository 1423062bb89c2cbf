import type { FeedItem } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Pressable, Text, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { EmojiPicker } from '../../components/emoji-picker';
import { Reactions } from '../../components/reactions';
import { RichText } from '../../components/rich-text';
import { Empty, ErrorBanner, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { shortTime } from '../../lib/format';
import { useCommunityFeedQuery, useReactToPostMutation } from '../../state/queries/feed';

const make = (t: CommunitiesTheme) => ({
  post: {
    backgroundColor: t.surface,
    marginHorizontal: 12,
    marginVertical: 6,
    padding: 14,
    borderRadius: 12,
    borderWidth: 1,
    borderColor: t.border,
  },
  head: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 10, marginBottom: 8 },
  author: { fontWeight: '600' as const, color: t.text },
  meta: { fontSize: 12, color: t.muted },
  label: { fontSize: 11, fontWeight: '700' as const, color: t.primary, marginBottom: 4 },
  title: { fontSize: 16, fontWeight: '700' as const, color: t.text, marginBottom: 4 },
  body: { fontSize: 15, color: t.text, lineHeight: 21 },
  foot: { flexDirection: 'row' as const, alignItems: 'center' as const, justifyContent: 'space-between' as const, marginTop: 8 },
  react: { fontSize: 13, color: t.primary, fontWeight: '600' as const, padding: 4 },
});

export function FeedTab({ communityId, pageSize }: { communityId: string; pageSize?: number }) {
  const { t } = useTranslation();
  const { track } = useAddon();
  const query = useCommunityFeedQuery(communityId, pageSize);
  const react = useReactToPostMutation(communityId, pageSize);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const pinned = query.data.pages[0]?.pinned ?? [];
  const pinnedIds = new Set(pinned.map((p) => p.id));
  const items = [...pinned, ...query.data.pages.flatMap((p) => p.items).filter((i) => !pinnedIds.has(i.id))];
  return (
    <View style={{ flex: 1 }}>
      <ErrorBanner error={react.error} onDismiss={() => react.reset()} />
      <FlatList
        testID="feed-list"
        data={items}
        keyExtractor={(i) => String(i.id)}
        renderItem={({ item }) => (
          <Post
            item={item}
            pinned={pinnedIds.has(item.id)}
            onReact={(emoji) => {
              track('tap', 'feed.react', { item_id: item.id, emoji });
              react.mutate({ itemId: item.id, emoji });
            }}
          />
        )}
        onEndReached={() => {
          if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
        }}
        onEndReachedThreshold={0.5}
        ListEmptyComponent={<Empty text={t('feed.empty')} />}
        ListFooterComponent={query.isFetchingNextPage ? <ActivityIndicator style={{ padding: 16 }} testID="loading-more" /> : null}
      />
    </View>
  );
}

function Post({ item, pinned, onReact }: { item: FeedItem; pinned: boolean; onReact: (emoji: string) => void }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const [picking, setPicking] = useState(false);
  return (
    <View style={s.post} testID={`post-${item.id}`}>
      {pinned ? <Text style={s.label}>{t('feed.pinned')}</Text> : null}
      {item.type === 'announcement' ? <Text style={s.label}>{t('feed.announcement')}</Text> : null}
      <View style={s.head}>
        <Avatar name={item.author.name} />
        <View>
          <Text style={s.author}>{item.author.name}</Text>
          <Text style={s.meta}>{shortTime(item.created_at, t, Date.now(), i18n.language)}</Text>
        </View>
      </View>
      {item.title ? <Text style={s.title}>{item.title}</Text> : null}
      {item.content === null ? <Text style={s.meta}>{t('feed.removed')}</Text> : <RichText source={item.content} style={s.body} />}
      <Reactions reactions={item.reactions} onToggle={onReact} canReact={item.viewer_can.react} />
      <View style={s.foot}>
        <Text style={s.meta}>{t('feed.comments', { count: item.comment_count })}</Text>
        {item.viewer_can.react ? (
          <Pressable onPress={() => setPicking((v) => !v)} accessibilityRole="button" testID={`react-post-${item.id}`}>
            <Text style={s.react}>{t('chat.react')}</Text>
          </Pressable>
        ) : null}
      </View>
      {picking ? (
        <EmojiPicker
          testID={`picker-post-${item.id}`}
          onPick={(e) => {
            setPicking(false);
            onReact(e);
          }}
        />
      ) : null}
    </View>
  );
}
