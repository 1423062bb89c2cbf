import { sql, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/** The rows search reads, each with the columns its full-text index covers. */
const SOURCES: ReadonlyArray<{ table: string; columns: string[] }> = [
  { table: 'channel_messages', columns: ['content'] },
  { table: 'dm_messages', columns: ['content'] },
  { table: 'central_feed_items', columns: ['title', 'content'] },
  { table: 'central_feed_comments', columns: ['content'] },
  { table: 'communities', columns: ['name', 'description'] },
];

/**
 * Full-text indexes for search (#21), kept by the database itself in the same statement as every
 * insert, edit and delete of the rows they cover, so no write path can forget them:
 * - SQLite: one contentless FTS5 table per source (`search_fts_<table>`, rowid = the row's id,
 *   `contentless_delete=1`), filled by triggers on insert, on update of the indexed columns and on
 *   delete; existing rows are indexed here;
 * - MariaDB/MySQL: an InnoDB FULLTEXT index on the indexed columns;
 * - PostgreSQL: a GIN index on `to_tsvector('simple', …)` of the indexed columns (the language a
 *   query stems with is `search.language`; `communities search:rebuild` adds that language's
 *   index when it is not `simple`).
 * FTS5 tables are virtual (with shadow tables), not tables of ours: `listTables` leaves them out,
 * as it leaves out indexes. FROZEN once released.
 */
export const search: AddonMigration = {
  name: '0013_search',
  creates: [],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    for (const { table, columns } of SOURCES) {
      if (ctx.dialect === 'sqlite') {
        const fts = sql.id(p(`search_fts_${table}`));
        const src = sql.id(p(table));
        const cols = sql.join(columns.map((c) => sql.id(c)));
        const vals = (row: 'new') => sql.join(columns.map((c) => sql`coalesce(${sql.ref(`${row}.${c}`)}, '')`));
        await sql`create virtual table ${fts} using fts5(${cols}, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(
          db,
        );
        await sql`insert into ${fts}(rowid, ${cols}) select id, ${sql.join(columns.map((c) => sql`coalesce(${sql.id(c)}, '')`))} from ${src}`.execute(
          db,
        );
        await sql`create trigger ${sql.id(p(`search_fts_${table}__ai`))} after insert on ${src} begin
          insert into ${fts}(rowid, ${cols}) values (new.id, ${vals('new')}); end`.execute(db);
        await sql`create trigger ${sql.id(p(`search_fts_${table}__au`))} after update of ${cols} on ${src} begin
          delete from ${fts} where rowid = old.id;
          insert into ${fts}(rowid, ${cols}) values (new.id, ${vals('new')}); end`.execute(db);
        await sql`create trigger ${sql.id(p(`search_fts_${table}__ad`))} after delete on ${src} begin
          delete from ${fts} where rowid = old.id; end`.execute(db);
      } else if (ctx.dialect === 'mysql') {
        await sql`alter table ${sql.id(p(table))} add fulltext index ${sql.id(p(`${table}__search_ft`))} (${sql.join(columns.map((c) => sql.id(c)))})`.execute(
          db,
        );
      } else {
        const doc = sql.join(
          columns.map((c) => sql`coalesce(${sql.id(c)}, '')`),
          sql` || ' ' || `,
        );
        await sql`create index ${sql.id(p(`${table}__search_gin`))} on ${sql.id(p(table))} using gin (to_tsvector('simple'::regconfig, ${doc}))`.execute(
          db,
        );
      }
    }
  },
};
