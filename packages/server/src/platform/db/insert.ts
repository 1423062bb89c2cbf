import { SqliteAdapter, type InsertQueryBuilder, type InsertResult, type Kysely } from 'kysely';

import type { Database } from './schema';

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
