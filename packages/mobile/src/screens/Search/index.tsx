import type { SearchResult } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FlatList, Pressable, Text, TextInput, View } from 'react-native';

import { Screen } from '../../components/screen';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';

export interface SearchScreenProps {
  /** Search within this community (leave out for everything the user takes part in, DMs included). */
  communityId?: number;
  /** A result was tapped: open its channel at the message (`around` it), the DM, the post, the member or the community. */
  onOpen?: (result: SearchResult) => void;
}

const TYPES = ['', 'message', 'post', 'member', 'community'] as const;
type Type = (typeof TYPES)[number];

const make = (t: CommunitiesTheme) => ({
  input: {
    margin: 12,
    borderWidth: 1,
    borderColor: t.border,
    borderRadius: 10,
    paddingHorizontal: 12,
    paddingVertical: 8,
    color: t.text,
    backgroundColor: t.surface,
  },
  chips: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 6, marginHorizontal: 12, marginBottom: 6 },
  chip: { paddingHorizontal: 10, paddingVertical: 5, borderRadius: 999, borderWidth: 1, borderColor: t.border },
  chipOn: { backgroundColor: t.primary, borderColor: t.primary },
  chipText: { color: t.text, fontSize: 13 },
  chipTextOn: { color: '#fff', fontSize: 13 },
  row: { paddingHorizontal: 12, paddingVertical: 10, borderBottomWidth: 1, borderBottomColor: t.border },
  where: { fontSize: 12, color: t.muted, marginBottom: 2 },
  text: { fontSize: 15, color: t.text },
  mark: { fontWeight: '700' as const, backgroundColor: '#fef0c7' },
});

/** Search messages, posts, members and communities the user can see, with the matched words marked. */
export function SearchScreen({ communityId, onOpen }: SearchScreenProps) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { api } = useAddon();
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [type, setType] = useState<Type>('');
  useEffect(() => {
    const id = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(id);
  }, [q]);
  const query = { q: debounced, ...(communityId ? { community_id: communityId } : {}), ...(type ? { type } : {}) };
  const results = useQuery({
    queryKey: ['search', query],
    queryFn: ({ signal }) => api.search.search({ query }, { signal }),
    enabled: debounced.length >= 2,
    retry: false,
  });
  return (
    <Screen name="communities.search" params={communityId ? { community_id: communityId } : {}} testID="search-screen">
      <TextInput
        style={s.input}
        value={q}
        onChangeText={setQ}
        placeholder={t('search.placeholder_mobile')}
        accessibilityLabel={t('search.label')}
        autoFocus
        returnKeyType="search"
        testID="search-input"
      />
      <View style={s.chips} accessibilityRole="radiogroup" accessibilityLabel={t('search.filter_type')}>
        {TYPES.map((k) => (
          <Pressable
            key={k || 'all'}
            style={[s.chip, type === k && s.chipOn]}
            accessibilityRole="radio"
            accessibilityState={{ checked: type === k }}
            onPress={() => setType(k)}
            testID={`search-type-${k || 'all'}`}
          >
            <Text style={type === k ? s.chipTextOn : s.chipText}>{t(k ? `search.type_${k}` : 'search.type_all')}</Text>
          </Pressable>
        ))}
      </View>
      {debounced.length < 2 ? null : results.status === 'pending' ? (
        <Loading label={t('search.searching')} />
      ) : results.status === 'error' ? (
        <ErrorState error={results.error} onRetry={() => void results.refetch()} />
      ) : (
        <FlatList
          data={results.data.items}
          keyExtractor={(r) => `${r.kind}-${r.id}`}
          ListEmptyComponent={<Empty text={t('search.no_results', { q: debounced })} />}
          keyboardShouldPersistTaps="handled"
          renderItem={({ item }) => (
            <Pressable
              style={s.row}
              onPress={() => onOpen?.(item)}
              accessibilityRole="button"
              accessibilityHint={t('search.open_hint')}
              testID={`search-result-${item.kind}-${item.id}`}
            >
              <Text style={s.where}>
                {t(`search.kind_${item.kind}`)}
                {item.channel ? ` · #${item.channel.name}` : ''}
                {item.author && item.kind !== 'member' ? ` · ${item.author.name}` : ''}
              </Text>
              <Text style={s.text}>
                {parts(item).map((p, i) =>
                  p.mark ? (
                    <Text key={i} style={s.mark} testID="search-mark">
                      {p.text}
                    </Text>
                  ) : (
                    p.text
                  ),
                )}
              </Text>
            </Pressable>
          )}
        />
      )}
    </Screen>
  );
}

/** The result's text cut at its highlight ranges. */
export function parts(r: Pick<SearchResult, 'text' | 'highlights'>): Array<{ text: string; mark: boolean }> {
  const out: Array<{ text: string; mark: boolean }> = [];
  let at = 0;
  for (const [a, b] of [...r.highlights].sort((x, y) => x[0] - y[0])) {
    if (a < at) continue;
    if (a > at) out.push({ text: r.text.slice(at, a), mark: false });
    out.push({ text: r.text.slice(a, b), mark: true });
    at = b;
  }
  if (at < r.text.length) out.push({ text: r.text.slice(at), mark: false });
  return out;
}
