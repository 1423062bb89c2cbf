import type { Kysely } from 'kysely';

import type { DialectName } from './connect';

export interface MigrationContext {
  dialect: DialectName;
  /** `database.table_prefix`: a migration puts it before every table, index and constraint name it writes. */
  prefix: string;
}

/**
 * One forward-only schema step. `up` gets a Kysely without the table-prefix plugin (the plugin
 * only knows today's tables): the migration prefixes every name itself, and never changes once
 * released. See docs/MIGRATIONS.md, "Adding a migration".
 */
export interface AddonMigration {
  /** `NNNN_what`, ordered: names sort the way they run. */
  name: string;
  /**
   * Bare names of the tables this migration brings into existence (new tables and rename
   * targets). `migrate` refuses to run it while one of them exists and is not the addon's, and a
   * unit test checks that the list matches what `up` really does.
   */
  creates: readonly string[];
  /** Tables it renames, old bare name → new bare name (the upgrade test follows rows through them). */
  renames?: Readonly<Record<string, string>>;
  /** Tables it drops, bare names. */
  drops?: readonly string[];
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}
