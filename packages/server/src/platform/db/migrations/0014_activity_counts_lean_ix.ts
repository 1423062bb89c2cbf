import type { Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * `activity_counts` had six b-trees, and every rollup batch writes its rows into all of them
 * (#18: the multi-row upsert was the rollups' second cost on the chat ingest). Two indexes no
 * read needs go:
 * - `(community_id, user_id, date)`: reads of a member in a community seek the unique key
 *   `(user_id, community_id, date, kind)` or `(user_id, kind, community_id, date)`;
 * - `(community_id, date)`: every read of a community's rows by date also names their kinds and
 *   seeks `(community_id, kind, date, user_id)`; the cross-community date scans (the daily
 *   distinct actives, the admin analytics) read `(user_id, date)` or scan either way.
 * Kept: the unique key (the upsert's conflict target), `(user_id, kind, community_id, date)`
 * (calendars, grids, retention), `(community_id, kind, date, user_id)` (distinct actives, joins)
 * and `(user_id, date)` (the communities' own rows over a date range: admin analytics).
 * FROZEN once released.
 */
export const activityCountsLeanIndexes: AddonMigration = {
  name: '0014_activity_counts_lean_ix',
  creates: [],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (name: string) => ctx.prefix + name;
    for (const name of ['activity_counts__cud_ix', 'activity_counts__cdate_ix']) {
      const drop = db.schema.dropIndex(p(name));
      // MariaDB/MySQL name an index within its table; SQLite and PostgreSQL within the schema.
      await (ctx.dialect === 'mysql' ? drop.on(p('activity_counts')) : drop).execute();
    }
  },
};
