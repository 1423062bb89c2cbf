import { Migrator, type Kysely, type Migration, type MigrationResult } from 'kysely';

import type { AddonMigration, MigrationContext } from './columns';
import type { Db } from './connect';
import { listTables } from './introspect';
import { MIGRATIONS } from './migrations';

export class MigrationError extends Error {}

/** A pending migration would create a table that exists and that no applied migration created. */
export class TableCollisionError extends MigrationError {
  constructor(
    readonly table: string,
    readonly migration: string,
  ) {
    super(
      `Refusing to migrate: table \`${table}\` already exists and is not the addon's (migration ${migration} would create it). ` +
        'The addon never alters or drops a table it did not create. If this is RocketLMS\'s database, set database.table_prefix (e.g. "cm_"); ' +
        'if the table is left over from an interrupted first install, drop it yourself and run `communities migrate` again.',
    );
  }
}

const bookkeeping = (prefix: string) => ({
  migrationTableName: `${prefix}communities_migrations`,
  migrationLockTableName: `${prefix}communities_migrations_lock`,
});

/** The tables (bare names) the first `applied` migrations leave behind: the addon's own. */
export function tablesAfter(migrations: readonly AddonMigration[], applied: number): Set<string> {
  const ours = new Set<string>();
  for (const m of migrations.slice(0, applied)) {
    for (const [from, to] of Object.entries(m.renames ?? {})) {
      ours.delete(from);
      ours.add(to);
    }
    for (const t of m.drops ?? []) ours.delete(t);
    for (const t of m.creates) ours.add(t);
  }
  return ours;
}

/** Throws TableCollisionError for the first table a pending migration would create that exists and is not ours. */
async function assertNoCollisions(db: Kysely<unknown>, d: Pick<Db, 'dialect' | 'prefix'>, applied: number): Promise<void> {
  const existing = new Set(await listTables(db, d.dialect));
  const ours = tablesAfter(MIGRATIONS, applied);
  for (const m of MIGRATIONS.slice(applied)) {
    for (const t of m.creates) {
      if (existing.has(d.prefix + t) && !ours.has(t)) throw new TableCollisionError(d.prefix + t, m.name);
    }
  }
}

function migrator(d: Db): Migrator {
  const ctx: MigrationContext = { dialect: d.dialect, prefix: d.prefix };
  const byName: Record<string, Migration> = {};
  MIGRATIONS.forEach((m, i) => {
    byName[m.name] = {
      // Inside Kysely's migration lock, before the first statement: a second process that
      // migrates at the same time sees either nothing or everything of this migration.
      up: async (db: Kysely<unknown>) => {
        await assertNoCollisions(db, d, i);
        await m.up(db, ctx);
      },
    };
  });
  return new Migrator({
    // Without the prefix plugin: it only knows today's table names, migrations prefix their own.
    db: d.db.withoutPlugins(),
    provider: { getMigrations: () => Promise.resolve(byName) },
    ...bookkeeping(d.prefix),
  });
}

function check(result: { error?: unknown; results?: MigrationResult[] }): MigrationResult[] {
  if (result.error) {
    if (result.error instanceof MigrationError) throw result.error;
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(
      `Migration ${failed?.migrationName ?? ''} failed: ${result.error instanceof Error ? result.error.message : JSON.stringify(result.error)}`,
    );
  }
  return result.results ?? [];
}

/**
 * On a database the addon has never migrated, refuses before creating anything (not even the
 * bookkeeping tables) when a table it would create is already there.
 */
async function preflight(d: Db): Promise<void> {
  const db = d.db.withoutPlugins() as Kysely<unknown>;
  const tables = await listTables(db, d.dialect);
  if (!tables.includes(bookkeeping(d.prefix).migrationTableName)) await assertNoCollisions(db, d, 0);
}

export interface AppliedMigration {
  name: string;
  ms: number;
}

/**
 * Applies every pending migration, one at a time (each in its own transaction where the
 * dialect has transactional DDL), calling `onApplied` after each.
 */
export async function migrateToLatest(d: Db, onApplied?: (m: AppliedMigration) => void): Promise<AppliedMigration[]> {
  await preflight(d);
  const m = migrator(d);
  const done: AppliedMigration[] = [];
  for (;;) {
    const started = performance.now();
    const results = check(await m.migrateUp()).filter((r) => r.status === 'Success');
    if (results.length === 0) return done;
    for (const r of results) {
      const applied = { name: r.migrationName, ms: Math.round(performance.now() - started) };
      done.push(applied);
      onApplied?.(applied);
    }
  }
}

/** Migrates up to and including `name` (tests build older schemas with it). */
export async function migrateTo(d: Db, name: string): Promise<AppliedMigration[]> {
  await preflight(d);
  const results = check(await migrator(d).migrateTo(name));
  return results.filter((r) => r.status === 'Success').map((r) => ({ name: r.migrationName, ms: 0 }));
}

export async function migrationStatus(d: Db): Promise<Array<{ name: string; executedAt: Date | null }>> {
  const list = await migrator(d).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
