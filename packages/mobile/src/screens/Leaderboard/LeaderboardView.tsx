import { LEADERBOARD_PERIODS, type LeaderboardPeriod } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FlatList, Pressable, Text, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Chips } from '../../components/chips';
import { LevelChip } from '../../components/level-chip';
import { ProfileSheet } from '../../components/profile-sheet';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { count } from '../../lib/format';
import { useLeaderboardQuery } from '../../state/queries/gamification';

const make = (t: CommunitiesTheme) => ({
  row: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 10, paddingHorizontal: 16, paddingVertical: 10 },
  me: { backgroundColor: '#eef0ff' },
  rank: {
    width: 28,
    textAlign: 'right' as const,
    writingDirection: 'ltr' as const,
    fontSize: 15,
    fontWeight: '700' as const,
    color: t.muted,
  },
  who: { flex: 1, flexDirection: 'row' as const, alignItems: 'center' as const, gap: 6 },
  name: { fontSize: 15, color: t.text, flexShrink: 1 },
  points: { fontSize: 14, color: t.text, fontVariant: ['tabular-nums' as const] },
  pinned: { padding: 12, margin: 8, borderRadius: 10, backgroundColor: '#eef0ff' },
  pinnedText: { color: t.primary, fontWeight: '600' as const },
});

const MEDALS = ['🥇', '🥈', '🥉'];

/**
 * A leaderboard with a period switcher: each row opens the member's profile sheet; the viewer's
 * own rank is pinned at the bottom, even outside the top N. `community` null: site-wide.
 */
export function LeaderboardView({ community, communityId }: { community: string | null; communityId: number | null }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const { me, track } = useAddon();
  const [period, setPeriod] = useState<LeaderboardPeriod>('week');
  const [profile, setProfile] = useState<number | null>(null);
  const q = useLeaderboardQuery(community, period);
  return (
    <View style={{ flex: 1 }}>
      <Chips
        role="radio"
        items={LEADERBOARD_PERIODS.map((p) => ({ key: p, label: t(`gamification.period_${p}`) }))}
        value={period}
        onChange={(p) => {
          track('tap', 'gamification.period', { period: p });
          setPeriod(p);
        }}
      />
      {q.status === 'pending' ? (
        <Loading />
      ) : q.status === 'error' ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <FlatList
            testID="leaderboard-list"
            data={q.data.items}
            keyExtractor={(e) => String(e.user.id)}
            ListEmptyComponent={<Empty text={t('gamification.empty')} />}
            renderItem={({ item }) => (
              <Pressable
                style={[s.row, item.user.id === me?.id && s.me]}
                onPress={() => setProfile(item.user.id)}
                accessibilityRole="button"
                accessibilityLabel={t('gamification.row', { rank: item.rank, name: item.user.name, count: item.points })}
                testID={`rank-${item.user.id}`}
              >
                <Text style={s.rank}>{item.rank <= 3 ? MEDALS[item.rank - 1] : count(item.rank, i18n.language)}</Text>
                <Avatar name={item.user.name} size={32} />
                <View style={s.who}>
                  <Text style={s.name} numberOfLines={1}>
                    {item.user.name}
                  </Text>
                  <LevelChip level={item.level} testID={`level-${item.user.id}`} />
                </View>
                <Text style={s.points}>{t('gamification.points', { count: item.points })}</Text>
              </Pressable>
            )}
          />
          <View style={s.pinned} testID="my-rank">
            <Text style={s.pinnedText}>
              {q.data.viewer.rank === null
                ? t('gamification.you_unranked')
                : t('gamification.you_rank', { rank: q.data.viewer.rank, count: q.data.viewer.points })}
            </Text>
          </View>
        </>
      )}
      {profile !== null && <ProfileSheet userId={profile} communityId={communityId} onClose={() => setProfile(null)} />}
    </View>
  );
}
