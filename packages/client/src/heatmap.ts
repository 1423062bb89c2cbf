import type { Heatmap } from '@communities/contract';

export interface CalendarCell {
  /** Local date, YYYY-MM-DD. */
  date: string;
  count: number;
  kinds: Record<string, number>;
  /** 0 (none) … 4 (busiest), for the legend's colour steps. */
  level: 0 | 1 | 2 | 3 | 4;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const addDays = (date: string, n: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/** The legend's level of a count against the busiest day: 0 with none, else 1..4 in quarters. */
export function heatLevel(count: number, max: number): CalendarCell['level'] {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((count / max) * 4))) as CalendarCell['level'];
}

/**
 * Every day from `from` to `to` of a heatmap answer (which lists active days only), with its level,
 * in order: what a GitHub-style calendar (web) or HeatmapView (mobile) draws, and its table fallback.
 */
export function calendarCells(heatmap: Pick<Heatmap, 'from' | 'to' | 'days' | 'max_day'>): CalendarCell[] {
  const byDate = new Map(heatmap.days.map((d) => [d.date, d]));
  const cells: CalendarCell[] = [];
  for (let date = heatmap.from; date <= heatmap.to; date = addDays(date, 1)) {
    const day = byDate.get(date);
    const count = day?.count ?? 0;
    cells.push({
      date,
      count,
      kinds: day?.kinds ?? {},
      level: heatLevel(count, heatmap.max_day),
      weekday: (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7,
    });
  }
  return cells;
}
