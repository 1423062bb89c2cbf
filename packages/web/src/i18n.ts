import { createI18n, FALLBACK_LOCALE, matchLocale, SHIPPED_LOCALES, textDirection } from '@communities/contract/i18n';
import { initReactI18next } from 'react-i18next';

const PICKED = 'communities.locale';

declare global {
  interface Window {
    /**
     * Translations the host page adds or overrides without a rebuild (e.g. from RocketLMS's custom JS),
     * by language, in the shape of locales/en/communities.json. Set before the app's script runs.
     */
    communitiesTranslations?: Record<string, object>;
  }
}

const extra = (typeof window !== 'undefined' && window.communitiesTranslations) || {};
/** Every language the app can speak: the shipped files and any the page added. */
export const shippedLocales: string[] = [...new Set([...SHIPPED_LOCALES, ...Object.keys(extra)])];

/** A language the reader picked in this browser (the language menu), if any. */
export function pickedLocale(): string | null {
  try {
    return matchLocale([localStorage.getItem(PICKED)], shippedLocales);
  } catch {
    return null;
  }
}

/** Before the viewer is known: the picked language, then the browser's languages. */
function initialLocale(): string {
  return pickedLocale() ?? matchLocale([...(navigator.languages ?? [navigator.language])], shippedLocales) ?? FALLBACK_LOCALE;
}

export const i18n = createI18n({ locale: initialLocale(), resources: extra, plugins: [initReactI18next] });

/** `lang` and `dir` on the document follow the language, so the whole layout mirrors for Arabic. */
function applyDocument(locale: string) {
  document.documentElement.lang = locale;
  document.documentElement.dir = textDirection(locale);
}
applyDocument(i18n.language);
i18n.on('languageChanged', applyDocument);

/** Switch language in place (no reload); `remember` keeps the choice in this browser. */
export async function switchLocale(locale: string, remember = true): Promise<void> {
  const matched = matchLocale([locale], shippedLocales) ?? FALLBACK_LOCALE;
  if (remember) {
    try {
      localStorage.setItem(PICKED, matched);
    } catch {
      // private mode: the choice lasts this page only
    }
  }
  if (i18n.language !== matched) await i18n.changeLanguage(matched);
}
