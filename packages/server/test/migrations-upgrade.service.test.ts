import { describe, it } from 'vitest';

import { checkUpgrade } from './support/upgrade';

// The same check as migrations-upgrade.test.ts (SQLite), on the real servers.
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`upgrading a populated ${dialect} database from 0001`, () => {
    for (const prefix of ['', 'cm_']) {
      it(`ends with a fresh install's schema and every row (prefix "${prefix}")`, () => checkUpgrade(dialect, prefix), 180_000);
    }
  });
}
