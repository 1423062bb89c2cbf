import { ActivityIndicator, Pressable, Text } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  base: {
    paddingHorizontal: 14,
    paddingVertical: 8,
    borderRadius: 8,
    alignItems: 'center' as const,
    flexDirection: 'row' as const,
    gap: 6,
  },
  primary: { backgroundColor: t.primary },
  secondary: { backgroundColor: t.surface, borderWidth: 1, borderColor: t.border },
  danger: { backgroundColor: t.danger },
  disabled: { opacity: 0.5 },
  primaryText: { color: t.onPrimary, fontWeight: '600' as const, fontSize: 14 },
  secondaryText: { color: t.text, fontWeight: '600' as const, fontSize: 14 },
});

export function Button({
  label,
  onPress,
  variant = 'primary',
  disabled,
  busy,
  testID,
  accessibilityLabel,
}: {
  label: string;
  onPress: () => void;
  variant?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  busy?: boolean;
  testID?: string;
  accessibilityLabel?: string;
}) {
  const s = useStyles(make);
  const { theme } = useAddon();
  const off = Boolean(disabled || busy);
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel ?? label}
      accessibilityState={{ disabled: off, busy: Boolean(busy) }}
      disabled={off}
      onPress={onPress}
      style={[s.base, s[variant], off && s.disabled]}
    >
      {busy ? <ActivityIndicator size="small" color={variant === 'secondary' ? theme.primary : theme.onPrimary} /> : null}
      <Text style={variant === 'secondary' ? s.secondaryText : s.primaryText}>{label}</Text>
    </Pressable>
  );
}
