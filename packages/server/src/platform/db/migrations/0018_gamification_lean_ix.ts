import type { Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * Fewer b-trees under each award (#17's 20,000 score updates per second). An award writes a
 * ledger row and moves two all-time score rows; the fold moves four week and month rows and a
 * profile. With members spread over a million rows, every b-tree an award or a fold touches is
 * a page of its own to dirty, write to the WAL and checkpoint. Three indexes no read needs go:
 * - `gamification_events (user_id, occurred_at)`: every read of a member's ledger rows (the cap
 *   and reactor checks, recent awards, badges, verify's member ranges) seeks
 *   `(user_id, type, occurred_at)` as well; none orders by `occurred_at`;
 * - `gamification_profiles (total_points, id)`: only the re-levelling after an admin changes the
 *   thresholds read through it, once per level band; it now scans once (service.ts `relevel`);
 * - on SQLite, `gamification_scores (community_id, period, points, user_id)`, moved twice on
 *   every score change: ranks and pages are read from the in-memory boards (or Redis), loaded
 *   through the unique key; the SQL rank and page (a board past the in-memory range, Redis
 *   unavailable, a closed period's snapshot) scan the board's rows instead. MariaDB and
 *   PostgreSQL keep it: they run beside Redis, and a Redis outage falls back to those reads.
 * FROZEN once released.
 */
export const gamificationLeanIndexes: AddonMigration = {
  name: '0018_gamification_lean_ix',
  creates: [],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (name: string) => ctx.prefix + name;
    const drops: Array<[table: string, index: string]> = [
      ['gamification_events', 'gamification_events__user_id_occurred_at_ix'],
      ['gamification_profiles', 'gamification_profiles__total_points_id_ix'],
    ];
    if (ctx.dialect === 'sqlite') drops.push(['gamification_scores', 'gamification_scores__rank_ix']);
    for (const [table, name] of drops) {
      const drop = db.schema.dropIndex(p(name));
      // MariaDB/MySQL name an index within its table; SQLite and PostgreSQL within the schema.
      await (ctx.dialect === 'mysql' ? drop.on(p(table)) : drop).execute();
    }
  },
};
