import type { Member } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { FlatList, Text, View } from 'react-native';

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
});

/** The owner's or a moderator's pending join requests on the phone: approve or reject each. */
export function JoinRequestsScreen({ communityId }: JoinRequestsScreenProps) {
  const { t } = useTranslation();
  const query = useRequestsQuery(communityId);
  const decide = useDecideRequestMutation(communityId);
  return (
    <Screen name="communities.requests" params={{ community_id: communityId }} testID="join-requests">
      <ErrorBanner error={decide.error} onDismiss={() => decide.reset()} />
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
            <RequestCard m={item} busy={decide.isPending} onDecide={(decision) => decide.mutate({ userId: item.user.id, decision })} />
          )}
        />
      )}
    </Screen>
  );
}

function RequestCard({ m, busy, onDecide }: { m: Member; busy: boolean; onDecide: (d: 'approve' | 'reject') => void }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  return (
    <View style={s.card} testID={`request-${m.user.id}`}>
      <View style={s.head}>
        <Avatar name={m.user.name} />
        <Text style={s.name}>{m.user.name}</Text>
      </View>
      <View style={s.row}>
        <Button label={t('requests.approve')} disabled={busy} onPress={() => onDecide('approve')} testID={`approve-${m.user.id}`} />
        <Button
          variant="secondary"
          label={t('requests.reject')}
          disabled={busy}
          onPress={() => onDecide('reject')}
          testID={`reject-${m.user.id}`}
        />
      </View>
    </View>
  );
}
