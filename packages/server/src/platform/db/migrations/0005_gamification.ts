import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * Gamification. `gamification_events` (the ledger, from 0001) gains who caused an award
 * (`actor_id`), what it was for (`target_type`, `target_id`) and which award a reversal takes
 * back (`reverses_id`), and the week and month it counts toward (`week_key`, `month_key`), so
 * caps, reversals and `gamification:verify` are queries.
 * `gamification_scores` holds each member's points per community (0: site-wide) and period
 * (`all`, `w<monday>`, `m<yyyy-mm>`) with the level for `all`; `gamification_score_counts` how
 * many members hold each exact total, so a rank is a sum over distinct totals, not a count over
 * members. `gamification_settings` the runtime rules (scope `site`) and community scales,
 * `gamification_helpful_marks` the helpful answers, `gamification_active_days` the days a member
 * was active (streaks, the active-days milestone). FROZEN once released.
 */
export const gamification: AddonMigration = {
  name: '0005_gamification',
  creates: [
    'gamification_scores',
    'gamification_score_counts',
    'gamification_settings',
    'gamification_helpful_marks',
    'gamification_active_days',
  ],
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

    const ledger = p('gamification_events');
    await db.schema.alterTable(ledger).addColumn('actor_id', 'bigint').execute();
    await db.schema.alterTable(ledger).addColumn('target_type', 'varchar(24)').execute();
    await db.schema.alterTable(ledger).addColumn('target_id', 'bigint').execute();
    await db.schema.alterTable(ledger).addColumn('reverses_id', 'bigint').execute();
    // The week and month (school time zone) the points count toward; a reversal carries its award's.
    await db.schema.alterTable(ledger).addColumn('week_key', 'varchar(16)').execute();
    await db.schema.alterTable(ledger).addColumn('month_key', 'varchar(16)').execute();
    await index('gamification_events', 'gamification_events__target_ix', ['target_type', 'target_id']);
    await index('gamification_events', 'gamification_events__reverses_id_ix', ['reverses_id']);
    await index('gamification_events', 'gamification_events__user_type_occurred_ix', ['user_id', 'type', 'occurred_at']);

    await table('gamification_scores', (t) =>
      id(t)
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('period', 'varchar(16)', (c) => c.notNull())
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('level', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('gamification_scores__cpu_uq'), ['community_id', 'period', 'user_id']),
    );
    await index('gamification_scores', 'gamification_scores__rank_ix', ['community_id', 'period', 'points', 'user_id']);
    await index('gamification_scores', 'gamification_scores__user_ix', ['user_id', 'period']);
    await table('gamification_score_counts', (t) =>
      id(t)
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('period', 'varchar(16)', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull())
        .addColumn('members', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint(p('gamification_score_counts__cpp_uq'), ['community_id', 'period', 'points']),
    );
    // Covering: a rank sums `members` over a range of totals without visiting the rows.
    await index('gamification_score_counts', 'gamification_score_counts__sum_ix', ['community_id', 'period', 'points', 'members']);
    await table('gamification_settings', (t) =>
      id(t)
        .addColumn('scope', 'varchar(64)', (c) => c.notNull())
        .addColumn('data', text, (c) => c.notNull())
        .addColumn('updated_by', 'bigint')
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('gamification_settings__scope_uq'), ['scope']),
    );
    await table('gamification_helpful_marks', (t) =>
      id(t)
        .addColumn('target_type', 'varchar(24)', (c) => c.notNull())
        .addColumn('target_id', 'bigint', (c) => c.notNull())
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('author_id', 'bigint', (c) => c.notNull())
        .addColumn('marked_by', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('gamification_helpful_marks__target_uq'), ['target_type', 'target_id']),
    );
    await table('gamification_active_days', (t) =>
      id(t)
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('day', 'varchar(10)', (c) => c.notNull())
        .addUniqueConstraint(p('gamification_active_days__ucd_uq'), ['user_id', 'community_id', 'day']),
    );
  },
};
