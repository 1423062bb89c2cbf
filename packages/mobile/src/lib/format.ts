import { formatPrice } from '@communities/client';
import { formatters } from '@communities/contract/i18n';
import type { TFunction } from 'i18next';

/** A short relative time ("now", "5m", "3h", "2d") or a date for older things. */
export function shortTime(iso: string | null, t: TFunction, now = Date.now(), locale = 'en'): string {
  if (!iso) return '';
  const then = Date.parse(iso);
  const minutes = Math.floor((now - then) / 60_000);
  if (minutes < 1) return t('time.now');
  if (minutes < 60) return t('time.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('time.hours', { count: hours });
  const days = Math.floor(hours / 24);
  if (days < 7) return t('time.days', { count: days });
  return formatters(locale).date(then, { month: 'short', day: 'numeric' });
}

// Every date, time and number the addon shows goes through Intl with the provider's locale
// (i18n.language), never the device's: an Arabic app on an English phone reads Arabic. The
// contract's `formatters` are the one Intl binding web, mobile and server share.

/** "2:05 PM", "14:05" or "2:05 م", as the locale writes a time of day. */
export function clockTime(iso: string, locale: string): string {
  return formatters(locale).time(iso, { hour: 'numeric', minute: '2-digit' });
}

/** Until when something lasts: the time when it ends later today, with the date when it ends on another day. */
export function untilLabel(iso: string, locale: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (at.toDateString() === now.toDateString()) return clockTime(iso, locale);
  return formatters(locale).date(at, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A count as the locale writes it ("1,234", "1.234"). */
export function count(n: number, locale: string): string {
  return formatters(locale).number(n);
}

/** Money in minor units, in the host's locale. */
export function money(amountMinor: number, currency: string, locale = 'en'): string {
  // The client core's formatting, the same as the web app's: "£15", "£15.50".
  return formatPrice(amountMinor, currency, locale);
}

/** Initials for an avatar without images. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [parts[0]?.[0], parts[0]?.[1]];
  return letters.filter(Boolean).join('').toUpperCase();
}
