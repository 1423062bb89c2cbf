/**
 * Pure layout for activity heatmaps, shared by web (SVG) and mobile (react-native-svg): a
 * GitHub-style calendar of days in week columns, the 7×24 day-by-hour grid, and the viewer's
 * timezone. Dates are 'YYYY-MM-DD' strings already in the viewer's timezone (the server answers
 * in it). Weeks start on Monday, as the API's grid does (weekday 0 = Monday).
 */
import type { Heatmap } from '@communities/contract';

import { calendarCells, heatLevel, type CalendarCell } from './heatmap';

export interface CalendarLayout {
  /** Columns of seven (Monday first); null where the range does not reach. */
  weeks: Array<Array<CalendarCell | null>>;
  /** The first full column of each month, for the labels above the grid. */
  months: Array<{ week: number; month: number; year: number }>;
  total: number;
  activeDays: number;
}

/** A heatmap answer's days as week columns with month labels. */
export function calendarLayout(heatmap: Pick<Heatmap, 'from' | 'to' | 'days' | 'max_day'>): CalendarLayout {
  const cells = calendarCells(heatmap);
  const weeks: CalendarLayout['weeks'] = [];
  const months: CalendarLayout['months'] = [];
  let column: Array<CalendarCell | null> = Array.from({ length: cells[0]?.weekday ?? 0 }, () => null);
  let lastMonth = -1;
  let total = 0;
  let activeDays = 0;
  cells.forEach((cell, i) => {
    total += cell.count;
    if (cell.count > 0) activeDays++;
    const month = Number(cell.date.slice(5, 7)) - 1;
    if (month !== lastMonth) {
      // A month starting mid-column is labelled from the next column, as GitHub does.
      const week = weeks.length + (cell.weekday > 0 && i > 0 ? 1 : 0);
      if (!months.some((m) => m.week === week)) months.push({ week, month, year: Number(cell.date.slice(0, 4)) });
      lastMonth = month;
    }
    column.push(cell);
    if (cell.weekday === 6) {
      weeks.push(column);
      column = [];
    }
  });
  if (column.length) {
    while (column.length < 7) column.push(null);
    weeks.push(column);
  }
  // A label at the last column would be cut off at the edge.
  return { weeks, months: months.filter((m) => m.week < weeks.length - 1), total, activeDays };
}

export interface HourGridLayout {
  /** rows[weekday][hour], weekday 0 = Monday. */
  rows: number[][];
  levels: number[][];
  max: number;
  total: number;
  /** The busiest weekday and hour, or null when there was no activity. */
  peak: { weekday: number; hour: number; count: number } | null;
}

/** The API's grid (grid[weekday][hour], Monday first) with colour levels against its busiest hour. */
export function hourGridLayout(grid: ReadonlyArray<ReadonlyArray<number>>): HourGridLayout {
  const rows = Array.from({ length: 7 }, (_, d) => Array.from({ length: 24 }, (_, h) => grid[d]?.[h] ?? 0));
  let max = 0;
  let total = 0;
  let peak: HourGridLayout['peak'] = null;
  rows.forEach((row, weekday) =>
    row.forEach((count, hour) => {
      total += count;
      if (count > max) {
        max = count;
        peak = { weekday, hour, count };
      }
    }),
  );
  return { rows, levels: rows.map((row) => row.map((n) => heatLevel(n, max))), max, total, peak };
}

/** The viewer's timezone: the profile's (users.timezone) when it is a real IANA zone, else the device's. */
export function viewerTimeZone(profileZone?: string | null): string {
  if (profileZone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: profileZone });
      return profileZone;
    } catch {
      // an unknown zone in the host's users table: fall back to the device
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Weekday names (Monday first) in a locale. */
export function weekdayNames(locale: string, width: 'long' | 'short' | 'narrow' = 'short'): string[] {
  const f = new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' });
  // 2023-01-02 was a Monday.
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2023, 0, 2 + i))));
}

export function monthName(locale: string, month: number, width: 'short' | 'long' = 'short'): string {
  return new Intl.DateTimeFormat(locale, { month: width, timeZone: 'UTC' }).format(new Date(Date.UTC(2023, month, 1)));
}

/** A local date for people, e.g. "Tuesday, December 1, 2026", with no timezone shift. */
export function longDay(date: string, locale: string, style: 'full' | 'medium' = 'full'): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

/** An hour of the day in the locale's clock, e.g. "2 PM" or "14". */
export function hourLabel(hour: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1, hour)));
}

/** Today's local date (YYYY-MM-DD) in a timezone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A local date moved by whole days (or months), on UTC midnights so no DST shift can move it. */
export function shiftDay(date: string, days: number, months = 0): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (months) d.setUTCMonth(d.getUTCMonth() + months, 1);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The range an insights view shows per period: 30 days, 12 weeks from a Monday, or 12 months from the 1st. */
export function insightsRange(period: 'day' | 'week' | 'month', today: string): { from: string; to: string } {
  if (period === 'day') return { from: shiftDay(today, -29), to: today };
  if (period === 'week') {
    const sinceMonday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    return { from: shiftDay(today, -sinceMonday - 7 * 11), to: today };
  }
  return { from: shiftDay(today, 0, -11), to: today };
}

/** A bucket's label under a chart: "Mar 4" for days and weeks, "Mar 26" for months. */
export function bucketLabel(start: string, period: 'day' | 'week' | 'month', locale: string): string {
  const opts: Intl.DateTimeFormatOptions =
    period === 'month' ? { month: 'short', year: '2-digit', timeZone: 'UTC' } : { month: 'short', day: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, opts).format(new Date(`${start}T00:00:00Z`));
}
