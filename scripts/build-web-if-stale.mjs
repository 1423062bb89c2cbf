// Builds packages/web when its output is missing or older than its sources, so `npm start`
// on a fresh clone serves the web app without a separate build step, and restarts stay fast.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const output = join(root, 'packages/web/dist/index.html');
const sources = [
  'packages/web/src',
  'packages/web/index.html',
  'packages/web/vite.config.ts',
  'packages/client/src',
  'packages/contract/src',
  'locales',
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = existsSync(output) ? statSync(output).mtimeMs : 0;
const changed = Math.max(...sources.map((s) => newest(join(root, s))));
if (built >= changed && !process.argv.includes('--force')) process.exit(0);
console.log('Building the web app…');
const result = spawnSync('npm', ['run', '-w', '@communities/web', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
