// Writes packages/server/src/platform/db/tables.ts (the Kysely row types) from what the
// migrations create; `--check` fails when the committed file differs. The unit test
// row-types.test.ts makes the same comparison.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { freshSqliteSchema, renderRowTypes } from '../packages/server/src/platform/db/row-types';

const file = join(import.meta.dirname, '../packages/server/src/platform/db/tables.ts');
const text = renderRowTypes(await freshSqliteSchema());
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    console.error(`${file} is out of date: run \`npm run db:types\` and commit it.`);
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  console.log(`Wrote ${file}`);
}
