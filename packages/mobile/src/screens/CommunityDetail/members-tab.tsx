import type { DmThread } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Text, TextInput, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Button } from '../../components/button';
import { MemberActionsSheet } from '../../components/member-actions';
import { StartDmNotice, useStartDm } from '../../components/start-dm';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
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
  who: { flex: 1 },
  name: { fontSize: 15, color: t.text },
  role: { fontSize: 12, color: t.muted },
});

export function MembersTab({
  communityId,
  pageSize,
  onOpenThread,
  canModerate = false,
  communityNumericId,
}: {
  communityId: string;
  pageSize?: number;
  /** The viewer manages members here (members.manage): the member sheet offers sanctions. */
  canModerate?: boolean;
  /** For reports of a member: the community where it happened. */
  communityNumericId?: number;
  /** Given when the viewer may message members from here: opens the conversation started. */
  onOpenThread?: (thread: DmThread) => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { me } = useAddon();
  const dm = useStartDm(onOpenThread);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const query = useMembersQuery(communityId, q, pageSize);
  const [acting, setActing] = useState<{ id: number; name: string } | null>(null);
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
      <StartDmNotice error={dm.error} onDismiss={dm.dismiss} onUnblock={dm.unblockAndStart} />
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
            <View style={s.row} testID={`member-${item.user.id}`}>
              <Avatar name={item.user.name} />
              <View style={s.who}>
                <Text style={s.name}>{item.user.name}</Text>
                <Text style={s.role}>{item.role.name}</Text>
              </View>
              {onOpenThread && me && item.user.id !== me.id ? (
                <Button
                  variant="secondary"
                  label={`✉️ ${t('dm.message')}`}
                  accessibilityLabel={t('chat.composer_label', { name: item.user.name })}
                  busy={dm.startingId === item.user.id}
                  disabled={dm.startingId !== null}
                  onPress={() => dm.start(item.user)}
                  testID={`message-member-${item.user.id}`}
                />
              ) : null}
              {me && item.user.id !== me.id && item.role.slug !== 'owner' ? (
                <Button
                  variant="secondary"
                  label="⋯"
                  accessibilityLabel={t('moderation.more', { name: item.user.name })}
                  onPress={() => setActing(item.user)}
                  testID={`member-more-${item.user.id}`}
                />
              ) : null}
            </View>
          )}
        />
      )}
      {acting ? (
        <MemberActionsSheet
          communityId={communityId}
          {...(communityNumericId ? { communityNumericId } : {})}
          user={acting}
          canModerate={canModerate}
          onClose={() => setActing(null)}
        />
      ) : null}
    </View>
  );
}
