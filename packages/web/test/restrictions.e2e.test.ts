import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot, SCREENSHOTS, signedInPage as openSignedIn } from './support/browser';

/** What a viewer may not do in a channel is explained, with what to do about it; and phones fit. */
let server: TestServer;
let browser: Browser;
const SLUG = 'photography-circle';

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({}, { web: true, demoContent: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signedInPage = (userId: number, viewport?: { width: number; height: number }): Promise<Page> =>
  openSignedIn(browser, server.url, userId, viewport);

const owner = () => server.demo.instructorIds[0]!;
const channelId = async (slug: string, community = SLUG) =>
  (await server.as(owner()).channels.list({ params: { id: community } })).items.find((c) => c.slug === slug)!.id;
const messages = async (channel: number) =>
  (await server.as(owner()).channels.messages({ params: { channelId: channel }, query: { limit: 50 } })).items;

describe('restrictions in Chromium', () => {
  it('slow mode: a second send is held with a countdown, not failed, and goes by itself', async () => {
    // The demo puts every other student in the Photography Circle.
    const student = server.demo.studentIds[2]!;
    const channel = await server.as(owner()).channels.create({ params: { id: SLUG }, body: { name: 'slow-lane', slow_mode_seconds: 4 } });
    const page = await signedInPage(student);
    await page.goto(`${server.url}/communities/${SLUG}/channels/slow-lane`);
    const composer = page.getByLabel('Message #slow-lane');
    await composer.fill('first shot');
    await composer.press('Enter');
    const notice = page.getByTestId('slow-mode');
    await notice.getByText(/Slow mode: you can send again in [1-4] seconds?\./).waitFor();

    await composer.fill('second shot');
    await composer.press('Enter');
    await notice.getByText(/Slow mode: your message will be sent in [1-4] seconds?\./).waitFor();
    await screenshot(page, 'slow-mode-held');
    expect(await page.getByText('Not sent').count()).toBe(0);
    const before = Number((await notice.textContent())!.match(/\d+/)![0]);
    // It counts down.
    await expect.poll(async () => Number((await notice.textContent())?.match(/\d+/)?.[0] ?? 0), { timeout: 3000 }).toBeLessThan(before);

    // When the wait is over the message goes by itself, once.
    await expect
      .poll(async () => (await messages(channel.id)).filter((m) => m.content === 'second shot').length, { timeout: 10_000 })
      .toBe(1);
    expect(await page.getByText('Not sent').count()).toBe(0);
    await page.getByRole('log').getByText('second shot').waitFor();
    await page.context().close();
  });

  it('a muted member is told they are muted, and until when', async () => {
    const student = server.demo.studentIds[4]!;
    const member = await server
      .as(owner())
      .communities.updateMember({ params: { id: SLUG, userId: student }, body: { status: 'muted', duration_minutes: 90 } });
    const until = member.status_expires_at!;
    const page = await signedInPage(student);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    const note = page.getByTestId('muted-note');
    await note.waitFor();
    const text = (await note.textContent())!;
    expect(text).toMatch(/You are muted in this community and can post again on /);
    const shown = new Date(until).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
    expect(text).toContain(shown);
    expect(await page.getByLabel('Message #general').count()).toBe(0);
    await screenshot(page, 'muted-note');
    await page.context().close();
  });

  it('a non-member arriving from "Course chat" gets a Join button in place of the composer', async () => {
    const student = server.demo.studentIds[1]!; // in neither the Photography Circle nor the JavaScript Guild
    const page = await signedInPage(student);
    await page.goto(`${server.url}/communities/${SLUG}/channels`);
    // The first channel opens (whichever it is: earlier tests add channels).
    await page.waitForURL(new RegExp(`/communities/${SLUG}/channels/[a-z-]+$`));
    const opened = new URL(page.url()).pathname.split('/').at(-1)!;
    const join = page.getByRole('button', { name: 'Join', exact: true });
    await join.waitFor();
    await screenshot(page, 'channel-join');
    await join.click();
    // A member now: the composer takes the button's place and posting works.
    const composer = page.getByLabel(`Message #${opened}`);
    await composer.fill('Hello from a new member');
    await composer.press('Enter');
    await page.getByRole('log').getByText('Hello from a new member').waitFor();
    await expect
      .poll(async () => (await messages(await channelId(opened))).some((m) => m.content === 'Hello from a new member'))
      .toBe(true);
    await page.context().close();
  });

  it('with join approval the button asks to join, and then says the request waits', async () => {
    const guild = 'javascript-guild';
    const priya = server.demo.instructorIds[1]!;
    await server.as(priya).communities.update({ params: { id: guild }, body: { settings: { join_approval: true } } });
    const student = server.demo.studentIds[5]!; // not a guild member
    const page = await signedInPage(student);
    await page.goto(`${server.url}/communities/${guild}/channels`);
    const ask = page.getByRole('button', { name: 'Ask to join' });
    await ask.waitFor();
    await ask.click();
    await page.getByText('Your request to join is waiting for a moderator.', { exact: false }).waitFor();
    // It stays: the conversation is still there a moment later (nothing refetched it away).
    await page.getByRole('log').waitFor();
    // Reloading while the request waits shows the channels as any outsider sees them, not a blank page.
    await page.reload();
    await page.getByRole('heading', { name: 'general', level: 1 }).waitFor();
    await page.getByRole('log').waitFor();
    await page.getByText('Your request to join is waiting for a moderator.', { exact: false }).waitFor();
    await screenshot(page, 'channel-request-pending');
    const requests = await server.as(priya).communities.requests({ params: { id: guild } });
    expect(requests.items.some((r) => r.user.id === student)).toBe(true);
    await page.context().close();
  });

  it('the Members page fits a 360 px phone screen', async () => {
    const page = await signedInPage(server.demo.studentIds[0]!, { width: 360, height: 740 });
    await page.goto(`${server.url}/communities/${SLUG}/members`);
    await page.getByRole('list').getByRole('listitem').first().waitFor();
    await page
      .getByRole('button', { name: /^Send .* a message$/ })
      .first()
      .waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await screenshot(page, 'members-phone');
    await page.screenshot({ path: join(SCREENSHOTS, 'members-phone-top.png') }); // the first screenful, readable
    expect(width).toBeLessThanOrEqual(360);
    await page.context().close();
  });
});
