#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `communities migrate` works without a build step, with
// the V8 flags a server runs with (node-flags.mjs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NODE_FLAGS } from './node-flags.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const result = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', join(here, '../src/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
