import { describe, it } from 'vitest';

import { checkUpgrade } from './support/upgrade';

// An install built at 0001 and full of rows, migrated to the latest migration, has a fresh
// install's schema and every row it had. MariaDB and PostgreSQL: migrations-upgrade.service.test.ts.
describe('upgrading a populated SQLite database from 0001', () => {
  for (const prefix of ['', 'cm_']) {
    it(`ends with a fresh install's schema and every row (prefix "${prefix}")`, () => checkUpgrade('sqlite', prefix));
  }
});
