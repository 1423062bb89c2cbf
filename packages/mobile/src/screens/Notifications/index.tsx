import type { Notification } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Pressable, Text, View } from 'react-native';

import { Button } from '../../components/button';
import { Chips } from '../../components/chips';
import { NotificationPrefsView } from '../../components/notification-prefs';
import { Screen } from '../../components/screen';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import { WithMe } from '../../components/with-me';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { shortTime } from '../../lib/format';
import { useMarkNotificationsRead, useNotificationsQuery } from '../../state/queries/notifications';

const make = (t: CommunitiesTheme) => ({
  row: {
    gap: 2,
    paddingHorizontal: 16,
    paddingVertical: 12,
    backgroundColor: t.surface,
    borderBottomWidth: 1,
    borderBottomColor: t.border,
  },
  unread: { borderStartWidth: 3, borderStartColor: t.danger },
  title: { fontSize: 15, color: t.text },
  unreadTitle: { fontWeight: '700' as const },
  body: { fontSize: 13, color: t.muted },
  time: { fontSize: 12, color: t.muted },
  bar: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, padding: 10 },
});

export interface NotificationsScreenProps {
  /**
   * Open what a notification is about: `message_id` with `channel_id` (ChannelScreen around that
   * message), `thread_id` (DMThreadScreen), `feed_item_id` or `community_id`. The item is marked read first.
   */
  onOpen?: (notification: Notification) => void;
  pageSize?: number;
  /** Open on the list (default) or on the preferences. */
  initialTab?: 'list' | 'settings';
}

/**
 * The caller's notifications, newest first: mentions, replies, DMs while away, decisions,
 * level-ups… and, on the second tab, what they want to hear about and where.
 */
export function NotificationsScreen({ initialTab = 'list', ...props }: NotificationsScreenProps) {
  const { t } = useTranslation();
  const [tab, setTab] = useState(initialTab);
  return (
    <Screen name="notifications" testID="notifications-screen">
      <WithMe>
        <Chips
          items={[
            { key: 'list', label: t('notifications.title') },
            { key: 'settings', label: t('notifications.preferences') },
          ]}
          value={tab}
          onChange={setTab}
        />
        {tab === 'list' ? <Notifications {...props} /> : <NotificationPrefsView />}
      </WithMe>
    </Screen>
  );
}

function Notifications({ onOpen, pageSize = 30 }: Omit<NotificationsScreenProps, 'initialTab'>) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const { track } = useAddon();
  const q = useNotificationsQuery(pageSize);
  const read = useMarkNotificationsRead();
  if (q.status === 'pending') return <Loading />;
  if (q.status === 'error') return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data.pages.flatMap((p) => p.items);
  const unread = q.data.pages[0]?.unread_count ?? 0;
  const title = (n: Notification) => {
    const key = typeof n.data.title_key === 'string' ? n.data.title_key : null;
    if (!key) return n.title;
    return t(`notifications.text.${key}`, {
      ...n.data,
      actor: n.actor?.name ?? t('notifications.text.someone'),
      count: n.count,
      others: n.count - 1,
      defaultValue: n.title,
    });
  };
  return (
    <View style={{ flex: 1 }}>
      {unread > 0 && (
        <View style={s.bar}>
          <Button
            label={t('notifications.mark_all_read')}
            variant="secondary"
            onPress={() => read.mutate({ all: true })}
            testID="notifications-read-all"
          />
        </View>
      )}
      <FlatList
        testID="notification-list"
        data={items}
        keyExtractor={(n) => String(n.id)}
        onEndReached={() => {
          if (q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
        }}
        onEndReachedThreshold={0.5}
        refreshing={q.isRefetching}
        onRefresh={() => void q.refetch()}
        ListEmptyComponent={<Empty text={t('notifications.empty')} />}
        ListFooterComponent={q.isFetchingNextPage ? <ActivityIndicator style={{ padding: 16 }} /> : null}
        renderItem={({ item }) => {
          const label = title(item);
          const body = item.body ?? (item.data.unavailable ? t('notifications.unavailable') : null);
          return (
            <Pressable
              style={[s.row, item.read ? null : s.unread]}
              accessibilityRole="button"
              accessibilityLabel={item.read ? label : `${label}, ${t('notifications.bell_unread', { count: 1 })}`}
              testID={`notification-${item.id}`}
              onPress={() => {
                if (!item.read) read.mutate({ ids: [item.id] });
                track('tap', 'notifications.open', { kind: item.kind, id: item.id });
                onOpen?.(item);
              }}
            >
              <Text style={[s.title, item.read ? null : s.unreadTitle]}>{label}</Text>
              {body !== null && (
                <Text style={s.body} numberOfLines={2}>
                  {body}
                </Text>
              )}
              <Text style={s.time}>{shortTime(item.updated_at, t, Date.now(), i18n.language)}</Text>
            </Pressable>
          );
        }}
      />
    </View>
  );
}
