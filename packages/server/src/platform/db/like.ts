import { sql } from 'kysely';

/**
 * A case-insensitive "contains" pattern whose wildcards are literal. `!` is the escape
 * character because a backslash means different things in MariaDB, SQLite and PostgreSQL.
 */
export const containsPattern = (q: string): string =>
  `%${q
    .trim()
    .toLowerCase()
    .replace(/[!%_]/g, (c) => `!${c}`)}%`;

/** `lower(column) like pattern escape '!'`, the same on every dialect. */
export const likeLower = (column: string, pattern: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
