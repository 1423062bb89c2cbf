import { sql } from 'kysely';

import type { Db } from '../platform/db/connect';

import type { SearchLanguage, Source } from './dialect';

export const SEARCH_SOURCES: readonly Source[] = [
  { table: 'channel_messages', columns: ['content'] },
  { table: 'dm_messages', columns: ['content'] },
  { table: 'central_feed_items', columns: ['title', 'content'] },
  { table: 'central_feed_comments', columns: ['content'] },
  { table: 'communities', columns: ['name', 'description'] },
];

export interface RebuildReport {
  dialect: string;
  sources: Array<{ table: string; rows: number; ms: number }>;
}

const BATCH = 50_000;

/**
 * Rebuilds the full-text indexes of migration 0013 from the rows they cover (after a restore, a
 * bulk import that bypassed them, or to change `search.language` on PostgreSQL):
 * - SQLite: empties each FTS5 table and indexes every row again, in id batches;
 * - MariaDB: rebuilds each table (`alter table … engine = InnoDB`), which builds its FULLTEXT index again;
 * - PostgreSQL: reindexes the `simple` GIN indexes and creates the configured language's.
 */
export async function rebuildSearchIndex(d: Pick<Db, 'db' | 'dialect' | 'prefix'>, language: SearchLanguage): Promise<RebuildReport> {
  const db = d.db.withoutPlugins();
  const p = (name: string) => d.prefix + name;
  const sources: RebuildReport['sources'] = [];
  for (const { table, columns } of SEARCH_SOURCES) {
    const started = performance.now();
    const src = sql.id(p(table));
    if (d.dialect === 'sqlite') {
      const fts = sql.id(p(`search_fts_${table}`));
      const cols = sql.join(columns.map((c) => sql.id(c)));
      const vals = sql.join(columns.map((c) => sql`coalesce(${sql.id(c)}, '')`));
      await sql`insert into ${fts}(${fts}) values ('delete-all')`.execute(db);
      for (let after = 0; ;) {
        const last = (
          await sql<{
            id: number | null;
          }>`select max(id) as id from (select id from ${src} where id > ${after} order by id limit ${BATCH})`.execute(db)
        ).rows[0]?.id;
        if (last === null || last === undefined) break;
        await sql`insert into ${fts}(rowid, ${cols}) select id, ${vals} from ${src} where id > ${after} and id <= ${last}`.execute(db);
        after = last;
      }
    } else if (d.dialect === 'mysql') {
      // A null rebuild: InnoDB copies the table and builds its FULLTEXT index again from the rows.
      await sql`alter table ${src} engine = InnoDB`.execute(db);
    } else {
      await sql`reindex index ${sql.id(p(`${table}__search_gin`))}`.execute(db);
      if (language !== 'simple') {
        const doc = sql.join(
          columns.map((c) => sql`coalesce(${sql.id(c)}, '')`),
          sql` || ' ' || `,
        );
        await sql`create index if not exists ${sql.id(p(`${table}__search_${language}_gin`))} on ${src} using gin (to_tsvector(${sql.lit(language)}::regconfig, ${doc}))`.execute(
          db,
        );
      }
    }
    const rows = Number((await sql<{ n: number | string }>`select count(*) as n from ${src}`.execute(db)).rows[0]?.n ?? 0);
    sources.push({ table, rows, ms: Math.round(performance.now() - started) });
  }
  return { dialect: d.dialect, sources };
}
