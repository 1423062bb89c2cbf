import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * Activity rollups (#18). `activity_counts` holds one row per user, community (0: none, e.g.
 * DMs), UTC date and kind with 96 quarter-hour counts, so day and hour boundaries of any time
 * zone (+05:30, +05:45 too) are exact; user_id 0 rows are the community's totals. The 24
 * UTC-hour `activity_heatmaps` of 0001 cannot serve half- and quarter-hour offsets and stays
 * unused. `community_activity_stats` gains join requests, course completions, points and the
 * 7/30/90-day active members (written by the daily job); `community_activity_periods` the
 * weekly and monthly aggregates; `activity_profiles` whether a member shows their heatmap;
 * `activity_seen` the events the rollup subscriber applied (redelivery counts nothing twice).
 * FROZEN once released.
 */
export const activityRollups: AddonMigration = {
  name: '0007_activity_rollups',
  creates: ['activity_counts', 'community_activity_periods', 'activity_profiles', 'activity_seen'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const text = ctx.dialect === 'mysql' ? sql`mediumtext` : sql`text`;
    const id = (t: T): T =>
      ctx.dialect === 'postgres'
        ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : ctx.dialect === 'mysql'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    const table = async (name: string, build: (t: T) => T) => {
      let t = build(db.schema.createTable(p(name)));
      if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
      await t.execute();
    };
    const index = (tbl: string, name: string, cols: string[]) => db.schema.createIndex(p(name)).on(p(tbl)).columns(cols).execute();

    await table('activity_counts', (t) =>
      id(t)
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('date', 'varchar(10)', (c) => c.notNull())
        .addColumn('kind', 'varchar(24)', (c) => c.notNull())
        .addColumn('quarters', text, (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('activity_counts__ucdk_uq'), ['user_id', 'community_id', 'date', 'kind']),
    );
    // A member's calendar: user_id then date; a community's (user_id 0) and its members': community_id, user_id, date.
    await index('activity_counts', 'activity_counts__user_date_ix', ['user_id', 'date']);
    await index('activity_counts', 'activity_counts__cud_ix', ['community_id', 'user_id', 'date']);
    await index('activity_counts', 'activity_counts__cdate_ix', ['community_id', 'date']);

    const stats = p('community_activity_stats');
    for (const col of ['join_requests', 'course_completions', 'points', 'actives_7d', 'actives_30d', 'actives_90d'])
      await db.schema
        .alterTable(stats)
        .addColumn(col, 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

    await table('community_activity_periods', (t) =>
      id(t)
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('period', 'varchar(8)', (c) => c.notNull())
        .addColumn('starts_on', 'varchar(10)', (c) => c.notNull())
        .addColumn('active_members', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('feed_posts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('comments', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reactions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('course_completions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('new_members', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('left_members', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('join_requests', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('community_activity_periods__cps_uq'), ['community_id', 'period', 'starts_on']),
    );
    await table('activity_profiles', (t) =>
      id(t)
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('show_activity', 'smallint', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('activity_profiles__user_uq'), ['user_id']),
    );
    await table('activity_seen', (t) =>
      id(t)
        .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('seen_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('activity_seen__event_uq'), ['event_id']),
    );
    await index('activity_seen', 'activity_seen__seen_at_ix', ['seen_at']);
  },
};
