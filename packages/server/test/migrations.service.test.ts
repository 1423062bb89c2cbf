import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';

import { migrateToLatest } from '../src/platform/db/migrate';
import { MIGRATIONS } from '../src/platform/db/migrations';
import { ADDON_TABLES } from '../src/platform/db/schema';

import { createTestDatabase } from './support/databases';

async function tables(dialect: 'mysql' | 'postgres', db: Kysely<any>): Promise<string[]> {
  const q =
    dialect === 'mysql'
      ? sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database()`
      : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`;
  return (await q.execute(db)).rows.map((r) => r.name);
}

for (const dialect of ['mysql', 'postgres'] as const) {
  for (const prefix of ['', 'cm_']) {
    describe(`migrations on ${dialect} (prefix "${prefix}")`, () => {
      it('create every table, are a no-op twice, and work through Kysely', async () => {
        const t = await createTestDatabase(dialect, { prefix });
        try {
          expect((await migrateToLatest(t.db)).map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
          expect(await migrateToLatest(t.db)).toEqual([]);
          const names = await tables(dialect, t.db.db);
          for (const table of ADDON_TABLES) expect(names).toContain(prefix + table);

          const now = new Date().toISOString();
          const c = await t.db.db
            .insertInto('communities')
            .values({
              owner_id: 1,
              slug: 'caf\u00e9-\u{1F600}',
              name: 'Caf\u00e9 \u{1F600}',
              visibility: 'public',
              status: 'active',
              settings: '{}',
              created_at: now,
              updated_at: now,
            })
            .executeTakeFirstOrThrow();
          const id = Number(c.insertId ?? (await t.db.db.selectFrom('communities').select('id').executeTakeFirstOrThrow()).id);
          const ch = await t.db.db
            .insertInto('channels')
            .values({ community_id: id, name: 'general', slug: 'general', type: 'text', settings: '{}', created_at: now, updated_at: now })
            .executeTakeFirstOrThrow();
          const channelId = Number(ch.insertId ?? (await t.db.db.selectFrom('channels').select('id').executeTakeFirstOrThrow()).id);
          await t.db.db
            .insertInto('channel_messages')
            .values({
              channel_id: channelId,
              user_id: 5,
              content: 'x'.repeat(70_000),
              metadata: '{}',
              nonce: 'n1',
              moderation_state: 'visible',
              created_at: now,
              updated_at: now,
            })
            .execute();
          const back = await t.db.db.selectFrom('communities').selectAll().executeTakeFirstOrThrow();
          expect(back.name).toBe('Caf\u00e9 \u{1F600}');
          expect(back.is_featured).toBe(0);
          const msg = await t.db.db.selectFrom('channel_messages').selectAll().executeTakeFirstOrThrow();
          expect(msg.content.length).toBe(70_000);
          // The (user_id, nonce) key refuses a duplicate nonce.
          await expect(
            t.db.db
              .insertInto('channel_messages')
              .values({
                channel_id: channelId,
                user_id: 5,
                content: 'y',
                metadata: '{}',
                nonce: 'n1',
                moderation_state: 'visible',
                created_at: now,
                updated_at: now,
              })
              .execute(),
          ).rejects.toThrow();
        } finally {
          await t.drop();
        }
      });
    });
  }
}
