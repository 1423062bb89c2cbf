import type { CommunityCard as Card } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, TextInput, View } from 'react-native';

import { Chips } from '../../components/chips';
import { CommunityCard } from '../../components/community-card';
import { Empty, ErrorBanner, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';

export type ListFilter = 'all' | 'joined' | 'free' | 'paid';

const make = (t: CommunitiesTheme) => ({
  search: {
    margin: 12,
    marginBottom: 0,
    paddingHorizontal: 12,
    paddingVertical: 10,
    borderRadius: 10,
    backgroundColor: t.surface,
    borderWidth: 1,
    borderColor: t.border,
    color: t.text,
    fontSize: 15,
  },
  footer: { padding: 16 },
});

export interface CommunityListViewProps {
  search: string;
  onSearch: (q: string) => void;
  filter: ListFilter;
  onFilter: (f: ListFilter) => void;
  items: Card[];
  status: 'pending' | 'error' | 'success';
  error: unknown;
  onRetry: () => void;
  loadingMore: boolean;
  onEndReached: () => void;
  onRefresh: () => void;
  refreshing: boolean;
  onOpen: (c: Card) => void;
  onMembership: (c: Card, action: 'join' | 'leave' | 'subscribe') => void;
  busyId: number | null;
  actionError: unknown;
  onDismissActionError: () => void;
}

export function CommunityListView(p: CommunityListViewProps) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const filters: Array<{ key: ListFilter; label: string }> = [
    { key: 'all', label: t('discover.all') },
    { key: 'joined', label: t('discover.joined') },
    { key: 'free', label: t('discover.free') },
    { key: 'paid', label: t('discover.paid') },
  ];
  return (
    <View style={{ flex: 1 }}>
      <TextInput
        style={s.search}
        value={p.search}
        onChangeText={p.onSearch}
        placeholder={t('discover.search')}
        accessibilityLabel={t('discover.search')}
        autoCorrect={false}
        returnKeyType="search"
        testID="community-search"
      />
      <Chips items={filters} value={p.filter} onChange={p.onFilter} role="radio" />
      <ErrorBanner error={p.actionError} onDismiss={p.onDismissActionError} />
      {p.status === 'pending' ? (
        <Loading />
      ) : p.status === 'error' ? (
        <ErrorState error={p.error} onRetry={p.onRetry} />
      ) : (
        <FlatList
          testID="community-list"
          data={p.items}
          keyExtractor={(c) => String(c.id)}
          renderItem={({ item }) => (
            <CommunityCard
              community={item}
              busy={p.busyId === item.id}
              onOpen={() => p.onOpen(item)}
              onMembership={(action) => p.onMembership(item, action)}
            />
          )}
          onEndReached={p.onEndReached}
          onEndReachedThreshold={0.5}
          refreshing={p.refreshing}
          onRefresh={p.onRefresh}
          ListEmptyComponent={<Empty text={t('list.empty')} />}
          ListFooterComponent={p.loadingMore ? <ActivityIndicator style={s.footer} testID="loading-more" /> : null}
        />
      )}
    </View>
  );
}
