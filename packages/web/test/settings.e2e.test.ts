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

describe('community settings in Chromium', () => {
  it('the owner edits the community and manages its channels; members see no Settings tab', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const owner = server.demo.instructorIds[1]!; // runs the JavaScript Guild
    await signIn(page, owner);
    await page.goto(`${server.url}/communities/javascript-guild/settings`);
    await page.getByRole('heading', { name: 'Community', level: 2 }).waitFor();
    await page.getByLabel('Description').fill('Loops, closures and shipped side projects.');
    await page.getByLabel('New members need approval').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    await page.getByLabel('New channel or category name').fill('Code Review');
    await page.getByRole('button', { name: 'Add' }).click();
    const row = page.getByRole('listitem').filter({ hasText: '# Code Review' });
    await row.waitFor();
    page.once('dialog', (d) => void d.accept('code-reviews'));
    await row.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('listitem').filter({ hasText: '# code-reviews' }).waitFor();
    await screenshot(page, 'community-settings');

    const detail = await server.as(owner).communities.get({ params: { id: 'javascript-guild' } });
    expect(detail).toMatchObject({ description: 'Loops, closures and shipped side projects.', settings: { join_approval: true } });
    const channels = await server.as(owner).channels.list({ params: { id: 'javascript-guild' } });
    expect(channels.items.map((c) => c.name)).toContain('code-reviews');

    const review = page.getByRole('listitem').filter({ hasText: '# code-reviews' });
    page.once('dialog', (d) => void d.accept());
    await review.getByRole('button', { name: 'Delete' }).click();
    await review.waitFor({ state: 'detached' });

    const student = await browser.newPage({ viewport: { width: 360, height: 780 } });
    await signIn(student, server.demo.studentIds[0]!);
    await student.goto(`${server.url}/communities/javascript-guild`);
    await student.getByRole('heading', { name: 'JavaScript Guild', level: 1 }).waitFor();
    expect(await student.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await page.close();
    await student.close();
  });
});
