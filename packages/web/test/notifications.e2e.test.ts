import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from '../../server/test/support/factories';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, realtimeLive, screenshot, signedInPage as openSignedIn } from './support/browser';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({ rate_limits: { messages: { max: 1000, window_seconds: 1 } } }, { web: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signedInPage = (userId: number, viewport?: { width: number; height: number }): Promise<Page> =>
  openSignedIn(browser, server.url, userId, viewport);

/** A community with members A and B, its #general, and B's bell empty (joining levelled B up, a notification of its own). */
async function twoMembers(name: string, a: number, b: number) {
  const c = await makeCommunity(server, { name });
  await addMember(server, c.id, a);
  await addMember(server, c.id, b);
  const general = (await server.as(a).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
  await server.ctx.bus.idle();
  await server.as(b).notifications.markRead({ body: { all: true } });
  return { c, general };
}

describe('notifications in Chromium', () => {
  it('a mention shows in the bell live; clicking it opens the channel around the message, far back in the history', async () => {
    const [a, b] = [server.demo.studentIds[0]!, server.demo.studentIds[1]!];
    const { c, general } = await twoMembers('Bell Academy', a, b);
    const page = await signedInPage(b);
    await page.goto(`${server.url}/communities`);
    const bell = page.getByTestId('notification-bell');
    await bell.waitFor();
    await realtimeLive(page);
    await expect.poll(() => page.getByTestId('notification-count').count()).toBe(0);

    // A mentions B while B's page is open: the badge lights up without a reload.
    const m = await server
      .as(a)
      .channels.post({ params: { channelId: general.id }, body: { content: `@[B](user:${b}) the rubric for week 3 is pinned` } });
    await page.getByTestId('notification-count').getByText('1', { exact: true }).waitFor({ timeout: 30_000 });

    // Then the channel moves on: the mention is far older than the page the channel opens with.
    for (let i = 0; i < 90; i++)
      await server.as(a).channels.post({ params: { channelId: general.id }, body: { content: `filler message ${i}` } });

    await bell.click();
    const panel = page.getByTestId('notification-panel');
    const item = panel.getByTestId('notification-item').filter({ hasText: 'rubric for week 3' });
    await item.getByText(/mentioned you/).waitFor();
    await screenshot(page, 'notifications-bell');
    await item.getByRole('link').click();

    // The link carries ?message=<id>; the channel drops it once it has jumped (a reload stays put), so either is fine here.
    await page.waitForURL(new RegExp(`/communities/${c.id}/channels/${general.id}(\\?message=${m.id})?$`));
    const target = page.locator(`#cm-msg-${m.id}`);
    await target.waitFor({ timeout: 30_000 });
    await expect.poll(() => target.isVisible()).toBe(true);
    await expect
      .poll(() =>
        target.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        }),
      )
      .toBe(true);
    // Opening it read it.
    await expect.poll(() => page.getByTestId('notification-count').count(), { timeout: 10_000 }).toBe(0);
    await screenshot(page, 'notifications-jump');
  });

  it('the notifications page lists items and saves preferences', async () => {
    const u = server.demo.studentIds[1]!;
    const page = await signedInPage(u, { width: 390, height: 844 });
    await page.goto(`${server.url}/communities/notifications`);
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.getByTestId('notification-item').first().waitFor();
    await page.getByTestId('notification-level').selectOption('mentions');
    await expect.poll(async () => (await server.as(u).notifications.preferences()).level).toBe('mentions');
    await page.getByRole('checkbox', { name: 'Reactions to your posts: In the bell' }).uncheck();
    await expect.poll(async () => (await server.as(u).notifications.preferences()).kinds.reaction.in_app).toBe(false);
    await screenshot(page, 'notifications-page-mobile');
  });

  it("the channel header's bell mutes a channel: the bell icon says so, mentions there stay out of the bell, the settings page names it", async () => {
    const [a, b] = [server.demo.studentIds[2]!, server.demo.studentIds[3]!];
    const { c, general } = await twoMembers('Quiet Academy', a, b);

    const page = await signedInPage(b);
    await page.goto(`${server.url}/communities/${c.slug}/channels/general`);
    await page.getByTestId('channel-notify-button').click();
    const panel = page.getByRole('dialog', { name: 'Notification settings' });
    await panel.getByTestId('channel-notifications').getByRole('checkbox', { name: 'Mute' }).check();
    await expect
      .poll(async () => (await server.as(b).notifications.preferences()).scopes)
      .toEqual([
        {
          community_id: c.id,
          community_name: 'Quiet Academy',
          channel_id: general.id,
          channel_name: general.name,
          muted: true,
          level: null,
        },
      ]);
    // The header's bell is struck through while the channel is muted.
    await expect.poll(() => page.getByTestId('channel-notify-button').locator('path').count()).toBe(3);
    await screenshot(page, 'notifications-channel-muted');

    await server.as(a).channels.post({ params: { channelId: general.id }, body: { content: `@[B](user:${b}) are you there?` } });
    await server.ctx.bus.idle();
    expect((await server.as(b).notifications.list({ query: { unread: 'true' } })).items).toEqual([]);

    await page.goto(`${server.url}/communities/notifications`);
    const listed = page.locator('.cm-notif-scopes li');
    await listed.getByText('Quiet Academy').waitFor();
    await expect.poll(() => listed.textContent()).toContain(`# ${general.name}`);
    await listed.getByRole('button', { name: 'Unmute' }).click();
    await expect.poll(async () => (await server.as(b).notifications.preferences()).scopes).toEqual([]);
  });
});
