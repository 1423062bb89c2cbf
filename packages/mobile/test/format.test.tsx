import { describe, expect, it } from '@jest/globals';
import type { TFunction } from 'i18next';

import { clockTime, count, shortTime, untilLabel } from '../src/lib/format';

const t = ((key: string) => key) as unknown as TFunction;

/** Dates, times and numbers in the app's language (the provider's locale), whatever the device's. */
describe('format in the app’s locale', () => {
  // Noon UTC: the same day in every time zone the tests may run in.
  const day = '2026-01-05T12:00:00Z';
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('writes an older date in Spanish and Arabic', () => {
    expect(shortTime(day, t, now, 'es')).toBe('5 ene');
    expect(shortTime(day, t, now, 'en')).toBe('Jan 5');
    expect(shortTime(day, t, now, 'ar')).toMatch(/يناير/);
  });

  it('writes a time of day in Arabic with its own day-half marks, and Spanish on the 24-hour clock', () => {
    expect(clockTime('2026-01-05T12:00:00Z', 'ar')).toMatch(/^[0-9٠-٩]{1,2}:[0-9٠-٩]{2}\s?[صم]$/);
    expect(clockTime('2026-01-05T12:00:00Z', 'es')).toMatch(/^\d{1,2}:\d{2}$/);
    expect(clockTime('2026-01-05T12:00:00Z', 'en')).toMatch(/^\d{1,2}:\d{2}\s?[AP]M$/);
  });

  it('names the day when a mute ends on another day', () => {
    expect(untilLabel(day, 'es', new Date(now))).toMatch(/ene/);
    expect(untilLabel(day, 'es', new Date(day))).toBe(clockTime(day, 'es'));
  });

  it('groups digits as the locale does', () => {
    expect(count(12345, 'en')).toBe('12,345');
    expect(count(12345, 'es')).toBe('12.345');
  });
});
