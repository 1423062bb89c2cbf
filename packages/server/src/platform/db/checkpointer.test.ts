import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { Checkpointer } from './checkpointer';
import { connect, type Db } from './connect';

let db: Db | undefined;
let dir: string | undefined;
afterEach(async () => {
  await db?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WAL checkpoints off the event loop (SQLite file)', () => {
  it('the server connection stops checkpointing once the worker runs, and the worker copies the WAL into the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'communities-ckpt-'));
    const path = join(dir, 'c.sqlite');
    db = connect(`sqlite://${path}`);
    const handle = db.sqlite!;
    await until(() => handle.pragma('wal_autocheckpoint', { simple: true }) === 0);

    await sql`create table t (id integer primary key, body text not null)`.execute(db.db);
    const before = statSync(path).size;
    // About 20 MB through the WAL in many commits; SQLite alone would checkpoint every 1,000 pages.
    const body = 'x'.repeat(2000);
    for (let i = 0; i < 100; i++)
      await db.db.transaction().execute(async (trx) => {
        for (let j = 0; j < 100; j++) await sql`insert into t (body) values (${body})`.execute(trx);
      });
    // The server's connection no longer checkpoints, so only the worker can have grown the file.
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await until(() => statSync(path).size > before + 10_000_000);
    const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(db.db);
    expect(rows.rows[0]!.n).toBe(10_000);
  });

  it('a WAL the writer never lets rewind (commits back to back) starts over past the bound', async () => {
    dir = mkdtempSync(join(tmpdir(), 'communities-ckpt-'));
    const path = join(dir, 'busy.sqlite');
    const handle = new SQLite(path);
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    handle.exec('create table t (id integer primary key, body blob not null)');
    const checkpointer = new Checkpointer(handle, { restartBytes: 4 * 1024 * 1024 });
    await until(() => handle.pragma('wal_autocheckpoint', { simple: true }) === 0);
    const insert = handle.prepare('insert into t (body) values (?)');
    const body = Buffer.alloc(16 * 1024, 7);
    let written = 0;
    let longest = 0;
    // A commit every millisecond or so for 2 s (tens of MB a second, as a busy server writes), so
    // one always lands while the worker copies.
    for (const end = Date.now() + 2000; Date.now() < end;) {
      handle.transaction(() => {
        for (let i = 0; i < 4; i++) insert.run(body);
      })();
      written += 4 * body.length;
      longest = Math.max(longest, statSync(`${path}-wal`).size);
      await new Promise((r) => setTimeout(r, 1));
    }
    checkpointer.stop();
    expect(checkpointer.rewinds.done).toBeGreaterThan(0);
    // The WAL started over instead of holding everything written.
    expect(written).toBeGreaterThan(16 * 1024 * 1024);
    expect(longest).toBeLessThan(written / 2);
    handle.close();
  });

  it('should the worker fail, the connection checkpoints by itself again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'communities-ckpt-'));
    const path = join(dir, 'gone.sqlite');
    const handle = new SQLite(path);
    handle.pragma('journal_mode = WAL');
    handle.pragma('wal_autocheckpoint = 0');
    rmSync(path); // the worker's connection cannot open it
    new Checkpointer(handle);
    await until(() => handle.pragma('wal_autocheckpoint', { simple: true }) === 1000);
    handle.close();
  });

  it('does not keep a process alive (a CLI command that never closes its connection still exits)', () => {
    dir = mkdtempSync(join(tmpdir(), 'communities-ckpt-'));
    const connectTs = join(import.meta.dirname, 'connect.ts');
    const script = `import { connect } from ${JSON.stringify(connectTs)};
const d = connect(${JSON.stringify(`sqlite://${join(dir, 'alive.sqlite')}`)});
setTimeout(() => d.sqlite.pragma('user_version'), 500);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('an in-memory database has no WAL and no worker', async () => {
    db = connect('sqlite::memory:');
    expect(db.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
