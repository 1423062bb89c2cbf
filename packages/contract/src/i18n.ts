/**
 * The one i18n setup for web, mobile and server: i18next with ICU MessageFormat (intl-messageformat,
 * through the small i18nFormat plugin below), the shared `locales/<lang>/communities.json` files, English fallback per key,
 * locale matching and text direction. Dates, times, numbers and currency go through `Intl` with the
 * instance's language (see `formatters`).
 */
import i18next, { type i18n as I18n, type Module, type Newable, type ThirdPartyModule } from 'i18next';
import { TYPE } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';

import { locales, type Messages } from '../../../locales/index';

export { locales, type Messages };

export const I18N_NAMESPACE = 'communities';
export const FALLBACK_LOCALE = 'en';

/** Languages (base subtags) written right to left. */
const RTL = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

export function textDirection(locale: string): 'ltr' | 'rtl' {
  return RTL.has(baseLanguage(locale)) ? 'rtl' : 'ltr';
}

export function baseLanguage(locale: string): string {
  return locale.toLowerCase().replace('_', '-').split('-')[0]!;
}

/** The languages shipped in locales/ (the directory names). */
export const SHIPPED_LOCALES: readonly string[] = Object.keys(locales);

/**
 * The first candidate (in order) that one of `available` serves: an exact tag (case-insensitive,
 * `_` or `-`), else its base language (`es-MX` → `es`). Null when none matches.
 */
export function matchLocale(
  candidates: ReadonlyArray<string | null | undefined>,
  available: readonly string[] = SHIPPED_LOCALES,
): string | null {
  const byLower = new Map(available.map((a) => [a.toLowerCase().replace('_', '-'), a]));
  for (const c of candidates) {
    if (!c) continue;
    const tag = c.trim().toLowerCase().replace('_', '-');
    if (!tag || tag === '*') continue;
    const exact = byLower.get(tag) ?? byLower.get(baseLanguage(tag));
    if (exact) return exact;
  }
  return null;
}

/** `Accept-Language: es-MX,es;q=0.9,en;q=0.5` → `['es-MX', 'es', 'en']`, by q (stable), q=0 dropped. */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag!.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.tag && x.q > 0 && Number.isFinite(x.q))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

/**
 * i18next's i18nFormat plugin for ICU messages, compiled once per language and text. (i18next-icu does
 * the same, but its ES build default-imports intl-messageformat, which Node's ESM loader hands over as
 * the CommonJS namespace: every message then stayed unformatted.) A message that does not parse is
 * shown as written rather than throwing.
 */
function icuFormat(): ThirdPartyModule & { parse: (res: unknown, options: Record<string, unknown>, lng: string) => unknown } {
  const cache = new Map<string, IntlMessageFormat | null>();
  return {
    type: 'i18nFormat' as never,
    init: () => undefined,
    parse(res, options, lng) {
      if (typeof res !== 'string' || !res.includes('{')) return res;
      const id = `${lng}\u0000${res}`;
      let compiled = cache.get(id);
      if (compiled === undefined) {
        try {
          compiled = new IntlMessageFormat(res, lng, undefined, { ignoreTag: true });
        } catch {
          compiled = null;
        }
        cache.set(id, compiled);
      }
      if (!compiled) return res;
      try {
        return compiled.format(options as Record<string, string | number>);
      } catch {
        // A value the caller did not pass: shown empty (a plural's as 0), never the raw message.
        return compiled.format({ ...blanks(compiled.getAst()), ...(options as Record<string, string | number>) });
      }
    },
  };
}

/** Every argument a message uses, set to '' (0 for plural and number arguments). */
function blanks(ast: ReturnType<IntlMessageFormat['getAst']>, out: Record<string, string | number> = {}): Record<string, string | number> {
  for (const el of ast) {
    if (!('value' in el) || typeof el.value !== 'string' || el.type === TYPE.literal) continue;
    out[el.value] = el.type === TYPE.argument ? '' : 0;
    if ('options' in el) for (const option of Object.values(el.options)) blanks(option.value, out);
  }
  return out;
}

export interface CreateI18nOptions {
  locale?: string;
  /** Extra or replacement messages by language, in the shape of locales/en/communities.json. */
  resources?: Record<string, object>;
  /** e.g. react-i18next's initReactI18next. */
  plugins?: Array<Module | Newable<Module> | ThirdPartyModule>;
}

/**
 * A fresh i18next instance (never the global one, so the addon never touches a host's own i18n)
 * with every shipped language, ICU messages and English as the per-key fallback. Synchronous.
 */
export function createI18n({ locale = FALLBACK_LOCALE, resources = {}, plugins = [] }: CreateI18nOptions = {}): I18n {
  const instance = i18next.createInstance();
  instance.use(icuFormat());
  for (const p of plugins) instance.use(p);
  const all: Record<string, unknown> = { ...locales };
  for (const [lng, extra] of Object.entries(resources)) all[lng] = deepMerge(all[lng] ?? {}, extra);
  void instance.init({
    lng: locale,
    fallbackLng: FALLBACK_LOCALE,
    supportedLngs: false,
    resources: Object.fromEntries(Object.entries(all).map(([lng, strings]) => [lng, { [I18N_NAMESPACE]: strings }])) as never,
    ns: [I18N_NAMESPACE],
    defaultNS: I18N_NAMESPACE,
    interpolation: { escapeValue: false },
    // An empty string in a translation file means "not translated yet": fall back to English.
    returnEmptyString: false,
    initAsync: false,
    // No advertisement in the host's console.
    showSupportNotice: false,
  });
  return instance;
}

function deepMerge(base: object, extra: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(extra)) {
    out[k] = v && typeof v === 'object' && typeof out[k] === 'object' ? deepMerge(out[k] as object, v as object) : v;
  }
  return out;
}

/** Intl formatters bound to a language (dates, times, numbers, currency). */
export function formatters(locale: string) {
  return {
    number: (n: number, options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options).format(n),
    money: (minor: number, currency: string) => {
      const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** digits);
    },
    date: (d: Date | string | number, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }) =>
      new Intl.DateTimeFormat(locale, options).format(new Date(d)),
    time: (d: Date | string | number, options: Intl.DateTimeFormatOptions = { timeStyle: 'short' }) =>
      new Intl.DateTimeFormat(locale, options).format(new Date(d)),
  };
}

/** Where the server finds what an error code means, in each language: `api_errors.<code>`. */
export const ERROR_CODES_I18N_PREFIX = 'api_errors.';
