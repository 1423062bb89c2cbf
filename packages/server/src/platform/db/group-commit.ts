import { sql } from 'kysely';

import { inTransaction, type AfterCommit, type DbHandle, type Tx } from './transaction';

type Work<T> = (trx: Tx, afterCommit: AfterCommit) => Promise<T>;

interface Item {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Writes per shared transaction at most. */
const MAX_BATCH = 256;

/**
 * Group commit for SQLite, where one connection writes and a commit costs more than the
 * rows it saves: writes that arrive together share one transaction, each in its own
 * savepoint, so one failing write rolls back alone and the others commit. Each caller gets
 * its own result or error, and its after-commit work runs only once the shared commit is done.
 * Server databases (MariaDB, PostgreSQL) run each write in its own transaction as usual.
 */
export class GroupCommit {
  private queue: Item[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly db: DbHandle,
    private readonly enabled: boolean,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    if (!this.enabled) return inTransaction(this.db, work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    const outcomes: Array<{ ok: true; value: unknown; after: Array<() => void | Promise<void>> } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [i, item] of batch.entries()) {
          const name = sql.raw(`gc_${i}`);
          const after: Array<() => void | Promise<void>> = [];
          await sql`savepoint ${name}`.execute(trx);
          try {
            const value = await item.work(trx, (cb) => after.push(cb));
            await sql`release ${name}`.execute(trx);
            outcomes.push({ ok: true, value, after });
          } catch (error) {
            await sql`rollback to ${name}`.execute(trx);
            await sql`release ${name}`.execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The shared commit failed: nothing of this batch was written.
      for (const item of batch) item.reject(error);
      this.done();
      return;
    }
    for (const [i, item] of batch.entries()) {
      const o = outcomes[i]!;
      if (!o.ok) {
        item.reject(o.error);
        continue;
      }
      try {
        for (const cb of o.after) await cb();
        item.resolve(o.value);
      } catch (error) {
        item.reject(error);
      }
    }
    this.done();
  }

  private done(): void {
    this.running = false;
    if (this.queue.length) this.schedule();
  }
}
