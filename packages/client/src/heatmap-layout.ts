/**
 * Pure layout for activity heatmaps, shared by web (SVG) and mobile (react-native-svg): a
 * GitHub-style calendar of days in weeks, a 7×24 day-by-hour grid, colour levels and the
 * viewer's timezone. Dates are 'YYYY-MM-DD' strings already in the viewer's timezone (the server
 * answers in it); day arithmetic runs on UTC midnights so no local DST shift can move a day.
 */

export interface DayCount {
  date: string;
  count: number;
}

export interface CalendarCell extends DayCount {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** 0 (none) … 4 (busiest). */
  level: number;
}

export interface CalendarLayout {
  /** Columns of seven (Sunday first); null where the range does not reach. */
  weeks: Array<Array<CalendarCell | null>>;
  /** The first column of each month, for the labels above the grid. */
  months: Array<{ week: number; month: number; year: number }>;
  total: number;
  activeDays: number;
  max: number;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDay(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const addDays = (date: string, n: number): string => formatDay(parseDay(date) + n * DAY_MS);

/** The weekday of a date, 0 = Sunday. */
export const weekdayOf = (date: string): number => new Date(parseDay(date)).getUTCDay();

/** Colour level 0–4: 0 only for no activity; the busiest day (or hour) is always 4. */
export function levelOf(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((count / max) * 4)));
}

/** The `days` days ending on `end` (inclusive), as week columns with month labels. */
export function calendarLayout(counts: readonly DayCount[], end: string, days = 365): CalendarLayout {
  const byDate = new Map<string, number>();
  for (const c of counts) byDate.set(c.date, (byDate.get(c.date) ?? 0) + c.count);
  const start = addDays(end, -(days - 1));
  let max = 0;
  let total = 0;
  let activeDays = 0;
  for (let i = 0; i < days; i++) {
    const n = byDate.get(addDays(start, i)) ?? 0;
    max = Math.max(max, n);
    total += n;
    if (n > 0) activeDays++;
  }
  const weeks: CalendarLayout['weeks'] = [];
  const months: CalendarLayout['months'] = [];
  const lead = weekdayOf(start);
  let column: Array<CalendarCell | null> = Array.from({ length: lead }, () => null);
  let lastMonth = -1;
  for (let i = 0; i < days; i++) {
    const date = addDays(start, i);
    const weekday = (lead + i) % 7;
    const count = byDate.get(date) ?? 0;
    const month = Number(date.slice(5, 7)) - 1;
    if (month !== lastMonth) {
      // A month starting late in a column is labelled from the next one, as GitHub does.
      const week = weeks.length + (weekday > 0 && i > 0 ? 1 : 0);
      if (!months.some((m) => m.week === week)) months.push({ week, month, year: Number(date.slice(0, 4)) });
      lastMonth = month;
    }
    column.push({ date, count, weekday, level: levelOf(count, max) });
    if (weekday === 6) {
      weeks.push(column);
      column = [];
    }
  }
  if (column.length) {
    while (column.length < 7) column.push(null);
    weeks.push(column);
  }
  // A label under the last partial column would be cut off: keep labels with room for three letters.
  return { weeks, months: months.filter((m) => m.week < weeks.length - 1), total, activeDays, max };
}

export interface HourGridLayout {
  /** rows[weekday][hour], weekday 0 = Sunday. */
  rows: number[][];
  levels: number[][];
  max: number;
  total: number;
  /** The busiest weekday and hour, or null when there was no activity. */
  peak: { weekday: number; hour: number; count: number } | null;
}

/** A 7×24 grid from (weekday, hour, count) cells; repeated cells add up. */
export function hourGridLayout(cells: ReadonlyArray<{ weekday: number; hour: number; count: number }>): HourGridLayout {
  const rows = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const c of cells) {
    if (c.weekday < 0 || c.weekday > 6 || c.hour < 0 || c.hour > 23) continue;
    rows[c.weekday]![c.hour]! += c.count;
  }
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
  return { rows, levels: rows.map((row) => row.map((n) => levelOf(n, max))), max, total, peak };
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

/** Today's date (YYYY-MM-DD) in a timezone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Weekday names (Sunday first) in a locale, long or short. */
export function weekdayNames(locale: string, width: 'long' | 'short' | 'narrow' = 'short'): string[] {
  const f = new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2023, 0, 1 + i))));
}

export function monthName(locale: string, month: number, width: 'short' | 'long' = 'short'): string {
  return new Intl.DateTimeFormat(locale, { month: width, timeZone: 'UTC' }).format(new Date(Date.UTC(2023, month, 1)));
}

/** A date for people, e.g. "Tuesday, 4 March 2026", without any timezone shift. */
export function longDay(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(parseDay(date)));
}

/** An hour of the day for people, e.g. "14:00" or "2 PM", in the locale's clock. */
export function hourLabel(hour: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1, hour)));
}
