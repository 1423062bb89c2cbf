import { formatPrice } from '@communities/client';
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
  return new Date(then).toLocaleDateString(locale, { month: 'short', day: 'numeric' });
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
