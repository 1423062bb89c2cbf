import { ACTIVITY_KINDS, type ActivityKind } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Pressable, ScrollView, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';

import { useStyles } from './use-styles';

export type KindChoice = ActivityKind | 'all';

const make = (t: CommunitiesTheme) => ({
  box: { gap: 4, paddingTop: 8 },
  label: { fontSize: 12, color: t.muted },
  row: { flexDirection: 'row' as const, gap: 6 },
  chip: { borderWidth: 1, borderColor: t.border, borderRadius: 14, paddingHorizontal: 10, paddingVertical: 4 },
  chipOn: { backgroundColor: t.primary, borderColor: t.primary },
  text: { fontSize: 13, color: t.text },
  textOn: { fontSize: 13, color: '#ffffff', fontWeight: '600' as const },
});

/**
 * Which activity a heatmap shows: all of it, or one kind (`kinds=` on the heatmap routes), as a
 * row of chips (a radio group for screen readers). Direct messages only on your own heatmap.
 */
export function KindPicker({
  value,
  onChange,
  withDms,
  testID,
}: {
  value: KindChoice;
  onChange: (k: KindChoice) => void;
  withDms: boolean;
  testID?: string;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const choices: KindChoice[] = ['all', ...ACTIVITY_KINDS.filter((k) => withDms || k !== 'dm')];
  return (
    <View style={s.box} testID={testID}>
      <Text style={s.label}>{t('heatmap.kinds_label')}</Text>
      <ScrollView horizontal showsHorizontalScrollIndicator={false}>
        <View style={s.row} accessibilityRole="radiogroup" accessibilityLabel={t('heatmap.kinds_label')}>
          {choices.map((k) => {
            const on = k === value;
            return (
              <Pressable
                key={k}
                accessibilityRole="radio"
                accessibilityState={{ checked: on }}
                onPress={() => onChange(k)}
                style={[s.chip, on ? s.chipOn : null]}
                testID={`${testID ?? 'kinds'}-${k}`}
              >
                <Text style={on ? s.textOn : s.text}>{k === 'all' ? t('heatmap.kind_all') : t(`heatmap.kind.${k}`)}</Text>
              </Pressable>
            );
          })}
        </View>
      </ScrollView>
    </View>
  );
}
