import type { InsertQueryBuilder, InsertResult, Kysely } from 'kysely';

import type { Database } from './schema';

/**
 * The id of an inserted row on every dialect: RETURNING where the adapter supports it
 * (SQLite, PostgreSQL), the driver's insertId on MySQL/MariaDB (MySQL 8 has no RETURNING).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table of any database
export async function insertedId(db: Kysely<Database>, query: InsertQueryBuilder<Database, any, InsertResult>): Promise<number> {
  if (db.getExecutor().adapter.supportsReturning) {
    const row = (await query.returning('id' as never).executeTakeFirstOrThrow()) as { id: number };
    return Number(row.id);
  }
  const result: InsertResult = await query.executeTakeFirstOrThrow();
  return Number(result.insertId);
}
