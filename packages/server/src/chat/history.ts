/** before / after / around / latest: the history query every message list takes. */
export interface HistoryQuery {
  before?: number | undefined;
  after?: number | undefined;
  around?: number | undefined;
  limit: number;
}

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
