import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';
import { errorKind, errorTextKey } from '../lib/errors';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  center: { flex: 1, alignItems: 'center' as const, justifyContent: 'center' as const, padding: 24, gap: 12 },
  text: { color: t.muted, fontSize: 15, textAlign: 'center' as const },
  error: { color: t.text, fontSize: 15, textAlign: 'center' as const },
  button: { paddingHorizontal: 16, paddingVertical: 8, borderRadius: 8, backgroundColor: t.primary },
  buttonText: { color: t.onPrimary, fontWeight: '600' as const },
  banner: { padding: 10, backgroundColor: '#fef3f2', borderRadius: 8, margin: 8 },
  bannerText: { color: t.danger, fontSize: 13 },
});

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { theme } = useAddon();
  return (
    <View style={s.center} testID="loading">
      <ActivityIndicator color={theme.primary} />
      <Text style={s.text}>{label ?? t('app.loading')}</Text>
    </View>
  );
}

export function Empty({ text }: { text: string }) {
  const s = useStyles(make);
  return (
    <View style={s.center} testID="empty">
      <Text style={s.text}>{text}</Text>
    </View>
  );
}

/**
 * A failed load, said kindly: signed out (the host was told through onUnauthorized), no access,
 * gone, offline (with retry) or anything else (with retry).
 */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const kind = errorKind(error);
  const canRetry = onRetry && (kind === 'offline' || kind === 'generic' || kind === 'rate_limited');
  return (
    <View style={s.center} testID={`error-${kind}`} accessibilityRole="alert">
      <Text style={s.error}>{t(errorTextKey(kind))}</Text>
      {canRetry ? (
        <Pressable style={s.button} onPress={onRetry} accessibilityRole="button">
          <Text style={s.buttonText}>{t('app.retry')}</Text>
        </Pressable>
      ) : null}
    </View>
  );
}

/** A small notice for a failed action (a reaction, a join) that does not replace the screen. */
export function ErrorBanner({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  useEffect(() => {
    if (!onDismiss) return;
    const id = setTimeout(onDismiss, 5000);
    return () => clearTimeout(id);
  }, [error, onDismiss]);
  if (!error) return null;
  return (
    <Pressable style={s.banner} onPress={onDismiss} testID="error-banner" accessibilityRole="alert">
      <Text style={s.bannerText}>{t(errorTextKey(errorKind(error)))}</Text>
    </Pressable>
  );
}
