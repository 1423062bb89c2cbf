import { describe, expect, it } from 'vitest';

import {
  addToYear,
  cumAt,
  dayOfYear,
  decodeYear,
  decodeQuarters,
  encodeCum,
  encodeQuarters,
  encodeYear,
  localDaySegments,
  localDayStartMs,
  localSegments,
  localSlots,
  localToday,
  offsetMinutes,
  quarterOf,
  runningSums,
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

  it('a member-year row gives any range of days from two running sums', () => {
    const days = new Array<number>(366).fill(0);
    days[0] = 3;
    days[dayOfYear('2026-03-01')] = 4;
    days[dayOfYear('2026-12-31')] = 5;
    expect(dayOfYear('2026-12-31')).toBe(364);
    const cum = encodeYear(days);
    expect(decodeYear(cum)).toEqual(days);
    expect(decodeYear('')).toEqual(new Array<number>(366).fill(0));
    const at = (i: number) => (i < 0 ? 0 : parseInt(cum.slice(i * 5, i * 5 + 5), 36));
    expect(at(dayOfYear('2026-03-01')) - at(dayOfYear('2026-01-01'))).toBe(4);
    expect(at(365) - at(-1)).toBe(12);
  });

  it('turns sparse quarters into the running sums the fixed-width encoding holds', () => {
    const counts = new Map<number, number>([
      [0, 3],
      [21, 1],
      [22, 117],
      [95, 40],
      [47, -2],
    ]);
    const sums = runningSums(encodeQuarters(counts));
    const cum = encodeCum(counts);
    for (let q = 0; q <= 96; q++) expect(sums[q]).toBe(q === 96 ? 159 : cumAt(cum, q));
    expect([...runningSums('')]).toEqual(Array(97).fill(0));
  });

  it('writes running sums digit by digit as toString(36) and padStart would, and adds days to a year as a re-encoding would', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 200; t++) {
      const counts = new Map<number, number>();
      for (let k = Math.floor(rnd() * 40); k > 0; k--) counts.set(Math.floor(rnd() * 96), Math.floor(rnd() * (t < 100 ? 50 : 4_000_000)));
      let run = 0;
      let want = '';
      for (let q = 0; q < 96; q++) want += (run += counts.get(q) ?? 0).toString(36).padStart(6, '0');
      expect(encodeCum(counts)).toBe(want);
      const days = Array.from({ length: 366 }, () => (rnd() < 0.3 ? Math.floor(rnd() * 900) : 0));
      const add = new Map<number, number>();
      for (let k = 1 + Math.floor(rnd() * 5); k > 0; k--) add.set(Math.floor(rnd() * 366), 1 + Math.floor(rnd() * 300));
      const year = addToYear(encodeYear(days), add);
      for (const [d, n] of add) days[d]! += n;
      expect(year).toBe(encodeYear(days));
      expect(decodeYear(year)).toEqual(days);
    }
  });
});
