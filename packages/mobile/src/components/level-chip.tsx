import { useTranslation } from 'react-i18next';
import { Text } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';
import { useUserGamificationQuery } from '../state/queries/gamification';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  chip: {
    fontSize: 11,
    fontWeight: '700' as const,
    color: t.primary,
    backgroundColor: '#eef0ff',
    borderRadius: 10,
    paddingHorizontal: 6,
    paddingVertical: 1,
    overflow: 'hidden' as const,
  },
});

/** "Lv 3" beside a name. */
export function LevelChip({ level, testID }: { level: number; testID?: string }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  return (
    <Text style={s.chip} accessibilityLabel={t('gamification.level', { level })} testID={testID}>
      {t('gamification.level_short', { level })}
    </Text>
  );
}

/**
 * The level chip beside an author's name in chat and the feed: their level in the community
 * (looked up once per user and cached); nothing while it loads, or with gamification off.
 */
export function AuthorLevel({ userId, communityId }: { userId: number; communityId: number | null }) {
  const { features } = useAddon();
  const on = features?.features.gamification !== false;
  const g = useUserGamificationQuery(on ? userId : null, communityId);
  if (!on || !g.data) return null;
  return <LevelChip level={g.data.level.level} testID={`level-chip-${userId}`} />;
}
