import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { count } from '../lib/format';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  badge: {
    minWidth: 22,
    paddingHorizontal: 6,
    paddingVertical: 2,
    borderRadius: 11,
    backgroundColor: t.primary,
    alignItems: 'center' as const,
  },
  alert: { backgroundColor: t.danger },
  text: { color: t.onPrimary, fontSize: 12, fontWeight: '700' as const },
});

/** An unread count pill; `alert` (mentions) draws it in the danger colour. */
export function CountBadge({ label, alert = false, testID }: { label: string | number; alert?: boolean; testID?: string }) {
  const s = useStyles(make);
  const { i18n } = useTranslation();
  return (
    <View style={[s.badge, alert && s.alert]} testID={testID}>
      <Text style={s.text}>{typeof label === 'number' ? count(label, i18n.language) : label}</Text>
    </View>
  );
}
