/**
 * Time-zone arithmetic for the rollups. Counts are stored per UTC date in 96 quarter-hours, and
 * every real UTC offset is a whole number of quarter-hours (+05:30, +05:45, -09:30 …), so each
 * stored quarter falls inside exactly one local hour of any time zone.
 */

export const QUARTERS = 96;
const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The offset of `tz` from UTC at an instant, in minutes (+330 for Asia/Kolkata). */
export function offsetMinutes(tz: string, ms: number): number {
  if (tz === 'UTC') return 0;
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute));
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const quarterOf = (ms: number): number => Math.floor((ms % DAY_MS) / QUARTER_MS);
export const dateMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
/**
 * Date strings ↔ day numbers, remembered (bounded): a year's read steps through ~370 dates several
 * times, and Date.parse plus toISOString per step were ~7 % of a heatmap read's CPU.
 */
const dayOfDate = new Map<string, number>();
const dateOfDay = new Map<number, string>();
function dayOf(date: string): number {
  let n = dayOfDate.get(date);
  if (n === undefined) {
    const ms = dateMs(date);
    // Not a YYYY-MM-DD date: no day number; the callers' arithmetic fails as it did (utcDate throws).
    if (!Number.isFinite(ms)) return NaN;
    n = Math.round(ms / DAY_MS);
    if (dayOfDate.size >= 20_000) dayOfDate.clear();
    dayOfDate.set(date, n);
  }
  return n;
}
function dateOf(day: number): string {
  let d = dateOfDay.get(day);
  if (d === undefined) {
    d = utcDate(day * DAY_MS);
    if (dateOfDay.size >= 20_000) dateOfDay.clear();
    dateOfDay.set(day, d);
  }
  return d;
}
export function addDays(date: string, n: number): string {
  return dateOf(dayOf(date) + n);
}
/** Days from a to b (b − a). */
export const daysBetween = (a: string, b: string): number => Math.round((dateMs(b) - dateMs(a)) / DAY_MS);
/** 0 = Monday … 6 = Sunday. */
export const weekday = (date: string): number => (new Date(dateMs(date)).getUTCDay() + 6) % 7;

/** Where one stored quarter falls in a time zone: local date, hour and minute-of-day. */
export interface LocalSlot {
  date: string;
  hour: number;
  /** Days since 1970-01-01 of the local date (cheap to compare and index). */
  day: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export const dayNumber = (date: string): number => dayOf(date);

/**
 * Per UTC date, the local slot of each of its 96 quarters in `tz`. Offsets change only at DST
 * transitions, so a day whose offset is the same at both ends is one computation; cached per
 * time zone (bounded) since every read of a year decodes the same days.
 */
const slotCache = new Map<string, Map<string, LocalSlot[]>>();
export function localSlots(tz: string, date: string): LocalSlot[] {
  let byDate = slotCache.get(tz);
  if (!byDate) {
    if (slotCache.size > 64) slotCache.clear();
    byDate = new Map();
    slotCache.set(tz, byDate);
  }
  let slots = byDate.get(date);
  if (slots) return slots;
  if (byDate.size > 5000) byDate.clear();
  const start = dateMs(date);
  const first = offsetMinutes(tz, start);
  const last = offsetMinutes(tz, start + DAY_MS - QUARTER_MS);
  slots = new Array<LocalSlot>(QUARTERS);
  for (let q = 0; q < QUARTERS; q++) {
    const ms = start + q * QUARTER_MS;
    const off = first === last ? first : offsetMinutes(tz, ms);
    const local = ms + off * 60_000;
    const day = Math.floor(local / DAY_MS);
    slots[q] = { date: utcDate(local), hour: new Date(local).getUTCHours(), day, weekday: (((day + 3) % 7) + 7) % 7 };
  }
  byDate.set(date, slots);
  return slots;
}

/** Today's local date in tz. */
export function localToday(tz: string, nowMs: number): string {
  return utcDate(nowMs + offsetMinutes(tz, nowMs) * 60_000);
}

/** The UTC instant a local date starts at in tz. */
export function localDayStartMs(tz: string, date: string): number {
  const guess = dateMs(date);
  let ms = guess - offsetMinutes(tz, guess) * 60_000;
  // Once more: the offset at the true start may differ from the guess's (a DST day).
  ms = guess - offsetMinutes(tz, ms) * 60_000;
  return ms;
}

/** Sparse quarter counts, "q:n,q:n" ascending by quarter. */
export function encodeQuarters(counts: Map<number, number>): string {
  return [...counts.entries()]
    .filter(([, n]) => n !== 0)
    .sort((a, b) => a[0] - b[0])
    .map(([q, n]) => `${q}:${n}`)
    .join(',');
}

export function decodeQuarters(s: string): Map<number, number> {
  const out = new Map<number, number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const i = part.indexOf(':');
    out.set(Number(part.slice(0, i)), Number(part.slice(i + 1)));
  }
  return out;
}

/** Calls visit for every non-zero quarter of an encoded row, without building a map (hot read path). */
export function eachQuarter(s: string, visit: (q: number, n: number) => void): void {
  if (!s) return;
  let i = 0;
  while (i < s.length) {
    const colon = s.indexOf(':', i);
    let comma = s.indexOf(',', colon);
    if (comma < 0) comma = s.length;
    visit(Number(s.slice(i, colon)), Number(s.slice(colon + 1, comma)));
    i = comma + 1;
  }
}

/** Sparse quarters ("q:n,q:n") as running sums: [q] = the count of quarters before q (q = 0 … 96). */
export function runningSums(quarters: string, out = new Int32Array(97), at = 0): Int32Array {
  // Into out[at … at + 96] (a read of a year fills one array for all its rows: a typed array of
  // its own per row is a separate allocation outside the heap each). Read by character codes (a year's calendar parses ~366 of these): digits, ':' 58, ',' 44, '-' 45.
  let q = 0;
  let n = 0;
  let sign = 1;
  let count = false;
  for (let i = 0; i < quarters.length; i++) {
    const c = quarters.charCodeAt(i);
    if (c === 58) count = true;
    else if (c === 44) {
      out[at + q + 1]! += sign * n;
      q = n = 0;
      sign = 1;
      count = false;
    } else if (c === 45) sign = -1;
    else if (count) n = n * 10 + c - 48;
    else q = q * 10 + c - 48;
  }
  if (count) out[at + q + 1]! += sign * n;
  for (let i = at + 1; i <= at + 96; i++) out[i]! += out[i - 1]!;
  return out;
}

/**
 * Cumulative quarter counts in fixed width: for q = 1 … 96, the count of quarters before q, each
 * in CUM_WIDTH base-36 digits. Any run of quarters (a local hour, the part of a UTC date that
 * is one local day) is then two lookups, so a read does ~25 per row instead of decoding 96.
 */
export const CUM_WIDTH = 6;
export function encodeCum(counts: Map<number, number>): string {
  let run = 0;
  for (const n of counts.values()) run += n;
  // Written digit by digit into a byte buffer: ~4 rows per message go through here, and
  // toString(36) + padStart per quarter was a visible part of the rollups' ingest CPU.
  if (run < 0 || run >= 36 ** CUM_WIDTH) return encodeCumSlow(counts);
  const out = Buffer.allocUnsafe(QUARTERS * CUM_WIDTH);
  run = 0;
  for (let q = 0; q < QUARTERS; q++) {
    run += counts.get(q) ?? 0;
    if (run < 0) return encodeCumSlow(counts);
    writeBase36(out, q * CUM_WIDTH, CUM_WIDTH, run);
  }
  return out.toString('latin1');
}
function encodeCumSlow(counts: Map<number, number>): string {
  let out = '';
  let run = 0;
  for (let q = 0; q < QUARTERS; q++) {
    run += counts.get(q) ?? 0;
    out += run.toString(36).padStart(CUM_WIDTH, '0');
  }
  return out;
}
/** `v` (0 ≤ v < 36^width) as `width` lowercase base-36 digits at `at`. */
function writeBase36(buf: Buffer, at: number, width: number, v: number): void {
  for (let i = at + width - 1; i >= at; i--) {
    const d = v % 36;
    buf[i] = d < 10 ? 48 + d : 87 + d;
    v = (v - d) / 36;
  }
}

/** The count of quarters [0, q) of an encoded row (q = 0 … 96). */
export function cumAt(cum: string, q: number): number {
  if (q <= 0 || !cum) return 0;
  return base36At(cum, (q - 1) * CUM_WIDTH, CUM_WIDTH);
}

/**
 * parseInt(s.slice(at, at + width), 36) without the slice (hot read path: tens of thousands per
 * read): the encodings write lowercase base-36 digits only.
 */
export function base36At(s: string, at: number, width: number): number {
  let v = 0;
  for (let i = at, end = at + width; i < end; i++) {
    const c = s.charCodeAt(i);
    v = v * 36 + (c <= 57 ? c - 48 : c - 87);
  }
  return v;
}

/** A run of a UTC date's quarters [from, to) that is one local hour of one local day. */
export interface LocalSegment {
  from: number;
  to: number;
  day: number;
  date: string;
  hour: number;
  weekday: number;
}

/** Per UTC date, its quarters grouped into local hours in `tz` (about 25 segments; cached like localSlots). */
const segCache = new Map<string, Map<string, LocalSegment[]>>();
export function localSegments(tz: string, date: string): LocalSegment[] {
  let byDate = segCache.get(tz);
  if (!byDate) {
    if (segCache.size > 64) segCache.clear();
    byDate = new Map();
    segCache.set(tz, byDate);
  }
  let segs = byDate.get(date);
  if (segs) return segs;
  if (byDate.size > 5000) byDate.clear();
  const slots = localSlots(tz, date);
  segs = [];
  let start = 0;
  for (let q = 1; q <= QUARTERS; q++) {
    const a = slots[start]!;
    const b = slots[q];
    if (!b || b.day !== a.day || b.hour !== a.hour) {
      segs.push({ from: start, to: q, day: a.day, date: a.date, hour: a.hour, weekday: a.weekday });
      start = q;
    }
  }
  byDate.set(date, segs);
  return segs;
}

/** Per UTC date, its quarters grouped into local days (one or two runs). */
const daySegCache = new Map<string, Map<string, LocalSegment[]>>();
export function localDaySegments(tz: string, date: string): LocalSegment[] {
  let byDate = daySegCache.get(tz);
  if (!byDate) {
    if (daySegCache.size > 64) daySegCache.clear();
    byDate = new Map();
    daySegCache.set(tz, byDate);
  }
  let segs = byDate.get(date);
  if (segs) return segs;
  if (byDate.size > 5000) byDate.clear();
  segs = [];
  for (const s of localSegments(tz, date)) {
    const last = segs.at(-1);
    if (last && last.day === s.day) last.to = s.to;
    else segs.push({ ...s });
  }
  byDate.set(date, segs);
  return segs;
}

/** member_activity_years: running sums per day of a UTC year (day 0 = 1 January), YEAR_WIDTH base-36 digits each. */
export const YEAR_WIDTH = 5;
export const YEAR_DAYS = 366;
export const dayOfYear = (date: string): number => Math.round((dateMs(date) - Date.UTC(Number(date.slice(0, 4)), 0, 1)) / DAY_MS);
export function decodeYear(cum: string): number[] {
  const out = new Array<number>(YEAR_DAYS).fill(0);
  let prev = 0;
  for (let i = 0; i < YEAR_DAYS; i++) {
    const v = cum ? parseInt(cum.slice(i * YEAR_WIDTH, (i + 1) * YEAR_WIDTH), 36) : 0;
    out[i] = v - prev;
    prev = v;
  }
  return out;
}
export function encodeYear(days: number[]): string {
  let run = 0;
  let out = '';
  for (let i = 0; i < YEAR_DAYS; i++) out += (run += days[i] ?? 0).toString(36).padStart(YEAR_WIDTH, '0');
  return out;
}
/**
 * Adds per-day counts (day of year → n) to an encoded year: the days before the first one added
 * are kept as they are, only the running sums from there on are re-encoded (a write in December
 * touches a few dozen of the 366).
 */
export function addToYear(cum: string, add: Map<number, number>): string {
  if (!cum) {
    const days = new Array<number>(YEAR_DAYS).fill(0);
    for (const [d, n] of add) days[d]! += n;
    return encodeYear(days);
  }
  const lo = Math.min(...add.keys());
  // The running sums from `lo` on, rewritten in a byte buffer (a write in January rewrites
  // ~366 of them; slice + parseInt + toString + padStart each was ~10 % of a batch's CPU).
  const buf = Buffer.from(cum, 'latin1');
  let extra = 0;
  for (let i = lo; i < YEAR_DAYS; i++) {
    extra += add.get(i) ?? 0;
    const v = base36At(cum, i * YEAR_WIDTH, YEAR_WIDTH) + extra;
    if (v < 0 || v >= 36 ** YEAR_WIDTH || buf.length !== cum.length) return addToYearSlow(cum, add, lo);
    writeBase36(buf, i * YEAR_WIDTH, YEAR_WIDTH, v);
  }
  return buf.toString('latin1');
}
function addToYearSlow(cum: string, add: Map<number, number>, lo: number): string {
  let out = cum.slice(0, lo * YEAR_WIDTH);
  let extra = 0;
  for (let i = lo; i < YEAR_DAYS; i++) {
    extra += add.get(i) ?? 0;
    out += (parseInt(cum.slice(i * YEAR_WIDTH, (i + 1) * YEAR_WIDTH), 36) + extra).toString(36).padStart(YEAR_WIDTH, '0');
  }
  return out;
}
