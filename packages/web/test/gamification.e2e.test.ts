import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from '../../server/test/support/factories';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot, signedInPage as openSignedIn } from './support/browser';

/**
 * Points as a student meets them: two students chat, one reacts, and the other sees the points on
 * the leaderboard and in the profile popover, gets a level-up toast, and a level-gated channel opens.
 */
let server: TestServer;
let browser: Browser;
const SHOTS = process.env.GAMUI_SHOTS_DIR;

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

/** The shared screenshots, and (GAMUI_SHOTS_DIR set) a copy at desktop and 360 px for review. */
async function shoot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The same page at 360 px, then back to the desktop size. */
async function narrow(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 360, height: 740 });
  // Let the layout's slide transitions settle before the picture (not an assertion).
  await page.waitForTimeout(500);
  await shoot(page, name);
  await page.setViewportSize({ width: 1280, height: 820 });
}

const byAuthor = (page: Page, author: string, text: string) =>
  page.getByRole('log').getByRole('article', { name: new RegExp(`^${author}, .*${text}`) });

describe('gamification in Chromium', () => {
  it('two students chat, one reacts: points on the leaderboard and profile, a level-up toast, a gated channel unlocks', async () => {
    const admin = server.demo.adminId;
    const owner = server.demo.instructorIds[0]!;
    const [a, b] = [server.demo.studentIds[6]!, server.demo.studentIds[7]!];
    const c = await makeCommunity(server, { ownerId: owner, name: 'Points Lab' });
    const at = await server.as(admin).gamification.adminSettings();
    await addMember(server, c.id, a);
    await addMember(server, c.id, b);
    await server.ctx.bus.idle();
    const start = (await server.as(a).gamification.userProfile({ params: { userId: a }, query: { community_id: c.id } })).points;
    // Level 2 starts two points above A's joining points: one for a message, one for a reaction.
    await server.as(admin).gamification.updateAdminSettings({ body: { level_thresholds: [0, start + 2, start + 1000] } });
    expect(at.level_thresholds).not.toEqual([0, start + 2, start + 1000]);
    const gated = await server
      .as(owner)
      .channels.create({ params: { id: String(c.id) }, body: { name: 'level-two-lounge', min_level: 2 } });
    const nameA = (await server.as(a).system.me()).name;
    const nameB = (await server.as(b).system.me()).name;

    const pa = await signedInPage(a);
    const pb = await signedInPage(b);
    await pa.goto(`${server.url}/communities/${c.slug}/channels/general`);
    await pb.goto(`${server.url}/communities/${c.slug}/channels/general`);

    // The gated channel is shown locked, with the level it needs; opening it explains.
    const lockedRow = pa.locator(`[data-channel-id="${gated.id}"]`);
    await lockedRow.getByTestId('channel-locked').getByText('Lv 2').waitFor();
    await shoot(pa, 'gam-locked-channel');
    await lockedRow.click();
    await pa.getByTestId('locked-note').getByText('Reach level 2 in this community to open it.', { exact: false }).waitFor();
    expect(await pa.getByLabel('Message #level-two-lounge').count()).toBe(0);
    await shoot(pa, 'gam-locked-note');
    await narrow(pa, 'gam-locked-note-360');
    await pa
      .getByRole('navigation', { name: 'Channels' })
      .getByRole('link', { name: /general/ })
      .click();

    const composerA = pa.getByLabel('Message #general');
    await composerA.fill('Hello lab, my first long message here');
    await composerA.press('Enter');
    const composerB = pb.getByLabel('Message #general');
    await composerB.fill('Welcome, glad to have you in the lab');
    await composerB.press('Enter');
    await byAuthor(pa, nameB, 'glad to have you').waitFor();

    // B reacts to A's message: A reaches level 2 and is told live.
    const fromA = byAuthor(pb, nameA, 'my first long message');
    await fromA.hover();
    await fromA.getByRole('button', { name: 'Add a reaction' }).first().click();
    await pb.getByRole('menuitem', { name: '🔥' }).click();
    const toast = pa.getByTestId('level-up-toast').filter({ hasText: 'You reached level 2' }).first();
    await toast.waitFor({ timeout: 15_000 });
    await shoot(pa, 'gam-level-up-toast');
    await narrow(pa, 'gam-level-up-toast-360');

    // The gated channel opens now: no lock, and its composer is there.
    await expect.poll(async () => lockedRow.getByTestId('channel-locked').count(), { timeout: 10_000 }).toBe(0);
    await lockedRow.click();
    await pa.getByLabel('Message #level-two-lounge').waitFor();

    // Level chips beside names in chat; the name opens the profile popover with the points.
    const msgA = byAuthor(pa, nameA, 'my first long message');
    await pa.goto(`${server.url}/communities/${c.slug}/channels/general`);
    await msgA.getByTestId('level-chip').getByText('Lv 2').waitFor();
    await msgA.getByRole('button', { name: nameA, exact: true }).click();
    const popover = pa.getByRole('dialog', { name: `Profile of ${nameA}` });
    await popover
      .getByTestId('profile-points')
      .getByText(`${start + 2} points`)
      .waitFor();
    await popover.getByText('Reaction received').waitFor();
    await popover.getByRole('progressbar').waitFor();
    await shoot(pa, 'gam-profile-popover');
    await pa.keyboard.press('Escape');
    await pa.setViewportSize({ width: 360, height: 740 });
    await msgA.getByRole('button', { name: nameA, exact: true }).click();
    await popover.getByRole('progressbar').waitFor();
    const box = (await popover.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await shoot(pa, 'gam-profile-popover-360');
    await pa.keyboard.press('Escape');
    await pa.setViewportSize({ width: 1280, height: 820 });

    // The leaderboard tab: A on top with those points, with level chips; B's own rank pinned.
    await pb.goto(`${server.url}/communities/${c.slug}/leaderboard`);
    const podium = pb.getByRole('list', { name: 'Top three' });
    const first = podium.locator('.cm-podium-step--1');
    await first.getByText(nameA).waitFor();
    await first.getByText(`${start + 2} points`).waitFor();
    await first.getByTestId('level-chip').getByText('Lv 2').waitFor();
    await pb
      .getByTestId('my-rank')
      .getByText(/You are #2 with \d+ points/)
      .waitFor();
    await pb.getByRole('button', { name: 'All time' }).click();
    await first.getByText(`${start + 2} points`).waitFor();
    await shoot(pb, 'gam-leaderboard');

    // The top-5 widget in the community sidebar.
    await pb.goto(`${server.url}/communities/${c.slug}`);
    await pb.getByRole('region', { name: 'Top this week' }).getByText(nameA).waitFor();

    // The profile page: points, badges, and the privacy toggle for oneself.
    await pa.goto(`${server.url}/communities/${c.slug}/members/${a}`);
    await pa
      .getByTestId('profile-points')
      .getByText(`${start + 2} points`)
      .waitFor();
    const hide = pa.getByLabel('Hide me from leaderboards (admins still see me)');
    await hide.check();
    await expect
      .poll(async () => (await server.as(a).gamification.userProfile({ params: { userId: a }, query: {} })).hide_from_leaderboards)
      .toBe(true);
    await pb.goto(`${server.url}/communities/${c.slug}/leaderboard`);
    // A hidden member leaves no gap in the ranks others see (#17): B moves up to #1.
    await pb.locator('.cm-podium-step--1').getByText(nameB).waitFor();
    expect(await pb.getByRole('list', { name: 'Top three' }).getByText(nameA).count()).toBe(0);

    // At 360 px the leaderboard still fits.
    await pb.setViewportSize({ width: 360, height: 740 });
    await shoot(pb, 'gam-leaderboard-360');
    expect(await pb.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await pa.context().close();
    await pb.context().close();
  });

  it('the asker marks a reply helpful in chat and a comment helpful in the feed, and takes the mark back', async () => {
    const owner = server.demo.instructorIds[0]!;
    const [asker, helper] = [server.demo.studentIds[8]!, server.demo.studentIds[9]!];
    const c = await makeCommunity(server, { ownerId: owner, name: 'Helpful Lab' });
    await addMember(server, c.id, asker);
    await addMember(server, c.id, helper);
    const general = (await server.as(owner).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
    const q = await server.as(asker).channels.post({ params: { channelId: general.id }, body: { content: 'How do I solve exercise 3?' } });
    const answer = await server
      .as(helper)
      .channels.post({ params: { channelId: general.id }, body: { content: 'Use the formula from chapter 2', reply_to_id: q.id } });
    const nameHelper = (await server.as(helper).system.me()).name;
    const nameAsker = (await server.as(asker).system.me()).name;
    const helpfulPoints = async () => {
      await server.ctx.bus.idle();
      const p = await server.as(helper).gamification.userProfile({ params: { userId: helper }, query: { community_id: c.id } });
      return p.recent_awards.filter((r) => r.type.endsWith('answer_marked_helpful')).reduce((n, r) => n + r.points, 0);
    };

    const pa = await signedInPage(asker);
    const ph = await signedInPage(helper);
    await pa.goto(`${server.url}/communities/${c.slug}/channels/${general.slug}`);
    await ph.goto(`${server.url}/communities/${c.slug}/channels/${general.slug}`);
    const reply = byAuthor(pa, nameHelper, 'formula from chapter 2');
    await reply.hover();
    // Only the reply offers the mark, and only to the asker: not on the question, not to its author.
    expect(await byAuthor(pa, nameAsker, 'exercise 3').getByRole('button', { name: 'Mark helpful' }).count()).toBe(0);
    const ownReply = byAuthor(ph, nameHelper, 'formula from chapter 2');
    await ownReply.waitFor();
    expect(await ownReply.getByRole('button', { name: 'Mark helpful' }).count()).toBe(0);
    await reply.getByRole('button', { name: 'Mark helpful' }).click();
    await reply.locator('.cm-helpful').getByText('Helpful').waitFor();
    await expect.poll(helpfulPoints).toBe(10);
    await shoot(pa, 'gam-helpful-chat');
    // Everyone sees the mark once they load the channel.
    await ph.reload();
    await byAuthor(ph, nameHelper, 'formula from chapter 2').locator('.cm-helpful').getByText('Helpful').waitFor();
    await reply.hover();
    await reply.getByRole('button', { name: 'Remove the helpful mark' }).click();
    await expect.poll(async () => reply.locator('.cm-helpful').count()).toBe(0);
    await expect.poll(helpfulPoints).toBe(0);
    expect(
      (await server.as(owner).channels.messages({ params: { channelId: general.id }, query: {} })).items.find((m) => m.id === answer.id)!
        .helpful,
    ).toBe(false);

    // The feed: the post's author marks a comment helpful.
    const post = await server.as(asker).feed.post({ params: { id: c.slug }, body: { content: 'Which book should I read first?' } });
    const comment = await server
      .as(helper)
      .feed.comment({ params: { itemId: post.id }, body: { content: 'Start with the blue one, really' } });
    await pa.goto(`${server.url}/communities/${c.slug}`);
    const card = pa.locator('article').filter({ hasText: 'Which book should I read first?' });
    await card.getByRole('button', { name: /1 comment/ }).click();
    const row = card.locator(`[data-comment-id="${comment.id}"]`);
    await row.getByRole('button', { name: 'Mark helpful' }).click();
    await row.locator('.cm-helpful').getByText('Helpful').waitFor();
    await expect.poll(helpfulPoints).toBe(10);
    await shoot(pa, 'gam-helpful-comment');
    await pa.setViewportSize({ width: 360, height: 740 });
    expect(await pa.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await pa.setViewportSize({ width: 1280, height: 820 });
    await row.getByRole('button', { name: 'Remove the helpful mark' }).click();
    await expect.poll(async () => row.locator('.cm-helpful').count()).toBe(0);
    await expect.poll(helpfulPoints).toBe(0);
    await pa.context().close();
    await ph.context().close();
  });

  it('the header links to the site-wide leaderboard: podium, the viewer pinned, periods, level chips, and it fits 360 px', async () => {
    const owner = server.demo.instructorIds[0]!;
    const viewer = server.demo.studentIds[10]!;
    // The viewer earns points in two communities: the site-wide board counts both.
    for (const name of ['Global Board One', 'Global Board Two']) {
      const c = await makeCommunity(server, { ownerId: owner, name });
      await addMember(server, c.id, viewer);
      const general = (await server.as(owner).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
      await server.as(viewer).channels.post({ params: { channelId: general.id }, body: { content: `A long enough message in ${name}` } });
    }
    await server.ctx.bus.idle();
    const week = await server.as(viewer).gamification.globalLeaderboard({ query: { period: 'week' } });
    const all = await server.as(viewer).gamification.globalLeaderboard({ query: { period: 'all_time' } });
    expect(week.viewer.rank).not.toBeNull();

    const page = await signedInPage(viewer);
    await page.getByTestId('leaderboard-link').click();
    await page.waitForURL(`${server.url}/communities/leaderboard`);
    await page.getByRole('heading', { name: 'Leaderboard of the whole school' }).waitFor();
    const first = page.getByRole('list', { name: 'Top three' }).locator('.cm-podium-step--1');
    await first.getByText(week.items[0]!.user.name).waitFor();
    await first.getByText(`${week.items[0]!.points} points`).waitFor();
    await first.getByTestId('level-chip').getByText(`Lv ${week.items[0]!.level}`).waitFor();
    await page.getByTestId('my-rank').getByText(`You are #${week.viewer.rank} with ${week.viewer.points} points`).waitFor();
    await page.getByRole('button', { name: 'All time' }).click();
    await first.getByText(`${all.items[0]!.points} points`).waitFor();
    await page.getByTestId('my-rank').getByText(`You are #${all.viewer.rank} with ${all.viewer.points} points`).waitFor();
    await shoot(page, 'gam-global-leaderboard');
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByRole('heading', { name: 'Leaderboard of the whole school' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shoot(page, 'gam-global-leaderboard-360');
    // Opened directly, the page is there too (a reserved slug, not a community).
    await page.goto(`${server.url}/communities/leaderboard`);
    await page.getByTestId('global-leaderboard').waitFor();
    await page.context().close();
  });

  it("a site admin edits point values and level thresholds in the admin area's Gamification section", async () => {
    const admin = server.demo.adminId;
    const page = await signedInPage(admin);
    await page.getByTestId('admin-link').click();
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Gamification' }).click();
    await page.getByRole('heading', { name: 'Gamification settings' }).waitFor();
    const feedPost = page.getByLabel('Post', { exact: true });
    await feedPost.fill('7');
    await page.getByLabel(/Points where each level starts/).fill('0, 10, 50, 200');
    await shoot(page, 'gam-admin');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const saved = await server.as(admin).gamification.adminSettings();
    expect(saved.points.feed_post).toBe(7);
    expect(saved.level_thresholds).toEqual([0, 10, 50, 200]);

    // A bad value is refused with the server's reason, and nothing changes.
    await page.getByLabel(/Points where each level starts/).fill('5, 1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').waitFor();
    expect((await server.as(admin).gamification.adminSettings()).level_thresholds).toEqual([0, 10, 50, 200]);

    // A student has no admin link, and the screen is a plain 404 to them.
    const student = await signedInPage(server.demo.studentIds[0]!);
    expect(await student.getByTestId('admin-link').count()).toBe(0);
    await student.goto(`${server.url}/communities/admin/gamification`);
    await student.getByTestId('not-found').waitFor();
    await page.setViewportSize({ width: 360, height: 740 });
    await shoot(page, 'gam-admin-360');
    await page.context().close();
    await student.context().close();
  });
});
