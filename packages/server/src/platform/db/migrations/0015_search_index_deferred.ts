import { sql, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/** The sources of 0013 written on the hot paths (every message, post and comment), with their indexed columns. */
const DEFERRED: ReadonlyArray<{ table: string; columns: string[] }> = [
  { table: 'channel_messages', columns: ['content'] },
  { table: 'dm_messages', columns: ['content'] },
  { table: 'central_feed_items', columns: ['title', 'content'] },
  { table: 'central_feed_comments', columns: ['content'] },
];

/**
 * SQLite: new rows of the hot sources are indexed in batches instead of by 0013's insert trigger
 * (#16, #22). The trigger's FTS5 insert ran inside every write, ~35 µs of CPU a row in a bare
 * loop, where one `insert … select` over a batch of new rows costs ~4 µs a row.
 * - `search_index_cursors` holds, per source (unique), the highest id whose row is indexed: every row
 *   with an id at or below it is in the index, every row above it is not (ids are AUTOINCREMENT,
 *   never reused, and SQLite has one writer, so rows commit in id order).
 * - The insert triggers go; the server's indexer (`search/indexer.ts`) indexes the rows above
 *   the cursor and moves it, in one write transaction, shortly after each commit and before every
 *   search reads, so a search still finds what was just posted.
 * - The update and delete triggers stay, guarded by the cursor: a row not yet indexed is left to
 *   the indexer, which reads it as it is by then (or never, when it is gone).
 * The cursors start at each table's highest id: 0013 indexed every row there was.
 * MariaDB and PostgreSQL keep their own indexes in the write (FULLTEXT, GIN); the table is
 * created there too, so every dialect has the same tables, and stays empty. FROZEN once released.
 */
export const searchIndexDeferred: AddonMigration = {
  name: '0015_search_index_deferred',
  creates: ['search_index_cursors'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (name: string) => ctx.prefix + name;
    const table = db.schema.createTable(p('search_index_cursors'));
    await (
      ctx.dialect === 'postgres'
        ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : ctx.dialect === 'mysql'
          ? table.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    )
      .addColumn('source', 'varchar(64)', (c) => c.notNull())
      .addColumn('indexed_id', 'bigint', (c) => c.notNull())
      .addUniqueConstraint(p('search_index_cursors__source_uq'), ['source'])
      .execute();
    if (ctx.dialect !== 'sqlite') return;
    const cursors = sql.id(p('search_index_cursors'));
    for (const { table, columns } of DEFERRED) {
      const src = sql.id(p(table));
      const fts = sql.id(p(`search_fts_${table}`));
      const cols = sql.join(columns.map((c) => sql.id(c)));
      const vals = sql.join(columns.map((c) => sql`coalesce(${sql.ref(`new.${c}`)}, '')`));
      const indexed = sql`old.id <= (select indexed_id from ${cursors} where source = ${sql.lit(table)})`;
      await sql`insert into ${cursors} (source, indexed_id) select ${sql.lit(table)}, coalesce(max(id), 0) from ${src}`.execute(db);
      for (const t of ['ai', 'au', 'ad']) await sql`drop trigger ${sql.id(p(`search_fts_${table}__${t}`))}`.execute(db);
      await sql`create trigger ${sql.id(p(`search_fts_${table}__au`))} after update of ${cols} on ${src} when ${indexed} begin
        delete from ${fts} where rowid = old.id;
        insert into ${fts}(rowid, ${cols}) values (new.id, ${vals}); end`.execute(db);
      await sql`create trigger ${sql.id(p(`search_fts_${table}__ad`))} after delete on ${src} when ${indexed} begin
        delete from ${fts} where rowid = old.id; end`.execute(db);
    }
  },
};
