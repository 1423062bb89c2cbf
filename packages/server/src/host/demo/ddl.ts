import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { HostDatabase } from '../rocketlms/schema';

type T = CreateTableBuilder<string, string>;

/**
 * RocketLMS-shaped tables (the columns ROCKETLMS.md lists, Unix-second ints, enums as the
 * values RocketLMS uses) so the demo school — and the MariaDB service suite — exercise the
 * same adapter code a real RocketLMS database does.
 */
export async function createDemoSchema(db: Kysely<unknown> | Kysely<HostDatabase>, dialect: 'sqlite' | 'mysql'): Promise<void> {
  const schema = (db as Kysely<unknown>).schema;
  const id = (t: T) =>
    dialect === 'mysql'
      ? t.addColumn('id', sql`int unsigned`, (c) => c.primaryKey().autoIncrement())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const uint = dialect === 'mysql' ? sql`int unsigned` : sql`integer`;
  const tables: Array<[string, (t: T) => T]> = [
    [
      'roles',
      (t) =>
        id(t)
          .addColumn('name', 'varchar(64)', (c) => c.notNull())
          .addColumn('caption', 'varchar(64)')
          .addColumn('is_admin', 'smallint', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'users',
      (t) =>
        id(t)
          .addColumn('full_name', 'varchar(128)')
          .addColumn('username', 'varchar(64)')
          .addColumn('email', 'varchar(128)')
          .addColumn('role_name', 'varchar(64)', (c) => c.notNull())
          .addColumn('role_id', uint)
          .addColumn('avatar', 'varchar(255)')
          .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
          .addColumn('ban', 'smallint', (c) => c.notNull().defaultTo(0))
          .addColumn('ban_start_at', uint)
          .addColumn('ban_end_at', uint)
          .addColumn('deleted_at', uint)
          .addColumn('timezone', 'varchar(64)')
          .addColumn('language', 'varchar(8)')
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'webinars',
      (t) =>
        id(t)
          .addColumn('teacher_id', uint, (c) => c.notNull())
          .addColumn('creator_id', uint, (c) => c.notNull())
          .addColumn('type', 'varchar(16)', (c) => c.notNull())
          .addColumn('slug', 'varchar(191)', (c) => c.notNull())
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('thumbnail', 'varchar(255)')
          .addColumn('image_cover', 'varchar(255)')
          .addColumn('price', 'integer')
          .addColumn('private', 'smallint', (c) => c.notNull().defaultTo(0))
          .addColumn('deleted_at', uint)
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'webinar_translations',
      (t) =>
        id(t)
          .addColumn('webinar_id', uint, (c) => c.notNull())
          .addColumn('locale', 'varchar(8)', (c) => c.notNull())
          .addColumn('title', 'varchar(255)', (c) => c.notNull()),
    ],
    [
      'webinar_partner_teacher',
      (t) =>
        id(t)
          .addColumn('webinar_id', uint, (c) => c.notNull())
          .addColumn('teacher_id', uint, (c) => c.notNull()),
    ],
    [
      'bundles',
      (t) =>
        id(t)
          .addColumn('teacher_id', uint, (c) => c.notNull())
          .addColumn('creator_id', uint, (c) => c.notNull())
          .addColumn('slug', 'varchar(191)', (c) => c.notNull())
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('thumbnail', 'varchar(255)')
          .addColumn('image_cover', 'varchar(255)')
          .addColumn('price', 'integer')
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'bundle_translations',
      (t) =>
        id(t)
          .addColumn('bundle_id', uint, (c) => c.notNull())
          .addColumn('locale', 'varchar(8)', (c) => c.notNull())
          .addColumn('title', 'varchar(255)', (c) => c.notNull()),
    ],
    [
      'bundle_webinars',
      (t) =>
        id(t)
          .addColumn('bundle_id', uint, (c) => c.notNull())
          .addColumn('webinar_id', uint, (c) => c.notNull()),
    ],
    [
      'subscribes',
      (t) =>
        id(t)
          .addColumn('days', uint, (c) => c.notNull())
          .addColumn('usable_count', uint, (c) => c.notNull().defaultTo(0))
          .addColumn('infinite_use', 'smallint', (c) => c.notNull().defaultTo(0))
          .addColumn('price', 'integer')
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'sales',
      (t) =>
        id(t)
          .addColumn('buyer_id', uint, (c) => c.notNull())
          .addColumn('seller_id', uint)
          .addColumn('order_id', uint)
          .addColumn('webinar_id', uint)
          .addColumn('bundle_id', uint)
          .addColumn('subscribe_id', uint)
          .addColumn('product_order_id', uint)
          .addColumn('type', 'varchar(32)', (c) => c.notNull())
          .addColumn('payment_method', 'varchar(32)')
          .addColumn('amount', 'integer')
          .addColumn('manual_added', 'smallint', (c) => c.notNull().defaultTo(0))
          .addColumn('access_to_purchased_item', 'smallint', (c) => c.notNull().defaultTo(1))
          .addColumn('created_at', uint, (c) => c.notNull())
          .addColumn('refund_at', uint),
    ],
    [
      'products',
      (t) =>
        id(t)
          .addColumn('creator_id', uint, (c) => c.notNull())
          .addColumn('type', 'varchar(16)', (c) => c.notNull().defaultTo('virtual'))
          .addColumn('slug', 'varchar(191)', (c) => c.notNull())
          .addColumn('price', 'integer')
          .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
          .addColumn('created_at', uint, (c) => c.notNull())
          .addColumn('deleted_at', uint),
    ],
    [
      'product_orders',
      (t) =>
        id(t)
          .addColumn('product_id', uint, (c) => c.notNull())
          .addColumn('seller_id', uint)
          .addColumn('buyer_id', uint, (c) => c.notNull())
          .addColumn('sale_id', uint)
          .addColumn('status', 'varchar(24)', (c) => c.notNull().defaultTo('pending'))
          .addColumn('quantity', uint, (c) => c.notNull().defaultTo(1))
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'orders',
      (t) =>
        id(t)
          .addColumn('user_id', uint, (c) => c.notNull())
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('amount', 'integer')
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'users_manual_purchase',
      (t) =>
        id(t)
          .addColumn('user_id', uint, (c) => c.notNull())
          .addColumn('webinar_id', uint, (c) => c.notNull())
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'certificates',
      (t) =>
        id(t)
          .addColumn('student_id', uint, (c) => c.notNull())
          .addColumn('webinar_id', uint)
          .addColumn('bundle_id', uint)
          .addColumn('type', 'varchar(16)', (c) => c.notNull())
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
    [
      'notifications',
      (t) =>
        id(t)
          .addColumn('user_id', uint)
          .addColumn('sender_id', uint)
          .addColumn('group_id', uint)
          .addColumn('title', 'varchar(255)', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('sender', 'varchar(16)', (c) => c.notNull())
          .addColumn('type', 'varchar(32)', (c) => c.notNull())
          .addColumn('created_at', uint, (c) => c.notNull()),
    ],
  ];
  for (const [name, build] of tables) {
    let t = build(schema.createTable(name).ifNotExists());
    if (dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
    await t.execute();
  }
  // A demo school made before store products: its sales table gains the column RocketLMS has.
  const sales = (await (db as Kysely<unknown>).introspection.getTables()).find((t) => t.name === 'sales');
  if (sales && !sales.columns.some((c) => c.name === 'product_order_id'))
    await schema.alterTable('sales').addColumn('product_order_id', uint).execute();
  const idx: Array<[string, string, string[]]> = [
    ['sales', 'demo_sales_buyer', ['buyer_id']],
    ['webinar_translations', 'demo_wt_webinar', ['webinar_id']],
    ['certificates', 'demo_cert_student', ['student_id']],
  ];
  for (const [table, name, cols] of idx) await schema.createIndex(name).ifNotExists().on(table).columns(cols).execute();
}
