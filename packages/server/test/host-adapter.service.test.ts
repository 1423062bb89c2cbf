import { randomBytes } from 'node:crypto';

import { createConnection } from 'mysql2/promise';

import { createDemoSchema } from '../src/host/demo/ddl';
import { openHostDb } from '../src/host/rocketlms/adapter';

import { MYSQL_SERVER } from './support/databases';
import { runHostAdapterContract } from './support/host-contract';

// The same assertions as the SQLite suite, on a RocketLMS-shaped schema in a real MariaDB.
runHostAdapterContract('MariaDB (a RocketLMS-shaped schema)', async () => {
  const name = `test_host_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection(MYSQL_SERVER).catch((error: Error) => {
    throw new Error(`MariaDB at ${MYSQL_SERVER} is not reachable: ${error.message}`);
  });
  await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(MYSQL_SERVER);
  url.pathname = `/${name}`;
  const host = openHostDb(url.toString());
  await createDemoSchema(host.db, 'mysql');
  return {
    db: host.db,
    async close() {
      await host.destroy();
      const c = await createConnection(MYSQL_SERVER);
      await c.query(`drop database \`${name}\``);
      await c.end();
    },
  };
});
