import { sql, type Kysely } from 'kysely';

import type { DialectName } from './connect';

/**
 * What a database really contains, read back from the dialect's catalogue: the upgrade test
 * compares a migrated-up database with a fresh one through this, the row-types generator
 * (scripts/gen-db-types.ts) and docs/MIGRATIONS.md are written from it, and `migrate` uses
 * `listTables` to refuse creating a table someone else already has.
 */
export interface ColumnInfo {
  name: string;
  /** As declared: `varchar(191)`, `bigint`, `mediumtext`… (lower case). */
  type: string;
  nullable: boolean;
  /** The default as the catalogue prints it, or null. */
  default: string | null;
}

export interface IndexInfo {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface ForeignKeyInfo {
  columns: string[];
  table: string;
  refColumns: string[];
  onDelete: string;
}

export interface TableInfo {
  name: string;
  /** MariaDB/MySQL only: storage engine and default collation. */
  options?: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Unique constraints and indexes alike (how each dialect stores them differs), sorted by name. */
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
}

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every table and view in the connected database (schema), sorted: any of them blocks a create. SQLite's FTS5 tables are not listed. */
export async function listTables(db: AnyDb, dialect: DialectName): Promise<string[]> {
  const q =
    dialect === 'sqlite'
      ? // FTS5 virtual tables and their shadow tables are full-text indexes (0013), not tables: left out like indexes.
        sql<{
          name: string;
        }>`select name from pragma_table_list where schema = 'main' and type in ('table', 'view') and name not like 'sqlite!_%' escape '!'`
      : dialect === 'mysql'
        ? sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database()`
        : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`;
  return (await q.execute(db)).rows.map((r) => r.name).sort();
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function sqliteTable(db: AnyDb, table: string): Promise<TableInfo> {
  const cols = (
    await sql<{
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }>`select name, type, "notnull", dflt_value, pk from pragma_table_info(${table}) order by cid`.execute(db)
  ).rows;
  const list = (
    await sql<{ name: string; unique: number; origin: string }>`select name, "unique", origin from pragma_index_list(${table})`.execute(db)
  ).rows;
  const indexes: IndexInfo[] = [];
  for (const ix of list) {
    if (ix.origin === 'pk') continue;
    const c = (await sql<{ name: string }>`select name from pragma_index_info(${ix.name}) order by seqno`.execute(db)).rows;
    indexes.push({ name: ix.name, columns: c.map((r) => r.name), unique: ix.unique === 1 });
  }
  const fks = (
    await sql<{
      id: number;
      table: string;
      from: string;
      to: string;
      on_delete: string;
    }>`select id, "table", "from", "to", on_delete from pragma_foreign_key_list(${table}) order by id, seq`.execute(db)
  ).rows;
  const grouped = new Map<number, ForeignKeyInfo>();
  for (const f of fks) {
    const g = grouped.get(f.id) ?? { columns: [], table: f.table, refColumns: [], onDelete: f.on_delete.toLowerCase() };
    g.columns.push(f.from);
    g.refColumns.push(f.to);
    grouped.set(f.id, g);
  }
  return {
    name: table,
    columns: cols.map((c) => ({
      name: c.name,
      type: c.type.toLowerCase(),
      nullable: c.notnull === 0 && c.pk === 0,
      default: c.dflt_value,
    })),
    primaryKey: cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name),
    indexes: indexes.sort(byName),
    foreignKeys: [...grouped.values()],
  };
}

async function mysqlTable(db: AnyDb, table: string): Promise<TableInfo> {
  const options = (
    await sql<{
      engine: string;
      collation: string;
    }>`select engine, table_collation as collation from information_schema.tables where table_schema = database() and table_name = ${table}`.execute(
      db,
    )
  ).rows[0];
  const cols = (
    await sql<{
      name: string;
      type: string;
      nullable: string;
      dflt: string | null;
      extra: string;
      collation: string | null;
    }>`select column_name as name, column_type as type, is_nullable as nullable, column_default as dflt, extra,
              collation_name as collation
       from information_schema.columns where table_schema = database() and table_name = ${table} order by ordinal_position`.execute(db)
  ).rows;
  const stats = (
    await sql<{
      name: string;
      non_unique: number | string;
      col: string;
    }>`select index_name as name, non_unique, column_name as col from information_schema.statistics
       where table_schema = database() and table_name = ${table} order by index_name, seq_in_index`.execute(db)
  ).rows;
  const fks = (
    await sql<{
      name: string;
      col: string;
      ref_table: string;
      ref_col: string;
      delete_rule: string;
    }>`select k.constraint_name as name, k.column_name as col, k.referenced_table_name as ref_table,
              k.referenced_column_name as ref_col, r.delete_rule
       from information_schema.key_column_usage k
       join information_schema.referential_constraints r
         on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name and r.table_name = k.table_name
       where k.table_schema = database() and k.table_name = ${table} and k.referenced_table_name is not null
       order by k.constraint_name, k.ordinal_position`.execute(db)
  ).rows;
  const indexes = new Map<string, IndexInfo>();
  let primaryKey: string[] = [];
  for (const s of stats) {
    if (s.name === 'PRIMARY') {
      primaryKey = [...primaryKey, s.col];
      continue;
    }
    const ix = indexes.get(s.name) ?? { name: s.name, columns: [], unique: Number(s.non_unique) === 0 };
    ix.columns.push(s.col);
    indexes.set(s.name, ix);
  }
  const grouped = new Map<string, ForeignKeyInfo>();
  for (const f of fks) {
    const g = grouped.get(f.name) ?? { columns: [], table: f.ref_table, refColumns: [], onDelete: f.delete_rule.toLowerCase() };
    g.columns.push(f.col);
    g.refColumns.push(f.ref_col);
    grouped.set(f.name, g);
  }
  return {
    name: table,
    ...(options ? { options: `engine=${options.engine} collate=${options.collation}` } : {}),
    columns: cols.map((c) => ({
      name: c.name,
      type:
        c.type.toLowerCase() + (/auto_increment/i.test(c.extra) ? ' auto_increment' : '') + (c.collation ? ` collate ${c.collation}` : ''),
      nullable: c.nullable === 'YES',
      default: c.dflt,
    })),
    primaryKey,
    indexes: [...indexes.values()].sort(byName),
    foreignKeys: [...grouped.values()].sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
  };
}

const PG_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

async function postgresTable(db: AnyDb, table: string): Promise<TableInfo> {
  const cols = (
    await sql<{
      name: string;
      type: string;
      nullable: boolean;
      dflt: string | null;
    }>`select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable,
              pg_get_expr(d.adbin, d.adrelid) as dflt
       from pg_attribute a
       join pg_class t on t.oid = a.attrelid
       join pg_namespace n on n.oid = t.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where n.nspname = current_schema() and t.relname = ${table} and a.attnum > 0 and not a.attisdropped
       order by a.attnum`.execute(db)
  ).rows;
  const idx = (
    await sql<{
      name: string;
      is_unique: boolean;
      is_primary: boolean;
      columns: string[] | string;
    }>`select i.relname as name, ix.indisunique as is_unique, ix.indisprimary as is_primary,
              array_agg(a.attname::text order by k.ord) as columns
       from pg_index ix
       join pg_class t on t.oid = ix.indrelid
       join pg_class i on i.oid = ix.indexrelid
       join pg_namespace n on n.oid = t.relnamespace
       cross join lateral unnest(ix.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
       where n.nspname = current_schema() and t.relname = ${table}
       group by i.relname, ix.indisunique, ix.indisprimary`.execute(db)
  ).rows;
  const fks = (
    await sql<{
      name: string;
      ref_table: string;
      confdeltype: string;
      columns: string[] | string;
      ref_columns: string[] | string;
    }>`select c.conname as name, rt.relname as ref_table, c.confdeltype,
              (select array_agg(a.attname::text order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
                 join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as columns,
              (select array_agg(a.attname::text order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord)
                 join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as ref_columns
       from pg_constraint c
       join pg_class t on t.oid = c.conrelid
       join pg_class rt on rt.oid = c.confrelid
       join pg_namespace n on n.oid = t.relnamespace
       where c.contype = 'f' and n.nspname = current_schema() and t.relname = ${table}
       order by c.conname`.execute(db)
  ).rows;
  // node-postgres parses text[] but not name[]; the casts above make them text[], this is a fallback.
  const arr = (v: string[] | string): string[] =>
    Array.isArray(v)
      ? v
      : v
          .replace(/^\{|\}$/g, '')
          .split(',')
          .filter(Boolean);
  return {
    name: table,
    columns: cols.map((c) => ({ name: c.name, type: c.type.toLowerCase(), nullable: c.nullable, default: c.dflt })),
    primaryKey: arr(idx.find((i) => i.is_primary)?.columns ?? []),
    indexes: idx
      .filter((i) => !i.is_primary)
      .map((i) => ({ name: i.name, columns: arr(i.columns), unique: i.is_unique }))
      .sort(byName),
    foreignKeys: fks.map((f) => ({
      columns: arr(f.columns),
      table: f.ref_table,
      refColumns: arr(f.ref_columns),
      onDelete: PG_DELETE[f.confdeltype] ?? f.confdeltype,
    })),
  };
}

/** Describes the given tables (default: every table) of the connected database. */
export async function introspect(db: AnyDb, dialect: DialectName, tables?: readonly string[]): Promise<TableInfo[]> {
  const names = tables ?? (await listTables(db, dialect));
  const out: TableInfo[] = [];
  for (const t of names) {
    out.push(await (dialect === 'sqlite' ? sqliteTable(db, t) : dialect === 'mysql' ? mysqlTable(db, t) : postgresTable(db, t)));
  }
  return out;
}
