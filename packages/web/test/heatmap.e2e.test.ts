import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { shiftDay, weekdayNames } from '@communities/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeCommunity } from '../../server/test/support/factories';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';

/**
 * Heatmaps and Insights as people meet them (issue #18). The member's profile says Asia/Kathmandu
 * (UTC+05:45) in users.timezone; the owner's says nothing, so the owner's browser zone
 * (America/St_Johns, UTC−03:30) applies. One message must land in each viewer's own local hour.
 */
let server: TestServer;
let browser: Browser;
const SHOTS = process.env.HEATMAP_SHOTS_DIR;
const MEMBER_ZONE = 'Asia/Kathmandu';
const OWNER_BROWSER_ZONE = 'America/St_Johns';

beforeAll(async () => {
  buildWeb();
  // No identity cache: the timezones set below are what the next request sees.
  server = await startTestServer({ host: { identity_cache_seconds: 0 } }, { web: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedInPage(userId: number, timezoneId: string, width = 1440): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, timezoneId });
  const page = await context.newPage();
  await demoSignIn(page, server.url, userId);
  return page;
}

/** The shared screenshots, and (HEATMAP_SHOTS_DIR set) a copy to look at, at 1440 and 360 px. */
async function shoot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(300); // layout settles before the picture (not an assertion)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} must fit a 360 px screen`).toBeLessThanOrEqual(0);
  await screenshot(page, `${name}-360`);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Local date, Monday-based weekday and hour of an instant in a zone. */
function localSlot(iso: string, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { date: `${get('year')}-${get('month')}-${get('day')}`, weekday, hour: Number(get('hour')) };
}

describe('activity heatmaps and insights in Chromium', () => {
  it('a member posts: their calendar and the community grid show it in each viewer’s local hour; the owner’s Insights show the new member and messages', async () => {
    const owner = server.demo.instructorIds[0]!;
    const member = server.demo.studentIds[3]!;
    await server.ctx.hostDb.updateTable('users').set({ timezone: MEMBER_ZONE }).where('id', '=', member).execute();
    await server.ctx.hostDb.updateTable('users').set({ timezone: null }).where('id', '=', owner).execute();
    expect((await server.as(member).system.me()).timezone).toBe(MEMBER_ZONE);
    const c = await makeCommunity(server, { ownerId: owner, name: 'Heat Lab' });
    const memberName = (await server.as(member).system.me()).name;

    // The member joins and posts in #general through the browser.
    const pm = await signedInPage(member, 'UTC');
    await pm.goto(`${server.url}/communities/${c.slug}`);
    await pm.getByRole('button', { name: 'Join' }).click();
    await pm.getByRole('button', { name: 'Leave' }).waitFor();
    await pm.goto(`${server.url}/communities/${c.slug}/channels/general`);
    const composer = pm.getByLabel('Message #general');
    await composer.fill('Warming up the heatmap from Kathmandu');
    await composer.press('Enter');
    await pm.getByRole('log').getByText('Warming up the heatmap from Kathmandu').waitFor();
    const general = (await server.as(member).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.name === 'general')!;
    const sent = (await server.as(member).channels.messages({ params: { channelId: general.id } })).items.find((m) =>
      m.content?.includes('Warming up'),
    )!;
    await server.ctx.bus.idle();

    // The member's own calendar and grid, in users.timezone (not the browser's UTC).
    const mine = localSlot(sent.created_at, MEMBER_ZONE);
    await pm.goto(`${server.url}/communities/profile/${member}`);
    const activity = pm.getByTestId('member-activity');
    const day = activity.getByTestId('member-calendar').locator(`rect[data-date="${mine.date}"]`);
    await day.waitFor();
    expect(Number(await day.getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
    const hour = activity.getByTestId('member-grid').locator(`rect[data-weekday="${mine.weekday}"][data-hour="${mine.hour}"]`);
    expect(Number(await hour.getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
    // The hours either side stay empty: the message is in this hour, not shifted by the zone.
    for (const h of [(mine.hour + 23) % 24, (mine.hour + 1) % 24])
      expect(
        await activity
          .getByTestId('member-grid')
          .locator(`rect[data-weekday="${mine.weekday}"][data-hour="${h}"]`)
          .getAttribute('data-count'),
      ).toBe('0');
    await activity.getByText(`Hours in your time zone (${MEMBER_ZONE})`).waitFor();
    // Tooltip with the exact count on hover, and the keyboard walks the grid.
    await day.hover();
    await pm
      .getByRole('tooltip')
      .filter({ hasText: /^\d+ actions? · / })
      .waitFor();
    await day.focus();
    await pm.keyboard.press('ArrowUp');
    // ArrowUp moves to the day before (same week column); on a Monday there is none above.
    const focused = await pm.evaluate(() => document.activeElement?.getAttribute('data-date'));
    expect(focused).toBe(mine.weekday === 0 ? mine.date : shiftDay(mine.date, -1));
    // The screen-reader table holds the same day.
    const table = activity.getByTestId('member-calendar').getByRole('table');
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    await activity.getByTestId('member-calendar').scrollIntoViewIfNeeded();
    await shoot(pm, 'heatmap-member-calendar');

    // The owner: browser zone, community home grid.
    const theirs = localSlot(sent.created_at, OWNER_BROWSER_ZONE);
    const po = await signedInPage(owner, OWNER_BROWSER_ZONE);
    await po.goto(`${server.url}/communities/${c.slug}`);
    const grid = po.getByTestId('community-activity').getByTestId('community-grid');
    const cell = grid.locator(`rect[data-weekday="${theirs.weekday}"][data-hour="${theirs.hour}"]`);
    await cell.waitFor();
    expect(Number(await cell.getAttribute('data-count'))).toBeGreaterThanOrEqual(1);
    await grid.getByText(`Hours in your time zone (${OWNER_BROWSER_ZONE})`).waitFor();
    await cell.hover();
    await po
      .getByRole('tooltip')
      .filter({ hasText: /^\d+ actions? · / })
      .waitFor();
    await grid.scrollIntoViewIfNeeded();
    await shoot(po, 'heatmap-community-grid');

    // Insights: the new member, the message, the member among top contributors.
    await po.getByRole('link', { name: 'Insights' }).click();
    await po.waitForURL(`${server.url}/communities/${c.slug}/insights`);
    const api = await server.as(owner).analytics.communityAnalytics({
      params: { id: c.slug },
      query: { period: 'day', tz: OWNER_BROWSER_ZONE },
    });
    expect(api.totals.new_members).toBeGreaterThanOrEqual(1);
    expect(api.totals.messages).toBeGreaterThanOrEqual(1);
    await po.getByTestId('stat-new-members').getByText(String(api.totals.new_members), { exact: true }).waitFor();
    await po.getByTestId('stat-messages').getByText(String(api.totals.messages), { exact: true }).waitFor();
    await po.getByTestId('top-contributors').getByText(memberName).waitFor();
    await po.getByTestId('chart-messages').waitFor();
    // The period switcher asks again by week; the CSV export link answers a CSV.
    await po.getByRole('button', { name: 'Weeks' }).click();
    await po.getByRole('button', { name: 'Weeks', pressed: true }).waitFor();
    const download = po.waitForEvent('download');
    await po.getByRole('link', { name: /Export CSV/ }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    await po.getByRole('button', { name: 'Days' }).click();
    await po.getByTestId('stat-messages').waitFor();
    await shoot(po, 'heatmap-insights');

    // A fellow member does not get the Insights tab.
    await pm.goto(`${server.url}/communities/${c.slug}`);
    await pm.getByRole('heading', { name: 'Heat Lab', level: 1 }).waitFor();
    expect(await pm.getByRole('link', { name: 'Insights' }).count()).toBe(0);
  });

  it('right to left (Arabic): time runs leftwards, the newest week and the last hour on the left, weekday names on the right', async () => {
    const member = server.demo.studentIds[4]!;
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ar', timezoneId: 'UTC' });
    await context.addInitScript(() => localStorage.setItem('communities.locale', 'ar'));
    const page = await context.newPage();
    await demoSignIn(page, server.url, member);
    await page.goto(`${server.url}/communities/profile/${member}`);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const calendar = page.getByTestId('member-activity').getByTestId('member-calendar');
    const cells = calendar.locator('rect[data-date]');
    await cells.first().waitFor();
    const dates = await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-date')!).sort());
    const x = async (selector: string) => (await calendar.locator(selector).boundingBox())!.x;
    const oldest = await x(`rect[data-date="${dates[0]}"]`);
    const newest = await x(`rect[data-date="${dates.at(-1)}"]`);
    expect(newest).toBeLessThan(oldest);
    // Weekday names sit at the right of the weeks.
    const days = (await calendar.locator('.cm-heat-days').boundingBox())!;
    expect(days.x).toBeGreaterThan(oldest);
    // The arrow keys follow the eye: left goes to the next (newer) week.
    const start = dates[Math.floor(dates.length / 2)]!;
    await calendar.locator(`rect[data-date="${start}"]`).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-date'))).toBe(shiftDay(start, 7));

    const grid = page.getByTestId('member-activity').getByTestId('member-grid');
    const hourX = async (h: number) => (await grid.locator(`rect[data-weekday="0"][data-hour="${h}"]`).boundingBox())!.x;
    expect(await hourX(23)).toBeLessThan(await hourX(0));
    // Monday's name is right of its first hour, and the drawing itself is not flipped (its text would read backwards).
    const label = (await grid
      .locator('text')
      .filter({ hasText: weekdayNames('ar', 'short')[0]! })
      .first()
      .boundingBox())!;
    expect(label.x).toBeGreaterThan(await hourX(0));
    expect(await grid.locator('svg').evaluate((el) => getComputedStyle(el).transform)).toBe('none');
    await calendar.scrollIntoViewIfNeeded();
    await shoot(page, 'heatmap-rtl');

    // On a phone the weeks scroll sideways: it opens on the newest, at the left end.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${server.url}/communities/profile/${member}`);
    const newestCell = calendar.locator(`rect[data-date="${dates.at(-1)}"]`);
    await newestCell.waitFor();
    const scroller = (await calendar.locator('.cm-heat-scroll').boundingBox())!;
    const seen = (await newestCell.boundingBox())!;
    expect(seen.x).toBeGreaterThanOrEqual(scroller.x);
    expect(seen.x + seen.width).toBeLessThanOrEqual(scroller.x + scroller.width);
    await calendar.scrollIntoViewIfNeeded();
    await screenshot(page, 'heatmap-rtl-phone');
    await context.close();
  });
});
