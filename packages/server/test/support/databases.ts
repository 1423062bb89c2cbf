import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';

import { createConnection } from 'mysql2/promise';
import pg from 'pg';

import { connect, type Db, type DialectName } from '../../src/platform/db/connect';

export const MYSQL_SERVER = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
export const POSTGRES_SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

const withDb = (server: string, name: string) => {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
};

/** A fresh, empty database on a real server. Throws (never skips) when the server is down. */
export async function createTestDatabase(dialect: DialectName, opts: { prefix?: string } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const file = join(tmpdir(), `${name}.sqlite`);
    const url = `sqlite://${file}`;
    const db = connect(url, opts);
    return {
      url,
      db,
      async drop() {
        await db.destroy();
        for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      },
    };
  }
  if (dialect === 'mysql') {
    let admin;
    try {
      admin = await createConnection(MYSQL_SERVER);
    } catch (error) {
      throw new Error(`MariaDB at ${MYSQL_SERVER} is not reachable (${(error as Error).message}); the service suites need it`);
    }
    await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
    await admin.end();
    const url = withDb(MYSQL_SERVER, name);
    const db = connect(url, opts);
    return {
      url,
      db,
      async drop() {
        await db.destroy();
        const c = await createConnection(MYSQL_SERVER);
        await c.query(`drop database if exists \`${name}\``);
        await c.end();
      },
    };
  }
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${POSTGRES_SERVER} is not reachable (${(error as Error).message}); the service suites need it`);
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDb(POSTGRES_SERVER, name);
  const db = connect(url, opts);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: POSTGRES_SERVER });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
