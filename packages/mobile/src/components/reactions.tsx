import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';

import { count } from '../lib/format';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  row: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 6, marginTop: 6 },
  chip: {
    flexDirection: 'row' as const,
    alignItems: 'center' as const,
    gap: 4,
    paddingHorizontal: 8,
    paddingVertical: 3,
    borderRadius: 12,
    borderWidth: 1,
    borderColor: t.border,
    backgroundColor: t.surface,
  },
  mine: { borderColor: t.primary, backgroundColor: '#eef0ff' },
  count: { fontSize: 12, color: t.text },
  emoji: { fontSize: 14 },
});

/** Reaction counts; tapping one toggles the caller's reaction with that emoji. */
export function Reactions({
  reactions,
  onToggle,
  canReact = true,
}: {
  reactions: Array<{ emoji: string; count: number; me: boolean }>;
  onToggle: (emoji: string) => void;
  canReact?: boolean;
}) {
  const s = useStyles(make);
  const { t, i18n } = useTranslation();
  if (reactions.length === 0) return null;
  return (
    <View style={s.row}>
      {reactions.map((r) => (
        <Pressable
          key={r.emoji}
          disabled={!canReact}
          onPress={() => onToggle(r.emoji)}
          accessibilityRole="button"
          accessibilityLabel={`${t('chat.react_add')} ${r.emoji} ${count(r.count, i18n.language)}`}
          accessibilityState={{ selected: r.me }}
          style={[s.chip, r.me && s.mine]}
          testID={`reaction-${r.emoji}`}
        >
          <Text style={s.emoji}>{r.emoji}</Text>
          <Text style={s.count}>{count(r.count, i18n.language)}</Text>
        </Pressable>
      ))}
    </View>
  );
}
