import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * Owner and admin tools. `addon_settings` holds the runtime-editable config keys admins change
 * (one row per dotted key, `value` JSON; NULL: back to the config file's value), validated by the
 * config schema. `admin_audit_log` records settings changes and what admins do through "open as
 * owner" (`on_behalf_of_user_id`: the owner). `admin_owner_grants` are those scoped, time-limited
 * grants. `community_members.request_intro` keeps a join request's words to the owner.
 * FROZEN once released.
 */
export const adminTools: AddonMigration = {
  name: '0008_admin_tools',
  creates: ['addon_settings', 'admin_audit_log', 'admin_owner_grants'],
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

    await table('addon_settings', (t) =>
      id(t)
        .addColumn('key', 'varchar(100)', (c) => c.notNull())
        .addColumn('value', text)
        .addColumn('updated_by', 'bigint')
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('addon_settings__key_uq'), ['key']),
    );
    await index('addon_settings', 'addon_settings__updated_ix', ['updated_at', 'id']);
    await table('admin_audit_log', (t) =>
      id(t)
        .addColumn('actor_user_id', 'bigint', (c) => c.notNull())
        .addColumn('on_behalf_of_user_id', 'bigint')
        .addColumn('community_id', 'bigint')
        .addColumn('action', 'varchar(100)', (c) => c.notNull())
        .addColumn('detail', text, (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull()),
    );
    await index('admin_audit_log', 'admin_audit_log__community_ix', ['community_id', 'id']);
    await index('admin_audit_log', 'admin_audit_log__action_ix', ['action', 'id']);
    await table('admin_owner_grants', (t) =>
      id(t)
        .addColumn('admin_user_id', 'bigint', (c) => c.notNull())
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('owner_user_id', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'varchar(500)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('ended_at', 'varchar(32)'),
    );
    await index('admin_owner_grants', 'admin_owner_grants__admin_community_ix', ['admin_user_id', 'community_id', 'expires_at']);
    await db.schema.alterTable(p('community_members')).addColumn('request_intro', text).execute();
  },
};
