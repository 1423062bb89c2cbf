import { insightsRange, todayIn } from '@communities/client';
import type { AnalyticsPeriod } from '@communities/contract';
import { useState } from 'react';
import { ScrollView } from 'react-native';

import { HeatmapView } from '../../components/heatmap-view';
import { KindPicker, type KindChoice } from '../../components/kind-picker';
import { Screen } from '../../components/screen';
import { ErrorState, Loading } from '../../components/states';
import { useCommunityAnalyticsQuery, useCommunityHeatmapQuery, useViewerTimeZone } from '../../state/queries/analytics';

import { InsightsView } from './InsightsView';

export interface InsightsScreenProps {
  /** Community id or slug. */
  communityId: string | number;
}

/** A community's insights and activity heatmaps, for its owners, moderators and site admins. */
export function InsightsBody({ communityId }: InsightsScreenProps) {
  const id = String(communityId);
  const tz = useViewerTimeZone();
  const [period, setPeriod] = useState<AnalyticsPeriod>('day');
  const range = insightsRange(period, todayIn(tz ?? 'UTC'));
  const q = useCommunityAnalyticsQuery(id, { period, ...range });
  const [kind, setKind] = useState<KindChoice>('all');
  const heatmap = useCommunityHeatmapQuery(id, kind === 'all' ? null : [kind]);
  return (
    <ScrollView testID="insights">
      {q.status === 'pending' ? (
        <Loading />
      ) : q.status === 'error' ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <InsightsView a={q.data} period={period} onPeriod={setPeriod} />
      )}
      {heatmap.data && <KindPicker value={kind} onChange={setKind} withDms={false} testID="community-kinds" />}
      {heatmap.data && <HeatmapView heatmap={heatmap.data} variant="calendar" testID="community-calendar" />}
      {heatmap.data && <HeatmapView heatmap={heatmap.data} variant="grid" testID="community-grid" />}
    </ScrollView>
  );
}

export function InsightsScreen(props: InsightsScreenProps) {
  return (
    <Screen name="communities.insights" feature="heatmap" params={{ community_id: String(props.communityId) }} testID="insights-screen">
      <InsightsBody {...props} />
    </Screen>
  );
}
