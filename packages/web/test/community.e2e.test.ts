import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({}, { web: true, demoContent: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signIn = (page: Page, userId: number) => demoSignIn(page, server.url, userId);

describe('a student in Chromium', () => {
  it('discovers and joins a community, posts in its feed, reacts and comments', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const student = server.demo.studentIds[1]!;
    await signIn(page, student);
    const card = page.getByRole('article', { name: 'JavaScript Guild' });
    await card.waitFor();
    await screenshot(page, 'discover');
    await card.getByRole('button', { name: 'Join' }).click();
    await card.getByText('Member', { exact: true }).waitFor();

    await card.getByRole('link', { name: 'JavaScript Guild' }).click();
    await page.waitForURL(`${server.url}/communities/javascript-guild`);
    await page.getByRole('heading', { name: 'JavaScript Guild', level: 1 }).waitFor();
    await page.getByLabel('Write something…').fill('Hi all! Just joined — **excited** to learn with you.');
    await page.getByRole('button', { name: 'Post' }).click();
    const post = page.getByRole('article').filter({ hasText: 'Just joined' });
    await post.waitFor();
    expect(await post.locator('strong').first().textContent()).toBe('excited');

    await post.getByRole('button', { name: 'Add a reaction' }).click();
    await post.getByRole('menuitem', { name: '🎉' }).click();
    await post.getByRole('button', { name: '🎉 1', pressed: true }).waitFor();

    await post.getByRole('button', { name: /0 comments/ }).click();
    await post.getByLabel('Write a comment…').fill('First comment from the browser');
    await post.getByRole('button', { name: 'Send' }).click();
    await post.getByText('First comment from the browser').waitFor();
    await post.getByRole('button', { name: /1 comment/ }).waitFor();
    await screenshot(page, 'community-feed');

    // What the browser did is what the API holds.
    const feed = await server.as(student).feed.communityFeed({ params: { id: 'javascript-guild' } });
    const mine = feed.items.find((i) => i.author.id === student)!;
    expect(mine.reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
    expect(mine.comment_count).toBe(1);
    await page.close();
  });

  it('fits a 360 px phone screen (the RocketLMS app WebView)', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await signIn(page, server.demo.studentIds[0]!);
    await page.goto(`${server.url}/communities/photography-circle`);
    await page.getByRole('heading', { name: 'Photography Circle', level: 1 }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'community-phone');
    await page.close();
  });
});
