import { SqliteAdapter } from 'kysely';

import type { Tx } from './transaction';

/**
 * Takes the write lock on one row before a transaction writes anything under it (children
 * whose foreign key points at it, its counters). Writers of one parent then queue instead of
 * each holding the shared lock a foreign-key check takes and all asking to upgrade it, which
 * MariaDB answers with a deadlock. SQLite has one writer at a time: nothing to do.
 */
export async function lockRow(trx: Tx, table: 'central_feed_items' | 'communities' | 'dm_threads', id: number): Promise<void> {
  if (trx.getExecutor().adapter instanceof SqliteAdapter) return;
  await trx.selectFrom(table).select('id').where('id', '=', id).forUpdate().execute();
}
