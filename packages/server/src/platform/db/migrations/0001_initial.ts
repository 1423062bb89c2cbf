import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/*
 * FROZEN. This is the schema 0001 created when it shipped (it was generated from the old
 * declarative spec, then checked in as plain schema-builder calls). Never edit this file:
 * installs that already ran it will not run it again. Change the schema in a new migration.
 *
 * Per dialect: ids are `integer primary key autoincrement` (SQLite), `bigint auto_increment`
 * (MariaDB/MySQL) or `bigserial` (PostgreSQL); long text is `mediumtext` on MariaDB/MySQL and
 * `text` elsewhere; MariaDB/MySQL tables are InnoDB utf8mb4. Every table, index and constraint
 * name carries the table prefix. The helpers below are part of the frozen migration: later
 * migrations must not import them.
 */

type T = CreateTableBuilder<string, string>;

async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const p = (table: string) => ctx.prefix + table;
  const n = (constraint: string) => ctx.prefix + constraint;
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
  const index = async (name: string, index: string, columns: string[]) => {
    await db.schema.createIndex(index).on(p(name)).columns(columns).execute();
  };

  await table('communities', (t) =>
    id(t)
      .addColumn('owner_id', 'bigint', (c) => c.notNull())
      .addColumn('slug', 'varchar(191)', (c) => c.notNull())
      .addColumn('name', 'varchar(120)', (c) => c.notNull())
      .addColumn('description', text)
      .addColumn('visibility', 'varchar(16)', (c) => c.notNull())
      .addColumn('cover_image_path', 'varchar(255)')
      .addColumn('icon_path', 'varchar(255)')
      .addColumn('cover_upload_id', 'bigint')
      .addColumn('icon_upload_id', 'bigint')
      .addColumn('default_role_id', 'bigint')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('is_featured', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('settings', text, (c) => c.notNull())
      .addColumn('category', 'varchar(191)')
      .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_activity_at', 'varchar(32)')
      .addColumn('wizard_state', text)
      .addColumn('published_at', 'varchar(32)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('communities__slug_uq'), ['slug']),
  );
  await index('communities', n('communities__status_visibility_las_8a19137_ix'), ['status', 'visibility', 'last_activity_at', 'id']);
  await index('communities', n('communities__status_visibility_mem_e8a2daa_ix'), ['status', 'visibility', 'member_count', 'id']);
  await index('communities', n('communities__status_visibility_id_ix'), ['status', 'visibility', 'id']);
  await index('communities', n('communities__category_ix'), ['category']);
  await index('communities', n('communities__owner_id_ix'), ['owner_id']);
  await table('community_roles', (t) =>
    id(t)
      .addColumn('community_id', 'bigint')
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('slug', 'varchar(64)', (c) => c.notNull())
      .addColumn('permissions', text, (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_system', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('community_roles__community_id_slug_uq'), ['community_id', 'slug'])
      .addForeignKeyConstraint(n('community_roles__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await table('community_courses', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('course_id', 'bigint', (c) => c.notNull())
      .addColumn('course_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('link_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('auto_join', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('community_courses__community_id_co_418063c_uq'), ['community_id', 'course_type', 'course_id'])
      .addForeignKeyConstraint(n('community_courses__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('community_courses', n('community_courses__course_type_course_id_ix'), ['course_type', 'course_id']);
  await table('community_members', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('role_id', 'bigint', (c) => c.notNull())
      .addColumn('joined_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('last_seen_at', 'varchar(32)')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('ban_reason', 'varchar(500)')
      .addColumn('ban_expires_at', 'varchar(32)')
      .addColumn('mute_expires_at', 'varchar(32)')
      .addColumn('invited_by', 'bigint')
      .addColumn('source', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('community_members__community_id_user_id_uq'), ['community_id', 'user_id'])
      .addForeignKeyConstraint(n('community_members__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint(n('community_members__role_id_fk'), ['role_id'], p('community_roles'), ['id'], (fk) =>
        fk.onDelete('restrict'),
      ),
  );
  await index('community_members', n('community_members__community_id_status_id_ix'), ['community_id', 'status', 'id']);
  await index('community_members', n('community_members__community_id_jo_c8c7f27_ix'), ['community_id', 'joined_at', 'id']);
  await index('community_members', n('community_members__user_id_status_ix'), ['user_id', 'status']);
  await table('community_pricing_tiers', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('name', 'varchar(80)', (c) => c.notNull())
      .addColumn('slug', 'varchar(80)', (c) => c.notNull())
      .addColumn('description', text)
      .addColumn('price_minor', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('currency', 'varchar(3)', (c) => c.notNull())
      .addColumn('billing_interval', 'varchar(16)', (c) => c.notNull())
      .addColumn('features', text, (c) => c.notNull())
      .addColumn('is_default', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('is_active', 'smallint', (c) => c.notNull().defaultTo(1))
      .addColumn('host_item_type', 'varchar(16)')
      .addColumn('host_item_id', 'bigint')
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('community_pricing_tiers__community_id_slug_uq'), ['community_id', 'slug'])
      .addForeignKeyConstraint(n('community_pricing_tiers__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('community_pricing_tiers', n('community_pricing_tiers__host_item_a527008_ix'), ['host_item_type', 'host_item_id']);
  await table('community_member_subscriptions', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('pricing_tier_id', 'bigint', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('expires_at', 'varchar(32)')
      .addColumn('external_subscription_id', 'varchar(191)')
      .addColumn('source', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addForeignKeyConstraint(n('community_member_subscriptions__co_eb690b1_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint(
        n('community_member_subscriptions__pr_a1c73ff_fk'),
        ['pricing_tier_id'],
        p('community_pricing_tiers'),
        ['id'],
        (fk) => fk.onDelete('cascade'),
      ),
  );
  await index('community_member_subscriptions', n('community_member_subscriptions__co_ed1a0be_ix'), ['community_id', 'user_id', 'status']);
  await index('community_member_subscriptions', n('community_member_subscriptions__so_b58a93e_ix'), ['source', 'external_subscription_id']);
  await index('community_member_subscriptions', n('community_member_subscriptions__st_999cf08_ix'), ['status', 'expires_at']);
  await table('community_invites', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('token', 'varchar(191)', (c) => c.notNull())
      .addColumn('created_by', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'varchar(32)')
      .addColumn('max_uses', 'integer')
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_at', 'varchar(32)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('community_invites__token_uq'), ['token'])
      .addForeignKeyConstraint(n('community_invites__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('community_invites', n('community_invites__community_id_id_ix'), ['community_id', 'id']);
  await table('channels', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('parent_id', 'bigint')
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('slug', 'varchar(100)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('topic', 'varchar(500)')
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_private', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('settings', text, (c) => c.notNull())
      .addColumn('last_message_id', 'bigint')
      .addColumn('archived_at', 'varchar(32)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('channels__community_id_slug_uq'), ['community_id', 'slug'])
      .addForeignKeyConstraint(n('channels__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) => fk.onDelete('cascade'))
      .addForeignKeyConstraint(n('channels__parent_id_fk'), ['parent_id'], p('channels'), ['id'], (fk) => fk.onDelete('set null')),
  );
  await index('channels', n('channels__community_id_parent_id_position_ix'), ['community_id', 'parent_id', 'position']);
  await table('channel_messages', (t) =>
    id(t)
      .addColumn('channel_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('content', text, (c) => c.notNull())
      .addColumn('metadata', text, (c) => c.notNull())
      .addColumn('reply_to_id', 'bigint')
      .addColumn('nonce', 'varchar(64)')
      .addColumn('is_pinned', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('pinned_at', 'varchar(32)')
      .addColumn('pinned_by', 'bigint')
      .addColumn('is_deleted', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted_at', 'varchar(32)')
      .addColumn('deleted_by', 'bigint')
      .addColumn('edited_at', 'varchar(32)')
      .addColumn('mention_everyone', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('moderation_state', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('channel_messages__user_id_nonce_uq'), ['user_id', 'nonce'])
      .addForeignKeyConstraint(n('channel_messages__channel_id_fk'), ['channel_id'], p('channels'), ['id'], (fk) => fk.onDelete('cascade')),
  );
  await index('channel_messages', n('channel_messages__channel_id_id_ix'), ['channel_id', 'id']);
  await index('channel_messages', n('channel_messages__channel_id_is_pinned_id_ix'), ['channel_id', 'is_pinned', 'id']);
  await index('channel_messages', n('channel_messages__channel_id_user_id_id_ix'), ['channel_id', 'user_id', 'id']);
  await table('channel_message_reactions', (t) =>
    id(t)
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('emoji', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('channel_message_reactions__message_4652af4_uq'), ['message_id', 'user_id', 'emoji'])
      .addForeignKeyConstraint(n('channel_message_reactions__message_id_fk'), ['message_id'], p('channel_messages'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await table('channel_message_mentions', (t) =>
    id(t)
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('channel_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addForeignKeyConstraint(n('channel_message_mentions__message_id_fk'), ['message_id'], p('channel_messages'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('channel_message_mentions', n('channel_message_mentions__user_id__05ec8f4_ix'), ['user_id', 'channel_id', 'message_id']);
  await table('channel_read_states', (t) =>
    id(t)
      .addColumn('channel_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('last_read_message_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('mention_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('channel_read_states__channel_id_user_id_uq'), ['channel_id', 'user_id'])
      .addForeignKeyConstraint(n('channel_read_states__channel_id_fk'), ['channel_id'], p('channels'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('channel_read_states', n('channel_read_states__user_id_ix'), ['user_id']);
  await table('central_feed_items', (t) =>
    id(t)
      .addColumn('community_id', 'bigint')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('title', 'varchar(200)')
      .addColumn('content', text, (c) => c.notNull())
      .addColumn('metadata', text, (c) => c.notNull())
      .addColumn('visibility', 'varchar(16)', (c) => c.notNull())
      .addColumn('is_pinned', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('pinned_at', 'varchar(32)')
      .addColumn('edited_at', 'varchar(32)')
      .addColumn('deleted_at', 'varchar(32)')
      .addColumn('deleted_by', 'bigint')
      .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reaction_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_activity_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('moderation_state', 'varchar(16)', (c) => c.notNull())
      .addColumn('nonce', 'varchar(64)')
      .addColumn('dedupe_key', 'varchar(191)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('central_feed_items__user_id_nonce_uq'), ['user_id', 'nonce'])
      .addUniqueConstraint(n('central_feed_items__dedupe_key_uq'), ['dedupe_key'])
      .addForeignKeyConstraint(n('central_feed_items__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('central_feed_items', n('central_feed_items__community_id_i_c52979a_ix'), ['community_id', 'is_pinned', 'id']);
  await index('central_feed_items', n('central_feed_items__community_id_id_ix'), ['community_id', 'id']);
  await index('central_feed_items', n('central_feed_items__community_id_c_b3847f3_ix'), ['community_id', 'created_at', 'id']);
  await index('central_feed_items', n('central_feed_items__user_id_id_ix'), ['user_id', 'id']);
  await table('central_feed_comments', (t) =>
    id(t)
      .addColumn('feed_item_id', 'bigint', (c) => c.notNull())
      .addColumn('parent_id', 'bigint')
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('content', text, (c) => c.notNull())
      .addColumn('metadata', text, (c) => c.notNull())
      .addColumn('edited_at', 'varchar(32)')
      .addColumn('deleted_at', 'varchar(32)')
      .addColumn('reaction_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('moderation_state', 'varchar(16)', (c) => c.notNull())
      .addColumn('nonce', 'varchar(64)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('central_feed_comments__user_id_nonce_uq'), ['user_id', 'nonce'])
      .addForeignKeyConstraint(n('central_feed_comments__feed_item_id_fk'), ['feed_item_id'], p('central_feed_items'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint(n('central_feed_comments__parent_id_fk'), ['parent_id'], p('central_feed_comments'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('central_feed_comments', n('central_feed_comments__feed_item_i_e1be975_ix'), ['feed_item_id', 'parent_id', 'id']);
  await index('central_feed_comments', n('central_feed_comments__parent_id_id_ix'), ['parent_id', 'id']);
  await table('central_feed_reactions', (t) =>
    id(t)
      .addColumn('feed_item_id', 'bigint', (c) => c.notNull())
      .addColumn('comment_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('reaction', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('central_feed_reactions__feed_item__e332e68_uq'), ['feed_item_id', 'comment_id', 'user_id', 'reaction'])
      .addForeignKeyConstraint(n('central_feed_reactions__feed_item_id_fk'), ['feed_item_id'], p('central_feed_items'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('central_feed_reactions', n('central_feed_reactions__comment_id_ix'), ['comment_id']);
  await table('channel_message_attachments', (t) =>
    id(t)
      .addColumn('message_id', 'bigint')
      .addColumn('uploader_id', 'bigint', (c) => c.notNull())
      .addColumn('path', 'varchar(255)', (c) => c.notNull())
      .addColumn('original_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('mime_type', 'varchar(127)', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)')
      .addColumn('scan_status', 'varchar(16)', (c) => c.notNull())
      .addColumn('scan_report', text)
      .addColumn('scanned_at', 'varchar(32)')
      .addColumn('thumbnail_path', 'varchar(255)')
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('feed_item_id', 'bigint')
      .addColumn('community_id', 'bigint')
      .addColumn('purpose', 'varchar(24)', (c) => c.notNull())
      .addForeignKeyConstraint(n('channel_message_attachments__message_id_fk'), ['message_id'], p('channel_messages'), ['id'], (fk) =>
        fk.onDelete('set null'),
      )
      .addForeignKeyConstraint(n('channel_message_attachments__feed_item_id_fk'), ['feed_item_id'], p('central_feed_items'), ['id'], (fk) =>
        fk.onDelete('set null'),
      ),
  );
  await index('channel_message_attachments', n('channel_message_attachments__message_id_ix'), ['message_id']);
  await index('channel_message_attachments', n('channel_message_attachments__feed_item_id_ix'), ['feed_item_id']);
  await index('channel_message_attachments', n('channel_message_attachments__uploa_b74ea6a_ix'), ['uploader_id', 'id']);
  await index('channel_message_attachments', n('channel_message_attachments__scan__26b4208_ix'), ['scan_status', 'id']);
  await table('dm_threads', (t) =>
    id(t)
      .addColumn('created_by', 'bigint', (c) => c.notNull())
      .addColumn('type', 'varchar(8)', (c) => c.notNull())
      .addColumn('title', 'varchar(100)')
      .addColumn('last_message_at', 'varchar(32)')
      .addColumn('last_message_id', 'bigint')
      .addColumn('pair_key', 'varchar(191)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('dm_threads__pair_key_uq'), ['pair_key']),
  );
  await index('dm_threads', n('dm_threads__last_message_at_ix'), ['last_message_at']);
  await table('dm_participants', (t) =>
    id(t)
      .addColumn('thread_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('role', 'varchar(8)', (c) => c.notNull())
      .addColumn('joined_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('left_at', 'varchar(32)')
      .addColumn('last_read_message_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('muted_until', 'varchar(32)')
      .addUniqueConstraint(n('dm_participants__thread_id_user_id_uq'), ['thread_id', 'user_id'])
      .addForeignKeyConstraint(n('dm_participants__thread_id_fk'), ['thread_id'], p('dm_threads'), ['id'], (fk) => fk.onDelete('cascade')),
  );
  await index('dm_participants', n('dm_participants__user_id_left_at_ix'), ['user_id', 'left_at']);
  await table('dm_messages', (t) =>
    id(t)
      .addColumn('thread_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('content', text, (c) => c.notNull())
      .addColumn('metadata', text, (c) => c.notNull())
      .addColumn('reply_to_id', 'bigint')
      .addColumn('nonce', 'varchar(64)')
      .addColumn('is_deleted', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted_at', 'varchar(32)')
      .addColumn('edited_at', 'varchar(32)')
      .addColumn('moderation_state', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('dm_messages__user_id_nonce_uq'), ['user_id', 'nonce'])
      .addForeignKeyConstraint(n('dm_messages__thread_id_fk'), ['thread_id'], p('dm_threads'), ['id'], (fk) => fk.onDelete('cascade')),
  );
  await index('dm_messages', n('dm_messages__thread_id_id_ix'), ['thread_id', 'id']);
  await table('dm_message_reactions', (t) =>
    id(t)
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('emoji', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('dm_message_reactions__message_id_u_0fce50f_uq'), ['message_id', 'user_id', 'emoji'])
      .addForeignKeyConstraint(n('dm_message_reactions__message_id_fk'), ['message_id'], p('dm_messages'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await table('dm_message_attachments', (t) =>
    id(t)
      .addColumn('message_id', 'bigint')
      .addColumn('uploader_id', 'bigint', (c) => c.notNull())
      .addColumn('path', 'varchar(255)', (c) => c.notNull())
      .addColumn('original_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('mime_type', 'varchar(127)', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)')
      .addColumn('scan_status', 'varchar(16)', (c) => c.notNull())
      .addColumn('scan_report', text)
      .addColumn('scanned_at', 'varchar(32)')
      .addColumn('thumbnail_path', 'varchar(255)')
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('thread_id', 'bigint')
      .addForeignKeyConstraint(n('dm_message_attachments__message_id_fk'), ['message_id'], p('dm_messages'), ['id'], (fk) =>
        fk.onDelete('set null'),
      )
      .addForeignKeyConstraint(n('dm_message_attachments__thread_id_fk'), ['thread_id'], p('dm_threads'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await index('dm_message_attachments', n('dm_message_attachments__message_id_ix'), ['message_id']);
  await index('dm_message_attachments', n('dm_message_attachments__thread_id_ix'), ['thread_id']);
  await index('dm_message_attachments', n('dm_message_attachments__uploader_id_id_ix'), ['uploader_id', 'id']);
  await index('dm_message_attachments', n('dm_message_attachments__scan_status_id_ix'), ['scan_status', 'id']);
  await table('dm_blocks', (t) =>
    id(t)
      .addColumn('blocker_id', 'bigint', (c) => c.notNull())
      .addColumn('blocked_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('dm_blocks__blocker_id_blocked_id_uq'), ['blocker_id', 'blocked_id']),
  );
  await index('dm_blocks', n('dm_blocks__blocked_id_ix'), ['blocked_id']);
  await table('gamification_profiles', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('total_points', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('level', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('xp', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_awarded_at', 'varchar(32)')
      .addColumn('settings', text, (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('gamification_profiles__user_id_uq'), ['user_id']),
  );
  await index('gamification_profiles', n('gamification_profiles__total_points_id_ix'), ['total_points', 'id']);
  await table('gamification_events', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint')
      .addColumn('type', 'varchar(48)', (c) => c.notNull())
      .addColumn('points', 'integer', (c) => c.notNull())
      .addColumn('metadata', text, (c) => c.notNull())
      .addColumn('occurred_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('source_key', 'varchar(191)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('gamification_events__source_key_uq'), ['source_key']),
  );
  await index('gamification_events', n('gamification_events__community_id__c9b1aec_ix'), ['community_id', 'occurred_at']);
  await index('gamification_events', n('gamification_events__user_id_occurred_at_ix'), ['user_id', 'occurred_at']);
  await table('leaderboard_snapshots', (t) =>
    id(t)
      .addColumn('community_id', 'bigint')
      .addColumn('period', 'varchar(16)', (c) => c.notNull())
      .addColumn('starts_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('ends_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('data', text, (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull()),
  );
  await index('leaderboard_snapshots', n('leaderboard_snapshots__community_i_ead76c5_ix'), ['community_id', 'period', 'starts_at']);
  await table('activity_heatmaps', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('date', 'varchar(10)', (c) => c.notNull())
      .addColumn('hourly_counts', text, (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('activity_heatmaps__user_id_communi_e42cc85_uq'), ['user_id', 'community_id', 'date']),
  );
  await index('activity_heatmaps', n('activity_heatmaps__community_id_date_ix'), ['community_id', 'date']);
  await table('badges', (t) =>
    id(t)
      .addColumn('slug', 'varchar(191)', (c) => c.notNull())
      .addColumn('name', 'varchar(80)', (c) => c.notNull())
      .addColumn('description', 'varchar(500)')
      .addColumn('icon', 'varchar(32)')
      .addColumn('rule', text, (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('badges__slug_uq'), ['slug']),
  );
  await table('user_badges', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('badge_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('awarded_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('user_badges__user_id_badge_id_community_id_uq'), ['user_id', 'badge_id', 'community_id'])
      .addForeignKeyConstraint(n('user_badges__badge_id_fk'), ['badge_id'], p('badges'), ['id'], (fk) => fk.onDelete('cascade')),
  );
  await table('moderation_reports', (t) =>
    id(t)
      .addColumn('reporter_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint')
      .addColumn('target_type', 'varchar(24)', (c) => c.notNull())
      .addColumn('target_id', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'varchar(1000)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('assigned_to', 'bigint')
      .addColumn('resolution_notes', text)
      .addColumn('source', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull()),
  );
  await index('moderation_reports', n('moderation_reports__status_id_ix'), ['status', 'id']);
  await index('moderation_reports', n('moderation_reports__community_id_status_id_ix'), ['community_id', 'status', 'id']);
  await index('moderation_reports', n('moderation_reports__target_type_target_id_ix'), ['target_type', 'target_id']);
  await table('bad_words', (t) =>
    id(t)
      .addColumn('word', 'varchar(191)', (c) => c.notNull())
      .addColumn('severity', 'varchar(8)', (c) => c.notNull())
      .addColumn('replacement', 'varchar(100)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('bad_words__word_uq'), ['word']),
  );
  await table('user_moderation_actions', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint')
      .addColumn('action', 'varchar(16)', (c) => c.notNull())
      .addColumn('reason', 'varchar(1000)')
      .addColumn('expires_at', 'varchar(32)')
      .addColumn('performed_by', 'bigint')
      .addColumn('revoked_at', 'varchar(32)')
      .addColumn('source', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull()),
  );
  await index('user_moderation_actions', n('user_moderation_actions__user_id_c_db66190_ix'), [
    'user_id',
    'community_id',
    'action',
    'expires_at',
  ]);
  await index('user_moderation_actions', n('user_moderation_actions__community_id_id_ix'), ['community_id', 'id']);
  await table('file_scan_jobs', (t) =>
    id(t)
      .addColumn('attachment_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('attachment_id', 'bigint', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('result', text)
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('run_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('locked_at', 'varchar(32)')
      .addColumn('locked_by', 'varchar(64)')
      .addColumn('last_error', text)
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull()),
  );
  await index('file_scan_jobs', n('file_scan_jobs__status_run_at_ix'), ['status', 'run_at']);
  await index('file_scan_jobs', n('file_scan_jobs__attachment_type_at_c5de89c_ix'), ['attachment_type', 'attachment_id']);
  await table('community_activity_stats', (t) =>
    id(t)
      .addColumn('community_id', 'bigint', (c) => c.notNull())
      .addColumn('date', 'varchar(10)', (c) => c.notNull())
      .addColumn('active_members', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('feed_posts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('comments', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reactions', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('new_members', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('left_members', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('community_activity_stats__communit_b1a4c8f_uq'), ['community_id', 'date'])
      .addForeignKeyConstraint(n('community_activity_stats__community_id_fk'), ['community_id'], p('communities'), ['id'], (fk) =>
        fk.onDelete('cascade'),
      ),
  );
  await table('user_activity_stats', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('community_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('date', 'varchar(10)', (c) => c.notNull())
      .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('feed_posts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('comments', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reactions_given', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reactions_received', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('dms', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('user_activity_stats__user_id_commu_c1b5bd0_uq'), ['user_id', 'community_id', 'date']),
  );
  await index('user_activity_stats', n('user_activity_stats__community_id_date_ix'), ['community_id', 'date']);
  await table('community_notifications', (t) =>
    id(t)
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('type', 'varchar(48)', (c) => c.notNull())
      .addColumn('title', 'varchar(200)', (c) => c.notNull())
      .addColumn('body', text)
      .addColumn('data', text, (c) => c.notNull())
      .addColumn('read_at', 'varchar(32)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull()),
  );
  await index('community_notifications', n('community_notifications__user_id_r_5d50a0a_ix'), ['user_id', 'read_at', 'id']);
  await index('community_notifications', n('community_notifications__user_id_id_ix'), ['user_id', 'id']);
  await table('domain_events', (t) =>
    id(t)
      .addColumn('name', 'varchar(48)', (c) => c.notNull())
      .addColumn('payload', text, (c) => c.notNull())
      .addColumn('user_id', 'bigint')
      .addColumn('community_id', 'bigint')
      .addColumn('occurred_at', 'varchar(32)', (c) => c.notNull()),
  );
  await index('domain_events', n('domain_events__name_occurred_at_ix'), ['name', 'occurred_at']);
  await index('domain_events', n('domain_events__community_id_occurred_at_ix'), ['community_id', 'occurred_at']);
  await table('jobs', (t) =>
    id(t)
      .addColumn('queue', 'varchar(48)', (c) => c.notNull())
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('payload', text, (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
      .addColumn('run_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('locked_at', 'varchar(32)')
      .addColumn('locked_by', 'varchar(64)')
      .addColumn('last_error', text)
      .addColumn('unique_key', 'varchar(191)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('jobs__unique_key_uq'), ['unique_key']),
  );
  await index('jobs', n('jobs__status_run_at_ix'), ['status', 'run_at']);
  await index('jobs', n('jobs__queue_status_run_at_ix'), ['queue', 'status', 'run_at']);
  await table('host_sync_cursors', (t) =>
    id(t)
      .addColumn('name', 'varchar(191)', (c) => c.notNull())
      .addColumn('cursor', 'varchar(191)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(n('host_sync_cursors__name_uq'), ['name']),
  );
}

export const initial: AddonMigration = {
  name: '0001_initial',
  creates: [
    'communities',
    'community_roles',
    'community_courses',
    'community_members',
    'community_pricing_tiers',
    'community_member_subscriptions',
    'community_invites',
    'channels',
    'channel_messages',
    'channel_message_reactions',
    'channel_message_mentions',
    'channel_read_states',
    'central_feed_items',
    'central_feed_comments',
    'central_feed_reactions',
    'channel_message_attachments',
    'dm_threads',
    'dm_participants',
    'dm_messages',
    'dm_message_reactions',
    'dm_message_attachments',
    'dm_blocks',
    'gamification_profiles',
    'gamification_events',
    'leaderboard_snapshots',
    'activity_heatmaps',
    'badges',
    'user_badges',
    'moderation_reports',
    'bad_words',
    'user_moderation_actions',
    'file_scan_jobs',
    'community_activity_stats',
    'user_activity_stats',
    'community_notifications',
    'domain_events',
    'jobs',
    'host_sync_cursors',
  ],
  up,
};
