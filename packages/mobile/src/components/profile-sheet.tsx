import { formatters } from '@communities/contract/i18n';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ScrollView, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon, useFeature } from '../context';
import { useUserHeatmapQuery } from '../state/queries/analytics';
import { useUserGamificationQuery } from '../state/queries/gamification';

import { Avatar } from './avatar';
import { HeatmapView } from './heatmap-view';
import { KindPicker, type KindChoice } from './kind-picker';
import { LevelChip } from './level-chip';
import { Sheet } from './sheet';
import { ErrorState, Loading } from './states';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  head: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 12, paddingBottom: 8 },
  name: { fontSize: 17, fontWeight: '700' as const, color: t.text },
  line: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 6 },
  points: { fontSize: 14, color: t.text },
  small: { fontSize: 12, color: t.muted },
  track: { height: 8, borderRadius: 4, backgroundColor: t.border, overflow: 'hidden' as const, marginTop: 6 },
  fill: { height: 8, backgroundColor: t.primary },
  h: { fontSize: 12, fontWeight: '700' as const, color: t.muted, marginTop: 12, marginBottom: 4 },
  badges: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 6 },
  badge: { fontSize: 13, color: t.text, borderWidth: 1, borderColor: t.border, borderRadius: 12, paddingHorizontal: 8, paddingVertical: 2 },
  award: { flexDirection: 'row' as const, justifyContent: 'space-between' as const, paddingVertical: 3 },
  awardText: { fontSize: 13, color: t.text },
});

/** A user's level, progress to the next, badges and recent points, in a bottom sheet. */
export function ProfileSheet({ userId, communityId, onClose }: { userId: number; communityId: number | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const q = useUserGamificationQuery(userId, communityId);
  const heatmapOn = useFeature('heatmap');
  const [kind, setKind] = useState<KindChoice>('all');
  const heatmap = useUserHeatmapQuery(heatmapOn ? userId : null, communityId, kind === 'all' ? null : [kind]);
  // Direct messages are on your own heatmap only (the server never shows them to anyone else).
  const { me } = useAddon();
  const own = me?.id === userId;
  const g = q.data;
  return (
    <Sheet onClose={onClose} closeLabel={t('gamification.close')} label={t('gamification.profile')} testID="profile-sheet">
      {q.status === 'pending' ? (
        <Loading />
      ) : q.status === 'error' ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : g ? (
        // The member's heatmaps make the sheet taller than a phone: it scrolls.
        <ScrollView style={{ maxHeight: 600 }}>
          <View style={s.head}>
            <Avatar name={g.user.name} size={48} />
            <View style={{ flex: 1 }}>
              <Text style={s.name}>{g.user.name}</Text>
              <View style={s.line}>
                <LevelChip level={g.level.level} testID="profile-level" />
                <Text style={s.points} testID="profile-points">
                  {t('gamification.points', { count: g.points })}
                </Text>
              </View>
            </View>
          </View>
          <View
            style={s.track}
            accessibilityRole="progressbar"
            accessibilityValue={{ min: 0, max: 100, now: Math.round(g.level.progress * 100) }}
            testID="profile-progress"
          >
            <View style={[s.fill, { width: `${Math.round(g.level.progress * 100)}%` }]} />
          </View>
          <Text style={s.small}>
            {g.level.next_level_at === null
              ? t('gamification.top_level')
              : t('gamification.to_next', { count: g.level.next_level_at - g.points, level: g.level.level + 1 })}
          </Text>
          <Text style={s.h}>{t('gamification.badges')}</Text>
          {g.badges.length === 0 ? (
            <Text style={s.small}>{t('gamification.no_badges')}</Text>
          ) : (
            <View style={s.badges}>
              {g.badges.map((b) => (
                <Text key={`${b.slug}-${b.community_id ?? 0}`} style={s.badge} testID={`badge-${b.slug}`}>
                  {b.icon.trim().startsWith('<svg') ? '🏅' : b.icon} {b.name}
                </Text>
              ))}
            </View>
          )}
          <Text style={s.h}>{t('gamification.recent')}</Text>
          {g.recent_awards.length === 0 ? (
            <Text style={s.small}>{t('gamification.no_awards')}</Text>
          ) : (
            g.recent_awards.slice(0, 6).map((a) => (
              <View key={a.id} style={s.award} testID={`award-${a.id}`}>
                <Text style={s.awardText}>{t(`gamification.reason.${a.type.replace(/^reversal:/, '')}`, { defaultValue: a.type })}</Text>
                <Text style={s.awardText}>{formatters(i18n.language).number(a.points, { signDisplay: 'exceptZero' })}</Text>
              </View>
            ))
          )}
          {heatmap.data ? (
            <>
              <KindPicker value={kind} onChange={setKind} withDms={own} testID="member-kinds" />
              <HeatmapView heatmap={heatmap.data} variant="calendar" testID="member-calendar" />
              <HeatmapView heatmap={heatmap.data} variant="grid" testID="member-grid" />
            </>
          ) : heatmap.isError ? (
            <Text style={s.small} testID="member-activity-private">
              {t('heatmap.private')}
            </Text>
          ) : null}
        </ScrollView>
      ) : null}
    </Sheet>
  );
}
