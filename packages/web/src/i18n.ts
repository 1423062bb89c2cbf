import { createI18n, FALLBACK_LOCALE, matchLocale, SHIPPED_LOCALES, textDirection } from '@communities/contract/i18n';
import { initReactI18next } from 'react-i18next';

const PICKED = 'communities.locale';

/** A language the reader picked in this browser (the language menu), if any. */
export function pickedLocale(): string | null {
  try {
    return matchLocale([localStorage.getItem(PICKED)]);
  } catch {
    return null;
  }
}

/** Before the viewer is known: the picked language, then the browser's languages. */
function initialLocale(): string {
  return pickedLocale() ?? matchLocale([...(navigator.languages ?? [navigator.language])]) ?? FALLBACK_LOCALE;
}

export const i18n = createI18n({ locale: initialLocale(), plugins: [initReactI18next] });
export const shippedLocales = SHIPPED_LOCALES;

/** `lang` and `dir` on the document follow the language, so the whole layout mirrors for Arabic. */
function applyDocument(locale: string) {
  document.documentElement.lang = locale;
  document.documentElement.dir = textDirection(locale);
}
applyDocument(i18n.language);
i18n.on('languageChanged', applyDocument);

/** Switch language in place (no reload); `remember` keeps the choice in this browser. */
export async function switchLocale(locale: string, remember = true): Promise<void> {
  const matched = matchLocale([locale]) ?? FALLBACK_LOCALE;
  if (remember) {
    try {
      localStorage.setItem(PICKED, matched);
    } catch {
      // private mode: the choice lasts this page only
    }
  }
  if (i18n.language !== matched) await i18n.changeLanguage(matched);
}
