import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

import type SQLite from 'better-sqlite3';

import { DatabaseUnavailableError, isUnavailable } from './faults';

/**
 * Watches that what SQLite writes can persist. If the data folder is deleted (or the file
 * replaced) while the server runs, SQLite keeps writing to the unlinked inode and every write
 * "succeeds" until the restart loses it; and a full disk fails writes while reads still work.
 * The guard refuses writes to a file that is no longer there and remembers the last write that
 * failed for want of storage, for health to report.
 */
export class SqliteGuard {
  private readonly identity: { dev: number; ino: number } | null;
  private lastFailure: { at: Date; message: string } | null = null;
  /** A storage failure inside the open transaction: its commit does not clear lastFailure. */
  private failedInTransaction = false;

  constructor(private readonly handle: SQLite.Database) {
    const path = handle.name;
    this.identity = handle.memory || !path ? null : (({ dev, ino }) => ({ dev, ino }))(statSync(path));
  }

  /** Why writes cannot persist now (file gone or replaced, folder not writable), or null. */
  fileProblem(): string | null {
    if (!this.identity) return null;
    const path = this.handle.name;
    try {
      const st = statSync(path);
      if (st.ino !== this.identity.ino || st.dev !== this.identity.dev)
        return `the database file ${path} was replaced while the server runs; restart it`;
      accessSync(path, constants.W_OK);
      accessSync(dirname(path), constants.W_OK);
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return `the database file ${path} was removed while the server runs; writes would be lost`;
      return `the database file ${path} is not writable (${code ?? (error as Error).message})`;
    }
  }

  /** Throws instead of letting a write go to a file that is gone. */
  beforeWrite(): void {
    const problem = this.fileProblem();
    if (problem) throw new DatabaseUnavailableError(`Cannot write: ${problem}`);
  }

  /** A write failed: remember it when storage is the cause (disk full, read-only, I/O error). */
  failed(error: unknown): void {
    if (!isUnavailable(error)) return;
    this.lastFailure = { at: new Date(), message: (error as Error).message.slice(0, 200) };
    if (this.handle.inTransaction) this.failedInTransaction = true;
  }

  /**
   * A write (or commit) went through: storage works again. Not a commit whose transaction lost a
   * statement to storage on the way (a group commit rolls that post back to its savepoint and
   * commits the rest, which may fit where the failed one did not).
   */
  succeeded(isCommit = false): void {
    if (isCommit) {
      if (!this.failedInTransaction) this.lastFailure = null;
      this.failedInTransaction = false;
    } else if (!this.handle.inTransaction) this.lastFailure = null;
  }

  /** The last storage failure since the last successful commit, if any. */
  get writeFailure(): { at: Date; message: string } | null {
    return this.lastFailure;
  }
}

const guards = new WeakMap<SQLite.Database, SqliteGuard>();

/** One guard per connection, shared by the addon's and the demo host's Kysely over it. */
export function sqliteGuard(handle: SQLite.Database): SqliteGuard {
  let g = guards.get(handle);
  if (!g) {
    g = new SqliteGuard(handle);
    guards.set(handle, g);
  }
  return g;
}
