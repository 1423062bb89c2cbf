import type { InsertQueryBuilder, Kysely } from 'kysely';

/**
 * The id of an inserted row on every dialect: RETURNING where the adapter supports it
 * (SQLite, PostgreSQL), the driver's insertId on MySQL/MariaDB (MySQL 8 has no RETURNING).
 */
export async function insertedId(db: Kysely<any>, query: InsertQueryBuilder<any, any, any>): Promise<number> {
  if (db.getExecutor().adapter.supportsReturning) {
    const row = (await query.returning('id').executeTakeFirstOrThrow()) as { id: number };
    return Number(row.id);
  }
  const result = await query.executeTakeFirstOrThrow();
  return Number(result.insertId);
}
