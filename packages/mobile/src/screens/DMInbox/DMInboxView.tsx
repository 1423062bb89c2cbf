import type { DmThread } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Pressable, Text, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Button } from '../../components/button';
import { CountBadge } from '../../components/count-badge';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { shortTime } from '../../lib/format';
import { threadTitle } from '../../lib/threads';

const make = (t: CommunitiesTheme) => ({
  row: {
    flexDirection: 'row' as const,
    alignItems: 'center' as const,
    gap: 12,
    paddingHorizontal: 16,
    paddingVertical: 12,
    backgroundColor: t.surface,
    borderBottomWidth: 1,
    borderBottomColor: t.border,
  },
  body: { flex: 1, gap: 2 },
  top: { flexDirection: 'row' as const, justifyContent: 'space-between' as const, gap: 8 },
  name: { fontSize: 15, color: t.text, flexShrink: 1 },
  unreadName: { fontWeight: '700' as const },
  time: { fontSize: 12, color: t.muted },
  preview: { fontSize: 13, color: t.muted },
  unreadPreview: { color: t.text },
  bar: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, padding: 10 },
});

export interface DMInboxViewProps {
  threads: DmThread[];
  meId: number | undefined;
  status: 'pending' | 'error' | 'success';
  error: unknown;
  onRetry: () => void;
  onOpen: (thread: DmThread) => void;
  onEndReached: () => void;
  loadingMore: boolean;
  refreshing: boolean;
  onRefresh: () => void;
  /** Present when the host can open a thread: starts a conversation with someone new. */
  onNewMessage?: () => void;
}

export function DMInboxView(p: DMInboxViewProps) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  if (p.status === 'pending') return <Loading />;
  if (p.status === 'error') return <ErrorState error={p.error} onRetry={p.onRetry} />;
  const list = (
    <FlatList
      testID="thread-list"
      data={p.threads}
      keyExtractor={(th) => String(th.id)}
      onEndReached={p.onEndReached}
      onEndReachedThreshold={0.5}
      refreshing={p.refreshing}
      onRefresh={p.onRefresh}
      ListEmptyComponent={<Empty text={t('dm.empty')} />}
      ListFooterComponent={p.loadingMore ? <ActivityIndicator style={{ padding: 16 }} testID="loading-more" /> : null}
      renderItem={({ item }) => {
        const title = threadTitle(item, p.meId);
        const unread = item.unread_count > 0;
        const last = item.last_message;
        const excerpt = last ? (last.excerpt ?? t('dm.attachment')) : t('dm.no_messages_yet');
        return (
          <Pressable
            style={s.row}
            onPress={() => p.onOpen(item)}
            accessibilityRole="button"
            accessibilityLabel={unread ? `${title}, ${t('dm.unread_count', { count: item.unread_count })}` : title}
            testID={`thread-${item.id}`}
          >
            <Avatar name={title} size={44} />
            <View style={s.body}>
              <View style={s.top}>
                <Text style={[s.name, unread && s.unreadName]} numberOfLines={1}>
                  {title}
                </Text>
                <Text style={s.time}>{shortTime(item.last_message_at, t, Date.now(), i18n.language)}</Text>
              </View>
              <Text style={[s.preview, unread && s.unreadPreview]} numberOfLines={1}>
                {last && last.author_id === p.meId ? t('dm.you_marker', { text: excerpt }) : excerpt}
              </Text>
            </View>
            {unread ? <CountBadge label={item.unread_count} testID={`unread-${item.id}`} /> : null}
          </Pressable>
        );
      }}
    />
  );
  if (!p.onNewMessage) return list;
  return (
    <View style={{ flex: 1 }}>
      <View style={s.bar}>
        <Button label={`✏️ ${t('dm.new_message')}`} onPress={p.onNewMessage} testID="new-message-open" />
      </View>
      {list}
    </View>
  );
}
