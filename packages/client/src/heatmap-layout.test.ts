import { describe, expect, it } from 'vitest';

import {
  bucketLabel,
  calendarLayout,
  hourGridLayout,
  hourLabel,
  insightsRange,
  shiftDay,
  todayIn,
  viewerTimeZone,
  weekdayNames,
} from './heatmap-layout';

describe('calendarLayout', () => {
  it('lays a year of days into Monday-first week columns, with totals', () => {
    const layout = calendarLayout({
      from: '2025-12-02',
      to: '2026-12-01', // a Tuesday
      max_day: 8,
      days: [
        { date: '2025-12-02', count: 1, kinds: { post: 1 } },
        { date: '2026-11-30', count: 3, kinds: { message: 3 } },
        { date: '2026-12-01', count: 8, kinds: { message: 8 } },
      ],
    });
    const cells = layout.weeks.flat().filter((c) => c !== null);
    expect(cells).toHaveLength(365);
    expect(cells[0]!.date).toBe('2025-12-02');
    expect(cells.at(-1)).toMatchObject({ date: '2026-12-01', count: 8, weekday: 1, level: 4 });
    expect(layout).toMatchObject({ total: 12, activeDays: 3 });
    for (const week of layout.weeks) expect(week).toHaveLength(7);
    // 2025-12-02 is a Tuesday: the Monday of the first column is empty.
    expect(layout.weeks[0]![0]).toBeNull();
    expect(layout.weeks[0]![1]!.date).toBe('2025-12-02');
    expect(layout.weeks.at(-1)!.slice(2)).toEqual([null, null, null, null, null]);
  });

  it('labels each month once, at its first full column, and drops a label with no room', () => {
    const layout = calendarLayout({ from: '2025-12-02', to: '2026-12-01', max_day: 0, days: [] });
    const labels = layout.months.map((m) => `${m.year}-${m.month + 1}`);
    expect(labels[0]).toBe('2025-12');
    expect(labels).toContain('2026-11');
    expect(labels).not.toContain('2026-12');
    const jan = layout.months.find((m) => m.year === 2026 && m.month === 0)!;
    // 2026-01-01 is a Thursday: its column still holds December days, so January starts a column later.
    expect(layout.weeks[jan.week]![0]!.date >= '2026-01-01').toBe(true);
    expect(layout.weeks[jan.week - 1]![0]!.date < '2026-01-01').toBe(true);
  });
});

describe('hourGridLayout', () => {
  it('keeps the API grid, levels it against the busiest hour and names the peak', () => {
    const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
    grid[1]![14] = 5;
    grid[6]![0] = 1;
    const g = hourGridLayout(grid);
    expect(g.rows[1]![14]).toBe(5);
    expect(g.total).toBe(6);
    expect(g.peak).toEqual({ weekday: 1, hour: 14, count: 5 });
    expect(g.levels[1]![14]).toBe(4);
    expect(g.levels[6]![0]).toBe(1);
    expect(g.levels[0]![0]).toBe(0);
    expect(hourGridLayout(Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0))).peak).toBeNull();
  });
});

describe('names and timezones', () => {
  it('takes the profile timezone when it is real, else the device one', () => {
    const device = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(viewerTimeZone('Asia/Kathmandu')).toBe('Asia/Kathmandu');
    expect(viewerTimeZone('Not/AZone')).toBe(device);
    expect(viewerTimeZone(null)).toBe(device);
  });

  it('names weekdays Monday first and hours in the locale clock', () => {
    expect(weekdayNames('en', 'short')).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(hourLabel(14, 'en-US')).toBe('2 PM');
    expect(hourLabel(0, 'en-GB')).toBe('00');
  });
});

describe('local days', () => {
  it('knows today in a zone with a 45- or 30-minute offset', () => {
    expect(todayIn('Asia/Kathmandu', new Date('2026-12-01T18:20:00Z'))).toBe('2026-12-02'); // +05:45
    expect(todayIn('America/St_Johns', new Date('2026-12-02T02:00:00Z'))).toBe('2026-12-01'); // -03:30
    expect(todayIn('UTC', new Date('2026-12-01T18:20:00Z'))).toBe('2026-12-01');
  });

  it('moves dates by days and by months from the first of the month', () => {
    expect(shiftDay('2026-03-28', 2)).toBe('2026-03-30');
    expect(shiftDay('2026-01-01', -1)).toBe('2025-12-31');
    expect(shiftDay('2026-12-17', 0, -11)).toBe('2026-01-01');
  });
});

describe('insights ranges', () => {
  it('looks back 30 days, 12 weeks from a Monday, or 12 months from the 1st', () => {
    expect(insightsRange('day', '2026-12-01')).toEqual({ from: '2026-11-02', to: '2026-12-01' });
    // 2026-12-01 is a Tuesday: its week began on Monday 2026-11-30.
    expect(insightsRange('week', '2026-12-01')).toEqual({ from: '2026-09-14', to: '2026-12-01' });
    expect(insightsRange('month', '2026-12-01')).toEqual({ from: '2026-01-01', to: '2026-12-01' });
    expect(bucketLabel('2026-03-04', 'day', 'en-US')).toBe('Mar 4');
    expect(bucketLabel('2026-03-01', 'month', 'en-US')).toBe('Mar 26');
  });
});
