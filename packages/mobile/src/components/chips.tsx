import { Pressable, ScrollView, Text } from 'react-native';

import type { CommunitiesTheme } from '../config';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  row: { flexGrow: 0 },
  content: { gap: 8, paddingHorizontal: 12, paddingVertical: 8 },
  chip: { paddingHorizontal: 12, paddingVertical: 6, borderRadius: 16, borderWidth: 1, borderColor: t.border, backgroundColor: t.surface },
  on: { backgroundColor: t.primary, borderColor: t.primary },
  text: { color: t.text, fontSize: 13, fontWeight: '500' as const },
  onText: { color: t.onPrimary },
});

/** A row of choices (filters, tabs); exactly one is selected. */
export function Chips<K extends string>({
  items,
  value,
  onChange,
  role = 'tab',
}: {
  items: Array<{ key: K; label: string }>;
  value: K;
  onChange: (key: K) => void;
  role?: 'tab' | 'radio';
}) {
  const s = useStyles(make);
  return (
    <ScrollView
      horizontal
      showsHorizontalScrollIndicator={false}
      style={s.row}
      contentContainerStyle={s.content}
      accessibilityRole="tablist"
    >
      {items.map((item) => {
        const on = item.key === value;
        return (
          <Pressable
            key={item.key}
            accessibilityRole={role}
            accessibilityState={{ selected: on }}
            onPress={() => onChange(item.key)}
            style={[s.chip, on && s.on]}
            testID={`chip-${item.key}`}
          >
            <Text style={[s.text, on && s.onText]}>{item.label}</Text>
          </Pressable>
        );
      })}
    </ScrollView>
  );
}
