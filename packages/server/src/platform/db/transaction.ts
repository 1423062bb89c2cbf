import type { Kysely, Transaction } from 'kysely';

import type { Database } from './schema';

export type Tx = Transaction<Database>;
export type DbHandle = Kysely<Database>;
export type AfterCommit = (fn: () => void | Promise<void>) => void;

/**
 * Runs `fn` in a transaction; work registered with `afterCommit` (publishing domain events,
 * broadcasting) runs only once the commit succeeded, never for a rolled-back write.
 */
export async function inTransaction<T>(db: DbHandle, fn: (trx: Tx, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
  const after: Array<() => void | Promise<void>> = [];
  const result = await db.transaction().execute((trx) => fn(trx, (cb) => after.push(cb)));
  for (const cb of after) await cb();
  return result;
}
