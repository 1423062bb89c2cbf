import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';

import { GroupCommit } from './group-commit';
import { TablePrefixPlugin } from './prefix-plugin';
import { WriteWatchPlugin } from './write-watch';
import { ADDON_TABLES, type Database } from './schema';

export type DialectName = 'sqlite' | 'mysql' | 'postgres';

export interface Db {
  db: Kysely<Database>;
  dialect: DialectName;
  prefix: string;
  /** The raw better-sqlite3 handle on SQLite (the demo host tables share it). */
  sqlite?: SQLite.Database;
  /** Bumped by every write to the tables access facts come from (see FactsLoader's cache). */
  factsWrites: WriteWatchPlugin;
  /** Shared transactions for bursts of small writes (chat messages) on SQLite. */
  groupCommit: GroupCommit;
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

function openSqlite(url: string): SQLite.Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new SQLite(path);
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  return handle;
}

/**
 * better-sqlite3 compiles a statement on every prepare(), and Kysely prepares each query it
 * runs; caching statements by their SQL text makes repeated queries skip the compiler.
 * Statements are used synchronously right after prepare, so sharing them is safe.
 */
export function withStatementCache(handle: SQLite.Database, max = 1000): SqliteDatabaseLike {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => handle.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = handle.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

type SqliteDatabaseLike = ConstructorParameters<typeof SqliteDialect>[0]['database'] & object;

export function connect(url: string, options: { prefix?: string; poolSize?: number } = {}): Db {
  const dialectName = dialectOf(url);
  const prefix = options.prefix ?? '';
  let dialect: Dialect;
  let sqlite: SQLite.Database | undefined;
  if (dialectName === 'sqlite') {
    sqlite = openSqlite(url);
    dialect = new SqliteDialect({ database: withStatementCache(sqlite) });
  } else if (dialectName === 'mysql') {
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    dialect = new MysqlDialect({
      pool: createPool({
        host: u.hostname,
        port: u.port ? Number(u.port) : 3306,
        user: decodeURIComponent(u.username || 'root'),
        password: decodeURIComponent(u.password),
        database: u.pathname.replace(/^\//, ''),
        connectionLimit: options.poolSize ?? 10,
        charset: 'utf8mb4',
        timezone: 'Z',
        supportBigNumbers: true,
        // JSON and DECIMAL come back as strings; counts fit in a double.
        decimalNumbers: true,
      }),
    });
  } else {
    dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 }) });
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
    ...(sqlite ? { sqlite } : {}),
    destroy: () => db.destroy(),
  };
}
