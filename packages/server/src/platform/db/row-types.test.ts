import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { freshSqliteSchema, renderRowTypes } from './row-types';

describe('the row types (tables.ts)', () => {
  it('list exactly the columns the migrations create (run `npm run db:types` when this fails)', async () => {
    const committed = readFileSync(join(import.meta.dirname, 'tables.ts'), 'utf8');
    expect(committed, 'tables.ts is stale: run `npm run db:types` and commit it').toBe(renderRowTypes(await freshSqliteSchema()));
  });
});
