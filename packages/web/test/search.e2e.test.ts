import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from '../../server/test/support/factories';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot, signedInPage as openSignedIn } from './support/browser';

let server: TestServer;
let browser: Browser;
const SLUG = 'photography-circle';

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({ rate_limits: { messages: { max: 500, window_seconds: 10 } } }, { web: true, demoContent: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signedInPage = (userId: number, viewport?: { width: number; height: number }): Promise<Page> =>
  openSignedIn(browser, server.url, userId, viewport);

describe('search in Chromium', () => {
  it('Ctrl+K searches the community, marks the words, and jumps to an old message in its channel; never shows a private channel', async () => {
    const owner = server.demo.instructorIds[0]!;
    const student = server.demo.studentIds[2]!;
    const ch = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'lens-talk' } });
    const staff = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'staff-room', is_private: true } });
    const post = (channelId: number, content: string) => server.as(owner).channels.post({ params: { channelId }, body: { content } });
    const target = await post(ch.id, 'Which **aperture** gives the sharpest macro shots of dew drops?');
    for (let i = 1; i <= 80; i++) await post(ch.id, `Lens note ${i}: filters and hoods`);
    await post(staff.id, 'Sharpest macro aperture grading rubric (staff only)');

    const page = await signedInPage(student);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    await page.getByRole('log').waitFor();
    await page.keyboard.press('Control+k');
    const box = page.getByTestId('search-input');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill('sharpest macro');
    const panel = page.getByTestId('search-panel');
    const result = panel.getByTestId('search-result');
    await result.first().waitFor();
    expect(await result.count()).toBe(1);
    expect(await result.first().textContent()).toContain('#lens-talk');
    expect(await result.first().locator('mark').allTextContents()).toEqual(['sharpest', 'macro']);
    expect(await panel.textContent()).not.toContain('rubric');
    await screenshot(page, 'search-results');

    // The message is older than the channel's first page: the channel opens around it and flashes it.
    await result.first().click();
    await page.waitForURL(new RegExp(`/communities/${SLUG}/channels/${ch.id}`));
    const log = page.getByRole('log');
    const original = log.getByRole('article', { name: /sharpest macro shots of dew drops/ });
    await original.waitFor();
    await expect.poll(() => original.getAttribute('class')).toContain('cm-msg--flash');
    expect(await log.getByRole('article', { name: /Lens note 80:/ }).count()).toBe(0);
    expect(target.id).toBeGreaterThan(0);
    await screenshot(page, 'search-jump-to-message');

    // "/" focuses the box too; the type filter narrows to members.
    await log.click();
    await page.keyboard.press('/');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.context().close();
  });

  it('"From" picks any member of the community, not only the authors already in the results', async () => {
    const owner = server.demo.instructorIds[0]!;
    const quiet = server.demo.studentIds[3]!;
    const viewer = server.demo.studentIds[2]!;
    await server
      .as(quiet)
      .communities.join({ params: { id: SLUG }, body: {} })
      .catch(() => undefined); // already a member in the demo school
    const ch = await server.as(owner).channels.create({ params: { id: SLUG }, body: { name: 'tripods' } });
    await server.as(quiet).channels.post({ params: { channelId: ch.id }, body: { content: 'My old tripod wobbles on sand' } });
    // A page of newer tripod messages from the owner: the quiet member's falls off the first page.
    for (let i = 1; i <= 25; i++)
      await server.as(owner).channels.post({ params: { channelId: ch.id }, body: { content: `Tripod tip ${i}: tripod legs out` } });
    const quietName = (await server.as(quiet).system.me()).name;
    const ownerName = (await server.as(owner).system.me()).name;

    const page = await signedInPage(viewer);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    const box = page.getByTestId('search-input');
    await box.fill('tripod');
    const panel = page.getByTestId('search-panel');
    await panel.getByTestId('search-result').first().waitFor();
    expect(await panel.getByTestId('search-result').count()).toBe(20);
    expect(await panel.getByText(quietName).count()).toBe(0);

    const from = panel.getByRole('combobox', { name: 'From' });
    await from.fill(quietName.split(' ')[0]!);
    const option = panel.getByRole('listbox').getByRole('option', { name: quietName });
    await option.waitFor();
    await screenshot(page, 'search-from-picker');
    await option.click();
    await expect.poll(() => from.inputValue()).toBe(quietName);
    await expect.poll(() => panel.getByTestId('search-result').count()).toBe(1);
    expect(await panel.getByTestId('search-result').textContent()).toContain('My old tripod wobbles on sand');

    // The keyboard works too, and ✕ goes back to anyone.
    await panel.getByRole('button', { name: `Anyone again (not only ${quietName})` }).click();
    await expect.poll(() => panel.getByTestId('search-result').count()).toBe(20);
    await from.fill(ownerName.split(' ')[0]!);
    await panel.getByRole('listbox').getByRole('option', { name: ownerName }).waitFor();
    const offered = await panel.getByRole('listbox').getByRole('option').locator('bdi').allTextContents();
    await from.press('ArrowDown');
    expect(await from.getAttribute('aria-activedescendant')).toBe(
      await panel
        .getByRole('listbox')
        .getByRole('option')
        .nth(offered.length > 1 ? 1 : 0)
        .getAttribute('id'),
    );
    await from.press('ArrowUp');
    await from.press('Enter');
    await expect.poll(() => from.inputValue()).toBe(offered[0]);
    expect(await panel.getByRole('listbox').count()).toBe(0);
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it('"From" offers the authors seen in the results when the member list cannot be read', async () => {
    const owner = server.demo.instructorIds[0]!;
    const [viewer, poster] = [server.demo.studentIds[5]!, server.demo.studentIds[6]!];
    const c = await makeCommunity(server, { ownerId: owner, name: 'Quiet Kitchen' });
    await addMember(server, c.id, viewer);
    await addMember(server, c.id, poster);
    const general = (await server.as(owner).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.name === 'general')!;
    await server
      .as(poster)
      .channels.post({ params: { channelId: general.id }, body: { content: 'Kettle descaling: vinegar, then rinse twice' } });
    await server.as(owner).channels.post({ params: { channelId: general.id }, body: { content: 'Kettle rota is on the fridge' } });
    const posterName = (await server.as(poster).system.me()).name;

    const page = await signedInPage(viewer);
    // The server refuses the member list (as it would a caller without the right to read it).
    let refused = 0;
    await page.route(/\/api\/communities\/[^/]+\/members(\?|$)/, (route) => {
      refused++;
      return route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'forbidden', message: 'No' } }),
      });
    });
    await page.goto(`${server.url}/communities/${c.slug}/channels/general`);
    await page.getByTestId('search-input').fill('kettle');
    const panel = page.getByTestId('search-panel');
    await expect.poll(() => panel.getByTestId('search-result').count()).toBe(2);
    const from = panel.getByRole('combobox', { name: 'From' });
    await from.fill(posterName.split(' ')[0]!);
    await panel.getByRole('listbox').getByRole('option', { name: posterName }).click();
    await expect.poll(() => panel.getByTestId('search-result').count()).toBe(1);
    expect(await panel.getByTestId('search-result').textContent()).toContain('vinegar');
    expect(refused).toBeGreaterThan(0);
    await page.context().close();
  });
});
