import { retryOnConflict } from './retry';
import { inTransaction, type AfterCommit, type DbHandle, type Tx } from './transaction';

/**
 * Bookkeeping on rows many writers share (a channel's last message id, a community's last
 * activity), registered by a write: the last registration under a key wins, and a write that
 * rolled back takes its registrations with it. On SQLite it runs once per shared transaction,
 * after every write in it. On server databases it runs right after the write's commit, as a
 * statement of its own: inside the write's transaction it would hold the shared row's lock
 * until commit and, on MariaDB, deadlock against the foreign-key locks other writers hold on
 * that row. So the work must be correct in any order and more than once: only ever move a
 * value forward (`where last_message_id < :id`), never set it blindly.
 */
export type Once = (key: string, fn: (db: DbHandle) => Promise<unknown>) => void;

type Work<T> = (trx: Tx, afterCommit: AfterCommit, once: Once) => Promise<T>;

interface Item {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type OnceWork = (db: DbHandle) => Promise<unknown>;

type Outcome =
  { ok: true; value: unknown; after: Array<() => void | Promise<void>>; once: Map<string, OnceWork> } | { ok: false; error: unknown };

/** Writes per shared transaction at most. */
const MAX_BATCH = 256;

/**
 * Group commit for SQLite, where one connection writes and a commit costs more than the
 * rows it saves: writes that arrive together share one transaction, each in its own
 * savepoint, so one failing write rolls back alone and the others commit. Each caller gets
 * its own result or error, and its after-commit work runs only once the shared commit is done.
 * Server databases (MariaDB, PostgreSQL) run each write in its own transaction as usual,
 * retried after a deadlock (see inTransaction).
 */
export class GroupCommit {
  private queue: Item[] = [];
  private running = false;
  private scheduled = false;
  private readonly committed: Array<() => void> = [];

  /** Savepoint statements, prepared once (exec would compile each of them per write). */
  private readonly savepoint?: Record<'open' | 'release' | 'rollback', { run(): unknown }>;

  /**
   * @param sqlite the SQLite connection Kysely writes through, when group commit applies:
   *   savepoints go to it directly, being statements Kysely has nothing to add to.
   */
  constructor(
    private readonly db: DbHandle,
    private readonly sqlite?: { prepare(sql: string): { run(): unknown }; readonly inTransaction: boolean },
  ) {
    // One name serves every write: each savepoint is released before the next one opens.
    if (sqlite)
      this.savepoint = {
        open: sqlite.prepare('savepoint gc'),
        release: sqlite.prepare('release gc'),
        rollback: sqlite.prepare('rollback to gc'),
      };
  }

  /**
   * Calls `listener` after each shared commit on SQLite (before the writes' own after-commit
   * work), for upkeep that follows writes in batches (the search indexer). It must not throw.
   */
  onCommit(listener: () => void): void {
    this.committed.push(listener);
  }

  run<T>(work: Work<T>): Promise<T> {
    if (!this.sqlite) return this.alone(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * One write, one transaction; its once-work runs after the commit, before its other
   * after-commit work, each piece retried on a lock conflict by itself. Should it still fail,
   * the write's other after-commit work (its domain events) runs all the same, and then the
   * caller gets the error.
   */
  private alone<T>(work: Work<T>): Promise<T> {
    return inTransaction(this.db, async (trx, afterCommit) => {
      const once = new Map<string, OnceWork>();
      let failed: { error: unknown } | undefined;
      afterCommit(async () => {
        try {
          for (const fn of once.values()) await retryOnConflict(() => fn(this.db));
        } catch (error) {
          failed = { error };
        }
      });
      const value = await work(trx, afterCommit, (key, fn) => once.set(key, fn));
      afterCommit(() => {
        if (failed) throw failed.error;
      });
      return value;
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
    const sp = this.savepoint!;
    this.running = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const item of batch) {
          const after: Array<() => void | Promise<void>> = [];
          const once = new Map<string, OnceWork>();
          sp.open.run();
          try {
            const value = await item.work(
              trx,
              (cb) => after.push(cb),
              (key, fn) => once.set(key, fn),
            );
            sp.release.run();
            outcomes.push({ ok: true, value, after, once });
          } catch (error) {
            // Disk full or an I/O error: SQLite rolled the whole transaction back itself. The
            // batch fails with that error, not with "no such savepoint" from rolling back again.
            if (!this.sqlite!.inTransaction) throw error;
            sp.rollback.run();
            sp.release.run();
            outcomes.push({ ok: false, error });
          }
        }
        const once = new Map<string, OnceWork>();
        for (const o of outcomes) {
          if (!o.ok) continue;
          for (const [key, fn] of o.once) {
            once.delete(key); // the last registration runs, in the order of the last registrations
            once.set(key, fn);
          }
        }
        for (const fn of once.values()) await fn(trx);
      });
    } catch (error) {
      // The shared commit failed: nothing of this batch was written.
      for (const item of batch) item.reject(error);
      this.done();
      return;
    }
    for (const listener of this.committed) listener();
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
