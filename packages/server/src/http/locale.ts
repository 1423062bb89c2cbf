import { createI18n, ERROR_CODES_I18N_PREFIX, FALLBACK_LOCALE, matchLocale, parseAcceptLanguage } from '@communities/contract/i18n';
import type { FastifyRequest } from 'fastify';

/** users.language of the request's viewer, once authenticated (routes without a viewer have none). */
const viewerLanguage = new WeakMap<FastifyRequest, string | null>();

export function rememberViewerLanguage(request: FastifyRequest, language: string | null | undefined): void {
  viewerLanguage.set(request, language ?? null);
}

/**
 * The language the server answers a request in, the first shipped one of: the client's `x-locale`
 * (the mobile app's language, or a language picked in the web app), RocketLMS `users.language`, the
 * browser's Accept-Language, the school's `host.default_locale`, English.
 */
export function requestLocale(request: FastifyRequest, defaultLocale: string): string {
  const header = request.headers['x-locale'];
  return (
    matchLocale(
      [
        Array.isArray(header) ? header[0] : header,
        viewerLanguage.get(request),
        ...parseAcceptLanguage(request.headers['accept-language']),
        defaultLocale,
      ],
      availableLocales(),
    ) ?? FALLBACK_LOCALE
  );
}

/** Every language the server holds: the shipped files, plus any bundle added at run time. */
export function availableLocales(): string[] {
  return Object.keys(serverI18n().store.data);
}

let server: ReturnType<typeof createI18n> | null = null;
/** The server's one i18n instance; `t` takes `lng` per call, so requests never share a language. */
export function serverI18n() {
  return (server ??= createI18n());
}

/**
 * An error body's `message` in the request's language: English keeps the specific message; another
 * language says what the error code means (`api_errors.<code>`), or keeps the English message when that
 * language has no such key yet. The code, issues and details stay as they are (they are for machines).
 */
export function localizeErrorMessage(code: string, message: string, locale: string): string {
  if (locale === FALLBACK_LOCALE) return message;
  const i18n = serverI18n();
  const key = `${ERROR_CODES_I18N_PREFIX}${code}`;
  return i18n.exists(key, { lng: locale, fallbackLng: false }) ? i18n.t(key, { lng: locale }) : message;
}
