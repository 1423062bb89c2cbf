import { createI18n as createShared, I18N_NAMESPACE, locales, type Messages } from '@communities/contract/i18n';
import type { i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';

export { I18N_NAMESPACE };

/** Bundled translations (every locales/<lang>/communities.json); a host adds or overrides through `resources`. */
export const bundledLocales = locales;
export type Translations = Messages;

/** One i18next instance per provider, so the addon never touches the host app's own i18n. */
export function createI18n(locale = 'en', extra: Record<string, object> = {}): I18n {
  return createShared({ locale, resources: extra, plugins: [initReactI18next] });
}
