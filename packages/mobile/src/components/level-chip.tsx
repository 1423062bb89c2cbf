import { useTranslation } from 'react-i18next';
import { Text } from 'react-native';

import type { CommunitiesTheme } from '../config';

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
