import { describe, expect, it } from 'vitest';

import { addDays, calendarLayout, hourGridLayout, levelOf, todayIn, viewerTimeZone, weekdayOf } from './heatmap-layout';

describe('calendarLayout', () => {
  it('lays 365 days ending today into Sunday-first weeks, with counts, levels and totals', () => {
    const end = '2026-12-01'; // a Tuesday
    const layout = calendarLayout(
      [
        { date: '2026-12-01', count: 8 },
        { date: '2026-11-30', count: 2 },
        { date: '2026-11-30', count: 1 },
        { date: '2025-12-01', count: 5 }, // one day before the window
        { date: '2025-12-02', count: 1 }, // the first day in it
      ],
      end,
    );
    const cells = layout.weeks.flat().filter((c) => c !== null);
    expect(cells).toHaveLength(365);
    expect(cells[0]!.date).toBe('2025-12-02');
    expect(cells.at(-1)).toEqual({ date: end, count: 8, weekday: 2, level: 4 });
    expect(cells.find((c) => c.date === '2026-11-30')).toMatchObject({ count: 3, weekday: 1, level: 2 });
    expect(layout).toMatchObject({ total: 12, activeDays: 3, max: 8 });
    for (const week of layout.weeks) expect(week).toHaveLength(7);
    // 2025-12-02 is a Tuesday: Sunday and Monday of the first column are empty.
    expect(layout.weeks[0]!.slice(0, 2)).toEqual([null, null]);
    expect(layout.weeks[0]![2]!.date).toBe('2025-12-02');
    expect(layout.weeks.at(-1)!.slice(3)).toEqual([null, null, null, null]);
  });

  it('labels each month once, at its first full column, and drops a label with no room', () => {
    const layout = calendarLayout([], '2026-12-01');
    const labels = layout.months.map((m) => `${m.year}-${m.month + 1}`);
    expect(labels[0]).toBe('2025-12');
    expect(labels).toContain('2026-11');
    expect(labels).not.toContain('2026-12');
    const jan = layout.months.find((m) => m.year === 2026 && m.month === 0)!;
    // 2026-01-01 is a Thursday: its column still holds December days, so January starts a column later.
    expect(layout.weeks[jan.week]![0]!.date >= '2026-01-01').toBe(true);
    expect(layout.weeks[jan.week - 1]![0]!.date < '2026-01-01').toBe(true);
  });

  it('crosses DST changes and leap days without losing or doubling a day', () => {
    const layout = calendarLayout([{ date: '2024-02-29', count: 1 }], '2024-12-31', 366);
    const cells = layout.weeks.flat().filter((c) => c !== null);
    expect(cells).toHaveLength(366);
    expect(new Set(cells.map((c) => c.date)).size).toBe(366);
    expect(cells.find((c) => c.date === '2024-02-29')!.level).toBe(4);
  });
});

describe('hourGridLayout', () => {
  it('adds cells into a 7×24 grid and finds the busiest hour', () => {
    const g = hourGridLayout([
      { weekday: 2, hour: 14, count: 3 },
      { weekday: 2, hour: 14, count: 2 },
      { weekday: 0, hour: 0, count: 1 },
      { weekday: 9, hour: 3, count: 100 },
    ]);
    expect(g.rows).toHaveLength(7);
    expect(g.rows.every((r) => r.length === 24)).toBe(true);
    expect(g.rows[2]![14]).toBe(5);
    expect(g.total).toBe(6);
    expect(g.peak).toEqual({ weekday: 2, hour: 14, count: 5 });
    expect(g.levels[2]![14]).toBe(4);
    expect(g.levels[0]![0]).toBe(1);
    expect(g.levels[1]![1]).toBe(0);
    expect(hourGridLayout([]).peak).toBeNull();
  });
});

describe('levels, dates and timezones', () => {
  it('keeps level 0 for no activity only', () => {
    expect([0, 1, 25, 26, 50, 75, 100].map((n) => levelOf(n, 100))).toEqual([0, 1, 1, 2, 2, 3, 4]);
    expect(levelOf(3, 0)).toBe(0);
  });

  it('steps days in UTC and reads weekdays', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(weekdayOf('2026-12-01')).toBe(2);
  });

  it('takes the profile timezone when valid, and knows today there (45-minute offsets included)', () => {
    expect(viewerTimeZone('Asia/Kathmandu')).toBe('Asia/Kathmandu');
    expect(viewerTimeZone('Not/AZone')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(viewerTimeZone(null)).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    const now = new Date('2026-12-01T18:20:00Z');
    expect(todayIn('Asia/Kathmandu', now)).toBe('2026-12-02'); // +05:45
    expect(todayIn('America/St_Johns', new Date('2026-12-02T02:00:00Z'))).toBe('2026-12-01'); // −03:30
    expect(todayIn('UTC', now)).toBe('2026-12-01');
  });
});
