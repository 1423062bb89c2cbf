import type SQLite from 'better-sqlite3';

import type { Db } from '../platform/db/connect';
import type { Logger } from '../platform/logger';

import type { Source } from './dialect';
import { SEARCH_SOURCES } from './sources';

/** The sources migration 0015 indexes in batches on SQLite: every table but `communities`, whose triggers stay. */
export const DEFERRED_SOURCES: readonly Source[] = SEARCH_SOURCES.filter((s) => s.table !== 'communities');

/** Rows a pass indexes per source at most, so a backlog is caught up in writes of bounded length. */
const BATCH = 5_000;
/** How soon after a commit its new rows are indexed (a search indexes them before it reads, whatever this is). */
const DELAY_MS = 200;
/** A sweep for rows written outside group commit (they are indexed by the next commit or search anyway). */
const SWEEP_MS = 5_000;

interface Prepared {
  table: string;
  /** A row if the source has rows above its cursor. */
  behind: SQLite.Statement<[]>;
  cursor: SQLite.Statement<[]>;
  /** The id `limit` rows above `after`, or the newest row's when fewer are there (null when none). */
  upto: SQLite.Statement<[number, number]>;
  fill: SQLite.Statement<[number, number]>;
  move: SQLite.Statement<[number]>;
}

/**
 * Migration 0015's indexing on one SQLite connection, synchronous: `behind` reads whether any
 * source has rows above its cursor, `pass` indexes up to `batch` rows of each and moves the
 * cursors. `pass` writes, so it must run inside a write transaction (group commit's, or the bulk
 * seeder's): the cursor then moves with the index, or neither does.
 */
export class SearchIndexStatements {
  private prepared?: Prepared[];

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly prefix: string,
    private readonly batch = BATCH,
  ) {}

  /** Null until migration 0015 ran. */
  private statements(): Prepared[] | null {
    if (this.prepared) return this.prepared;
    const cursors = this.id('search_index_cursors');
    const exists = this.sqlite
      .prepare(`select 1 from sqlite_master where type = 'table' and name = ?`)
      .get(this.prefix + 'search_index_cursors');
    if (!exists) return null;
    this.prepared = DEFERRED_SOURCES.map(({ table, columns }) => {
      const src = this.id(table);
      const fts = this.id(`search_fts_${table}`);
      const source = `'${table}'`;
      const cursor = `(select indexed_id from ${cursors} where source = ${source})`;
      return {
        table,
        behind: this.sqlite.prepare(`select 1 from ${src} where id > ${cursor} limit 1`),
        cursor: this.sqlite.prepare<[]>(`select indexed_id from ${cursors} where source = ${source}`).pluck(),
        upto: this.sqlite.prepare<[number, number]>(`select max(id) from (select id from ${src} where id > ? order by id limit ?)`).pluck(),
        fill: this.sqlite.prepare(
          `insert into ${fts}(rowid, ${columns.map((c) => `"${c}"`).join(', ')})
           select id, ${columns.map((c) => `coalesce("${c}", '')`).join(', ')} from ${src} where id > ? and id <= ?`,
        ),
        move: this.sqlite.prepare(`update ${cursors} set indexed_id = ? where source = ${source}`),
      };
    });
    return this.prepared;
  }

  private id(table: string): string {
    return `"${(this.prefix + table).replace(/"/g, '""')}"`;
  }

  /** True when some source has rows the index does not hold yet. */
  behind(): boolean {
    return (this.statements() ?? []).some((s) => s.behind.get() !== undefined);
  }

  /**
   * Indexes up to `batch` new rows of each source; returns how many sources it moved, and how
   * many of those filled their batch (rows may be left above their cursor). Inside a write
   * transaction only.
   */
  pass(): { moved: number; full: number } {
    let moved = 0;
    let full = 0;
    for (const s of this.statements() ?? []) {
      const from = Number(s.cursor.get());
      const to = s.upto.get(from, this.batch) as number | null;
      if (to === null) continue;
      const { changes } = s.fill.run(from, to);
      s.move.run(to);
      moved++;
      if (changes >= this.batch) full++;
    }
    return { moved, full };
  }
}

/**
 * Keeps migration 0015's indexes up with the rows, on SQLite: shortly after each group commit
 * (and every few seconds for rows written around it) the new rows go into the index in one
 * write, a few thousand at a time, through group commit like any write. `catchUp` is what a
 * search awaits before it reads, so it finds every row committed before it started.
 */
export class SearchIndexer {
  private readonly statements: SearchIndexStatements;
  private timer: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private closed = true;
  private listening = false;
  /** Sources the last pass moved (a commit's poke goes straight to a pass only after one that moved some). */
  private lastMoved = 1;

  constructor(
    private readonly db: Pick<Db, 'groupCommit' | 'prefix'> & { sqlite: SQLite.Database },
    private readonly logger: Pick<Logger, 'warn'>,
    batch = BATCH,
  ) {
    this.statements = new SearchIndexStatements(db.sqlite, db.prefix, batch);
  }

  /** Indexes after commits and sweeps until `close` (again after a `close`). `catchUp` works either way. */
  start(): this {
    if (!this.closed) return this;
    this.closed = false;
    if (!this.listening) this.db.groupCommit.onCommit(() => this.poke());
    this.listening = true;
    this.sweep = setInterval(() => this.poke(false), SWEEP_MS).unref();
    return this;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.sweep);
  }

  /**
   * Indexes the new rows soon (once for any number of pokes meanwhile). A commit's poke goes
   * straight to a pass: it just wrote rows, so asking whether any are there first would read
   * every source for nothing; the sweep asks first, and writes only when some are.
   */
  poke(committed = true): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // After a pass that moved nothing (the commit that woke it may be that pass's own), ask first:
      // going straight to a pass each time would commit an empty pass every DELAY_MS forever.
      this.catchUp(committed && this.lastMoved > 0).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'search index: catching up failed; the next commit or search tries again'),
      );
    }, DELAY_MS).unref();
  }

  /**
   * Resolves once every row committed before the call is in the index. `behind`: the caller
   * knows rows were written, so the first pass runs without reading whether it is needed.
   */
  async catchUp(behind = false): Promise<void> {
    if (!behind && !this.statements.behind()) return;
    for (;;) {
      const { moved, full } = await this.db.groupCommit.run(() => Promise.resolve(this.statements.pass()));
      this.lastMoved = moved;
      // A pass that left no source at its batch limit indexed every row committed before it.
      if (full > 0) continue;
      // Another process may have caught up meanwhile; behind and still unmoved is a fault, not a reason to spin.
      if (moved === 0 && this.statements.behind()) throw new Error('search index: rows above the cursor that a pass does not index');
      return;
    }
  }
}
