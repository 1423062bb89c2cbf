import { describe, expect, it } from 'vitest';

import { decodeQuarters, encodeQuarters, localDayStartMs, localSlots, localToday, offsetMinutes, quarterOf } from './tz';

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
