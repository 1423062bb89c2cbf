import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';

import { connect } from '../src/platform/db/connect';
import { listTables } from '../src/platform/db/introspect';
import { migrateToLatest, TableCollisionError } from '../src/platform/db/migrate';
import { ADDON_TABLES } from '../src/platform/db/schema';

import { createTestDatabase, type TestDatabase } from './support/databases';

// Tables as RocketLMS v2 creates them (columns, enums, Unix-second ints, foreign keys), with
// the names an addon is most likely to want: badges, sessions, notifications, groups, forums,
// settings. Plus Laravel's own migrations table.
const HOST_DDL = [
  `create table roles (id int unsigned not null auto_increment primary key, name varchar(64) not null, caption varchar(64) not null,
     is_admin tinyint(1) not null default 0, created_at int unsigned not null)`,
  `create table users (id int unsigned not null auto_increment primary key, full_name varchar(128) null, email varchar(64) null,
     role_name varchar(64) not null, role_id int unsigned not null, status enum('active','pending','inactive') not null default 'active',
     created_at int unsigned not null, key users_role_id_foreign (role_id),
     constraint users_role_id_foreign foreign key (role_id) references roles (id) on delete cascade)`,
  `create table webinars (id int unsigned not null auto_increment primary key, teacher_id int unsigned not null, slug varchar(255) not null,
     type enum('webinar','course','text_lesson') not null, status enum('active','pending','is_draft','inactive') not null,
     created_at int unsigned not null, unique key webinars_slug_unique (slug))`,
  `create table badges (id int unsigned not null auto_increment primary key, image varchar(255) not null,
     type enum('register_date','course_count','course_rate','sale_count','support_rate','product_sale_count','make_topic','send_post_in_topic','instructor_blog') not null,
     \`condition\` varchar(128) not null, score int null, created_at int unsigned not null, key badges_type_index (type))`,
  `create table users_badges (id int unsigned not null auto_increment primary key, user_id int unsigned not null, badge_id int unsigned not null,
     created_at int unsigned not null,
     constraint users_badges_badge_id_foreign foreign key (badge_id) references badges (id) on delete cascade,
     constraint users_badges_user_id_foreign foreign key (user_id) references users (id) on delete cascade)`,
  `create table sessions (id int unsigned not null auto_increment primary key, creator_id int unsigned not null, webinar_id int unsigned null,
     date int not null, duration int not null, link varchar(255) null, zoom_start_link text null,
     session_api enum('local','big_blue_button','zoom','agora','jitsi','google_meet') not null default 'local',
     api_secret varchar(255) null, check_previous_parts tinyint(1) not null default 0,
     status enum('active','inactive') not null default 'active', created_at int not null, updated_at int null, deleted_at int null,
     constraint sessions_webinar_id_foreign foreign key (webinar_id) references webinars (id) on delete cascade,
     constraint sessions_creator_id_foreign foreign key (creator_id) references users (id) on delete cascade)`,
  `create table \`groups\` (id int unsigned not null auto_increment primary key, creator_id int unsigned not null, name varchar(64) null,
     discount int null, status enum('active','inactive') not null default 'inactive', created_at int unsigned not null,
     constraint groups_creator_id_foreign foreign key (creator_id) references users (id) on delete cascade)`,
  `create table notifications (id int unsigned not null auto_increment primary key, user_id int unsigned null, sender_id int unsigned null,
     group_id int unsigned null, webinar_id int unsigned null, title varchar(255) not null, message text not null,
     sender enum('system','admin') default 'system', type enum('single','all_users','students','instructors','organizations','group','course_students') not null,
     created_at int unsigned not null,
     constraint notifications_group_id_foreign foreign key (group_id) references \`groups\` (id) on delete cascade,
     constraint notifications_user_id_foreign foreign key (user_id) references users (id) on delete cascade)`,
  `create table forums (id int unsigned not null auto_increment primary key, slug varchar(255) not null, role_id int unsigned null,
     group_id int unsigned null, parent_id int unsigned null, icon varchar(255) null, status enum('disabled','active') null,
     close tinyint(1) not null default 0, \`order\` int null, unique key forums_slug_unique (slug),
     constraint forums_group_id_foreign foreign key (group_id) references \`groups\` (id) on delete cascade,
     constraint forums_role_id_foreign foreign key (role_id) references roles (id) on delete cascade)`,
  `create table settings (id int unsigned not null auto_increment primary key,
     page enum('general','financial','personalization','notifications','seo','customization','other') not null default 'other',
     name varchar(255) not null, updated_at int null, key name (name))`,
  `create table migrations (id int unsigned not null auto_increment primary key, migration varchar(255) not null, batch int not null)`,
];

const HOST_ROWS = [
  `insert into roles (id, name, caption, is_admin, created_at) values (1, 'admin', 'Admin', 1, 1700000000), (2, 'user', 'Student', 0, 1700000000)`,
  `insert into users (id, full_name, email, role_name, role_id, created_at) values (1, 'Admin', 'admin@school.test', 'admin', 1, 1700000000),
     (2, 'Zoë Étudiante 🎓', 'zoe@school.test', 'user', 2, 1700000100)`,
  `insert into webinars (id, teacher_id, slug, type, status, created_at) values (1, 1, 'physics-101', 'course', 'active', 1700000200)`,
  `insert into badges (id, image, type, \`condition\`, score, created_at) values (1, '/store/1/badges/old.png', 'register_date', '{"from":"365","to":"730"}', 10, 1700000300),
     (2, '/store/1/badges/seller.png', 'sale_count', '{"from":"1","to":"10"}', null, 1700000300)`,
  `insert into users_badges (user_id, badge_id, created_at) values (2, 1, 1700000400)`,
  `insert into sessions (creator_id, webinar_id, date, duration, link, session_api, status, created_at) values
     (1, 1, 1700100000, 90, 'https://meet.example/abc', 'big_blue_button', 'active', 1700000500)`,
  `insert into \`groups\` (id, creator_id, name, discount, status, created_at) values (1, 1, 'Scholarship', 20, 'active', 1700000600)`,
  `insert into notifications (user_id, group_id, title, message, sender, type, created_at) values
     (2, null, 'Welcome', 'Welcome to the school!', 'system', 'single', 1700000700), (null, 1, 'Discount', '20% off', 'admin', 'group', 1700000800)`,
  `insert into forums (slug, role_id, group_id, icon, status, \`order\`) values ('general', null, null, '/store/1/forum.svg', 'active', 1)`,
  `insert into settings (page, name, updated_at) values ('customization', 'custom_css_js', 1700000900), ('general', 'navbar_links', 1700000900)`,
  `insert into migrations (migration, batch) values ('2020_10_17_100606_create_badges_table', 3)`,
];
const HOST_TABLES = [
  'badges',
  'forums',
  'groups',
  'migrations',
  'notifications',
  'roles',
  'sessions',
  'settings',
  'users',
  'users_badges',
  'webinars',
];

async function rocketLmsDatabase(): Promise<TestDatabase> {
  const t = await createTestDatabase('mysql');
  const db = t.db.db.withoutPlugins();
  for (const statement of [...HOST_DDL.map((s) => `${s} engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`), ...HOST_ROWS]) {
    await sql.raw(statement).execute(db);
  }
  return t;
}

/** Each host table's definition, checksum and rows: anything the addon changed shows here. */
async function hostSnapshot(db: Kysely<any>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of HOST_TABLES) {
    const create = (await sql.raw<Record<string, string>>(`show create table \`${table}\``).execute(db)).rows[0]!['Create Table'];
    const checksum = (await sql.raw<{ Checksum: number }>(`checksum table \`${table}\``).execute(db)).rows[0]!.Checksum;
    const rows = (await sql.raw(`select * from \`${table}\` order by id`).execute(db)).rows;
    out[table] = { create, checksum, rows };
  }
  return out;
}

const cli = join(import.meta.dirname, '../src/cli/main.ts');
function communities(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: join(import.meta.dirname, '../../..'),
    env: {
      ...process.env,
      COMMUNITIES_CONFIG: '',
      COMMUNITIES__LOG_LEVEL: 'silent',
      COMMUNITIES__DEMO: 'false',
      COMMUNITIES__HOST__ADAPTER: 'rocketlms',
      COMMUNITIES__CHAT__APP_SECRET: 'a-real-secret-0123456789abcdef',
      ...env,
    },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('installing into RocketLMS’s own MariaDB database', () => {
  it('takes the cm_ prefix by default, creates only its own tables, and leaves RocketLMS’s untouched', async () => {
    const t = await rocketLmsDatabase();
    try {
      const db = t.db.db.withoutPlugins();
      const before = await hostSnapshot(db);
      // database.url is RocketLMS's database, no host.database_url, no table_prefix.
      const run = communities(['migrate'], { DATABASE_URL: t.url });
      expect(run.out).toMatch(/applied 0001_initial \(table prefix "cm_"\)[^\n]*\napplied 0002_host_safe_names/);
      expect(run.status).toBe(0);
      expect(communities(['migrate'], { DATABASE_URL: t.url }).out).toContain('Nothing to migrate');

      const tables = await listTables(db, 'mysql');
      const added = tables.filter((n) => !HOST_TABLES.includes(n)).sort();
      expect(added).toEqual([...ADDON_TABLES.map((n) => `cm_${n}`), 'cm_communities_migrations', 'cm_communities_migrations_lock'].sort());
      expect(added.every((n) => n.startsWith('cm_'))).toBe(true);
      expect(await hostSnapshot(db)).toEqual(before);
    } finally {
      await t.drop();
    }
  }, 240_000);

  it('refuses, naming `badges`, when its tables would take RocketLMS’s names, and creates nothing', async () => {
    const t = await rocketLmsDatabase();
    try {
      const db = t.db.db.withoutPlugins();
      const before = await hostSnapshot(db);
      // host.database_url pointing at the same database hides that it is shared: no prefix.
      const run = communities(['migrate'], { DATABASE_URL: t.url, COMMUNITIES__HOST__DATABASE_URL: t.url });
      expect(run.status).toBe(1);
      expect(run.out).toContain('Refusing to migrate: table `badges` already exists and is not the addon');
      expect(run.out).toContain('database.table_prefix');

      // The same through the API, with no prefix at all.
      const bare = connect(t.url, { prefix: '' });
      try {
        const error = await migrateToLatest(bare).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TableCollisionError);
        expect((error as TableCollisionError).table).toBe('badges');
      } finally {
        await bare.destroy();
      }
      expect((await listTables(db, 'mysql')).sort()).toEqual([...HOST_TABLES].sort());
      expect(await hostSnapshot(db)).toEqual(before);
    } finally {
      await t.drop();
    }
  }, 240_000);
});
