import { SEARCH_MAX_RESULTS, type SEARCH_LANGUAGES } from '@communities/contract';
import { sql, type RawBuilder } from 'kysely';

import type { Db } from '../platform/db/connect';
import { containsPattern } from '../platform/db/like';

/** A table search reads and the columns its full-text index covers (migration 0013). */
export interface Source {
  table: 'channel_messages' | 'dm_messages' | 'central_feed_items' | 'central_feed_comments' | 'communities';
  columns: string[];
}

export type SearchLanguage = (typeof SEARCH_LANGUAGES)[number];

/** MariaDB's InnoDB FULLTEXT leaves out words shorter than innodb_ft_min_token_size (3 by default). */
const MYSQL_MIN_WORD = 3;

/**
 * The full-text match of one dialect over migration 0013's indexes. `candidates` returns a
 * source's rows (aliased `m`) that contain every term and pass `where`, at most
 * SEARCH_MAX_RESULTS of them: on SQLite the newest matches (FTS5 walks its doclist by rowid
 * descending and stops at the limit; ordering by bm25 would score every match first: p99 230 ms
 * against 15 ms for common word pairs at 300 k messages), on MariaDB and PostgreSQL the best by
 * their own rank (MATCH relevance, ts_rank). The service ranks the candidates together.
 */
export function fullText(d: Pick<Db, 'db' | 'dialect' | 'prefix'>, language: SearchLanguage, terms: readonly string[]) {
  const and = (w: readonly RawBuilder<unknown>[]) => (w.length ? sql`and ${sql.join(w, sql` and `)}` : sql``);
  const limit = SEARCH_MAX_RESULTS;
  return {
    async candidates<R>(src: Source, select: RawBuilder<unknown>, where: readonly RawBuilder<unknown>[]): Promise<R[]> {
      const m = sql`${sql.table(src.table)} as m`;
      let q: RawBuilder<R>;
      if (d.dialect === 'sqlite') {
        const fts = sql.id(`${d.prefix}search_fts_${src.table}`);
        const match = terms.map((t) => `"${t}"`).join(' ');
        q = sql<R>`select ${select} from ${fts} join ${m} on m.id = ${fts}.rowid
          where ${fts} match ${match} ${and(where)}
          order by ${fts}.rowid desc limit ${limit}`;
      } else if (d.dialect === 'mysql') {
        const long = terms.filter((t) => t.length >= MYSQL_MIN_WORD);
        const cols = sql.join(src.columns.map((c) => sql.ref(`m.${c}`)));
        if (long.length === 0) {
          // Only short words: no FULLTEXT token to look up, so a bounded scan of what `where` allows.
          const like = sql.join(
            terms.map(
              (t) =>
                sql`(${sql.join(
                  src.columns.map((c) => sql`lower(coalesce(${sql.ref(`m.${c}`)}, '')) like ${containsPattern(t)} escape '!'`),
                  sql` or `,
                )})`,
            ),
            sql` and `,
          );
          q = sql<R>`select ${select} from ${m} where ${like} ${and(where)} order by m.id desc limit ${limit}`;
        } else {
          const against = long.map((t) => `+"${t}"`).join(' ');
          const match = sql`match(${cols}) against (${against} in boolean mode)`;
          q = sql<R>`select ${select} from ${m} where ${match} ${and(where)} order by ${match} desc, m.id desc limit ${limit}`;
        }
      } else {
        const lang = sql.lit(language);
        const doc = sql.join(
          src.columns.map((c) => sql`coalesce(${sql.ref(`m.${c}`)}, '')`),
          sql` || ' ' || `,
        );
        const vector = sql`to_tsvector(${lang}::regconfig, ${doc})`;
        const query = sql`plainto_tsquery(${lang}::regconfig, ${terms.join(' ')})`;
        q = sql<R>`select ${select} from ${m} where ${vector} @@ ${query} ${and(where)}
          order by ts_rank(${vector}, ${query}) desc, m.id desc limit ${limit}`;
      }
      return (await q.execute(d.db)).rows;
    },
  };
}
