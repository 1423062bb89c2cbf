import { describe, expect, it } from 'vitest';

import { calendarCells, heatLevel } from './heatmap';

describe('calendarCells', () => {
  it('fills the days a heatmap leaves out, with levels against the busiest day and Monday-based weekdays', () => {
    const cells = calendarCells({
      from: '2026-02-27',
      to: '2026-03-02',
      max_day: 8,
      days: [
        { date: '2026-02-28', count: 8, kinds: { message: 8 } },
        { date: '2026-03-02', count: 1, kinds: { post: 1 } },
      ],
    });
    expect(cells.map((c) => [c.date, c.count, c.level, c.weekday])).toEqual([
      ['2026-02-27', 0, 0, 4],
      ['2026-02-28', 8, 4, 5],
      ['2026-03-01', 0, 0, 6],
      ['2026-03-02', 1, 1, 0],
    ]);
    expect(cells[1]!.kinds).toEqual({ message: 8 });
  });

  it('levels step by quarters of the maximum', () => {
    expect([0, 1, 25, 26, 50, 51, 75, 76, 100].map((c) => heatLevel(c, 100))).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(heatLevel(3, 0)).toBe(0);
  });
});
