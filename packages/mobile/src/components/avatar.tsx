import { Text, View } from 'react-native';

import { initials } from '../lib/format';

const PALETTE = ['#5b5bd6', '#0e9384', '#dd2590', '#e04f16', '#2e90fa', '#7a5af8', '#15b79e', '#c11574'];

/** Initials on a colour picked from the name: no image assets ship with the addon. */
export function Avatar({ name, size = 36 }: { name: string; size?: number }) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  const backgroundColor = PALETTE[Math.abs(hash) % PALETTE.length];
  return (
    <View
      accessibilityElementsHidden
      importantForAccessibility="no-hide-descendants"
      style={{ width: size, height: size, borderRadius: size / 2, backgroundColor, alignItems: 'center', justifyContent: 'center' }}
    >
      <Text style={{ color: '#fff', fontWeight: '700', fontSize: size * 0.38 }}>{initials(name)}</Text>
    </View>
  );
}
