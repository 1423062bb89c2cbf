import type { Kysely } from 'kysely';

import type { DialectName } from './connect';

export interface MigrationContext {
  dialect: DialectName;
  prefix: string;
}

/** A migration that knows the dialect and table prefix it runs with. */
export interface AddonMigration {
  name: string;
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
  down(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}
