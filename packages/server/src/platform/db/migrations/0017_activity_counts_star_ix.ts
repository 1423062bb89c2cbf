import { sql, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * Calendars and grids read a subject's `*` rows of `activity_counts` over a year (#18), one row
 * per date, and each row sat on a page of its own once the table was large (rows of ~1.3 KB
 * written day by day for everyone): a member's 365-day calendar read ~366 scattered pages, and
 * the first read of a member whose pages were not cached paid for every one of them.
 * On SQLite this adds a partial index of the `*` rows holding what those reads need, sorted by
 * subject and date: `(user_id, community_id, date, kind, total, quarters) where kind = '*'`.
 * A calendar then reads its `*` rows from a few dozen adjacent index pages and never the table.
 * It holds the sparse `quarters` (a few characters for most members' days), not the 576-character
 * running sums, so the rollups' writes into it stay small. MariaDB cannot index a partial set of
 * rows or a mediumtext, and PostgreSQL would lose heap-only updates on every `*` row: both read
 * through `(user_id, kind, community_id, date)` as before, and this migration does nothing there.
 * FROZEN once released.
 */
export const activityCountsStarIndex: AddonMigration = {
  name: '0017_activity_counts_star_ix',
  creates: [],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    if (ctx.dialect !== 'sqlite') return;
    const p = (name: string) => ctx.prefix + name;
    await sql`create index ${sql.id(p('activity_counts__star_ix'))} on ${sql.table(p('activity_counts'))}
      (user_id, community_id, date, kind, total, quarters) where kind = '*'`.execute(db);
  },
};
