import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { connect } from './connect';
import { migrateAllDown, migrateToLatest, migrationStatus } from './migrate';
import { ADDON_TABLES } from './schema';

async function sqliteTables(d: ReturnType<typeof connect>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(d.db);
  return rows.rows.map((r) => r.name).sort();
}

describe('migrations on SQLite', () => {
  for (const prefix of ['', 'cm_']) {
    it(`create every table, are a no-op the second time, and go down and up again (prefix "${prefix}")`, async () => {
      const d = connect('sqlite::memory:', { prefix });
      try {
        const first = await migrateToLatest(d);
        expect(first.map((r) => r.migrationName)).toEqual(['0001_initial']);
        expect(await migrateToLatest(d)).toEqual([]);
        const tables = await sqliteTables(d);
        for (const t of ADDON_TABLES) expect(tables).toContain(prefix + t);
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

        await migrateAllDown(d);
        const left = (await sqliteTables(d)).filter((t) => ADDON_TABLES.some((a) => prefix + a === t));
        expect(left).toEqual([]);
        expect((await migrateToLatest(d)).length).toBe(1);
      } finally {
        await d.destroy();
      }
    });
  }
});
