import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';

import type { DialectName } from './connect';

export interface MigrationContext {
  dialect: DialectName;
  prefix: string;
}

export interface AddonMigration {
  name: string;
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
  down(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

type Table = CreateTableBuilder<string, string>;

/**
 * Column types that mean the same thing on SQLite, MariaDB and PostgreSQL.
 * Times are ISO-8601 UTC strings (`2026-11-24T01:52:17.123Z`): they sort as text on every
 * dialect, need no driver-specific Date handling, and read the same in every client.
 * Booleans are 0/1 small ints (better-sqlite3 cannot bind JS booleans).
 * JSON is text; the services parse and validate it with the contract's schemas.
 */
export function columns(ctx: MigrationContext) {
  const { dialect } = ctx;
  const longText = dialect === 'mysql' ? sql`mediumtext` : sql`text`;
  return {
    id: (t: Table) =>
      dialect === 'postgres'
        ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : dialect === 'mysql'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
    /** A reference to another row (ours or the host's); FKs are added where both live here. */
    ref: 'bigint' as const,
    /** Strings that are indexed: 191 chars keeps MariaDB utf8mb4 indexes within limits. */
    key: 'varchar(191)' as const,
    str: (n: number) => sql`varchar(${sql.raw(String(n))})`,
    text: longText,
    json: longText,
    bool: 'smallint' as const,
    int: 'integer' as const,
    bigint: 'bigint' as const,
    time: 'varchar(32)' as const,
    /** `created_at` and `updated_at`, both required. */
    timestamps: (t: Table) =>
      t.addColumn('created_at', 'varchar(32)', (c) => c.notNull()).addColumn('updated_at', 'varchar(32)', (c) => c.notNull()),
    notNull: (c: ColumnDefinitionBuilder) => c.notNull(),
  };
}

/** Index and constraint names share one namespace per schema on PostgreSQL: prefix them too. */
export function indexName(ctx: MigrationContext, name: string): string {
  return `${ctx.prefix}${name}`;
}
