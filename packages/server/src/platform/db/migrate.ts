import { Migrator, type Kysely, type MigrationResult, type Migration } from 'kysely';

import type { MigrationContext } from './columns';
import type { Db } from './connect';
import { MIGRATIONS } from './migrations';

function migrator(d: Db): Migrator {
  const ctx: MigrationContext = { dialect: d.dialect, prefix: d.prefix };
  const byName: Record<string, Migration> = {};
  for (const m of MIGRATIONS) {
    byName[m.name] = { up: (db: Kysely<unknown>) => m.up(db, ctx), down: (db: Kysely<unknown>) => m.down(db, ctx) };
  }
  return new Migrator({
    db: d.db,
    provider: { getMigrations: () => Promise.resolve(byName) },
    migrationTableName: `${d.prefix}communities_migrations`,
    migrationLockTableName: `${d.prefix}communities_migrations_lock`,
  });
}

export class MigrationError extends Error {}

function check(result: { error?: unknown; results?: MigrationResult[] }): MigrationResult[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(
      `Migration ${failed?.migrationName ?? ''} failed: ${result.error instanceof Error ? result.error.message : JSON.stringify(result.error)}`,
    );
  }
  return result.results ?? [];
}

export async function migrateToLatest(d: Db): Promise<MigrationResult[]> {
  return check(await migrator(d).migrateToLatest());
}

export async function migrateDown(d: Db): Promise<MigrationResult[]> {
  return check(await migrator(d).migrateDown());
}

export async function migrateAllDown(d: Db): Promise<void> {
  const m = migrator(d);
  for (;;) {
    const results = check(await m.migrateDown());
    if (results.length === 0) return;
  }
}

export async function migrationStatus(d: Db): Promise<Array<{ name: string; executedAt: Date | null }>> {
  const list = await migrator(d).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
