import { safeLink } from '@communities/contract';
import { XSS_INPUTS } from '@communities/contract/rich-text.fixtures';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';

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

async function signedInPage(userId: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await demoSignIn(page, server.url, userId);
  return page;
}

describe('rich text in Chromium', () => {
  it('shows every construct as elements, keeps internal links in the app, and runs nothing from XSS attempts', async () => {
    const owner = server.demo.instructorIds[0]!;
    const reader = server.demo.studentIds[2]!;
    const general = (await server.as(owner).channels.list({ params: { id: SLUG } })).items.find((c) => c.slug === 'general')!;
    const readerName = (await server.as(reader).system.me()).name;
    const rich = [
      '# Week 3 plan',
      `Hi @[${readerName}](user:${reader}) and @everyone: **read** *this*, ~~not that~~, run \`npm test\`.`,
      '> Be kind. See [the notes](https://example.com/notes).',
      `1. read chapter 3\n2. back to [the feed](/communities/${SLUG})`,
      '- one\n- two',
      '```\nconst x = "<b>";\n```',
    ].join('\n\n');
    await server.as(owner).channels.post({ params: { channelId: general.id }, body: { content: rich } });
    await server.as(owner).channels.post({ params: { channelId: general.id }, body: { content: XSS_INPUTS.join('\n\n') } });

    const page = await signedInPage(reader);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    const log = page.getByRole('log');
    await log.getByText('Week 3 plan').waitFor();
    const message = log.locator('.cm-md').filter({ hasText: 'Week 3 plan' });
    expect(await message.count()).toBe(1);
    for (const [selector, text] of [
      ['strong', 'Week 3 plan'],
      ['em', 'this'],
      ['s', 'not that'],
      ['code', 'npm test'],
      ['blockquote', 'Be kind. See the notes.'],
      ['ol > li', 'read chapter 3'],
      ['ul > li', 'one'],
      ['pre', 'const x = "<b>";'],
      ['.cm-mention', `@${readerName}`],
      ['.cm-mention--everyone', '@everyone'],
    ] as const)
      expect(await message.locator(selector).first().textContent(), selector).toBe(text);
    const notes = message.getByRole('link', { name: 'the notes' });
    expect([await notes.getAttribute('target'), await notes.getAttribute('rel')]).toEqual(['_blank', 'noopener noreferrer nofollow ugc']);
    await screenshot(page, 'web-rich-text');

    // The attempts: every link there is one our policy allows; the HTML is on screen as text.
    const attempts = log.locator('.cm-md').filter({ hasText: '<script>alert(1)</script>' });
    await attempts.first().waitFor();
    const hrefs = await log.locator('.cm-md a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) expect(safeLink(href), href).not.toBeNull();
    expect(await page.locator('.cm-md script, .cm-md img, .cm-md iframe, .cm-md svg, .cm-md [onerror]').count()).toBe(0);
    expect(dialogs).toEqual([]);

    // An internal link navigates inside the app: no page load (a marker on window survives).
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await message.getByRole('link', { name: 'the feed' }).click();
    await page.waitForURL(`${server.url}/communities/${SLUG}`);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });
});
