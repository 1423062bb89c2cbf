import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';

import { DbGate, guardMysqlPool, guardPgPool, type DbTimeouts, type FaultListener } from './faults';
import { GroupCommit } from './group-commit';
import { TablePrefixPlugin } from './prefix-plugin';
import { WriteWatchPlugin } from './write-watch';
import { ADDON_TABLES, type Database } from './schema';
import { Checkpointer } from './checkpointer';
import { sqliteGuard, type SqliteGuard } from './sqlite-guard';

export type DialectName = 'sqlite' | 'mysql' | 'postgres';

export interface Db {
  db: Kysely<Database>;
  dialect: DialectName;
  prefix: string;
  /** The raw better-sqlite3 handle on SQLite (the demo host tables share it). */
  sqlite?: SQLite.Database;
  /**
   * SQLite: the statements Kysely runs (cached by SQL text, writes guarded), for a statement
   * compiled once and run inside a transaction without Kysely's executor (see ReusableInsert).
   */
  sqliteStatements?: SqliteStatements;
  /** Bumped by every write to the tables access facts come from (see FactsLoader's cache). */
  factsWrites: WriteWatchPlugin;
  /** Shared transactions for bursts of small writes (chat messages) on SQLite. */
  groupCommit: GroupCommit;
  /** MariaDB/PostgreSQL: open while the server does not answer, so requests fail fast (503). */
  gate: DbGate;
  /** SQLite: whether writes can persist (file still there, last write's storage error). */
  sqliteGuard?: SqliteGuard;
  destroy(): Promise<void>;
}

/** The tables the access engine's facts are read from. */
export const FACT_TABLES: ReadonlySet<string> = new Set([
  'communities',
  'community_roles',
  'community_members',
  'community_pricing_tiers',
  'community_member_subscriptions',
  'channels',
]);
/** Bookkeeping columns facts never read: busy chat updates them without emptying the cache. */
export const VOLATILE_FACT_COLUMNS: ReadonlySet<string> = new Set(['last_message_id', 'last_activity_at', 'last_seen_at', 'member_count']);

// PostgreSQL returns int8 and numeric as strings by default; our ids and counts fit in a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

export function dialectOf(url: string): DialectName {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return 'mysql';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  throw new Error(`Unsupported database URL scheme: ${url.split(':')[0]}`);
}

/** sqlite://relative/path, sqlite:///absolute/path, sqlite::memory: */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^sqlite:(\/\/)?/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return resolve(rest);
}

function openSqlite(url: string, mmapMb = 0): SQLite.Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new SQLite(path);
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): a school's hot indexes (messages by channel and
  // author, scores, the ledger) stay in memory instead of being re-read from the OS per statement.
  handle.pragma('cache_size = -65536');
  if (mmapMb > 0 && path !== ':memory:') handle.pragma(`mmap_size = ${mmapMb * 1_048_576}`);
  return handle;
}

/**
 * better-sqlite3 compiles a statement on every prepare(), and Kysely prepares each query it
 * runs; caching statements by their SQL text makes repeated queries skip the compiler.
 * Statements are used synchronously right after prepare, so sharing them is safe.
 * Writes pass the connection's SqliteGuard (a removed database file refuses them; see
 * guardedWrite for where it checks), and a
 * rollback SQLite already did itself (disk full, I/O error) is not attempted a second time:
 * its "no transaction is active" would replace the real error.
 */
export function withStatementCache(handle: SQLite.Database, max = 1000, beforeClose?: () => void): SqliteDatabase {
  const cache = new Map<string, SqliteStatementLike>();
  const guard = sqliteGuard(handle);
  return {
    close: () => {
      beforeClose?.();
      handle.close();
    },
    prepare(sql: string) {
      if (sql === 'rollback' && !handle.inTransaction) return ALREADY_ROLLED_BACK;
      let stmt = cache.get(sql);
      if (!stmt) {
        const raw = handle.prepare(sql);
        // SQLite counts transaction control (begin, commit) as read-only; commit is where a transaction persists.
        const isCommit = sql === 'commit';
        stmt =
          (raw.readonly && !isCommit) || sql === 'rollback' || sql === 'begin'
            ? raw.reader && !STAR_PROJECTION.test(sql)
              ? arrayRows(raw)
              : raw
            : guardedWrite(raw, guard, handle, isCommit);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

type SqliteStatementLike = SqliteStatement;

/** `*` or `t.*` among the selected columns (not `count(*)`): the names can change with the schema. */
const STAR_PROJECTION = /\*\s*(,|from\b)/i;

/**
 * A read whose columns are all named in its SQL: better-sqlite3 hands back arrays (raw mode) and
 * the row objects are built here with the names read once. Building an object from C++ costs a
 * property set through the V8 API per value; a 50-row page of 12 columns took 135–145 µs of CPU
 * as objects against 80–88 µs this way. `select *` keeps objects: its names follow the schema.
 */
function arrayRows(stmt: SQLite.Statement): SqliteStatementLike {
  stmt.raw(true);
  const names = stmt.columns().map((c) => c.name);
  const toObject = (row: unknown[]) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) o[names[i]!] = row[i];
    return o;
  };
  return {
    reader: true,
    all: (params: readonly unknown[]) => (stmt.all(params) as unknown[][]).map(toObject),
    run: (params: readonly unknown[]) => stmt.run(params),
    *iterate(params: readonly unknown[]) {
      for (const row of stmt.iterate(params) as IterableIterator<unknown[]>) yield toObject(row);
    },
  };
}

const ALREADY_ROLLED_BACK: SqliteStatementLike = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

/**
 * The guard's file check costs three system calls, so it runs where a write persists: on a
 * write outside a transaction, and on a transaction's commit. Statements inside a transaction
 * are not checked one by one (a transaction of twenty writes paid sixty calls); should the file
 * go meanwhile, the commit is refused and the whole transaction rolls back.
 */
function guardedWrite(stmt: SQLite.Statement, guard: SqliteGuard, handle: SQLite.Database, isCommit: boolean): SqliteStatementLike {
  const write =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      if (isCommit || !handle.inTransaction) guard.beforeWrite();
      try {
        const result = fn(...args);
        guard.succeeded(isCommit);
        return result;
      } catch (error) {
        guard.failed(error);
        throw error;
      }
    };
  return {
    reader: stmt.reader,
    all: write((params: readonly unknown[]) => stmt.all(params)),
    run: write((params: readonly unknown[]) => stmt.run(params)),
    iterate: write((params: readonly unknown[]) => stmt.iterate(params)),
  };
}

export type SqliteStatements = Pick<SqliteDatabase, 'prepare'>;

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 3000, acquireMs: 3000, queryMs: 15_000 };

export interface ConnectOptions {
  prefix?: string;
  poolSize?: number;
  /** SQLite: MiB of the file read through a memory map (`database.sqlite_mmap_mb`). */
  sqliteMmapMb?: number;
  timeouts?: Partial<DbTimeouts>;
  /** Faults no request awaits (a pooled connection dropped while idle); logged by the caller. */
  onFault?: FaultListener;
}

export function connect(url: string, options: ConnectOptions = {}): Db {
  const dialectName = dialectOf(url);
  const prefix = options.prefix ?? '';
  const t = { ...DEFAULT_DB_TIMEOUTS, ...options.timeouts };
  const onFault = options.onFault ?? (() => {});
  const gate = new DbGate();
  let dialect: Dialect;
  let sqlite: SQLite.Database | undefined;
  let sqliteStatements: SqliteStatements | undefined;
  if (dialectName === 'sqlite') {
    sqlite = openSqlite(url, options.sqliteMmapMb);
    const checkpointer = sqlite.memory ? null : new Checkpointer(sqlite);
    const database = withStatementCache(sqlite, undefined, () => checkpointer?.stop());
    sqliteStatements = database;
    dialect = new SqliteDialect({ database });
  } else if (dialectName === 'mysql') {
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const pool = createPool({
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password),
      database: u.pathname.replace(/^\//, ''),
      connectionLimit: options.poolSize ?? 10,
      connectTimeout: t.connectMs,
      enableKeepAlive: true,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      // JSON and DECIMAL come back as strings; counts fit in a double.
      decimalNumbers: true,
    });
    dialect = new MysqlDialect({ pool: guardMysqlPool(pool, t, gate, onFault) });
  } else {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: t.connectMs,
      statement_timeout: t.queryMs,
      keepAlive: true,
    });
    const probe = () => new pg.Client({ connectionString: url, connectionTimeoutMillis: t.connectMs });
    dialect = new PostgresDialect({ pool: guardPgPool(pool, probe, t, gate, onFault) });
  }
  const factsWrites = new WriteWatchPlugin(FACT_TABLES, VOLATILE_FACT_COLUMNS);
  const plugins = [factsWrites, ...(prefix ? [new TablePrefixPlugin(prefix, ADDON_TABLES)] : [])];
  const db = new Kysely<Database>({ dialect, plugins });
  return {
    db,
    factsWrites,
    groupCommit: new GroupCommit(db, sqlite),
    dialect: dialectName,
    prefix,
    gate,
    ...(sqlite ? { sqlite, sqliteStatements, sqliteGuard: sqliteGuard(sqlite) } : {}),
    destroy: () => db.destroy(),
  };
}
