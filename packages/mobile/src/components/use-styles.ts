import { useMemo } from 'react';
import { StyleSheet } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';

/** Styles built from the host's theme, rebuilt only when the theme changes. */
export function useStyles<T extends StyleSheet.NamedStyles<T>>(make: (theme: CommunitiesTheme) => T): T {
  const { theme } = useAddon();
  return useMemo(() => StyleSheet.create(make(theme)), [make, theme]);
}
