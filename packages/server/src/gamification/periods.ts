import type { LeaderboardPeriod } from '@communities/contract';

/**
 * Calendar arithmetic in the school's time zone: days (daily caps, streaks), weeks from Monday
 * and months (leaderboards). Keys name a period in storage (`all`, `w2026-11-30`, `m2026-12`);
 * bounds are the UTC instants of its local midnights.
 */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(at: Date, timeZone: string): LocalDate & { hour: number; minute: number; second: number } {
  const o: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') o[p.type] = Number(p.value);
  return { year: o.year!, month: o.month!, day: o.day!, hour: o.hour!, minute: o.minute!, second: o.second! };
}

/**
 * The last minute asked per time zone and its local date: every award and rollup of a busy
 * minute asks for the same one, and formatToParts costs microseconds each. Zone offsets are
 * whole minutes (for any date this code meets), so a local date never changes inside a UTC minute.
 */
const lastMinute = new Map<string, { minute: number; date: LocalDate }>();

export function localDate(at: Date, timeZone: string): LocalDate {
  const minute = Math.floor(at.getTime() / 60_000);
  const hit = lastMinute.get(timeZone);
  if (hit && hit.minute === minute) return { ...hit.date };
  const { year, month, day } = parts(at, timeZone);
  const date = { year, month, day };
  if (lastMinute.size > 64) lastMinute.clear();
  lastMinute.set(timeZone, { minute, date });
  return { ...date };
}

/** The UTC instant of local midnight starting this (possibly overflowing) local date. */
export function localMidnight(d: LocalDate, timeZone: string): Date {
  const wall = Date.UTC(d.year, d.month - 1, d.day);
  let t = wall;
  // Two rounds settle the offset, also across a DST change on the day itself.
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(t), timeZone);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    t += wall - seen;
  }
  return new Date(t);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = (d: LocalDate) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
const norm = (y: number, m: number, d: number): LocalDate => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
};

const mondayOf = (d: LocalDate): LocalDate => {
  const weekday = (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7; // Monday = 0
  return norm(d.year, d.month, d.day - weekday);
};
const monthKey = (d: LocalDate) => `m${pad(d.year, 4)}-${pad(d.month)}`;

export function dayKey(at: Date, timeZone: string): string {
  return iso(localDate(at, timeZone));
}

/** The last local day's bounds per time zone (each costs four formatToParts). */
const lastDay = new Map<string, { key: string; start: number; end: number }>();

/** [start, end) of the local day holding `at`. */
export function dayBounds(at: Date, timeZone: string): { start: Date; end: Date } {
  const d = localDate(at, timeZone);
  const key = iso(d);
  const hit = lastDay.get(timeZone);
  if (hit?.key === key) return { start: new Date(hit.start), end: new Date(hit.end) };
  const start = localMidnight(d, timeZone).getTime();
  const end = localMidnight(norm(d.year, d.month, d.day + 1), timeZone).getTime();
  if (lastDay.size > 64) lastDay.clear();
  lastDay.set(timeZone, { key, start, end });
  return { start: new Date(start), end: new Date(end) };
}

/** The local date before `key` (YYYY-MM-DD). */
export function previousDay(key: string): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return iso(norm(y, m, d - 1));
}

export interface PeriodWindow {
  period: LeaderboardPeriod;
  key: string;
  start: Date | null;
  end: Date | null;
}

/** The week (from Monday) or month holding `at`, or all time. */
export function periodWindow(period: LeaderboardPeriod, at: Date, timeZone: string): PeriodWindow {
  if (period === 'all_time') return { period, key: 'all', start: null, end: null };
  const d = localDate(at, timeZone);
  if (period === 'month') {
    const first = { year: d.year, month: d.month, day: 1 };
    return {
      period,
      key: monthKey(d),
      start: localMidnight(first, timeZone),
      end: localMidnight(norm(d.year, d.month + 1, 1), timeZone),
    };
  }
  const monday = mondayOf(d);
  return {
    period,
    key: `w${iso(monday)}`,
    start: localMidnight(monday, timeZone),
    end: localMidnight(norm(monday.year, monday.month, monday.day + 7), timeZone),
  };
}

/** The storage keys an award at `at` counts toward: all time, its week and its month. */
export function periodKeys(at: Date, timeZone: string): string[] {
  const d = localDate(at, timeZone);
  return ['all', `w${iso(mondayOf(d))}`, monthKey(d)];
}
