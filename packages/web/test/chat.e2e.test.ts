import { createServer, type Server } from 'node:http';

import { realtimeChannel } from '@communities/contract';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot, signedInPage as openSignedIn } from './support/browser';
import { sunsetPng } from './support/png';

let server: TestServer;
let browser: Browser;
let scanner: Server;
const SLUG = 'photography-circle';
/** The antivirus test string: the scanning service below calls any file holding it infected. */
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/** A scanning service for the `http` file scanner, so a file can really fail its scan. */
async function startScanner(): Promise<string> {
  scanner = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const infected = Buffer.concat(chunks).includes(EICAR);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(infected ? { status: 'infected', signature: 'Eicar-Test-Signature' } : { status: 'clean' }));
    });
  });
  await new Promise<void>((resolve) => scanner.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(scanner.address() as { port: number }).port}/scan`;
}

beforeAll(async () => {
  buildWeb();
  const url = await startScanner();
  // History for the infinite-scroll check is posted faster than people type.
  server = await startTestServer(
    { rate_limits: { messages: { max: 500, window_seconds: 10 } }, file_scanner: { driver: 'http', http: { url } } },
    { web: true, demoContent: true },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  scanner?.close();
});

const signedInPage = (userId: number, viewport?: { width: number; height: number }): Promise<Page> =>
  openSignedIn(browser, server.url, userId, viewport);

/** Two plain members of the Photography Circle (the demo puts every other student in it). */
const students = () => [server.demo.studentIds[2]!, server.demo.studentIds[4]!] as const;
const byAuthor = (page: Page, author: string, text: string) =>
  page.getByRole('log').getByRole('article', { name: new RegExp(`^${author}, .*${text}`) });
const nameOf = async (id: number) => (await server.as(id).system.me()).name;
const channelId = async (slug: string) =>
  (await server.as(server.demo.instructorIds[0]!).channels.list({ params: { id: SLUG } })).items.find((c) => c.slug === slug)!.id;

/** The realtime channels a page asks for, read from the pusher:subscribe frames it sends. */
function recordSubscriptions(page: Page): string[] {
  const names: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { event?: string; data?: { channel?: string } };
      if (frame.event === 'pusher:subscribe' && frame.data?.channel) names.push(frame.data.channel);
    }),
  );
  return names;
}

describe('channels in Chromium', () => {
  it('two students chat live in a channel: typing, messages, replies, reactions, unread badges', async () => {
    const [a, b] = students();
    const owner = server.demo.instructorIds[0]!;
    const general = await channelId('general');
    // A little history, so the page looks like a conversation.
    const hello = await server.as(owner).channels.post({
      params: { channelId: general },
      body: { content: 'Welcome to the **Photography Circle**! This week: golden hour portraits 🌅' },
    });
    await server
      .as(owner)
      .channels.post({ params: { channelId: general }, body: { content: 'Post your favourite shot and tell us the settings.' } });
    await server.as(b).channels.post({ params: { channelId: general }, body: { content: 'Count me in!', reply_to_id: hello.id } });
    await server.as(b).channels.react({ params: { messageId: hello.id }, body: { emoji: '🎉' } });
    await server.as(owner).channels.pin({ params: { messageId: hello.id } });
    // For the sidebar, below #general: an open channel, and a private one A and B may read.
    const parent_id = (await server.as(owner).channels.get({ params: { channelId: general } })).parent_id;
    const critique = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'critique', parent_id } });
    const darkroom = await server
      .as(owner)
      .channels.create({ params: { id: SLUG }, body: { name: 'darkroom-crew', parent_id, is_private: true, allowed_user_ids: [a, b] } });

    const pa = await signedInPage(a);
    const pb = await signedInPage(b);
    const [nameA, nameB] = await Promise.all([nameOf(a), nameOf(b)]);
    const subscribed = recordSubscriptions(pa);

    // The Channels tab opens the first channel.
    await pa.goto(`${server.url}/communities/${SLUG}`);
    await pa.getByRole('link', { name: 'Channels' }).click();
    await pa.waitForURL(`${server.url}/communities/${SLUG}/channels/general`);
    await pa.getByRole('heading', { name: 'general', level: 1 }).waitFor();
    await pa.getByRole('log').getByText('Post your favourite shot').waitFor();
    await pb.goto(`${server.url}/communities/${SLUG}/channels/general`);
    await pb.getByRole('log').getByText('Count me in!').waitFor();
    // Both are online: presence shows each to the other.
    await expect.poll(() => pa.getByTestId('online-count').textContent()).toContain('2');

    // A types: B sees it; A sends with Enter: B sees the message without reloading.
    const composerA = pa.getByLabel('Message #general');
    await composerA.pressSequentially('Hi everyone, ', { delay: 20 });
    await pb.getByTestId('typing').getByText(`${nameA} is typing…`).waitFor();
    await composerA.pressSequentially('first time here 👋');
    await composerA.press('Shift+Enter');
    await composerA.pressSequentially('Loving the prompts.');
    await composerA.press('Enter');
    await expect.poll(() => composerA.inputValue()).toBe('');
    const fromA = byAuthor(pb, nameA, 'first time here');
    await fromA.waitFor();
    expect(await fromA.locator('br').count()).toBe(1);
    await byAuthor(pa, nameA, 'first time here').waitFor();
    await expect.poll(() => pa.getByText('Sending…').count()).toBe(0);

    // B replies to it, mentioning A through the autocomplete; A sees the reply and the mention.
    await fromA.hover();
    await fromA.getByRole('button', { name: 'Reply' }).click();
    const composerB = pb.getByLabel('Message #general');
    await composerB.pressSequentially(`Welcome @${nameA.split(' ')[0]!.slice(0, 3)}`, { delay: 20 });
    await pb.getByRole('option', { name: nameA }).waitFor();
    await screenshot(pb, 'channel-mention-autocomplete');
    await composerB.press('Enter');
    await composerB.pressSequentially('glad you made it.');
    await composerB.press('Enter');
    const reply = byAuthor(pa, nameB, 'glad you made it');
    await reply.waitFor();
    expect(await reply.locator('.cm-mention').textContent()).toBe(`@${nameA}`);
    await reply.getByRole('button', { name: `Reply to ${nameA}` }).waitFor();
    expect(await reply.getAttribute('class')).toContain('cm-msg--mention');

    // B reacts to A's message with the emoji picker: A sees the count change live.
    await fromA.hover();
    await fromA.getByRole('button', { name: 'Add a reaction' }).first().click();
    await screenshot(pb, 'channel-emoji-picker');
    await pb.getByRole('menuitem', { name: '🔥' }).click();
    const mineOnA = byAuthor(pa, nameA, 'first time here');
    await mineOnA.getByRole('button', { name: '🔥 1', pressed: false }).waitFor();
    await fromA.getByRole('button', { name: '🔥 1', pressed: true }).waitFor();

    // A edits the message with ↑ in the empty composer; B sees the edit.
    await composerA.focus();
    await composerA.press('ArrowUp');
    const edit = pa.getByLabel('Edit message');
    await edit.fill('Hi everyone, first time here 👋 (edited to add: I shoot on film)');
    await screenshot(pa, 'channel-editing');
    await edit.press('Enter');
    await pb.getByRole('log').getByText('I shoot on film').waitFor();

    // Pins: the panel lists what the team pinned.
    await pa.getByRole('button', { name: 'Pinned messages' }).click();
    await pa.getByRole('dialog', { name: 'Pinned messages' }).getByText('golden hour portraits').waitFor();
    await screenshot(pa, 'channel-pins');
    await pa.keyboard.press('Escape');

    // A shares a photo and a file: both show as being scanned, then the photo appears for both;
    // the file that failed the scan shows as removed.
    await pa.getByTestId('composer-file').setInputFiles({ name: 'golden-hour.png', mimeType: 'image/png', buffer: sunsetPng() });
    await pa.locator('.cm-compose-file--done').getByText('golden-hour.png').waitFor();
    await composerA.fill('My golden hour attempt');
    await composerA.press('Enter');
    await pa
      .getByTestId('composer-file')
      .setInputFiles({ name: 'settings.txt', mimeType: 'text/plain', buffer: Buffer.from(`f/2.8 1/250 ISO 100\n${EICAR}`) });
    await pa.locator('.cm-compose-file--done').getByText('settings.txt').waitFor();
    await composerA.press('Enter');
    const photo = byAuthor(pb, nameA, 'My golden hour attempt');
    await photo.getByTestId('attachment-pending').waitFor();
    // B learns of the scans through message.updated on the channel, not by asking every few seconds.
    const polls: string[] = [];
    pb.on('request', (r) => {
      if (/\/api\/communities\/uploads\/channel\/\d+$/.test(r.url())) polls.push(r.url());
    });
    await server.ctx.queue.processAll();
    await byAuthor(pa, nameA, 'My golden hour attempt').getByRole('img', { name: 'golden-hour.png' }).waitFor();
    await photo.getByRole('img', { name: 'golden-hour.png' }).waitFor({ timeout: 15_000 });
    await pb.getByTestId('attachment-removed').getByText('File removed').waitFor({ timeout: 15_000 });
    expect(polls).toEqual([]);

    // A deletes the message with the removed file: B sees it go.
    const removedMsg = byAuthor(pa, nameA, 'My golden hour attempt').locator('xpath=following::article[1]');
    await removedMsg.hover();
    await screenshot(pa, 'channel-own-message-actions');
    await removedMsg.getByRole('button', { name: 'Delete' }).click();
    await removedMsg.getByRole('alert').getByRole('button', { name: 'Delete' }).click();
    await pb.getByRole('log').getByText('This message was deleted.').waitFor();
    expect(await pb.getByTestId('attachment-removed').count()).toBe(0);

    // Messages in other channels light up A's sidebar without a reload: an open channel and a
    // private one show unread, a mention shows its count.
    const random = await server
      .as(owner)
      .channels.create({ params: { id: SLUG }, body: { name: 'gear-talk', topic: 'Cameras, lenses, bags' } });
    await pa.locator(`[data-channel-id="${random.id}"]`).waitFor();
    await server.as(b).channels.post({ params: { channelId: critique.id }, body: { content: 'Harsh but fair feedback, please' } });
    await server.as(b).channels.post({ params: { channelId: darkroom.id }, body: { content: 'Who has spare fixer?' } });
    await server
      .as(b)
      .channels.post({ params: { channelId: random.id }, body: { content: `Which lens do you use, @[${nameA}](user:${a})?` } });
    // One message that pings A both by name and with @everyone is still one mention.
    await server.as(owner).channels.post({
      params: { channelId: random.id },
      body: { content: `@everyone welcome, and @[${nameA}](user:${a}) show us your bag` },
    });
    const sidebar = pa.getByRole('navigation', { name: 'Channels' });
    await sidebar.locator(`[data-channel-id="${critique.id}"] .cm-dot[aria-label="1 unread message"]`).waitFor();
    await sidebar.locator(`[data-channel-id="${darkroom.id}"] .cm-dot[aria-label="1 unread message"]`).waitFor();
    await sidebar.locator(`[data-channel-id="${random.id}"] .cm-badge`).getByText('2').waitFor();
    const listed = (await server.as(a).channels.list({ params: { id: SLUG } })).items;
    expect(listed.find((c) => c.id === random.id)).toMatchObject({ mention_count: 2, unread_count: 2 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await sidebar.locator(`[data-channel-id="${random.id}"] .cm-badge`).textContent()).toBe('2');
    expect(await sidebar.locator(`[data-channel-id="${critique.id}"] .cm-badge`).count()).toBe(0);
    // The sidebar listened on the community channel and on the private channel; of the chat
    // channels, it subscribed to none but the one on screen and the private one.
    const prefix = server.ctx.config.chat.broadcast_channel_prefix;
    expect(darkroom.activity_on).toBe('channel');
    expect(subscribed).toContain(realtimeChannel.community(prefix, critique.community_id));
    expect(new Set(subscribed.filter((n) => n.startsWith(`private-${prefix}channel.`)))).toEqual(
      new Set([realtimeChannel.channel(prefix, general), realtimeChannel.channel(prefix, darkroom.id)]),
    );
    await screenshot(pa, 'channel-desktop');
    await screenshot(pb, 'channel-desktop-second-user');
    await pa.setViewportSize({ width: 360, height: 740 });
    await pa.getByRole('button', { name: 'Show channels' }).click();
    // Once the drawer has slid in.
    await expect.poll(() => pa.locator('#cm-chat-drawer').evaluate((el) => el.getBoundingClientRect().left)).toBe(0);
    await screenshot(pa, 'channel-phone-badges');
    await pa.keyboard.press('Escape');
    await pa.setViewportSize({ width: 1280, height: 820 });

    // Opening it reads it: the badge goes.
    await pa.locator(`[data-channel-id="${random.id}"]`).click();
    await pa.getByRole('log').getByText('Which lens do you use').waitFor();
    await expect.poll(() => pa.locator(`[data-channel-id="${random.id}"] .cm-badge`).count()).toBe(0);
    expect(await pa.locator(`[data-channel-id="${darkroom.id}"] .cm-dot`).count()).toBe(1);
    await expect
      .poll(async () => (await server.as(a).channels.list({ params: { id: SLUG } })).items.find((c) => c.id === random.id)!.unread_count)
      .toBe(0);

    // Announcements: members read, the composer gives way to a note.
    await pa.getByRole('link', { name: /announcements/ }).click();
    await pa.getByRole('note').getByText('Only the team can post').waitFor();
    expect(await pa.getByLabel('Message #announcements').count()).toBe(0);

    // What the browsers did is what the API holds.
    const history = await server.as(a).channels.messages({ params: { channelId: general } });
    const texts = history.items.map((m) => m.content);
    expect(texts).toContain('Hi everyone, first time here 👋 (edited to add: I shoot on film)');
    expect(history.items.find((m) => m.content?.includes('glad you made it'))).toMatchObject({
      mentions: [a],
      reply_to: { author: { id: a } },
    });
    expect(history.items.filter((m) => m.content?.startsWith('Hi everyone'))).toHaveLength(1);
    await pa.context().close();
    await pb.context().close();
  });

  it('loads older messages when scrolling up, keeps working from the keyboard, and fits a 360 px phone', async () => {
    const [a] = students();
    const owner = server.demo.instructorIds[0]!;
    const ch = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'daily-photo', topic: 'One photo a day' } });
    for (let i = 1; i <= 70; i++)
      await server
        .as(owner)
        .channels.post({ params: { channelId: ch.id }, body: { content: `Day ${i}: a photo a day keeps the rust away` } });

    const page = await signedInPage(a, { width: 360, height: 740 });
    await page.goto(`${server.url}/communities/${SLUG}/channels/daily-photo`);
    const log = page.getByRole('log');
    await log.getByText('Day 70:').waitFor();
    expect(await log.getByText('Day 1:', { exact: false }).count()).toBe(0);
    // Scroll to the top: the previous page arrives and the reader stays where they were. A reader
    // scrolls again if the first scroll came while the newest page was still settling at the bottom
    // (seen once on a machine busy with CI's other suites).
    await expect
      .poll(
        async () => {
          await log.evaluate((el) => (el.scrollTop = 0));
          return log.getByText('Day 1: a photo').count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // Keyboard only: type and send, then walk the messages with the arrows.
    const composer = page.getByLabel('Message #daily-photo');
    await composer.focus();
    await page.keyboard.type('Day 71 from my phone');
    await page.keyboard.press('Enter');
    await log.getByText('Day 71 from my phone').waitFor();
    await log.focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Day 71 from my phone');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Message #daily-photo');
    await screenshot(page, 'channel-phone');

    // A send the server refuses stays in place, marked, and goes with the same nonce on Retry.
    const posts = `**/api/communities/channels/${ch.id}/messages`;
    await page.route(posts, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'Try again later' } } })
        : route.fallback(),
    );
    await composer.fill('Day 72, on a shaky connection');
    await composer.press('Enter');
    const failed = log.locator('.cm-msg--failed').filter({ hasText: 'Day 72' });
    await failed.getByText('Not sent.').waitFor();
    await page.unroute(posts);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await log.getByRole('article', { name: /Day 72, on a shaky connection/ }).waitFor();
    expect(await log.locator('.cm-msg--failed').count()).toBe(0);

    // Offline: a banner says so, and goes when the connection is back.
    await page.context().setOffline(true);
    await page.getByRole('status').getByText('You are offline').waitFor();
    await screenshot(page, 'channel-phone-offline');
    await page.context().setOffline(false);
    await expect.poll(() => page.getByText('You are offline').count()).toBe(0);

    // The sidebar is a drawer on phones.
    await page.getByRole('button', { name: 'Show channels' }).click();
    await page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('link', { name: /general/ })
      .waitFor({ state: 'visible' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toContain('daily-photo');
    await screenshot(page, 'channel-phone-drawer');
    await page.keyboard.press('Escape');
    await page.getByRole('navigation', { name: 'Channels' }).waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Show channels');
    await page.keyboard.press('Enter');
    await page
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('link', { name: /general/ })
      .click();
    await page.getByRole('heading', { name: 'general', level: 1 }).waitFor();
    await page.context().close();
  });

  it('a moderator deletes a message that arrived live; a message sent offline goes once when the connection is back', async () => {
    const [a] = students();
    const owner = server.demo.instructorIds[0]!;
    await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'live-desk' } });
    const ch = await channelId('live-desk');
    const nameA = await nameOf(a);
    const po = await signedInPage(owner);
    const pa = await signedInPage(a);
    await po.goto(`${server.url}/communities/${SLUG}/channels/live-desk`);
    await pa.goto(`${server.url}/communities/${SLUG}/channels/live-desk`);
    await expect.poll(() => po.getByTestId('online-count').textContent()).toContain('2');

    // A posts; the owner gets it live (with a member's viewer_can in the payload) and may delete it.
    const composerA = pa.getByLabel('Message #live-desk');
    await composerA.fill('Cheap lenses at spam.example');
    await composerA.press('Enter');
    const spam = byAuthor(po, nameA, 'spam.example');
    await spam.waitFor();
    await spam.hover();
    await spam.getByRole('button', { name: 'Delete' }).click();
    await spam.getByRole('alert').getByRole('button', { name: 'Delete' }).click();
    await pa.getByRole('log').getByText('This message was deleted.').waitFor();
    expect(await pa.getByRole('log').getByText('spam.example').count()).toBe(0);

    // Offline, A sends: it waits, and goes by itself once the connection is back, only once.
    await pa.context().setOffline(true);
    await pa.getByRole('status').getByText('You are offline').waitFor();
    await composerA.fill('Sent from the tunnel');
    await composerA.press('Enter');
    await pa.getByRole('log').getByText('Waiting for the connection…').waitFor();
    await pa.context().setOffline(false);
    await byAuthor(pa, nameA, 'Sent from the tunnel').waitFor({ timeout: 15_000 });
    await expect.poll(() => pa.locator('.cm-msg--pending').count()).toBe(0);
    await byAuthor(po, nameA, 'Sent from the tunnel').waitFor();
    const history = await server.as(owner).channels.messages({ params: { channelId: ch }, query: { limit: 50 } });
    expect(history.items.filter((m) => m.content === 'Sent from the tunnel')).toHaveLength(1);
    expect(await byAuthor(po, nameA, 'Sent from the tunnel').count()).toBe(1);
    await po.context().close();
    await pa.context().close();
  });

  it('jumps to a replied-to message older than what is loaded, then back to the present', async () => {
    const [a, b] = students();
    const owner = server.demo.instructorIds[0]!;
    const ch = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'film-lab', topic: 'Developing at home' } });
    const post = (as: number, content: string, reply_to_id?: number) =>
      server.as(as).channels.post({ params: { channelId: ch.id }, body: { content, ...(reply_to_id ? { reply_to_id } : {}) } });
    const first = await post(owner, 'Very first question: which developer do you use for Tri-X?');
    for (let i = 2; i <= 120; i++) await post(owner, `Roll ${i}: notes from the darkroom`);
    await post(b, 'Late answer: Rodinal 1+50, 11 minutes', first.id);
    const ownerName = await nameOf(owner);

    for (const viewport of [
      { width: 1280, height: 820 },
      { width: 360, height: 740 },
    ]) {
      const page = await signedInPage(a, viewport);
      const wide = viewport.width > 400;
      await page.goto(`${server.url}/communities/${SLUG}/channels/film-lab`);
      const log = page.getByRole('log');
      const reply = log.getByRole('article', { name: /Late answer: Rodinal/ });
      await reply.waitFor();
      const original = log.getByRole('article', { name: /Very first question/ });
      expect(await original.count()).toBe(0);

      // The preview loads the history around the first message, shows it and flashes it.
      await reply.getByRole('button', { name: `Reply to ${ownerName}` }).click();
      await original.waitFor();
      await expect.poll(() => original.getAttribute('class')).toContain('cm-msg--flash');
      await expect
        .poll(() => original.evaluate((el) => el.getBoundingClientRect().top > 0 && el.getBoundingClientRect().bottom < innerHeight))
        .toBe(true);
      expect(await reply.count()).toBe(0);
      const present = page.getByRole('button', { name: 'Jump to present' });
      await present.waitFor();
      await screenshot(page, wide ? 'channel-jump-to-reply' : 'channel-jump-to-reply-phone');

      // Something new meanwhile waits below; "Jump to present" brings the live tail back with it.
      if (wide) await post(b, 'Also: fixer for 5 minutes, agitate every 30 s');
      await present.click();
      await reply.waitFor();
      if (wide) await log.getByText('fixer for 5 minutes').waitFor();
      await present.waitFor({ state: 'detached' });
      await expect.poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(60);
      expect(await original.count()).toBe(0);
      await page.context().close();
    }
  });

  it('opens a channel whose recent messages include images at the newest message, while the images load', async () => {
    const [a] = students();
    const owner = server.demo.instructorIds[0]!;
    const ch = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'photo-wall', topic: 'Your best shots' } });
    const post = (content: string, attachment_ids: number[] = []) =>
      server.as(owner).channels.post({ params: { channelId: ch.id }, body: { content, attachment_ids } });
    const upload = async (width: number, height: number, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(sunsetPng(width, height))], { type: 'image/png' }), name);
      const res = await fetch(`${server.url}/api/communities/uploads?purpose=channel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await server.token(owner)}` },
        body: form,
      });
      const file = (await res.json()) as { id: number };
      return file.id;
    };
    for (let i = 1; i <= 4; i++) await post(`Warm-up ${i}: what are you shooting this week?`);
    const files: number[] = [];
    for (let i = 1; i <= 6; i++) {
      files.push(await upload(i === 2 ? 480 : 800, 600, `pier-${i}.png`));
      await post(`Shot ${i} from the pier`, [files.at(-1)!]);
    }
    await post('Newest: the light is gone, see you tomorrow');
    // Scanned clean, as a reader opening the channel later finds them.
    await server.ctx.queue.processAll();
    for (const id of files)
      await expect
        .poll(async () => (await server.as(owner).uploads.status({ params: { kind: 'channel', id } })).scan_status, { timeout: 30_000 })
        .toBe('clean');

    const page = await signedInPage(a);
    // Thumbnails arrive one after another, well after the first page is shown and pinned.
    let served = 0;
    await page.route(/\/uploads\/channel\/\d+\/thumbnail/, async (route) => {
      await new Promise((r) => setTimeout(r, 300 + 250 * served++));
      await route.continue();
    });
    await page.goto(`${server.url}/communities/${SLUG}/channels/photo-wall`);
    const log = page.getByRole('log');
    const newest = log.getByText('Newest: the light is gone');
    await newest.waitFor();
    const heightBefore = await log.evaluate((el) => el.scrollHeight);
    // Every image has loaded (and changed whatever heights it changes) before we look.
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('.cm-log img')];
      return imgs.length === 6 && imgs.every((img) => img.complete && img.naturalHeight > 0);
    });
    await page.waitForTimeout(300);
    const inView = (el: Element) => {
      const box = el.getBoundingClientRect();
      const frame = el.closest('[role="log"]')!.getBoundingClientRect();
      return box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1;
    };
    const pinned = async () => {
      expect(await newest.evaluate(inView)).toBe(true);
      expect(await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(60);
      // Not the start of the channel: that is where the bug left the reader.
      const start = log.getByText(/This is the beginning of/);
      if ((await start.count()) > 0) expect(await start.evaluate(inView)).toBe(false);
    };
    await pinned();
    // Each image's box was reserved from the attachment's size: loading it changed no height.
    expect(await log.evaluate((el) => el.scrollHeight)).toBe(heightBefore);
    await screenshot(page, 'channel-images-open');
    // The window changes size (a phone's toolbar, a resized window): the log stays at the bottom.
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.setViewportSize({ width: 1280, height: 700 });
    await page.waitForTimeout(200);
    await pinned();
    await page.context().close();
  });

  it('explains a channel that does not exist and a community the viewer cannot see', async () => {
    const [a] = students();
    const page = await signedInPage(a);
    await page.goto(`${server.url}/communities/${SLUG}/channels/no-such-channel`);
    await page.getByRole('alert').getByText('This channel does not exist').waitFor();
    await page.goto(`${server.url}/communities/instructors-lounge/channels`);
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'channel-not-found');
    await page.context().close();
  });
});
