import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';

/** before / after / around / latest: the history query every message list takes. */
export interface HistoryQuery {
  before?: number | undefined;
  after?: number | undefined;
  around?: number | undefined;
  limit: number;
}

/**
 * Whether a history page names its channel or thread as a one-value range (`>= id and <= id`)
 * rather than `= id`: MariaDB plans `parent = ? and … and id < ? order by id desc limit 51` as a
 * ref on the parent scanned backwards from its newest row, filtering on id, so a page 150,000
 * messages deep read 150,051 index entries (Handler_read_prev) and a page at 1,000,000 took
 * seconds; stated as a range it scans (parent, id) from the page: 50 reads. SQLite and
 * PostgreSQL keep `=` (SQLite would stop using the id bound behind a range on the parent).
 */
export const rangeOnMysql = (dialect: DialectName) => dialect === 'mysql';

/** Fetch `n` rows strictly older (`<`) or newer-or-equal/newer (`>=`/`>`) than an id, nearest first. */
export type Fetch<T> = (cmp: '<' | '>' | '>=' | null, id: number, n: number) => Promise<T[]>;

/**
 * Keyset paging over message ids, returned oldest first with whether more exists on each side.
 * Every page costs one or two indexed range scans, whatever the channel's size.
 */
export async function historyPage<T extends { id: number }>(
  q: HistoryQuery,
  fetch: Fetch<T>,
): Promise<{ items: T[]; has_more_before: boolean; has_more_after: boolean }> {
  const { limit } = q;
  if (q.after !== undefined) {
    const rows = await fetch('>', q.after, limit + 1);
    return { items: rows.slice(0, limit), has_more_before: true, has_more_after: rows.length > limit };
  }
  if (q.around !== undefined) {
    const half = Math.floor(limit / 2);
    const [older, newer] = [await fetch('<', q.around, half + 1), await fetch('>=', q.around, limit - half + 1)];
    return {
      items: [...older.slice(0, half).reverse(), ...newer.slice(0, limit - half)],
      has_more_before: older.length > half,
      has_more_after: newer.length > limit - half,
    };
  }
  const rows = q.before !== undefined ? await fetch('<', q.before, limit + 1) : await fetch(null, 0, limit + 1);
  return { items: rows.slice(0, limit).reverse(), has_more_before: rows.length > limit, has_more_after: q.before !== undefined };
}

export interface ChangesQuery {
  since: string;
  after_id?: number | undefined;
  from_id: number;
  to_id: number;
}

/** Changed messages per answer. */
const CHANGES_PAGE = 100;
/** A client's newest messages looked at, at most: the scan stays bounded however wide its range. */
const CHANGES_WINDOW = 1000;
/**
 * `as_of` lags the clock by this much, so a write that took its timestamp before the answer
 * but committed after it is still found next time; re-sending a message is harmless.
 */
const CHANGES_OVERLAP_MS = 30_000;

type MessageTable = 'channel_messages' | 'dm_messages';

/** The `as_of` of an answer read now: the `since` of the next changes request. */
export function asOf(now: Date): string {
  return new Date(now.getTime() - CHANGES_OVERLAP_MS).toISOString();
}

/**
 * Messages in [from_id, to_id] of one channel or thread whose updated_at is past `since`
 * (keyset on updated_at, id), among the range's newest CHANGES_WINDOW: a reconnecting client
 * refreshes what it shows with one indexed range scan.
 */
export async function changesPage<T extends { id: number; updated_at: string }>(
  db: DbHandle,
  table: MessageTable,
  parent: { column: 'channel_id' | 'thread_id'; id: number },
  q: ChangesQuery,
  now: Date,
): Promise<{ items: T[]; next: { since: string; after_id: number } | null; as_of: string }> {
  const as_of = asOf(now);
  // Both message tables share these columns; the casts pick one for the type checker.
  const t = table as 'channel_messages';
  const window = db
    .selectFrom(t)
    .selectAll()
    .where(parent.column as 'channel_id', '=', parent.id)
    .where('id', '>=', q.from_id)
    .where('id', '<=', q.to_id)
    .orderBy('id', 'desc')
    .limit(CHANGES_WINDOW);
  const rows = (await db
    .selectFrom(window.as('m'))
    .selectAll()
    .where((eb) => eb.or([eb('m.updated_at', '>', q.since), eb.and([eb('m.updated_at', '=', q.since), eb('m.id', '>', q.after_id ?? 0)])]))
    .orderBy('m.updated_at')
    .orderBy('m.id')
    .limit(CHANGES_PAGE + 1)
    .execute()) as unknown as T[];
  const items = rows.slice(0, CHANGES_PAGE);
  const last = items[items.length - 1];
  return { items, next: rows.length > CHANGES_PAGE && last ? { since: last.updated_at, after_id: last.id } : null, as_of };
}
