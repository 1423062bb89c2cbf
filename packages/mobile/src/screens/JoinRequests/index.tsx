import type { Member } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { FlatList, Text, TextInput, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Button } from '../../components/button';
import { Screen } from '../../components/screen';
import { Empty, ErrorBanner, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useDecideRequestMutation, useRequestsQuery } from '../../state/queries/requests';

export interface JoinRequestsScreenProps {
  /** The community's id or slug. */
  communityId: string;
}

const make = (t: CommunitiesTheme) => ({
  card: {
    marginHorizontal: 12,
    marginTop: 12,
    padding: 12,
    borderRadius: 10,
    backgroundColor: t.surface,
    borderWidth: 1,
    borderColor: t.border,
    gap: 8,
  },
  head: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 10 },
  name: { fontSize: 15, fontWeight: '600' as const, color: t.text },
  row: { flexDirection: 'row' as const, gap: 8 },
  intro: { fontSize: 14, fontStyle: 'italic' as const, color: t.text },
  input: { borderWidth: 1, borderColor: t.border, borderRadius: 8, padding: 8, color: t.text, backgroundColor: t.background },
  done: { marginHorizontal: 12, marginTop: 12, color: t.muted, fontSize: 13 },
});

/**
 * The owner's or a moderator's pending join requests on the phone: each with the requester's
 * introduction; approve or reject with an optional message the requester sees.
 */
export function JoinRequestsScreen({ communityId }: JoinRequestsScreenProps) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const query = useRequestsQuery(communityId);
  const decide = useDecideRequestMutation(communityId);
  const [done, setDone] = useState<string | null>(null);
  return (
    <Screen name="communities.requests" params={{ community_id: communityId }} testID="join-requests">
      <ErrorBanner error={decide.error} onDismiss={() => decide.reset()} />
      {done ? (
        <Text style={s.done} accessibilityLiveRegion="polite" testID="requests-done">
          {done}
        </Text>
      ) : null}
      {query.status === 'pending' ? (
        <Loading />
      ) : query.status === 'error' ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <FlatList
          data={query.data.items}
          keyExtractor={(m) => String(m.user.id)}
          onRefresh={() => void query.refetch()}
          refreshing={query.isRefetching}
          ListEmptyComponent={<Empty text={t('requests.empty')} />}
          renderItem={({ item }) => (
            <RequestCard
              m={item}
              busy={decide.isPending}
              onDecide={(decision, message) =>
                decide.mutate(
                  { userId: item.user.id, decision, message },
                  {
                    onSuccess: () =>
                      setDone(t(decision === 'approve' ? 'requests.approved' : 'requests.rejected', { name: item.user.name })),
                  },
                )
              }
            />
          )}
        />
      )}
    </Screen>
  );
}

function RequestCard({
  m,
  busy,
  onDecide,
}: {
  m: Member;
  busy: boolean;
  onDecide: (d: 'approve' | 'reject', message: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [message, setMessage] = useState('');
  const decide = (d: 'approve' | 'reject') => onDecide(d, message.trim() || undefined);
  return (
    <View style={s.card} testID={`request-${m.user.id}`}>
      <View style={s.head}>
        <Avatar name={m.user.name} />
        <Text style={s.name}>{m.user.name}</Text>
      </View>
      {m.request_intro ? (
        <Text style={s.intro} accessibilityLabel={`${t('requests.intro')}: ${m.request_intro}`} testID={`intro-${m.user.id}`}>
          “{m.request_intro}”
        </Text>
      ) : null}
      <TextInput
        style={s.input}
        value={message}
        onChangeText={setMessage}
        maxLength={1000}
        placeholder={t('requests.message', { name: m.user.name })}
        accessibilityLabel={t('requests.message', { name: m.user.name })}
        testID={`message-${m.user.id}`}
      />
      <View style={s.row}>
        <Button label={t('requests.approve')} disabled={busy} onPress={() => decide('approve')} testID={`approve-${m.user.id}`} />
        <Button
          variant="secondary"
          label={t('requests.reject')}
          disabled={busy}
          onPress={() => decide('reject')}
          testID={`reject-${m.user.id}`}
        />
      </View>
    </View>
  );
}
