import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';

/**
 * The web app in Arabic: right to left, laid out mirrored, switched without a reload. A few test-only
 * Arabic strings go in through `window.communitiesTranslations` (the hook a school uses to add or override
 * strings without a rebuild), so this passes whether or not locales/ar/communities.json ships; when it
 * does, every other string is the real translation.
 */
const ARABIC = {
  app: { name: 'المجتمعات', language: 'اللغة' },
  chat: { send: 'إرسال', composer_label: 'اكتب رسالة' },
  community: { tab_feed: 'المنشورات' },
};
const SLUG = 'photography-circle';

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  buildWeb();
  server = await startTestServer({}, { web: true, demoContent: true });
  browser = await launchChromium();
}, 300_000); // a cold web build on a loaded machine
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function arabicPage(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 860 }, locale: 'ar' });
  await context.addInitScript((strings) => {
    (window as unknown as { communitiesTranslations: object }).communitiesTranslations = { ar: strings };
    localStorage.setItem('communities.locale', 'ar');
  }, ARABIC);
  const page = await context.newPage();
  await demoSignIn(page, server.url, server.demo.instructorIds[0]!);
  return page;
}

const box = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!;

describe('the web app in Arabic', () => {
  it('lays the channel out right to left at 1440 px: sidebar on the right, send button at the inline end', async () => {
    const page = await arabicPage(1440);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    await page.getByRole('button', { name: 'إرسال' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.dir, document.documentElement.lang])).toEqual(['rtl', 'ar']);

    const side = await box(page, '.cm-chat-side');
    const main = await box(page, '.cm-chat-main');
    expect(side.x).toBeGreaterThan(main.x); // the channel list sits on the right
    const send = await box(page, '.cm-send');
    const input = await box(page, '.cm-compose-input');
    expect(send.x + send.width).toBeLessThanOrEqual(input.x + 1); // the send button ends the line: on the left
    // The send arrow is mirrored to point the way Arabic reads.
    expect(await page.locator('.cm-send svg').evaluate((el) => getComputedStyle(el).transform)).toMatch(/^matrix\(-1/);
    await screenshot(page, 'rtl-channel-1440');

    await page.goto(`${server.url}/communities/${SLUG}`);
    await page.locator('.cm-page').first().waitFor();
    await screenshot(page, 'rtl-feed-1440');
    await page.goto(`${server.url}/communities/${SLUG}/settings`);
    await page.locator('.cm-page').first().waitFor();
    await page.waitForTimeout(500);
    await screenshot(page, 'rtl-settings-1440');
    await page.context().close();
  });

  it('mirrors at 360 px too, and switches to English and back without a reload', async () => {
    const page = await arabicPage(360);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    await page.getByRole('button', { name: 'إرسال' }).waitFor();
    const send = await box(page, '.cm-send');
    const input = await box(page, '.cm-compose-input');
    expect(send.x).toBeLessThan(input.x);
    await screenshot(page, 'rtl-channel-360');

    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await page.getByTestId('language-picker').selectOption('en');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('ltr');
    const sendLtr = await box(page, '.cm-send');
    const inputLtr = await box(page, '.cm-compose-input');
    expect(sendLtr.x).toBeGreaterThan(inputLtr.x);
    await page.getByTestId('language-picker').selectOption('ar');
    await page.getByRole('button', { name: 'إرسال' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true); // no reload

    await page.goto(`${server.url}/communities/${SLUG}`);
    await page.locator('.cm-page').first().waitFor();
    await screenshot(page, 'rtl-feed-360');
    await page.goto(`${server.url}/communities/${SLUG}/settings`);
    await page.locator('.cm-page').first().waitFor();
    await page.waitForTimeout(500);
    await screenshot(page, 'rtl-settings-360');
    await page.context().close();
  });
});
