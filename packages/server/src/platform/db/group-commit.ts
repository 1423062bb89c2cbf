import { inTransaction, type AfterCommit, type DbHandle, type Tx } from './transaction';

/**
 * Work to run once per shared transaction, after every write in it: the last registration
 * under a key wins, and a write that rolled back takes its registrations with it. For
 * bookkeeping that each write would otherwise repeat, e.g. a channel's last message id.
 */
export type Once = (key: string, fn: (trx: Tx) => Promise<unknown>) => void;

type Work<T> = (trx: Tx, afterCommit: AfterCommit, once: Once) => Promise<T>;

interface Item {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Outcome =
  | { ok: true; value: unknown; after: Array<() => void | Promise<void>>; once: Map<string, (trx: Tx) => Promise<unknown>> }
  | { ok: false; error: unknown };

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

  /**
   * @param sqlite the SQLite connection Kysely writes through, when group commit applies:
   *   savepoints go to it directly, being statements Kysely has nothing to add to.
   */
  constructor(
    private readonly db: DbHandle,
    private readonly sqlite?: { exec(sql: string): unknown; readonly inTransaction: boolean },
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    if (!this.sqlite) return this.alone(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** One write, one transaction: its once-work runs at its end. */
  private alone<T>(work: Work<T>): Promise<T> {
    return inTransaction(this.db, async (trx, afterCommit) => {
      const once = new Map<string, (trx: Tx) => Promise<unknown>>();
      const value = await work(trx, afterCommit, (key, fn) => once.set(key, fn));
      for (const fn of once.values()) await fn(trx);
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
    const exec = (statement: string) => this.sqlite!.exec(statement);
    this.running = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [i, item] of batch.entries()) {
          const after: Array<() => void | Promise<void>> = [];
          const once = new Map<string, (trx: Tx) => Promise<unknown>>();
          exec(`savepoint gc_${i}`);
          try {
            const value = await item.work(
              trx,
              (cb) => after.push(cb),
              (key, fn) => once.set(key, fn),
            );
            exec(`release gc_${i}`);
            outcomes.push({ ok: true, value, after, once });
          } catch (error) {
            // Disk full or an I/O error: SQLite rolled the whole transaction back itself. The
            // batch fails with that error, not with "no such savepoint" from rolling back again.
            if (!this.sqlite!.inTransaction) throw error;
            exec(`rollback to gc_${i}`);
            exec(`release gc_${i}`);
            outcomes.push({ ok: false, error });
          }
        }
        const once = new Map<string, (trx: Tx) => Promise<unknown>>();
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
