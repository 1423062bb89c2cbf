import { createQueryId, sql, type CompiledQuery } from 'kysely';

import type { DialectName } from './connect';
import type { DbHandle, Tx } from './transaction';
import { WriteWatchPlugin } from './write-watch';

export type UpsertRow = Record<string, string | number | null>;

interface Compiled {
  query: CompiledQuery;
  /** For each bound parameter, the row (index) and column whose value it takes. */
  rows: number[];
  columns: string[];
}

/** A placeholder value no row holds: a NUL, then the row and column. */
const SENTINEL = '\u0000upsert:';

/** Per database (its dialect adapter, shared by its transactions): SQL by shape and row count. */
const cache = new WeakMap<object, Map<string, Compiled>>();

/**
 * One multi-row upsert: rows whose unique `key` exists take the `set` columns' new values and add
 * the `add` columns' to theirs (with neither, they are left as they are); the others are inserted. One statement on every dialect. Its SQL
 * is built and compiled once per table, columns and row count and then bound with each call's
 * values: building a statement of a few hundred values through Kysely cost more than SQLite took
 * to run it, on every batch the outbox subscribers write. Every row has the first row's columns.
 * A table the facts cache watches is refused (its writes are counted as they are compiled).
 */
export async function upsertRows(
  handle: Tx | DbHandle,
  dialect: DialectName,
  table: string,
  key: readonly string[],
  rows: readonly UpsertRow[],
  set: readonly string[],
  add: readonly string[] = [],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const compiled = compile(handle, dialect, table, key, columns, rows.length, set, add);
  const parameters = new Array<unknown>(compiled.rows.length);
  for (let i = 0; i < parameters.length; i++) {
    const value = rows[compiled.rows[i]!]![compiled.columns[i]!];
    if (value === undefined) throw new Error(`upsertRows: a row of ${table} has no ${compiled.columns[i]}`);
    parameters[i] = value;
  }
  await (handle as DbHandle).executeQuery({ ...compiled.query, queryId: createQueryId(), parameters });
}

function compile(
  handle: DbHandle,
  dialect: DialectName,
  table: string,
  key: readonly string[],
  columns: readonly string[],
  n: number,
  set: readonly string[],
  add: readonly string[],
): Compiled {
  const executor = handle.getExecutor();
  let byShape = cache.get(executor.adapter);
  if (!byShape) cache.set(executor.adapter, (byShape = new Map<string, Compiled>()));
  const shape = `${table}|${columns.join(',')}|${key.join(',')}|${set.join(',')}|${add.join(',')}|${n}`;
  const hit = byShape.get(shape);
  if (hit) return hit;
  if (executor.plugins.some((p) => p instanceof WriteWatchPlugin && p.watches(table)))
    throw new Error(`upsertRows: ${table} is watched by the facts cache`);
  // Each value is a placeholder that comes out as one bound parameter: where it lands says
  // which row and column the parameter takes.
  const sentinel = (r: number, c: number) => `${SENTINEL}${r}:${c}`;
  const values = Array.from({ length: n }, (_, r) => Object.fromEntries(columns.map((c, i) => [c, sentinel(r, i)])));
  const insert = handle.insertInto(table as never).values(values);
  let query: CompiledQuery;
  if (set.length === 0 && add.length === 0) {
    // Nothing to update: a row whose key exists is left as it is.
    query = (dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.columns(key as never).doNothing())).compile();
  } else if (dialect === 'mysql') {
    const upd: Record<string, unknown> = {};
    for (const c of set) upd[c] = sql`values(${sql.ref(c)})`;
    for (const c of add) upd[c] = sql`${sql.ref(c)} + values(${sql.ref(c)})`;
    query = insert.onDuplicateKeyUpdate(upd).compile();
  } else {
    query = insert
      .onConflict((oc) =>
        oc.columns(key as never).doUpdateSet((eb) => {
          const upd: Record<string, unknown> = {};
          for (const c of set) upd[c] = eb.ref(`excluded.${c}` as never);
          for (const c of add) upd[c] = eb(eb.ref(`${table}.${c}` as never), '+', eb.ref(`excluded.${c}` as never));
          return upd;
        }),
      )
      .compile();
  }
  const compiled: Compiled = { query, rows: [], columns: [] };
  for (const p of query.parameters) {
    const m = typeof p === 'string' && p.startsWith(SENTINEL) ? /^(\d+):(\d+)$/.exec(p.slice(SENTINEL.length)) : null;
    if (!m) throw new Error(`upsertRows: a parameter of ${table} is not a row value`);
    compiled.rows.push(Number(m[1]));
    compiled.columns.push(columns[Number(m[2])]!);
  }
  if (compiled.rows.length !== n * columns.length) throw new Error(`upsertRows: ${table}'s values are not bound once each`);
  byShape.set(shape, compiled);
  return compiled;
}
