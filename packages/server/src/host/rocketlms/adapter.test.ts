import { Kysely, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';

import { runHostAdapterContract } from '../../../test/support/host-contract';
import { createDemoSchema } from '../demo/ddl';

import type { HostDatabase } from './schema';

runHostAdapterContract('SQLite (the demo school tables)', async () => {
  const db = new Kysely<HostDatabase>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  await createDemoSchema(db, 'sqlite');
  return { db, close: () => db.destroy() };
});
