import type { Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * Paid tiers sold through RocketLMS. `community_member_subscriptions` gains the RocketLMS sale a
 * subscription came from (`host_sale_id`; unique per tier, so the purchases sync and "Check my
 * purchase" racing on one sale make one subscription) and when the member was reminded that it
 * ends in 3 days (`reminded_at`, so the reminder goes once per term). FROZEN once released.
 */
export const paidTiers: AddonMigration = {
  name: '0009_paid_tiers',
  creates: [],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const subs = p('community_member_subscriptions');
    await db.schema.alterTable(subs).addColumn('host_sale_id', 'bigint').execute();
    await db.schema.alterTable(subs).addColumn('reminded_at', 'varchar(32)').execute();
    await db.schema
      .createIndex(p('community_member_subscriptions__tier_sale_uq'))
      .unique()
      .on(subs)
      .columns(['pricing_tier_id', 'host_sale_id'])
      .execute();
  },
};
