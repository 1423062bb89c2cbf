import type { ReactNode } from 'react';
import { Modal, Platform, Pressable, View } from 'react-native';

import type { CommunitiesTheme } from '../config';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  backdrop: { flex: 1, backgroundColor: 'rgba(16, 24, 40, 0.4)', justifyContent: 'flex-end' as const },
  overlay: { position: 'absolute' as const, top: 0, right: 0, bottom: 0, left: 0, zIndex: 10 },
  sheet: {
    backgroundColor: t.surface,
    borderTopLeftRadius: 16,
    borderTopRightRadius: 16,
    paddingTop: 8,
    paddingBottom: 24,
    paddingHorizontal: 12,
    gap: 4,
  },
  grip: { alignSelf: 'center' as const, width: 36, height: 4, borderRadius: 2, backgroundColor: t.border, marginBottom: 8 },
});

/**
 * A bottom sheet over the screen; tapping outside or the back button closes it. On the web
 * preview it is an overlay in place: react-native-web's Modal loses its portal under StrictMode.
 */
export function Sheet({
  onClose,
  closeLabel,
  label,
  testID,
  children,
}: {
  onClose: () => void;
  closeLabel: string;
  label: string;
  testID?: string;
  children: ReactNode;
}) {
  const s = useStyles(make);
  const body = (
    <Pressable style={s.backdrop} onPress={onClose} accessibilityLabel={closeLabel} testID={testID ? `${testID}-backdrop` : undefined}>
      {/* Presses inside the sheet must not reach the backdrop. */}
      <Pressable style={s.sheet} onPress={() => undefined} accessibilityLabel={label} accessibilityViewIsModal testID={testID}>
        <View style={s.grip} />
        {children}
      </Pressable>
    </Pressable>
  );
  if (Platform.OS === 'web') return <View style={s.overlay}>{body}</View>;
  return (
    <Modal visible transparent animationType="slide" onRequestClose={onClose}>
      {body}
    </Modal>
  );
}
