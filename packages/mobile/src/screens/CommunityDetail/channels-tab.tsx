import type { Channel } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Pressable, SectionList, Text, View } from 'react-native';

import { CountBadge } from '../../components/count-badge';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { count } from '../../lib/format';
import { useChannelsQuery } from '../../state/queries/channels';

const make = (t: CommunitiesTheme) => ({
  section: {
    paddingHorizontal: 16,
    paddingTop: 16,
    paddingBottom: 6,
    fontSize: 12,
    fontWeight: '700' as const,
    color: t.muted,
    textTransform: 'uppercase' as const,
  },
  row: {
    flexDirection: 'row' as const,
    alignItems: 'center' as const,
    paddingHorizontal: 16,
    paddingVertical: 12,
    backgroundColor: t.surface,
    borderBottomWidth: 1,
    borderBottomColor: t.border,
    gap: 10,
  },
  hash: { fontSize: 18, color: t.muted, width: 18 },
  name: { fontSize: 15, color: t.text, flex: 1 },
  unreadName: { fontWeight: '700' as const },
  topic: { fontSize: 12, color: t.muted },
});

/** Channels grouped by category, in the server's order, with unread and mention badges. */
export function groupChannels(items: Channel[]): Array<{ key: string; title: string | null; data: Channel[] }> {
  const categories = items.filter((c) => c.type === 'category');
  const channels = items.filter((c) => c.type !== 'category' && c.type !== 'voice_future');
  const loose = channels.filter((c) => c.parent_id === null || !categories.some((k) => k.id === c.parent_id));
  return [
    ...(loose.length ? [{ key: 'loose', title: null, data: loose }] : []),
    ...categories
      .map((k) => ({ key: String(k.id), title: k.name, data: channels.filter((c) => c.parent_id === k.id) }))
      .filter((g) => g.data.length),
  ];
}

export function ChannelsTab({ communityId, onOpenChannel }: { communityId: string; onOpenChannel: (c: Channel) => void }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const query = useChannelsQuery(communityId);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const sections = groupChannels(query.data.items);
  if (sections.length === 0) return <Empty text={t('channels.empty')} />;
  return (
    <SectionList
      testID="channel-list"
      sections={sections}
      keyExtractor={(c) => String(c.id)}
      renderSectionHeader={({ section }) => <Text style={s.section}>{section.title ?? t('channels.uncategorised')}</Text>}
      renderItem={({ item }) => (
        <Pressable
          style={s.row}
          onPress={() => onOpenChannel(item)}
          accessibilityRole="button"
          accessibilityLabel={`# ${item.name}${item.unread_count ? `, ${t('channels.unread_short', { count: item.unread_count })}` : ''}`}
          testID={`channel-${item.slug}`}
        >
          <Text style={s.hash}>{item.type === 'announcement' ? '📣' : item.is_private ? '🔒' : '#'}</Text>
          <View style={{ flex: 1 }}>
            <Text style={[s.name, item.unread_count > 0 && s.unreadName]}>{item.name}</Text>
            {item.topic ? (
              <Text style={s.topic} numberOfLines={1}>
                {item.topic}
              </Text>
            ) : null}
          </View>
          {item.unread_count > 0 ? (
            <CountBadge
              label={item.mention_count > 0 ? `@${count(item.mention_count, i18n.language)}` : item.unread_count}
              alert={item.mention_count > 0}
              testID={`unread-${item.slug}`}
            />
          ) : null}
        </Pressable>
      )}
    />
  );
}
