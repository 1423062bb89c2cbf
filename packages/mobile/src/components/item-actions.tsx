import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';

import { Button } from './button';
import { Sheet } from './sheet';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  item: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 14, paddingVertical: 13, paddingHorizontal: 8 },
  glyph: { width: 24, textAlign: 'center' as const, fontSize: 18, color: t.muted },
  label: { fontSize: 16, color: t.text },
  danger: { color: t.danger },
  confirm: { padding: 8, gap: 14 },
  confirmText: { fontSize: 16, color: t.text },
  confirmRow: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, gap: 10 },
});

export interface SheetAction {
  key: string;
  glyph: string;
  label: string;
  onPress: () => void;
  /** Asks this question first (a delete), with a danger button labelled `label`. */
  confirm?: string;
}

/**
 * What the viewer may do with a post or a comment, as a bottom sheet; destructive actions ask
 * first, inside the sheet (Alert does nothing on react-native-web). `testID` names the item.
 */
export function ItemActionSheet({
  label,
  testID,
  actions,
  onClose,
}: {
  label: string;
  testID: string;
  actions: SheetAction[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [confirming, setConfirming] = useState<SheetAction | null>(null);
  return (
    <Sheet onClose={onClose} closeLabel={t('feed.cancel')} label={label} testID={`actions-${testID}`}>
      {confirming ? (
        <View style={s.confirm} accessibilityRole="alert">
          <Text style={s.confirmText}>{confirming.confirm}</Text>
          <View style={s.confirmRow}>
            <Button variant="secondary" label={t('feed.cancel')} onPress={onClose} testID="confirm-cancel" />
            <Button
              variant="danger"
              label={confirming.label}
              onPress={() => {
                onClose();
                confirming.onPress();
              }}
              testID={`confirm-${confirming.key}-${testID}`}
            />
          </View>
        </View>
      ) : (
        actions.map((a) => (
          <Pressable
            key={a.key}
            style={s.item}
            accessibilityRole="button"
            accessibilityLabel={a.label}
            testID={`${a.key}-${testID}`}
            onPress={() => {
              if (a.confirm) return setConfirming(a);
              onClose();
              a.onPress();
            }}
          >
            <Text style={[s.glyph, a.confirm ? s.danger : null]}>{a.glyph}</Text>
            <Text style={[s.label, a.confirm ? s.danger : null]}>{a.label}</Text>
          </Pressable>
        ))
      )}
    </Sheet>
  );
}
