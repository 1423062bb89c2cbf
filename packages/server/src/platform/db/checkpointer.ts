import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import type SQLite from 'better-sqlite3';

/** How often the worker copies the WAL back into the database file. */
const INTERVAL_MS = 200;
/** What SQLite does on its own (pages), restored should the worker go away. */
const SQLITE_AUTOCHECKPOINT = 1000;

/**
 * The checkpoint loop, run in a worker thread on its own connection to the same file. A PASSIVE
 * checkpoint never waits for the writer or readers; it copies what it can and tries again on the
 * next tick. Plain CommonJS: the worker is evaluated from this string, not compiled by tsx.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
parentPort.postMessage('ready');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (!['SQLITE_BUSY', 'SQLITE_LOCKED'].includes(error && error.code)) throw error;
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves SQLite's WAL checkpoints off the event loop. With `synchronous = NORMAL` the commit that
 * crosses the WAL's size limit runs the checkpoint itself: it copies a thousand pages into the
 * database file and fsyncs it, blocking every request behind that commit for milliseconds. Here
 * a worker thread checkpoints every 200 ms instead, and the server's connection stops
 * checkpointing once the worker runs. Should the worker fail, the connection checkpoints by
 * itself again, so the WAL can never grow without bound.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(private readonly handle: SQLite.Database) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { path: handle.name, module: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: INTERVAL_MS },
    });
    this.worker.on('message', (m) => {
      if (m === 'ready' && !this.stopped && handle.open) handle.pragma('wal_autocheckpoint = 0');
    });
    const fallBack = () => {
      if (handle.open) handle.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    };
    this.worker.on('error', fallBack);
    this.worker.on('exit', fallBack);
    // After the listeners: adding a 'message' listener refs the worker's port again, and a
    // referenced worker keeps a CLI command's process alive after its work is done.
    this.worker.unref();
  }

  /** Before the server's connection closes (its close checkpoints what is left). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle.open) this.handle.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    this.worker.postMessage('stop');
  }
}
