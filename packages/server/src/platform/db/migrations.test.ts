import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { connect, type Db } from './connect';
import { listTables } from './introspect';
import { migrateTo, migrateToLatest, migrationStatus, TableCollisionError } from './migrate';
import { MIGRATIONS } from './migrations';
import { ADDON_TABLES } from './schema';
import { tablePrefix } from './table-prefix';

const tables = (d: Db) => listTables(d.db.withoutPlugins(), 'sqlite');
const NAMES = MIGRATIONS.map((m) => m.name);

describe('migrations on SQLite', () => {
  for (const prefix of ['', 'cm_']) {
    it(`create every table, report each migration as it lands, and are a no-op the second time (prefix "${prefix}")`, async () => {
      const d = connect('sqlite::memory:', { prefix });
      try {
        const seen: string[] = [];
        const applied = await migrateToLatest(d, (m) => seen.push(m.name));
        expect(applied.map((m) => m.name)).toEqual(NAMES);
        expect(seen).toEqual(NAMES);
        expect(await migrateToLatest(d)).toEqual([]);
        const names = await tables(d);
        for (const t of ADDON_TABLES) expect(names).toContain(prefix + t);
        expect((await migrationStatus(d)).every((m) => m.executedAt !== null)).toBe(true);

        // Queries use bare names; the plugin adds the prefix.
        const now = new Date().toISOString();
        const c = await d.db
          .insertInto('communities')
          .values({
            owner_id: 1,
            slug: 'x',
            name: 'X',
            visibility: 'public',
            status: 'active',
            settings: '{}',
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const role = await d.db
          .insertInto('community_roles')
          .values({ community_id: c.id, name: 'Member', slug: 'member', permissions: '[]', created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        await d.db
          .insertInto('community_members')
          .values({
            community_id: c.id,
            user_id: 5,
            role_id: role.id,
            joined_at: now,
            status: 'active',
            source: 'join',
            created_at: now,
            updated_at: now,
          })
          .execute();
        const ch = await d.db
          .insertInto('channels')
          .values({ community_id: c.id, name: 'general', slug: 'general', type: 'text', settings: '{}', created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        await d.db
          .insertInto('channel_messages')
          .values({
            channel_id: ch.id,
            user_id: 5,
            content: 'hi',
            metadata: '{}',
            moderation_state: 'visible',
            created_at: now,
            updated_at: now,
          })
          .execute();
        // Deleting a community cascades to its channels, messages, roles and members.
        await d.db.deleteFrom('community_members').execute();
        await d.db.deleteFrom('communities').where('id', '=', c.id).execute();
        expect(await d.db.selectFrom('channel_messages').select('id').execute()).toEqual([]);
        expect(await d.db.selectFrom('community_roles').select('id').execute()).toEqual([]);
        // The badge foreign key followed the rename.
        const badge = await d.db
          .insertInto('community_badges')
          .values({ slug: 'first', name: 'First', rule: '{}', created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        await d.db.insertInto('user_badges').values({ user_id: 5, badge_id: badge.id, awarded_at: now }).execute();
        await expect(d.db.insertInto('user_badges').values({ user_id: 6, badge_id: 999, awarded_at: now }).execute()).rejects.toThrow(
          /FOREIGN KEY/,
        );
      } finally {
        await d.destroy();
      }
    });
  }

  it('declare exactly the tables each migration creates, renames and drops', async () => {
    for (const prefix of ['', 'cm_']) {
      const d = connect('sqlite::memory:', { prefix });
      try {
        let before = new Set(await tables(d));
        for (const m of MIGRATIONS) {
          await migrateTo(d, m.name);
          const after = new Set(await tables(d));
          const added = [...after].filter((t) => !before.has(t) && !t.startsWith(`${prefix}communities_migrations`));
          const removed = [...before].filter((t) => !after.has(t));
          expect({ migration: m.name, added: added.sort() }).toEqual({ migration: m.name, added: m.creates.map((t) => prefix + t).sort() });
          expect({ migration: m.name, removed: removed.sort() }).toEqual({
            migration: m.name,
            removed: [...Object.keys(m.renames ?? {}), ...(m.drops ?? [])].map((t) => prefix + t).sort(),
          });
          before = after;
        }
      } finally {
        await d.destroy();
      }
    }
  });

  it('are numbered in order, one file each, all registered', () => {
    const files = readdirSync(join(import.meta.dirname, 'migrations'))
      .filter((f) => /^\d{4}_.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(NAMES).toEqual(files.sort());
    NAMES.forEach((name, i) => expect(name.slice(0, 4)).toBe(String(i + 1).padStart(4, '0')));
  });

  it('never change once released (a change to the schema is a new migration)', () => {
    // Whitespace-insensitive, so reformatting is fine; anything else in a released file is not.
    const released = JSON.parse(readFileSync(join(import.meta.dirname, 'migrations/released.json'), 'utf8')) as Record<string, string>;
    const actual = Object.fromEntries(
      NAMES.map((name) => {
        const text = readFileSync(join(import.meta.dirname, `migrations/${name}.ts`), 'utf8').replace(/\s+/g, '');
        return [name, createHash('sha256').update(text).digest('hex')];
      }),
    );
    for (const [name, hash] of Object.entries(released)) {
      expect(actual[name], `${name} was released and must not change: put the change in a new migration`).toBe(hash);
    }
    expect(Object.keys(released), 'record every migration in migrations/released.json').toEqual(NAMES);
  });

  it('refuse, naming the table, to create a table that exists and is not the addon’s, before creating anything', async () => {
    const d = connect('sqlite::memory:');
    try {
      // RocketLMS's own badges table, with a row.
      await sql`create table badges (id integer primary key, title varchar(128) not null, type varchar(32) not null)`.execute(d.db);
      await sql`insert into badges (id, title, type) values (1, 'Old member', 'register_date')`.execute(d.db);
      const error = await migrateToLatest(d).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TableCollisionError);
      expect((error as TableCollisionError).table).toBe('badges');
      expect((error as Error).message).toContain('`badges` already exists and is not the addon');
      // Nothing created, not even the bookkeeping tables; the host's row is still there.
      expect(await tables(d)).toEqual(['badges']);
      expect((await sql<{ title: string }>`select title from badges`.execute(d.db)).rows).toEqual([{ title: 'Old member' }]);
    } finally {
      await d.destroy();
    }
  });

  it('refuse a later migration whose table someone else created meanwhile, and leave that table alone', async () => {
    const d = connect('sqlite::memory:', { prefix: 'cm_' });
    try {
      await migrateTo(d, '0001_initial');
      await sql`create table cm_community_badges (id integer primary key, note text)`.execute(d.db);
      await expect(migrateToLatest(d)).rejects.toThrow('`cm_community_badges` already exists');
      const status = await migrationStatus(d);
      expect(status.map((m) => [m.name, m.executedAt !== null])).toEqual([
        ['0001_initial', true],
        ['0002_host_safe_names', false],
        ['0003_event_outbox', false],
        ['0004_moderation', false],
        ['0005_gamification', false],
        ['0008_admin_tools', false],
      ]);
      // 0002 did not run: the addon's badges table was not renamed, the other one not touched.
      expect(await tables(d)).toContain('cm_badges');
      expect((await sql<{ name: string }>`select name from pragma_table_info('cm_community_badges')`.execute(d.db)).rows).toEqual([
        { name: 'id' },
        { name: 'note' },
      ]);
    } finally {
      await d.destroy();
    }
  });
});

describe('the table prefix in effect', () => {
  const cfg = (table_prefix: string, adapter: 'rocketlms' | 'demo', database_url?: string, url = 'mysql://x@h/db') => ({
    database: { url, table_prefix, pool_size: 10 },
    host: { adapter, database_url } as never,
  });
  it('is cm_ when the addon shares RocketLMS’s MariaDB database and none is set, else as configured', () => {
    expect(tablePrefix(cfg('', 'rocketlms'))).toBe('cm_');
    expect(tablePrefix(cfg('', 'rocketlms', 'mysql://ro@h/rocketlms'))).toBe('');
    expect(tablePrefix(cfg('', 'demo'))).toBe('');
    expect(tablePrefix(cfg('', 'rocketlms', undefined, 'sqlite://x.sqlite'))).toBe('');
    expect(tablePrefix(cfg('x_', 'rocketlms'))).toBe('x_');
  });
});
