import { createI18n, FALLBACK_LOCALE, matchLocale } from '@communities/contract/i18n';

/**
 * Renders `notifications.text.*` messages for the inbox and the host's notification centre in
 * the recipient's language (RocketLMS `users.language`), through the same ICU setup and files as
 * web and mobile (locales/<lang>/communities.json), falling back to English per key.
 */
export class NotificationText {
  private readonly i18n = createI18n();

  render(locale: string | null | undefined, key: string, vars: Record<string, string | number> = {}): string {
    // The language comes from the host's users table: only a shipped one is used (`es-MX` → es).
    const lng = matchLocale([locale], Object.keys(this.i18n.store.data)) ?? FALLBACK_LOCALE;
    const full = `notifications.text.${key}`;
    return this.i18n.exists(full, { lng }) ? this.i18n.t(full, { ...vars, lng }) : key;
  }
}
