import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';

import en from '../../../locales/en/communities.json';

export const I18N_NAMESPACE = 'communities';

/** Bundled translations; a host adds others by passing `resources` to the provider. */
export const bundledLocales = { en } as const;
export type Translations = typeof en;

/** One i18next instance per provider, so the addon never touches the host app's own i18n. */
export function createI18n(locale = 'en', extra: Record<string, Translations> = {}): I18n {
  const instance = i18next.createInstance();
  const resources = Object.fromEntries(
    Object.entries({ ...bundledLocales, ...extra }).map(([lng, strings]) => [lng, { [I18N_NAMESPACE]: strings }]),
  );
  void instance.use(initReactI18next).init({
    lng: locale,
    fallbackLng: 'en',
    resources,
    defaultNS: I18N_NAMESPACE,
    interpolation: { escapeValue: false },
    initAsync: false,
    // No advertisement in the host app's logs.
    showSupportNotice: false,
  });
  return instance;
}
