import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { QUICK_EMOJI } from '../lib/emoji';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  row: {
    flexDirection: 'row' as const,
    flexWrap: 'wrap' as const,
    gap: 4,
    padding: 6,
    backgroundColor: t.surface,
    borderRadius: 10,
    borderWidth: 1,
    borderColor: t.border,
  },
  item: { padding: 6 },
  emoji: { fontSize: 20 },
});

/** A row of Unicode emoji; `onPick` gets the one tapped. */
export function EmojiPicker({ onPick, testID }: { onPick: (emoji: string) => void; testID?: string }) {
  const s = useStyles(make);
  const { t } = useTranslation();
  return (
    <View style={s.row} testID={testID}>
      {QUICK_EMOJI.map((e) => (
        <Pressable
          key={e}
          style={s.item}
          onPress={() => onPick(e)}
          accessibilityRole="button"
          accessibilityLabel={`${t('chat.emoji_insert')} ${e}`}
          testID={`${testID ?? 'emoji'}-${e}`}
        >
          <Text style={s.emoji}>{e}</Text>
        </Pressable>
      ))}
    </View>
  );
}
