import type { Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * RocketLMS has a `badges` table of its own (instructor badges), so the addon's badge
 * definitions take a name RocketLMS does not use. Constraint and index names keep the names
 * 0001 gave them. Foreign keys that point at the table (user_badges.badge_id) follow the
 * rename on every dialect.
 */
export const hostSafeNames: AddonMigration = {
  name: '0002_host_safe_names',
  creates: ['community_badges'],
  renames: { badges: 'community_badges' },
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    await db.schema.alterTable(`${ctx.prefix}badges`).renameTo(`${ctx.prefix}community_badges`).execute();
  },
};
