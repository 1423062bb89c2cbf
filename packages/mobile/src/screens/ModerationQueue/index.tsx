import type { ModerationReport } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { FlatList, Text, View } from 'react-native';

import { Button } from '../../components/button';
import { Screen } from '../../components/screen';
import { Empty, ErrorBanner, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useQueueActionMutation, useQueueQuery } from '../../state/queries/moderation';

export interface ModerationQueueScreenProps {
  /** The community's id or slug. */
  communityId: string;
}

const make = (t: CommunitiesTheme) => ({
  card: { margin: 12, padding: 12, borderRadius: 10, backgroundColor: t.surface, borderWidth: 1, borderColor: t.border, gap: 8 },
  meta: { fontSize: 13, color: t.muted },
  content: { fontSize: 15, color: t.text, borderStartWidth: 3, borderStartColor: t.border, paddingStart: 8 },
  row: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 8 },
});

/** The moderator's queue on the phone: the reported content inline and one-tap actions. */
export function ModerationQueueScreen({ communityId }: ModerationQueueScreenProps) {
  const { t } = useTranslation();
  const query = useQueueQuery(communityId);
  const act = useQueueActionMutation(communityId);
  return (
    <Screen name="moderation.queue" params={{ community_id: communityId }} testID="moderation-queue">
      <ErrorBanner error={act.error} onDismiss={() => act.reset()} />
      {query.status === 'pending' ? (
        <Loading />
      ) : query.status === 'error' ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <FlatList
          data={query.data.items}
          keyExtractor={(r) => String(r.id)}
          onRefresh={() => void query.refetch()}
          refreshing={query.isRefetching}
          ListEmptyComponent={<Empty text={t('moderation.queue_empty_hint')} />}
          renderItem={({ item }) => (
            <ReportCard report={item} busy={act.isPending} onAct={(action) => act.mutate({ report: item, action })} />
          )}
        />
      )}
    </Screen>
  );
}

function ReportCard({
  report: r,
  busy,
  onAct,
}: {
  report: ModerationReport;
  busy: boolean;
  onAct: (a: Parameters<ReturnType<typeof useQueueActionMutation>['mutate']>[0]['action']) => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const reason = t(`moderation.reason_${r.reason}`, { defaultValue: r.reason });
  const author = r.target.author;
  return (
    <View style={s.card} testID={`report-${r.id}`}>
      <Text style={s.meta}>
        {reason} · {r.reporter ? t('moderation.reported_by', { name: r.reporter.name }) : t('moderation.flagged_by_filter')}
      </Text>
      {author ? <Text style={s.meta}>{author.name}</Text> : null}
      {r.target.type !== 'user' ? <Text style={s.content}>{r.target.content ?? t('moderation.content_deleted')}</Text> : null}
      {r.note ? <Text style={s.meta}>{r.note}</Text> : null}
      <View style={s.row}>
        <Button
          variant="secondary"
          label={t('moderation.dismiss')}
          disabled={busy}
          onPress={() => onAct({ kind: 'status', status: 'dismissed', notes: t('moderation.dismissed_note') })}
          testID={`dismiss-${r.id}`}
        />
        <Button
          label={t('moderation.resolve')}
          disabled={busy}
          onPress={() => onAct({ kind: 'status', status: 'resolved', notes: reason })}
          testID={`resolve-${r.id}`}
        />
        {r.target.type !== 'user' && r.target.content !== null ? (
          <Button
            variant="danger"
            label={t('moderation.delete_content_action')}
            disabled={busy}
            onPress={() => onAct({ kind: 'delete', notes: reason })}
            testID={`delete-content-${r.id}`}
          />
        ) : null}
        {author ? (
          <Button
            variant="danger"
            label={t('moderation.mute_hour')}
            disabled={busy}
            onPress={() => onAct({ kind: 'mute', userId: author.id, minutes: 60, notes: reason })}
            testID={`mute-author-${r.id}`}
          />
        ) : null}
      </View>
    </View>
  );
}
