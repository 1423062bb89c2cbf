import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * Moderation. `moderation_violations` holds each word-filter or spam-rule hit per user and
 * community (the automatic thresholds count them over a rolling window); `community_word_lists`
 * a community's own words, allow-list and action per severity. Reports gain the reporter's free
 * text, the target's author, when they closed, and `open_key`: unique while a report is open or
 * reviewing (`reporter:type:id`), null once closed, so one reporter has one open report per
 * target whatever the concurrency. The audit log (`user_moderation_actions`) gains the content
 * a moderator acted on. FROZEN once released.
 */
export const moderation: AddonMigration = {
  name: '0004_moderation',
  creates: ['moderation_violations', 'community_word_lists'],
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

    await table('moderation_violations', (t) =>
      id(t)
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('community_id', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rule', 'varchar(24)', (c) => c.notNull())
        .addColumn('severity', 'varchar(8)', (c) => c.notNull())
        .addColumn('target_type', 'varchar(24)', (c) => c.notNull())
        .addColumn('target_id', 'bigint')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull()),
    );
    await db.schema
      .createIndex(p('moderation_violations__user_id_community_id_created_at_ix'))
      .on(p('moderation_violations'))
      .columns(['user_id', 'community_id', 'created_at'])
      .execute();
    await table('community_word_lists', (t) =>
      id(t)
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('words', text, (c) => c.notNull())
        .addColumn('allow', text, (c) => c.notNull())
        .addColumn('actions', text, (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('community_word_lists__community_id_uq'), ['community_id']),
    );

    const reports = p('moderation_reports');
    await db.schema.alterTable(reports).addColumn('note', 'varchar(1000)').execute();
    await db.schema.alterTable(reports).addColumn('target_user_id', 'bigint').execute();
    await db.schema.alterTable(reports).addColumn('open_key', 'varchar(80)').execute();
    await db.schema.alterTable(reports).addColumn('closed_at', 'varchar(32)').execute();
    await db.schema.createIndex(p('moderation_reports__open_key_uq')).on(reports).columns(['open_key']).unique().execute();
    await db.schema.createIndex(p('moderation_reports__reporter_id_id_ix')).on(reports).columns(['reporter_id', 'id']).execute();

    const actions = p('user_moderation_actions');
    await db.schema.alterTable(actions).addColumn('target_type', 'varchar(24)').execute();
    await db.schema.alterTable(actions).addColumn('target_id', 'bigint').execute();
    await db.schema.createIndex(p('user_moderation_actions__action_id_ix')).on(actions).columns(['action', 'id']).execute();
  },
};
