import { useTranslation } from 'react-i18next';
import { Text } from 'react-native';

import { useStyles } from './use-styles';

const make = () => ({
  mark: {
    alignSelf: 'flex-start' as const,
    marginTop: 4,
    paddingHorizontal: 8,
    paddingVertical: 1,
    borderRadius: 10,
    overflow: 'hidden' as const,
    fontSize: 12,
    fontWeight: '600' as const,
    color: '#067647',
    backgroundColor: '#ecfdf3',
  },
});

/** "✓ Helpful" under a reply or a comment the asker (or a moderator) marked helpful. */
export function HelpfulMark({ id }: { id: number }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  return (
    <Text style={s.mark} testID={`helpful-mark-${id}`} accessibilityLabel={t('gamification.helpful_title')}>
      ✓ {t('gamification.helpful')}
    </Text>
  );
}
