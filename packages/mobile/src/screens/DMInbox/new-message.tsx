import type { DmThread } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, Pressable, Text, TextInput, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Button } from '../../components/button';
import { StartDmNotice, useStartDm } from '../../components/start-dm';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useDebounced } from '../../lib/use-debounced';
import { usePeopleQuery } from '../../state/queries/dm';

const make = (t: CommunitiesTheme) => ({
  root: { flex: 1, backgroundColor: t.background },
  bar: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 8, padding: 12 },
  search: {
    flex: 1,
    paddingHorizontal: 12,
    paddingVertical: 8,
    borderRadius: 10,
    backgroundColor: t.surface,
    borderWidth: 1,
    borderColor: t.border,
    color: t.text,
  },
  row: {
    flexDirection: 'row' as const,
    alignItems: 'center' as const,
    gap: 12,
    paddingHorizontal: 16,
    paddingVertical: 10,
    backgroundColor: t.surface,
    borderBottomWidth: 1,
    borderBottomColor: t.border,
  },
  who: { flex: 1 },
  name: { fontSize: 15, color: t.text },
  meta: { fontSize: 12, color: t.muted },
});

/** Find someone from the caller's communities and open (or start) a conversation with them. */
export function NewMessage({
  meId,
  onOpenThread,
  onCancel,
}: {
  meId: number | undefined;
  onOpenThread?: (thread: DmThread) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const people = usePeopleQuery(q, meId);
  const dm = useStartDm(onOpenThread);
  return (
    <View style={s.root} testID="new-message">
      <View style={s.bar}>
        <TextInput
          style={s.search}
          value={search}
          onChangeText={setSearch}
          placeholder={t('dm.search_people_name')}
          accessibilityLabel={t('dm.search_people_name')}
          autoFocus
          testID="people-search"
        />
        <Button variant="secondary" label={t('feed.cancel')} onPress={onCancel} testID="new-message-cancel" />
      </View>
      <StartDmNotice error={dm.error} onDismiss={dm.dismiss} onUnblock={dm.unblockAndStart} />
      {people.status === 'pending' ? (
        <Loading />
      ) : people.status === 'error' ? (
        <ErrorState error={people.error} onRetry={() => void people.refetch()} />
      ) : (
        <FlatList
          testID="people-list"
          data={people.data}
          keyExtractor={(p) => String(p.id)}
          keyboardShouldPersistTaps="handled"
          ListEmptyComponent={<Empty text={t('dm.nobody_found')} />}
          renderItem={({ item }) => (
            <Pressable
              style={s.row}
              onPress={() => dm.start(item)}
              disabled={dm.startingId !== null}
              accessibilityRole="button"
              accessibilityLabel={t('chat.composer_label', { name: item.name })}
              testID={`person-${item.id}`}
            >
              <Avatar name={item.name} size={40} />
              <View style={s.who}>
                <Text style={s.name}>{item.name}</Text>
                <Text style={s.meta}>{t('dm.in_community', { community: item.community })}</Text>
              </View>
              {dm.startingId === item.id ? <ActivityIndicator /> : null}
            </Pressable>
          )}
        />
      )}
    </View>
  );
}
