import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * Notifications (#21). `community_notifications` (0001) gains what a client needs to jump to
 * the context of an item (community, channel, message, DM thread, feed post), who caused it,
 * a count for coalesced items (reactions on one post), and a per-user key that makes delivery
 * idempotent: the outbox delivers at least once, and a redelivered event finds its key taken.
 * `notification_preferences` holds each user's choices: one row per scope (community 0 and
 * channel 0 for the user's defaults, a community, or one channel of it). FROZEN once released.
 */
export const notifications: AddonMigration = {
  name: '0012_notifications',
  creates: ['notification_preferences'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const items = p('community_notifications');
    // One column per statement: SQLite adds one at a time.
    await db.schema.alterTable(items).addColumn('community_id', 'bigint').execute();
    await db.schema.alterTable(items).addColumn('channel_id', 'bigint').execute();
    await db.schema.alterTable(items).addColumn('message_id', 'bigint').execute();
    await db.schema.alterTable(items).addColumn('thread_id', 'bigint').execute();
    await db.schema.alterTable(items).addColumn('feed_item_id', 'bigint').execute();
    await db.schema.alterTable(items).addColumn('actor_id', 'bigint').execute();
    await db.schema
      .alterTable(items)
      .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.alterTable(items).addColumn('dedupe_key', 'varchar(120)').execute();
    // Rows written before 0012 have no key; NULLs never collide in a unique index on any dialect.
    await db.schema
      .createIndex(p('community_notifications__user_dedupe_uq'))
      .unique()
      .on(items)
      .columns(['user_id', 'dedupe_key'])
      .execute();

    const id = (t: T): T =>
      ctx.dialect === 'postgres'
        ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : ctx.dialect === 'mysql'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    const text = ctx.dialect === 'mysql' ? sql`mediumtext` : sql`text`;
    let t = id(db.schema.createTable(p('notification_preferences')))
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('channel_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('muted', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('level', 'varchar(16)')
      .addColumn('kinds', text, (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(p('notification_preferences__scope_uq'), ['user_id', 'community_id', 'channel_id']);
    if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
    await t.execute();
  },
};
