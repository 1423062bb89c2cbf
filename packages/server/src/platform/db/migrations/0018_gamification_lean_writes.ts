import { sql, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * Fewer pages under each award (#17's 20,000 score updates per second). An award writes a
 * ledger row and moves two all-time score rows; the fold moves four week and month rows and a
 * profile. With members spread over a million rows, every b-tree page an award or a fold
 * touches is one more page to dirty, write to the WAL and checkpoint.
 * - `gamification_events (user_id, occurred_at)` goes, every dialect: each read of a member's
 *   ledger rows (the cap and reactor checks, recent awards, badges, verify's member ranges)
 *   seeks `(user_id, type, occurred_at)` as well; none orders by `occurred_at`.
 * - `gamification_profiles (total_points, id)` goes, every dialect: only the re-levelling after
 *   an admin changes the thresholds read through it; it is one pass over the rows now
 *   (service.ts `relevel`).
 * - SQLite: `gamification_scores` is rebuilt WITHOUT ROWID, keyed `(user_id, community_id,
 *   period)`, so a member's rows (both scopes, every period) sit side by side on one page: an
 *   award's two all-time rows, the fold's four week and month rows and the site-wide total it
 *   copies into the profile are one page, not six. Its `id` column goes (rows are named by
 *   their key), and so does the rank index `(community_id, period, points, user_id)`, moved
 *   twice on every score change: ranks and pages are read from the in-memory boards, which load
 *   through `(community_id, period, user_id)`; the SQL rank, page and snapshot reads (a board
 *   past the in-memory range, Redis unavailable, a closed period's snapshot) scan the board's
 *   rows instead. `(user_id, period)` goes too: the key starts with `user_id`.
 * MariaDB and PostgreSQL keep their score table as it was: they run beside Redis, and a Redis
 * outage falls back to the rank index.
 * FROZEN once released.
 */
export const gamificationLeanWrites: AddonMigration = {
  name: '0018_gamification_lean_writes',
  creates: [],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (name: string) => ctx.prefix + name;
    const drops: Array<[table: string, index: string]> = [
      ['gamification_events', 'gamification_events__user_id_occurred_at_ix'],
      ['gamification_profiles', 'gamification_profiles__total_points_id_ix'],
    ];
    for (const [table, name] of drops) {
      const drop = db.schema.dropIndex(p(name));
      // MariaDB/MySQL name an index within its table; SQLite and PostgreSQL within the schema.
      await (ctx.dialect === 'mysql' ? drop.on(p(table)) : drop).execute();
    }
    if (ctx.dialect !== 'sqlite') return;
    // SQLite: the score rows clustered by member (see above), copied in key order.
    const scores = p('gamification_scores');
    const next = p('gamification_scores_next');
    await sql`create table ${sql.table(next)} (
      community_id bigint not null,
      period varchar(16) not null,
      user_id bigint not null,
      points integer not null default 0,
      level integer not null default 1,
      updated_at varchar(32) not null,
      primary key (user_id, community_id, period)
    ) without rowid`.execute(db);
    await sql`insert into ${sql.table(next)} (community_id, period, user_id, points, level, updated_at)
      select community_id, period, user_id, points, level, updated_at from ${sql.table(scores)}
      order by user_id, community_id, period`.execute(db);
    await db.schema.dropTable(scores).execute();
    await db.schema.alterTable(next).renameTo(scores).execute();
    await db.schema
      .createIndex(p('gamification_scores__cpu_uq'))
      .on(scores)
      .columns(['community_id', 'period', 'user_id'])
      .unique()
      .execute();
  },
};
