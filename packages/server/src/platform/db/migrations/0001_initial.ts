import { createHash } from 'node:crypto';

import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';
import { SPEC, type TableSpec } from '../spec';

/** Index/constraint names fit PostgreSQL's 63 and MariaDB's 64 characters, prefix included. */
export function constraintName(ctx: MigrationContext, table: string, columns: readonly string[], suffix: 'ix' | 'uq' | 'fk'): string {
  let base = `${table}__${columns.join('_')}`;
  if (base.length > 42) base = `${base.slice(0, 34)}_${createHash('sha1').update(base).digest('hex').slice(0, 7)}`;
  return `${ctx.prefix}${base}_${suffix}`;
}

function columnType(kind: string, ctx: MigrationContext): string | RawBuilder<unknown> {
  const base = kind.replace(/\?$/, '').replace(/=.*$/, '');
  if (base.startsWith('str:')) return sql`varchar(${sql.raw(base.slice(4))})`;
  switch (base) {
    case 'ref':
    case 'bigint':
      return 'bigint';
    case 'key':
      return 'varchar(191)';
    case 'text':
    case 'json':
      return ctx.dialect === 'mysql' ? sql`mediumtext` : 'text';
    case 'time':
      return 'varchar(32)';
    case 'bool':
      return 'smallint';
    case 'int':
      return 'integer';
    default:
      throw new Error(`Unknown column kind ${kind}`);
  }
}

function addColumn(
  t: CreateTableBuilder<string, string>,
  name: string,
  kind: string,
  ctx: MigrationContext,
): CreateTableBuilder<string, string> {
  if (kind === 'id') {
    if (ctx.dialect === 'postgres') return t.addColumn(name, 'bigserial', (c) => c.primaryKey());
    if (ctx.dialect === 'mysql') return t.addColumn(name, 'bigint', (c) => c.primaryKey().autoIncrement());
    return t.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
  }
  const nullable = kind.endsWith('?');
  const dflt = /=(-?\d+)$/.exec(kind)?.[1];
  return t.addColumn(name, columnType(kind, ctx) as 'text', (c: ColumnDefinitionBuilder) => {
    let col = nullable ? c : c.notNull();
    if (dflt !== undefined) col = col.defaultTo(Number(dflt));
    return col;
  });
}

export const initial: AddonMigration = {
  name: '0001_initial',
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    for (const [table, spec] of Object.entries(SPEC) as Array<[string, TableSpec]>) {
      let t = db.schema.createTable(table);
      for (const [name, kind] of Object.entries(spec.columns)) t = addColumn(t, name, kind, ctx);
      for (const cols of spec.unique ?? []) t = t.addUniqueConstraint(constraintName(ctx, table, cols, 'uq'), [...cols] as never[]);
      for (const [col, [target, onDelete]] of Object.entries(spec.fk ?? {})) {
        t = t.addForeignKeyConstraint(constraintName(ctx, table, [col], 'fk'), [col] as never[], target, ['id'], (fk) =>
          fk.onDelete(onDelete),
        );
      }
      if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
      await t.execute();
      for (const cols of spec.index ?? []) {
        await db.schema
          .createIndex(constraintName(ctx, table, cols, 'ix'))
          .on(table)
          .columns([...cols] as never[])
          .execute();
      }
    }
  },
  async down(db: Kysely<unknown>) {
    for (const table of Object.keys(SPEC).reverse()) await db.schema.dropTable(table).execute();
  },
};
