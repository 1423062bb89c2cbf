import { sql } from 'kysely';

import type { Db } from '../platform/db/connect';

import type { SearchLanguage } from './dialect';
import { DEFERRED_SOURCES, SearchIndexer } from './indexer';
import { SEARCH_SOURCES } from './sources';

export interface RebuildReport {
  dialect: string;
  sources: Array<{ table: string; rows: number; ms: number }>;
}

const BATCH = 50_000;

/**
 * Rebuilds the full-text indexes of migration 0013 from the rows they cover (after a restore, a
 * bulk import that bypassed them, or to change `search.language` on PostgreSQL):
 * - SQLite: empties each FTS5 table and indexes every row again, in id batches (the sources of
 *   migration 0015 by moving their cursor back to 0 with the emptying, in one write, and catching
 *   up as the server's indexer does, so a server writing meanwhile loses and doubles nothing);
 * - MariaDB: rebuilds each table (`alter table … engine = InnoDB`), which builds its FULLTEXT index again;
 * - PostgreSQL: reindexes the `simple` GIN indexes and creates the configured language's.
 */
export async function rebuildSearchIndex(
  d: Pick<Db, 'db' | 'dialect' | 'prefix' | 'groupCommit' | 'sqlite'>,
  language: SearchLanguage,
): Promise<RebuildReport> {
  const db = d.db.withoutPlugins();
  const p = (name: string) => d.prefix + name;
  const sources: RebuildReport['sources'] = [];
  // One indexer for every source of 0015 (its statements prepared once), not one per source.
  const indexer = d.dialect === 'sqlite' && d.sqlite ? new SearchIndexer({ ...d, sqlite: d.sqlite }, { warn: () => {} }, BATCH) : null;
  for (const { table, columns } of SEARCH_SOURCES) {
    const started = performance.now();
    const src = sql.id(p(table));
    const deferred = DEFERRED_SOURCES.some((s) => s.table === table);
    if (indexer && deferred) {
      const fts = sql.id(p(`search_fts_${table}`));
      await d.groupCommit.run(async (trx) => {
        await sql`insert into ${fts}(${fts}) values ('delete-all')`.execute(trx.withoutPlugins());
        await sql`update ${sql.id(p('search_index_cursors'))} set indexed_id = 0 where source = ${table}`.execute(trx.withoutPlugins());
      });
      await indexer.catchUp();
    } else if (d.dialect === 'sqlite') {
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
