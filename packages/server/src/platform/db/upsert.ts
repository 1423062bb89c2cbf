import { createQueryId, sql, type Compilable, type CompiledQuery } from 'kysely';

import type { DialectName } from './connect';
import type { DbHandle, Tx } from './transaction';
import { WriteWatchPlugin } from './write-watch';

export type UpsertRow = Record<string, string | number | null>;

interface Compiled {
  query: CompiledQuery;
  /** For each bound parameter, the row (index; -1: the statement's own values) and column whose value it takes. */
  rows: number[];
  columns: string[];
}

/** A placeholder value no row holds: a NUL, then the row and column. */
const SENTINEL = '\u0000upsert:';

/**
 * Bound parameters a statement carries at most: SQLite's limit (32,766 since 3.32, what
 * better-sqlite3 builds with); PostgreSQL and MariaDB take 65,535.
 */
const MAX_PARAMETERS = 32_766;
/** Rows (or listed values) a statement carries at most: longer statements save nothing more per row. */
const MAX_ROWS = 1024;

/** Per database (its dialect adapter, shared by its transactions): SQL by shape and row count. */
const cache = new WeakMap<object, Map<string, Compiled>>();

/**
 * The sizes of the statements `n` rows of `columns` values are written in: as many of the
 * largest size as fit, then the rest by its binary digits (1,000 rows: 512 + 256 + 128 + 64 + 32
 * + 8). Every size is a power of two within the parameter limit, so a table has at most eleven
 * statements compiled per shape, whatever the row counts (a statement per count would compile
 * up to a thousand, and push the others out of SQLite's statement cache).
 */
export function statementSizes(n: number, columns: number): number[] {
  const largest = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / Math.max(1, columns))))));
  const out: number[] = [];
  let left = n;
  for (; left >= largest; left -= largest) out.push(largest);
  for (let size = largest / 2; size >= 1; size /= 2) if (left & size) out.push(size);
  return out;
}

/**
 * Multi-row upserts: rows whose unique `key` exists take the `set` columns' new values and add
 * the `add` columns' to theirs (with neither, they are left as they are: an insert that skips
 * keys already present); the others are inserted. `returning` names columns each written row
 * hands back (SQLite and PostgreSQL: RETURNING; refused on MariaDB, which has none on an
 * upsert); with neither `set` nor `add`, only the rows inserted come back. Rows are written in
 * their order, in statements of `statementSizes` rows. Each statement's SQL is built and
 * compiled once per table, columns and row count and then bound with each call's values:
 * building a statement of a few hundred values through Kysely cost more than SQLite took to run
 * it, on every batch the outbox subscribers write. Every row has the first row's columns.
 * A table the facts cache watches is refused (its writes are counted as they are compiled).
 */
export async function upsertRows<R = UpsertRow>(
  handle: Tx | DbHandle,
  dialect: DialectName,
  table: string,
  key: readonly string[],
  rows: readonly UpsertRow[],
  set: readonly string[],
  add: readonly string[] = [],
  returning: readonly string[] = [],
): Promise<R[]> {
  if (rows.length === 0) return [];
  if (returning.length > 0 && dialect === 'mysql') throw new Error(`upsertRows: MariaDB hands no rows back from ${table}'s upsert`);
  const columns = Object.keys(rows[0]!);
  // Checked before anything is written: a call's statements all run, or none.
  for (const row of rows) for (const c of columns) if (row[c] === undefined) throw new Error(`upsertRows: a row of ${table} has no ${c}`);
  const out: R[] = [];
  let from = 0;
  for (const n of statementSizes(rows.length, columns.length)) {
    const shape = `upsert|${columns.join(',')}|${key.join(',')}|${set.join(',')}|${add.join(',')}|${returning.join(',')}|${n}`;
    const compiled = compile(handle, table, shape, (slot) =>
      upsertQuery(handle, dialect, table, key, columns, n, set, add, returning, slot),
    );
    const chunk = from;
    const got = await run<R>(handle, table, compiled, (r, c) => rows[chunk + r]![c]);
    for (const g of got) out.push(g);
    from += n;
  }
  return out;
}

/**
 * `update table set <set> where column in (values)`: compiled once per table, columns and list
 * size (the next power of two, at most 1,024 values a statement; a shorter list is padded by
 * repeating its first value, which changes nothing an `in` matches). For the updates a batch
 * makes by id (the fold marking its ledger rows). Refuses a table the facts cache watches, as
 * `upsertRows` does.
 */
export async function updateWhereIn(
  handle: Tx | DbHandle,
  table: string,
  set: UpsertRow,
  column: string,
  values: ReadonlyArray<string | number>,
): Promise<void> {
  const setColumns = Object.keys(set);
  for (let from = 0; from < values.length; from += MAX_ROWS) {
    const list = values.slice(from, from + MAX_ROWS);
    const n = 2 ** Math.ceil(Math.log2(list.length));
    const shape = `update-in|${setColumns.join(',')}|${column}|${n}`;
    const compiled = compile(handle, table, shape, (slot) =>
      (handle as DbHandle)
        .updateTable(table as never)
        .set(Object.fromEntries(setColumns.map((c) => [c, slot(-1, c)])) as never)
        .where(column as never, 'in', Array.from({ length: n }, (_, r) => slot(r, column)) as never),
    );
    await run(handle, table, compiled, (r, c) => (r < 0 ? set[c] : (list[r] ?? list[0])));
  }
}

/** Binds a compiled statement's parameters through `value(row, column)` and runs it; the rows it hands back. */
async function run<R>(
  handle: Tx | DbHandle,
  table: string,
  compiled: Compiled,
  value: (row: number, column: string) => string | number | null | undefined,
): Promise<R[]> {
  const parameters = new Array<unknown>(compiled.rows.length);
  for (let i = 0; i < parameters.length; i++) {
    const v = value(compiled.rows[i]!, compiled.columns[i]!);
    if (v === undefined) throw new Error(`upsertRows: a row of ${table} has no ${compiled.columns[i]}`);
    parameters[i] = v;
  }
  const result = await (handle as DbHandle).executeQuery<R>({ ...compiled.query, queryId: createQueryId(), parameters });
  return result.rows;
}

function upsertQuery(
  handle: Tx | DbHandle,
  dialect: DialectName,
  table: string,
  key: readonly string[],
  columns: readonly string[],
  n: number,
  set: readonly string[],
  add: readonly string[],
  returning: readonly string[],
  slot: (row: number, column: string) => string,
): Compilable {
  const values = Array.from({ length: n }, (_, r) => Object.fromEntries(columns.map((c) => [c, slot(r, c)])));
  const insert = (handle as DbHandle).insertInto(table as never).values(values);
  if (set.length === 0 && add.length === 0) {
    // Nothing to update: a row whose key exists is left as it is.
    if (dialect === 'mysql') return insert.ignore();
    const q = insert.onConflict((oc) => oc.columns(key as never).doNothing());
    return returning.length > 0 ? q.returning(returning as never) : q;
  }
  if (dialect === 'mysql') {
    const upd: Record<string, unknown> = {};
    for (const c of set) upd[c] = sql`values(${sql.ref(c)})`;
    for (const c of add) upd[c] = sql`${sql.ref(c)} + values(${sql.ref(c)})`;
    return insert.onDuplicateKeyUpdate(upd);
  }
  const q = insert.onConflict((oc) =>
    oc.columns(key as never).doUpdateSet((eb) => {
      const upd: Record<string, unknown> = {};
      for (const c of set) upd[c] = eb.ref(`excluded.${c}` as never);
      for (const c of add) upd[c] = eb(eb.ref(`${table}.${c}` as never), '+', eb.ref(`excluded.${c}` as never));
      return upd;
    }),
  );
  return returning.length > 0 ? q.returning(returning as never) : q;
}

/**
 * The statement of `shape` on `table`, built by `build` with a placeholder from `slot(row,
 * column)` for each value (each must come out as exactly one bound parameter), compiled with
 * the handle's plugins (table prefix) and cached per database.
 */
function compile(
  handle: Tx | DbHandle,
  table: string,
  shape: string,
  build: (slot: (row: number, column: string) => string) => Compilable,
): Compiled {
  const executor = handle.getExecutor();
  let byShape = cache.get(executor.adapter);
  if (!byShape) cache.set(executor.adapter, (byShape = new Map<string, Compiled>()));
  const cacheKey = `${table}|${shape}`;
  const hit = byShape.get(cacheKey);
  if (hit) return hit;
  if (executor.plugins.some((p) => p instanceof WriteWatchPlugin && p.watches(table)))
    throw new Error(`upsertRows: ${table} is watched by the facts cache`);
  // Each value is a placeholder that comes out as one bound parameter: where it lands says
  // which row and column the parameter takes.
  const names: string[] = [];
  let made = 0;
  const slot = (r: number, c: string) => {
    let i = names.indexOf(c);
    if (i < 0) i = names.push(c) - 1;
    made++;
    return `${SENTINEL}${r}:${i}`;
  };
  const query = build(slot).compile();
  const compiled: Compiled = { query, rows: [], columns: [] };
  const seen = new Set<string>();
  for (const p of query.parameters) {
    const m = typeof p === 'string' && p.startsWith(SENTINEL) ? /^(-?\d+):(\d+)$/.exec(p.slice(SENTINEL.length)) : null;
    if (!m || seen.has(p as string)) throw new Error(`upsertRows: a parameter of ${table} is not a value bound once`);
    seen.add(p as string);
    compiled.rows.push(Number(m[1]));
    compiled.columns.push(names[Number(m[2])]!);
  }
  if (seen.size !== made) throw new Error(`upsertRows: ${table}'s values are not bound once each`);
  byShape.set(cacheKey, compiled);
  return compiled;
}
