import type { Kysely, Transaction } from 'kysely';

import { retryOnConflict } from './retry';
import type { Database } from './schema';

export type Tx = Transaction<Database>;
export type DbHandle = Kysely<Database>;
export type AfterCommit = (fn: () => void | Promise<void>) => void;

/**
 * Runs `fn` in a transaction; work registered with `afterCommit` (publishing domain events,
 * broadcasting) runs only once the commit succeeded, never for a rolled-back write. A
 * transaction the database aborted for a lock conflict (deadlock, serialization failure) runs
 * again from the start, so `fn` must not have effects outside it other than through
 * `afterCommit`, whose work from an aborted attempt is dropped: it runs once, for the commit.
 */
export async function inTransaction<T>(db: DbHandle, fn: (trx: Tx, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
  let after: Array<() => void | Promise<void>> = [];
  const result = await retryOnConflict(() => {
    after = [];
    return db.transaction().execute((trx) => fn(trx, (cb) => after.push(cb)));
  });
  for (const cb of after) await cb();
  return result;
}
