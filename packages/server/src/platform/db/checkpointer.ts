import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import type SQLite from 'better-sqlite3';

/** How often the worker copies the WAL back into the database file. */
const INTERVAL_MS = 200;
/** What SQLite does on its own (pages), restored should the worker go away. */
const SQLITE_AUTOCHECKPOINT = 1000;
/**
 * The WAL's length past which the server's connection makes it start over. Passive checkpoints
 * alone never let a busy server's WAL rewind: SQLite rewinds it only when a write begins with
 * every frame already copied, and with a commit every few milliseconds one always lands while the
 * worker copies. Measured before this bound: 3,000 messages/s grew the WAL to 9.4 GB in 150 s.
 */
export const WAL_RESTART_BYTES = 256 * 1024 * 1024;

/**
 * The checkpoint loop, run in a worker thread on its own connection to the same file. A PASSIVE
 * checkpoint never waits for the writer or readers; it copies what it can and tries again on the
 * next tick. A pass that leaves the WAL longer than `restartBytes` says so ('long'). Plain
 * CommonJS: the worker is evaluated from this string, not compiled by tsx.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const restartFrames = Math.ceil(workerData.restartBytes / db.pragma('page_size', { simple: true }));
parentPort.postMessage('ready');
const timer = setInterval(() => {
  try {
    const [pass] = db.pragma('wal_checkpoint(PASSIVE)');
    if (pass.log >= restartFrames && pass.checkpointed > 0) parentPort.postMessage('long');
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
 * itself again. Either way the WAL is bounded: past `WAL_RESTART_BYTES` the connection makes it
 * start over (see rewind). The file keeps its length and is written over from the start: cutting
 * it back (`journal_size_limit`) made the commit that truncated 200 MB stall the event loop.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;

  /** Times the server's connection copied the WAL's last frames so that it starts over, and times it found a checkpoint already running. */
  readonly rewinds = { done: 0, busy: 0 };

  constructor(
    private readonly handle: SQLite.Database,
    opts: { restartBytes?: number } = {},
  ) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        path: handle.name,
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: INTERVAL_MS,
        restartBytes: opts.restartBytes ?? WAL_RESTART_BYTES,
      },
    });
    this.worker.on('message', (m: 'ready' | 'long') => {
      if (this.stopped || !handle.open) return;
      if (m === 'ready') handle.pragma('wal_autocheckpoint = 0');
      else this.rewind();
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

  /**
   * The WAL is long and the worker has just copied nearly all of it: the server's connection, the
   * only writer, copies the frames committed since, between two of its own transactions, so no
   * frame can land meanwhile and the next commit starts the WAL over. It blocks the event loop
   * for those few frames and two fsyncs (5–15 ms measured at 3,000 messages/s), once per
   * `WAL_RESTART_BYTES` of WAL, and only when the writer never paused long enough for SQLite to
   * rewind the WAL by itself.
   */
  private rewind(tries = 0): void {
    // Inside a transaction (one spanning awaits) the pass could not copy its frames: a little
    // later, and after 20 tries the worker's next 'long' asks again.
    if (this.handle.inTransaction) {
      if (tries < 20) setTimeout(() => !this.stopped && this.handle.open && this.rewind(tries + 1), 1).unref();
      return;
    }
    try {
      const [pass] = this.handle.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      if (pass!.busy === 0 && pass!.checkpointed === pass!.log) this.rewinds.done++;
      else this.rewinds.busy++;
    } catch {
      // The worker's own pass holds the checkpoint lock, or the disk failed (the next write reports
      // that, through the SQLite guard): the worker's next 'long' tries again. Never a throw here:
      // this runs from the worker's message event, where it would stop the process.
      this.rewinds.busy++;
    }
  }

  /** Before the server's connection closes (its close checkpoints what is left). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle.open) this.handle.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    this.worker.postMessage('stop');
  }
}
