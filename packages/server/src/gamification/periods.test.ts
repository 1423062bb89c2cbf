import { describe, expect, it } from 'vitest';

import { levelInfo, levelOf } from './levels';
import { dayBounds, dayKey, periodKeys, periodWindow, previousDay } from './periods';

describe('periods in the school time zone', () => {
  it('starts weeks on Monday at local midnight', () => {
    // Wednesday 2026-12-02 10:00 UTC is Wednesday in Berlin; its week starts Monday 2026-11-30 00:00 CET (23:00 UTC).
    const w = periodWindow('week', new Date('2026-12-02T10:00:00Z'), 'Europe/Berlin');
    expect(w.key).toBe('w2026-11-30');
    expect(w.start?.toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(w.end?.toISOString()).toBe('2026-12-06T23:00:00.000Z');
  });

  it('puts an instant in the local day, week and month, not the UTC one', () => {
    // Sunday 23:30 UTC is already Monday in Tokyo, and still Sunday in UTC.
    const at = new Date('2026-11-29T23:30:00Z');
    expect(periodWindow('week', at, 'Asia/Tokyo').key).toBe('w2026-11-30');
    expect(periodWindow('week', at, 'UTC').key).toBe('w2026-11-23');
    expect(periodWindow('month', new Date('2026-11-30T20:00:00Z'), 'Asia/Tokyo').key).toBe('m2026-12');
    expect(dayKey(new Date('2026-12-01T03:00:00Z'), 'America/New_York')).toBe('2026-11-30');
  });

  it('handles a daylight-saving change inside a day', () => {
    // 2026-03-29: Berlin moves from UTC+1 to UTC+2; the day is 23 hours long.
    const b = dayBounds(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(b.start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(b.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('months run to the next first, across a year end', () => {
    const m = periodWindow('month', new Date('2026-12-31T12:00:00Z'), 'UTC');
    expect([m.key, m.start?.toISOString(), m.end?.toISOString()]).toEqual([
      'm2026-12',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(periodKeys(new Date('2026-12-31T12:00:00Z'), 'UTC')).toEqual(['all', 'w2026-12-28', 'm2026-12']);
    expect(previousDay('2027-01-01')).toBe('2026-12-31');
  });
});

describe('levels', () => {
  const skool = [0, 5, 20, 65, 155, 515, 2015, 8015, 33015];
  it('reach a level at its threshold exactly', () => {
    expect([0, 4, 5, 19, 20, 33014, 33015, 1e9].map((p) => levelOf(p, skool))).toEqual([1, 1, 2, 2, 3, 8, 9, 9]);
  });
  it('report progress to the next level, and full progress at the top', () => {
    expect(levelInfo(12, skool)).toEqual({ level: 2, level_at: 5, next_level_at: 20, progress: 0.467 });
    expect(levelInfo(40_000, skool)).toEqual({ level: 9, level_at: 33015, next_level_at: null, progress: 1 });
  });
});
