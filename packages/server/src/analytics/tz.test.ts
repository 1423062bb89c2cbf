import { describe, expect, it } from 'vitest';

import {
  addDays,
  coverRange,
  cumAt,
  decodeQuarters,
  encodeCum,
  encodeQuarters,
  localDaySegments,
  localDayStartMs,
  localSegments,
  localSlots,
  localToday,
  offsetMinutes,
  quarterOf,
  weekday,
} from './tz';

describe('rollup time zones', () => {
  it('knows half- and quarter-hour offsets', () => {
    const at = Date.parse('2026-06-01T00:00:00Z');
    expect(offsetMinutes('Asia/Kolkata', at)).toBe(330);
    expect(offsetMinutes('Asia/Kathmandu', at)).toBe(345);
    expect(offsetMinutes('America/St_Johns', at)).toBe(-150);
    expect(offsetMinutes('UTC', at)).toBe(0);
  });

  it('puts each UTC quarter in the right local day and hour (+05:30, +05:45)', () => {
    // 18:15Z is 23:45 in Kolkata (same day) and 00:00 next day in Kathmandu.
    const q = quarterOf(Date.parse('2026-03-10T18:15:00Z'));
    expect(localSlots('Asia/Kolkata', '2026-03-10')[q]).toMatchObject({ date: '2026-03-10', hour: 23 });
    expect(localSlots('Asia/Kathmandu', '2026-03-10')[q]).toMatchObject({ date: '2026-03-11', hour: 0 });
    // 18:30Z: 00:00 next day in Kolkata.
    expect(localSlots('Asia/Kolkata', '2026-03-10')[q + 1]).toMatchObject({ date: '2026-03-11', hour: 0 });
  });

  it('handles a DST change inside a UTC day', () => {
    // Europe/Berlin goes +01:00 → +02:00 at 01:00Z on 2026-03-29.
    const slots = localSlots('Europe/Berlin', '2026-03-29');
    expect(slots[3]).toMatchObject({ date: '2026-03-29', hour: 1 }); // 00:45Z = 01:45 CET
    expect(slots[4]).toMatchObject({ date: '2026-03-29', hour: 3 }); // 01:00Z = 03:00 CEST
    expect(new Date(localDayStartMs('Europe/Berlin', '2026-03-30')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(new Date(localDayStartMs('Asia/Kathmandu', '2026-03-30')).toISOString()).toBe('2026-03-29T18:15:00.000Z');
    expect(localToday('Asia/Kathmandu', Date.parse('2026-03-29T18:15:00Z'))).toBe('2026-03-30');
  });

  it('encodes quarter counts sparsely and back', () => {
    const m = new Map([
      [95, 2],
      [0, 1],
      [7, 0],
    ]);
    expect(encodeQuarters(m)).toBe('0:1,95:2');
    expect([...decodeQuarters('0:1,95:2')]).toEqual([
      [0, 1],
      [95, 2],
    ]);
  });
});

describe('read-side rollup helpers', () => {
  it('running sums give any run of quarters, and local hours and days split a UTC date exactly (+05:45, -03:30 with DST)', () => {
    const counts = new Map([
      [0, 2],
      [73, 5],
      [95, 1_000_000],
    ]);
    const cum = encodeCum(counts);
    expect(cum).toHaveLength(96 * 6);
    expect(cumAt(cum, 0)).toBe(0);
    expect(cumAt(cum, 1)).toBe(2);
    expect(cumAt(cum, 73)).toBe(2);
    expect(cumAt(cum, 74)).toBe(7);
    expect(cumAt(cum, 96)).toBe(1_000_007);
    for (const tz of ['Asia/Kathmandu', 'America/St_Johns', 'UTC', 'Europe/London'])
      for (const date of ['2026-03-08', '2026-03-29', '2026-06-01', '2026-11-01']) {
        const slots = localSlots(tz, date);
        const segs = localSegments(tz, date);
        expect(segs[0]!.from).toBe(0);
        expect(segs.at(-1)!.to).toBe(96);
        for (const seg of segs) for (let q = seg.from; q < seg.to; q++) expect(slots[q]).toMatchObject({ day: seg.day, hour: seg.hour });
        const days = localDaySegments(tz, date);
        expect(days.reduce((n, d) => n + d.to - d.from, 0)).toBe(96);
        expect(days.length).toBeLessThanOrEqual(2);
      }
    // 73 is 18:15Z: 00:00 next day in Kathmandu; 18:30Z (74) for Kolkata.
    expect(localDaySegments('Asia/Kathmandu', '2026-03-10').map((s) => [s.from, s.to, s.date])).toEqual([
      [0, 73, '2026-03-10'],
      [73, 96, '2026-03-11'],
    ]);
  });

  it('covers a range exactly with whole months, Monday weeks and days', () => {
    for (const [from, to] of [
      ['2025-12-02', '2026-12-01'],
      ['2026-03-01', '2026-03-15'],
      ['2026-02-01', '2026-02-28'],
      ['2026-01-30', '2026-03-02'],
      ['2026-06-10', '2026-06-10'],
    ] as const) {
      const c = coverRange(from, to);
      const dates: string[] = [];
      for (const m of c.months) for (let d = m; d.slice(0, 7) === m.slice(0, 7); d = addDays(d, 1)) dates.push(d);
      for (const w of c.weeks) {
        expect(weekday(w)).toBe(0);
        for (let i = 0; i < 7; i++) dates.push(addDays(w, i));
      }
      dates.push(...c.days);
      const want: string[] = [];
      for (let d = from; d <= to; d = addDays(d, 1)) want.push(d);
      expect(dates.sort()).toEqual(want);
    }
    const year = coverRange('2025-12-02', '2026-12-01');
    expect(year.months.length + year.weeks.length + year.days.length).toBeLessThan(30);
  });
});
