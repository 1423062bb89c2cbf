import {
  createQueryId,
  SqliteAdapter,
  type CompiledQuery,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
} from 'kysely';

import type { SqliteStatements } from './connect';
import type { Database } from './schema';
import type { DbHandle } from './transaction';
import { WriteWatchPlugin } from './write-watch';

/**
 * The id of an inserted row on every dialect: RETURNING on PostgreSQL, the driver's insert id
 * elsewhere (MySQL 8 has no RETURNING; on SQLite the last rowid is free, while RETURNING makes
 * the statement a reader).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table of any database
export async function insertedId(db: Kysely<Database>, query: InsertQueryBuilder<Database, any, InsertResult>): Promise<number> {
  const adapter = db.getExecutor().adapter;
  if (adapter.supportsReturning && !(adapter instanceof SqliteAdapter)) {
    const row = (await query.returning('id' as never).executeTakeFirstOrThrow()) as { id: number };
    return Number(row.id);
  }
  const result: InsertResult = await query.executeTakeFirstOrThrow();
  return Number(result.insertId);
}

type Table = keyof Database;

/**
 * A one-row insert of fixed columns, built and compiled once and then run with each row's
 * values, answering the new row's id as insertedId does. Building and compiling an insert of a
 * dozen columns through Kysely costs tens of µs, more than SQLite takes to write the row: the
 * hot writes (a feed post, its outbox event) run once per request. The SQL is the dialect's own
 * with the handle's plugins (table prefix) applied once; a table the facts cache watches is
 * refused, since its WriteWatchPlugin counts writes as they are compiled.
 */
export class ReusableInsert<T extends Table, C extends keyof Database[T] & string> {
  private compiled: CompiledQuery | null = null;
  /** For each bound parameter, the column whose value it takes. */
  private slots: C[] = [];
  private returning = false;

  /**
   * @param direct SQLite's statements (Db.sqliteStatements): inside a transaction, which holds
   *   the one connection while its work runs, the statement runs on it straight, without
   *   Kysely's executor (its connection queue, plugin hooks and promises: ~2.3 µs of CPU an
   *   insert in a bare loop, against ~2.6 µs for SQLite's insert of an outbox row itself).
   */
  constructor(
    private readonly db: DbHandle,
    private readonly table: T,
    private readonly columns: readonly C[],
    private readonly direct?: SqliteStatements,
  ) {}

  private compile(): CompiledQuery {
    if (this.compiled) return this.compiled;
    const executor = this.db.getExecutor();
    if (executor.plugins.some((p) => p instanceof WriteWatchPlugin && p.watches(this.table)))
      throw new Error(`ReusableInsert: ${this.table} is watched by the facts cache`);
    // Each column's placeholder value comes out as one bound parameter: where it lands says
    // which column that parameter takes.
    const sentinels = this.columns.map((c, i) => `\u0000reusable-insert:${i}:${c}`);
    const values = Object.fromEntries(this.columns.map((c, i) => [c, sentinels[i]]));
    const adapter = executor.adapter;
    this.returning = adapter.supportsReturning && !(adapter instanceof SqliteAdapter);
    // The values are placeholders, typed per call by `run`.
    const query = this.db.insertInto(this.table).values(values as never);
    const compiled = (this.returning ? query.returning('id' as never) : query).compile();
    this.slots = compiled.parameters.map((p) => {
      const i = sentinels.indexOf(p as string);
      if (i < 0) throw new Error(`ReusableInsert: a parameter of ${this.table} is not a column value`);
      return this.columns[i]!;
    });
    if (this.slots.length !== this.columns.length || new Set(this.slots).size !== this.columns.length)
      throw new Error(`ReusableInsert: ${this.table}'s columns are not bound once each`);
    this.compiled = compiled;
    return compiled;
  }

  /** Inserts one row through `handle` (the database or a transaction of it); the new row's id. */
  async run(handle: DbHandle, row: { [K in C]: Insertable<Database[T]>[K & keyof Insertable<Database[T]>] }): Promise<number> {
    const c = this.compile();
    const parameters = this.slots.map((col) => row[col]);
    if (this.direct && handle.isTransaction && !this.returning) {
      const { lastInsertRowid } = this.direct.prepare(c.sql).run(parameters);
      return Number(lastInsertRowid);
    }
    const result = await handle.executeQuery<{ id: number }>({ ...c, queryId: createQueryId(), parameters });
    return Number(this.returning ? result.rows[0]!.id : result.insertId);
  }
}
