import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * Every RocketLMS sale a paid tier's subscription was started or renewed by, with its amount in
 * the school's currency (minor units), so an owner's revenue by tier counts renewals too (a
 * subscription row keeps only its latest sale). Unique per tier and sale: the sync and "Check my
 * purchase" racing on one sale record it once. Refunds are not copied here: the revenue view asks
 * RocketLMS which of these sales still stand. FROZEN once released.
 */
export const tierSales: AddonMigration = {
  name: '0011_tier_sales',
  creates: ['community_tier_sales'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const id = (t: T): T =>
      ctx.dialect === 'postgres'
        ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : ctx.dialect === 'mysql'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    let t = id(db.schema.createTable(p('community_tier_sales')))
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('pricing_tier_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('host_sale_id', 'bigint', (c) => c.notNull())
      .addColumn('amount_minor', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('sold_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(p('community_tier_sales__tier_sale_uq'), ['pricing_tier_id', 'host_sale_id'])
      .addForeignKeyConstraint(p('community_tier_sales__tier_fk'), ['pricing_tier_id'], p('community_pricing_tiers'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      );
    if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
    await t.execute();
    await db.schema
      .createIndex(p('community_tier_sales__community_ix'))
      .on(p('community_tier_sales'))
      .columns(['community_id', 'pricing_tier_id', 'id'])
      .execute();
  },
};
