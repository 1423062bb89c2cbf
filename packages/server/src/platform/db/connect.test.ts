import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { connect, type Db } from './connect';

let db: Db | null = null;
let dir: string | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('connect (SQLite)', () => {
  it('maps database.sqlite_mmap_mb of the file, and none by default', async () => {
    dir = mkdtempSync(join(tmpdir(), 'connect-'));
    db = connect(`sqlite://${join(dir, 'a.sqlite')}`, { sqliteMmapMb: 64 });
    expect(db.sqlite!.pragma('mmap_size', { simple: true })).toBe(64 * 1_048_576);
    await db.destroy();
    db = connect(`sqlite://${join(dir, 'b.sqlite')}`);
    expect(db.sqlite!.pragma('mmap_size', { simple: true })).toBe(0);
  });

  it('reads rows with named columns and with * alike, in column order, the last of a repeated name winning', async () => {
    db = connect('sqlite::memory:');
    await sql`create table t (a integer, b text, c real)`.execute(db.db);
    await sql`insert into t values (1, 'x', 1.5), (2, null, 2.5)`.execute(db.db);
    const named = await sql<Record<string, unknown>>`select a, b, c as "see" from t order by a`.execute(db.db);
    expect(named.rows).toEqual([
      { a: 1, b: 'x', see: 1.5 },
      { a: 2, b: null, see: 2.5 },
    ]);
    expect(Object.keys(named.rows[0]!)).toEqual(['a', 'b', 'see']);
    const star = await sql<Record<string, unknown>>`select * from t order by a`.execute(db.db);
    expect(star.rows).toEqual([
      { a: 1, b: 'x', c: 1.5 },
      { a: 2, b: null, c: 2.5 },
    ]);
    // `select *` follows the schema: a column added later is in the next answer.
    await sql`alter table t add column d integer default 7`.execute(db.db);
    expect((await sql<Record<string, unknown>>`select * from t order by a`.execute(db.db)).rows[0]).toEqual({ a: 1, b: 'x', c: 1.5, d: 7 });
    const repeated = await sql<Record<string, unknown>>`select a as v, b as v from t order by a`.execute(db.db);
    expect(repeated.rows).toEqual([{ v: 'x' }, { v: null }]);
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(db.db)).rows).toEqual([{ n: 2 }]);
  });
});
