// Opens the preview in Debian's Chromium against a real demo server and saves phone-sized
// screenshots of each screen to .artifacts/screenshots/mobile-*.png (git ignores them).
// Run: npm run screenshots -w packages/mobile   (uses tsx for the server's TypeScript)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createApi } from '@communities/client';
import { endpoints } from '@communities/contract';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { drawPng } from '../test/support/png.ts';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const out = resolve(pkg, '..', '..', '.artifacts', 'screenshots');
mkdirSync(out, { recursive: true });

const server = spawn(process.execPath, ['--import', 'tsx', join(pkg, 'test/support/server-main.mjs'), '--demo-content', '--worker'], {
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

// States worth looking at: an edited message, a deleted one, and one of ours to open the actions of.
const post = (content) => as.channels.post({ params: { channelId: channel.id }, body: { content } });
const late = await post('Running late, start without me');
await as.channels.edit({ params: { messageId: late.id }, body: { content: 'Running 10 minutes late, start without me' } });
const oops = await post('Oops, wrong channel');
await as.channels.removeMessage({ params: { messageId: oops.id } });
await post(
  [
    '**Reminder:** the _study group_ moved to ~~Friday~~ Saturday. Notes: [shared doc](https://example.com/notes), run `npm test` first.',
    '> Be kind, stay on topic.',
    '1. read chapter 3\n2. try the [exercises](/communities/demo)\n\n- <b>HTML</b> stays text\n- [this](javascript:alert(1)) is no link',
    '```\nconst answer = [1, 2, 10].sort((a, b) => a - b);\n```',
    `Thanks @[${(await as.system.me()).name}](user:${userId}), @[Moderators](role:moderator) and @everyone!`,
  ].join('\n\n'),
);
// A photo (a sunset drawn here: no binary files in the repository), scanned clean by the worker.
const sunset = drawPng(480, 320, (x, y) => (y > 220 ? [30, 40, 70] : [250 - y / 2, 120 + x / 8, 60 + y / 3]));
const form = new FormData();
form.append('file', new Blob([sunset], { type: 'image/png' }), 'sunset.png');
const photo = await as.call(endpoints.uploads.upload, { query: { purpose: 'channel' }, body: form });
await as.channels.post({ params: { channelId: channel.id }, body: { content: 'Last night from the roof', attachment_ids: [photo.id] } });
for (let i = 0; i < 50 && (await as.uploads.status({ params: { kind: 'channel', id: photo.id } })).scan_status === 'pending'; i++)
  await new Promise((r) => setTimeout(r, 200));
const own = await post('Who has the slides from Tuesday?');

// Someone in the community who has blocked the student, to show how a refused DM reads.
const members = (await as.communities.members({ params: { id: String(community.id) }, query: { limit: 20 } })).items;
const blocker = members.find((m) => m.user.id !== userId && m.role.slug === 'member')?.user;
if (blocker) {
  const { token: blockerToken } = await api.system.demoToken({ body: { user_id: blocker.id } });
  await createApi({ baseUrl: url, token: () => blockerToken }).dm.block({ params: { userId } });
}

// The feed: a post with a comment thread to open, and someone muted to show how the channel explains it.
const detail = await as.communities.get({ params: { id: String(community.id) } });
const { token: ownerToken } = await api.system.demoToken({ body: { user_id: detail.owner.id } });
const asOwner = createApi({ baseUrl: url, token: () => ownerToken });
const walk = await asOwner.feed.post({
  params: { id: String(community.id) },
  body: { content: 'Saturday **photo walk** along the river: meet at the bridge at 9. Bring a spare battery!' },
});
const question = await as.feed.comment({ params: { itemId: walk.id }, body: { content: 'Is it on if it rains?' } });
await asOwner.feed.comment({
  params: { itemId: walk.id },
  body: { content: 'Rain makes the best reflections. It is on.', parent_id: question.id },
});
await as.feed.react({ params: { itemId: walk.id }, body: { emoji: '🎉' } });
const quiet = members.filter((m) => m.user.id !== userId && m.user.id !== blocker?.id && m.role.slug === 'member').at(-1)?.user;
if (quiet)
  await asOwner.communities.updateMember({
    params: { id: String(community.id), userId: quiet.id },
    body: { status: 'muted', duration_minutes: 90 },
  });
const slowLane = await asOwner.channels.create({
  params: { id: String(community.id) },
  body: { name: 'slow-lane', slow_mode_seconds: 30 },
});

process.env.COMMUNITIES_API = url;
const vite = await createServer({ configFile: join(here, 'vite.config.ts'), server: { port: 0, host: '127.0.0.1' } });
await vite.listen();
const previewUrl = vite.resolvedUrls.local[0];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
page.on('pageerror', (e) => console.error('page error:', e.message));
// React Native Web fires onLongPress after a press held for half a second.
const longPress = async (testId) => {
  await page.getByTestId(testId).click({ delay: 900 });
  await page.waitForTimeout(300);
};
const shots = [
  ['communities', '#/communities', community.name],
  ['community', `#/community/${community.slug}`, community.name],
  ['channel', `#/channel/${channel?.id}`, own.content],
  ['channel-actions', `#/channel/${channel?.id}`, own.content, () => longPress(`message-${own.id}`)],
  [
    'channel-editing',
    `#/channel/${channel?.id}`,
    own.content,
    async () => {
      await longPress(`message-${own.id}`);
      await page.getByTestId(`edit-${own.id}`).click();
    },
  ],
  [
    'channel-delete-confirm',
    `#/channel/${channel?.id}`,
    own.content,
    async () => {
      await longPress(`message-${own.id}`);
      await page.getByTestId(`delete-${own.id}`).click();
    },
  ],
  ['community-members', `#/community/${community.slug}`, community.name, () => page.getByTestId('chip-members').click()],
  [
    'community-members-refused',
    `#/community/${community.slug}`,
    community.name,
    async () => {
      await page.getByTestId('chip-members').click();
      await page.getByTestId(`message-member-${blocker?.id}`).click();
      await page.getByTestId('dm-start-error').waitFor();
    },
  ],
  [
    'channel-typing',
    `#/channel/${channel?.id}`,
    own.content,
    async () => {
      // someone else, in their own browser, starts typing in the same channel
      const typist = members.find((m) => m.user.id !== userId && m.user.id !== blocker?.id)?.user;
      const other = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await other.goto(`${previewUrl}?as=${typist?.id}#/channel/${channel?.id}`);
      await other.getByTestId('composer-input').waitFor();
      await other.getByTestId('composer-input').pressSequentially('I think Priya has them', { delay: 250 });
      await page.getByText('is typing…').waitFor({ timeout: 10_000 });
      // leaving the channel would end the typing: close only after the screenshot
      return () => other.close();
    },
  ],
  ['feed', `#/community/${community.slug}`, 'photo walk'],
  [
    'feed-compose',
    `#/community/${community.slug}`,
    'photo walk',
    async () => {
      await page.getByTestId('compose-input').fill('Contact sheet from last week, which ones should we print?');
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('compose-attach').click();
      await (await chooser).setFiles({ name: 'contact-sheet.png', mimeType: 'image/png', buffer: sunset });
      await page.getByTestId('upload-done').waitFor();
    },
  ],
  [
    'feed-live',
    `#/community/${community.slug}`,
    'photo walk',
    async () => {
      // someone else posts while the feed is open: a pill, not a jump (the socket may still be
      // subscribing, so post until it shows)
      for (let i = 1; !(await page.getByTestId('feed-new-posts').isVisible()); i++) {
        if (i > 10) throw new Error('no new-posts pill');
        await asOwner.feed.post({ params: { id: community.slug }, body: { content: `Prints are up on the board (${i})` } });
        await page.waitForTimeout(700);
      }
    },
  ],
  [
    'feed-post',
    `#/community/${community.slug}`,
    'photo walk',
    async () => {
      await page.getByTestId(`open-post-${walk.id}`).click();
      await page.getByText('Rain makes the best reflections. It is on.').waitFor();
    },
  ],
  [
    'feed-post-actions',
    `#/community/${community.slug}`,
    'photo walk',
    async () => {
      await page.getByTestId(`open-post-${walk.id}`).click();
      await page.getByTestId(`comment-actions-${question.id}`).click();
    },
  ],
  [
    'channel-slow',
    `#/channel/${slowLane.id}`,
    'slow-lane',
    async () => {
      for (const text of ['Is anyone here?', 'Hello?']) {
        await page.getByTestId('composer-input').fill(text);
        await page.getByTestId('send').click();
      }
      await page.getByText('your message will be sent in').waitFor();
    },
  ],
  ['channel-muted', `#/channel/${channel?.id}`, 'You are muted until', undefined, quiet?.id],
  ['messages', '#/messages', ''],
  [
    'messages-new',
    '#/messages',
    '',
    async () => {
      await page.getByTestId('new-message-open').click();
      await page.getByTestId('people-list').waitFor();
    },
  ],
  ['thread', `#/thread/${thread?.id}`, ''],
];
const only = process.argv.slice(2);
try {
  for (const [name, hash, waitFor, act, as = userId] of shots) {
    if (only.length && !only.some((o) => name.startsWith(o))) continue;
    // a fresh page each time: shots of one route differ only in what was tapped
    await page.goto('about:blank');
    await page.goto(`${previewUrl}?as=${as}${hash}`);
    await page.waitForLoadState('networkidle');
    if (waitFor) await page.getByText(waitFor).first().waitFor({ timeout: 15_000 });
    const done = await act?.();
    await page.waitForTimeout(400);
    const file = join(out, `mobile-${name}.png`);
    await page.screenshot({ path: file });
    await done?.();
    console.log('saved', file);
  }
} finally {
  await browser.close();
  await vite.close();
  server.stdin.end();
}
