import type { Browser, Locator, Page } from 'playwright-core';
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

/** Drags `handle` with the mouse onto the upper or lower half of `target`; `hold` runs before the drop. */
async function drag(page: Page, handle: Locator, target: Locator, half: 'upper' | 'lower', hold?: () => Promise<void>) {
  // Mouse coordinates are the viewport's: bring the list into view first.
  await target.scrollIntoViewIfNeeded();
  await handle.scrollIntoViewIfNeeded();
  const from = (await handle.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + 60, to.y + to.height * (half === 'upper' ? 0.25 : 0.75), { steps: 10 });
  await hold?.();
  await page.mouse.up();
}

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
    await page.getByRole('button', { name: 'Add', exact: true }).click();
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

  it('the owner reorders channels and moves them between categories by dragging; the order survives a reload', async () => {
    const owner = server.demo.instructorIds[1]!;
    const api = server.as(owner);
    const slug = 'javascript-guild';
    const general = (await api.channels.list({ params: { id: slug } })).items.find((c) => c.type === 'category')!;
    const projects = await api.channels.create({ params: { id: slug }, body: { name: 'Projects', type: 'category' } });
    const help = await api.channels.create({ params: { id: slug }, body: { name: 'help', parent_id: general.id } });
    const showcase = await api.channels.create({ params: { id: slug }, body: { name: 'show-and-tell', parent_id: projects.id } });
    const offTopic = await api.channels.create({ params: { id: slug }, body: { name: 'off-topic', parent_id: projects.id } });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, owner);
    await page.goto(`${server.url}/communities/${slug}/settings`);
    const list = page.getByTestId('channel-admin');
    const row = (id: number) => list.locator(`li[data-id="${id}"]`);
    const names = () => list.locator('.cm-channel-admin__name').allTextContents();
    await row(offTopic.id).waitFor();
    expect(await names()).toEqual([
      'NO CATEGORY',
      'GENERAL',
      '# general',
      '📣 announcements',
      '# help',
      'PROJECTS',
      '# show-and-tell',
      '# off-topic',
    ]);
    const byName = async (name: string) => (await api.channels.list({ params: { id: slug } })).items.find((c) => c.name === name)!;
    const [general1, announcements] = [await byName('general'), await byName('announcements')];

    // Within a category: help goes above general; the marker shows where it will land.
    await drag(page, page.getByTestId(`drag-${help.id}`), row(general1.id), 'upper', async () => {
      expect(await row(general1.id).getAttribute('class')).toContain('cm-drop-before');
      await screenshot(page, 'settings-channel-dragging');
    });
    await expect
      .poll(names)
      .toEqual(['NO CATEGORY', 'GENERAL', '# help', '# general', '📣 announcements', 'PROJECTS', '# show-and-tell', '# off-topic']);

    // Across categories: off-topic goes below announcements, into General.
    await drag(page, page.getByTestId(`drag-${offTopic.id}`), row(announcements.id), 'lower');
    const moved = ['NO CATEGORY', 'GENERAL', '# help', '# general', '📣 announcements', '# off-topic', 'PROJECTS', '# show-and-tell'];
    await expect.poll(names).toEqual(moved);
    await page.getByRole('status').getByText('Moved off-topic to General').waitFor({ state: 'attached' });

    // The server holds it: a reload shows the same order.
    await expect
      .poll(async () => (await api.channels.list({ params: { id: slug } })).items.find((c) => c.id === offTopic.id)!.parent_id)
      .toBe(general.id);
    await page.reload();
    await row(showcase.id).waitFor();
    expect(await names()).toEqual(moved);

    // The server refuses: the move shows, then rolls back with the reason.
    const order = `**/api/communities/${slug}/channels/order`;
    await page.route(order, (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'forbidden', message: 'You cannot manage channels here' } }),
      }),
    );
    await drag(page, page.getByTestId(`drag-${showcase.id}`), row(help.id), 'upper');
    await page.getByRole('alert').getByText('The new order was not saved: You cannot manage channels here').waitFor();
    expect(await names()).toEqual(moved);
    await page.unroute(order);

    // The keyboard does the same through the arrows, across a category edge, keeping focus.
    await page.getByRole('button', { name: 'Move off-topic down' }).focus();
    await page.keyboard.press('Enter');
    const stepped = ['NO CATEGORY', 'GENERAL', '# help', '# general', '📣 announcements', 'PROJECTS', '# off-topic', '# show-and-tell'];
    await expect.poll(names).toEqual(stepped);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move off-topic down');
    await expect
      .poll(async () => (await api.channels.list({ params: { id: slug } })).items.find((c) => c.id === offTopic.id)!.parent_id)
      .toBe(projects.id);
    await screenshot(page, 'settings-channels-desktop');

    // A phone: the same list fits 360 px, and a drag still works.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.reload();
    await row(help.id).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await drag(page, page.getByTestId(`drag-${help.id}`), page.locator('li.cm-channel-admin__none'), 'lower');
    await expect.poll(names).toEqual(['NO CATEGORY', '# help', ...stepped.slice(1).filter((n) => n !== '# help')]);
    await list.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-channels-phone');
    await page.close();
  });
});
