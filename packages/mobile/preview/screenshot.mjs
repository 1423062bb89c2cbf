// Opens the preview in Debian's Chromium against a real demo server and saves phone-sized
// screenshots of each screen to .artifacts/screenshots/mobile-*.png (git ignores them).
// Run: npm run screenshots -w packages/mobile   (uses tsx for the server's TypeScript)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createApi } from '@communities/client';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const out = resolve(pkg, '..', '..', '.artifacts', 'screenshots');
mkdirSync(out, { recursive: true });

const server = spawn(process.execPath, ['--import', 'tsx', join(pkg, 'test/support/server-main.mjs'), '--demo-content'], {
  cwd: pkg,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const { url, demo } = await new Promise((ok, fail) => {
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += d;
    if (buf.includes('\n')) ok(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
  });
  server.on('exit', (code) => fail(new Error(`server exited ${code}`)));
});

const userId = demo.studentIds[0];
const api = createApi({ baseUrl: url });
const { token } = await api.system.demoToken({ body: { user_id: userId } });
const as = createApi({ baseUrl: url, token: () => token });
const joined = (await as.communities.list({ query: { joined: 'true' } })).items;
const community = joined[0];
const channel = (await as.channels.list({ params: { id: String(community.id) } })).items.find(
  (c) => c.type === 'text' && c.last_message_id,
);
const thread = (await as.dm.inbox()).items[0];

process.env.COMMUNITIES_API = url;
const vite = await createServer({ configFile: join(here, 'vite.config.ts'), server: { port: 0, host: '127.0.0.1' } });
await vite.listen();
const previewUrl = vite.resolvedUrls.local[0];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
page.on('pageerror', (e) => console.error('page error:', e.message));
const shots = [
  ['communities', '#/communities', community.name],
  ['community', `#/community/${community.slug}`, community.name],
  ['channel', `#/channel/${channel?.id}`, channel?.name ?? ''],
  ['messages', '#/messages', ''],
  ['thread', `#/thread/${thread?.id}`, ''],
];
try {
  for (const [name, hash, waitFor] of shots) {
    await page.goto(`${previewUrl}?as=${userId}${hash}`);
    await page.waitForLoadState('networkidle');
    if (waitFor) await page.getByText(waitFor).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(400);
    const file = join(out, `mobile-${name}.png`);
    await page.screenshot({ path: file });
    console.log('saved', file);
  }
} finally {
  await browser.close();
  await vite.close();
  server.stdin.end();
}
