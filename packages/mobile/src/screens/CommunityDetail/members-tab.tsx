import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Text, TextInput, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useDebounced } from '../../lib/use-debounced';
import { useMembersQuery } from '../../state/queries/communities';

const make = (t: CommunitiesTheme) => ({
  search: {
    margin: 12,
    paddingHorizontal: 12,
    paddingVertical: 8,
    borderRadius: 10,
    backgroundColor: t.surface,
    borderWidth: 1,
    borderColor: t.border,
    color: t.text,
  },
  row: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 10, paddingHorizontal: 16, paddingVertical: 10 },
  name: { fontSize: 15, color: t.text },
  role: { fontSize: 12, color: t.muted },
});

export function MembersTab({ communityId, pageSize }: { communityId: string; pageSize?: number }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const query = useMembersQuery(communityId, q, pageSize);
  return (
    <View style={{ flex: 1 }}>
      <TextInput
        style={s.search}
        value={search}
        onChangeText={setSearch}
        placeholder={t('members.search')}
        accessibilityLabel={t('members.search')}
        testID="member-search"
      />
      {query.status === 'pending' ? (
        <Loading />
      ) : query.status === 'error' ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <FlatList
          testID="member-list"
          data={query.data.pages.flatMap((p) => p.items)}
          keyExtractor={(m) => String(m.user.id)}
          onEndReached={() => {
            if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
          }}
          onEndReachedThreshold={0.5}
          ListEmptyComponent={<Empty text={t('members.empty')} />}
          ListFooterComponent={query.isFetchingNextPage ? <ActivityIndicator style={{ padding: 16 }} testID="loading-more" /> : null}
          renderItem={({ item }) => (
            <View style={s.row}>
              <Avatar name={item.user.name} />
              <View>
                <Text style={s.name}>{item.user.name}</Text>
                <Text style={s.role}>{item.role.name}</Text>
              </View>
            </View>
          )}
        />
      )}
    </View>
  );
}
