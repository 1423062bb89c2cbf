import { sql, type SelectQueryBuilder } from 'kysely';

import { AppError } from './errors';

/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. Lists page by
 * `(sort value, id)` so rows inserted while a client scrolls never shift or repeat a page.
 */
export function encodeCursor(key: Record<string, string | number | null>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number | null>>(
  cursor: string | undefined,
  shape: { [K in keyof T]: 'string' | 'number' | 'string|null' | 'number|null' },
): T | null {
  if (!cursor) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const bad = () =>
    new AppError('validation_failed', 'The request is not valid', {
      issues: [{ path: 'query.cursor', code: 'invalid_cursor', message: 'Unknown or damaged cursor' }],
    });
  if (!parsed || typeof parsed !== 'object') throw bad();
  for (const [k, type] of Object.entries(shape) as Array<[string, string]>) {
    const v = (parsed as Record<string, unknown>)[k];
    const ok = type.split('|').some((t) => (t === 'null' ? v === null : typeof v === t));
    if (!ok) throw bad();
  }
  return parsed as T;
}

/** Fetch `limit + 1` rows; this trims the extra one and says whether there is a next page. */
export function pageOf<R>(
  rows: R[],
  limit: number,
  keyOf: (last: R) => Record<string, string | number | null>,
): { items: R[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, next_cursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * The common case: page a query by one id column, newest first (`desc`) or oldest first
 * (`asc`). The cursor carries the last id; rows inserted meanwhile never shift a page.
 */
export async function pageById<DB, TB extends keyof DB, O extends { id: number }>(
  query: SelectQueryBuilder<DB, TB, O>,
  q: { cursor?: string | undefined; limit: number },
  direction: 'asc' | 'desc',
  column = 'id',
): Promise<{ items: O[]; next_cursor: string | null }> {
  const c = decodeCursor<{ id: number }>(q.cursor, { id: 'number' });
  const ref = sql.ref<number>(column);
  const paged = c ? query.where(ref as never, direction === 'desc' ? '<' : '>', c.id as never) : query;
  const rows = await paged
    .orderBy(ref as never, direction)
    .limit(q.limit + 1)
    .execute();
  return pageOf(rows as O[], q.limit, (r) => ({ id: r.id }));
}
