import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from '../../server/test/support/factories';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, realtimeLive, screenshot } from './support/browser';

/**
 * A paid tier as a student meets it: the card and the community show the price, the channel for
 * subscribers says why it is locked and offers "Join for £15/month", which links to RocketLMS's
 * page for the course; once the sale is in RocketLMS's tables, "Check my purchase" opens it.
 */
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({ host: { base_url: 'https://school.example.com' } }, { web: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedInPage(userId: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  const page = await context.newPage();
  await demoSignIn(page, server.url, userId);
  return page;
}

describe('paid tiers in Chromium', () => {
  it('a non-payer sees the price and the Buy link to the checkout; after the sale and Check my purchase, the channel opens', async () => {
    const admin = server.demo.adminId;
    const course = server.demo.courseIds[3]!;
    const slug = (await server.ctx.hostDb.selectFrom('webinars').select('slug').where('id', '=', course).executeTakeFirstOrThrow()).slug;
    const had = new Set(
      (await server.ctx.hostDb.selectFrom('sales').select('buyer_id').where('webinar_id', '=', course).execute()).map((r) => r.buyer_id),
    );
    const buyer = server.demo.studentIds.find((u) => !had.has(u) && u !== server.demo.bannedUserId && u !== server.demo.inactiveUserId)!;
    const c = await makeCommunity(server, { ownerId: admin, name: 'Pro Lounge' });
    const api = server.as(admin);
    // A free tier keeps the community open; the paid one opens #vip.
    await api.communities.createTier({
      params: { id: String(c.id) },
      body: { name: 'Free', price_minor: 0, currency: 'GBP', is_default: true },
    });
    const pro = await api.communities.createTier({
      params: { id: String(c.id) },
      body: {
        name: 'Pro',
        price_minor: 1500,
        currency: 'GBP',
        billing_interval: 'monthly',
        host_item_type: 'course',
        host_item_id: course,
      },
    });
    await api.channels.create({ params: { id: String(c.id) }, body: { name: 'vip', required_tier_ids: [pro.id] } });
    await addMember(server, c.id, buyer);

    const page = await signedInPage(buyer);
    // Discovery: the card shows the price, and the Paid filter finds it.
    await page.goto(`${server.url}/communities`);
    await page.getByRole('article', { name: 'Pro Lounge' }).getByText('£15/month').waitFor();

    await page.goto(`${server.url}/communities/${c.slug}/channels/vip`);
    const note = page.getByTestId('locked-note');
    await note.getByText('#vip is for subscribers').waitFor();
    await note.getByText('Subscribe to Pro to read and post here.').waitFor();
    const buy = note.getByRole('link', { name: 'Join for £15/month' });
    expect(await buy.getAttribute('href')).toBe(`https://school.example.com/course/${slug}`);
    await screenshot(page, 'paid-locked-channel');

    // Checking before paying finds nothing.
    await note.getByRole('button', { name: 'Check my purchase' }).click();
    await note.getByText('No purchase found yet', { exact: false }).waitFor();

    // RocketLMS records the paid sale (its checkout, outside the addon).
    const now = Math.floor(Date.now() / 1000);
    const order = await server.ctx.hostDb
      .insertInto('orders')
      .values({ user_id: buyer, status: 'paid', amount: 15, created_at: now })
      .executeTakeFirstOrThrow();
    await server.ctx.hostDb
      .insertInto('sales')
      .values({
        buyer_id: buyer,
        seller_id: null,
        order_id: Number(order.insertId),
        webinar_id: course,
        bundle_id: null,
        subscribe_id: null,
        type: 'webinar',
        payment_method: 'payment_channel',
        amount: 15,
        manual_added: 0,
        access_to_purchased_item: 1,
        created_at: now,
        refund_at: null,
      })
      .execute();

    await note.getByRole('button', { name: 'Check my purchase' }).click();
    // The channel opens: the conversation replaces the locked note, and the lock leaves the sidebar.
    await page.getByRole('log').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('locked-note').count()).toBe(0);
    const row = page.locator('[data-channel-id]', { hasText: 'vip' });
    await expect.poll(async () => row.getByTestId('channel-locked').count(), { timeout: 10_000 }).toBe(0);
    await screenshot(page, 'paid-channel-open');

    // The owner's Revenue tab: the sale counts, in the school's currency and locale.
    await server.ctx.hostSync.runOnce();
    const ownerPage = await signedInPage(admin);
    await ownerPage.goto(`${server.url}/communities/${c.slug}`);
    await ownerPage.getByRole('link', { name: 'Revenue' }).click();
    const rows = ownerPage.getByTestId('revenue-row');
    await rows.first().waitFor();
    const proRow = rows.filter({ hasText: 'Pro' });
    // Earlier buyers of the course within the month hold the tier too (the demo's sales of it are free).
    const r = await api.communities.tierRevenue({ params: { id: c.slug } });
    const proRevenue = r.tiers.find((x) => x.tier.id === pro.id)!;
    expect(proRevenue.revenue_minor).toBe(1500);
    expect(await proRow.locator('td').allInnerTexts()).toEqual([
      String(proRevenue.subscribers.active),
      '0',
      '0',
      '0',
      String(proRevenue.sales),
      '$15',
    ]);
    expect(await ownerPage.getByTestId('revenue-total').locator('td').last().innerText()).toBe('$15');
    await screenshot(ownerPage, 'paid-revenue-tab');
    // The buyer has no Revenue tab.
    await page.goto(`${server.url}/communities/${c.slug}`);
    await page.getByRole('link', { name: 'Feed' }).waitFor();
    expect(await page.getByRole('link', { name: 'Revenue' }).count()).toBe(0);
  }, 120_000);

  it('the host sync opens the channel live (no reload, no click) with a toast, and a refund closes it again', async () => {
    const admin = server.demo.adminId;
    const course = server.demo.courseIds[0]!;
    const had = new Set(
      (await server.ctx.hostDb.selectFrom('sales').select('buyer_id').where('webinar_id', '=', course).execute()).map((r) => r.buyer_id),
    );
    const buyer = server.demo.studentIds.find((u) => !had.has(u) && u !== server.demo.bannedUserId && u !== server.demo.inactiveUserId)!;
    const c = await makeCommunity(server, { ownerId: admin, name: 'Live Lounge' });
    const api = server.as(admin);
    await api.communities.createTier({
      params: { id: String(c.id) },
      body: { name: 'Free', price_minor: 0, currency: 'GBP', is_default: true },
    });
    const gold = await api.communities.createTier({
      params: { id: String(c.id) },
      body: {
        name: 'Gold',
        price_minor: 900,
        currency: 'GBP',
        billing_interval: 'monthly',
        host_item_type: 'course',
        host_item_id: course,
      },
    });
    await api.channels.create({ params: { id: String(c.id) }, body: { name: 'gold', required_tier_ids: [gold.id] } });
    await addMember(server, c.id, buyer);

    const page = await signedInPage(buyer);
    await page.goto(`${server.url}/communities/${c.slug}/channels/gold`);
    await page.getByTestId('locked-note').getByText('#gold is for subscribers').waitFor();
    await realtimeLive(page);

    const now = Math.floor(Date.now() / 1000);
    const sale = await server.ctx.hostDb
      .insertInto('sales')
      .values({
        buyer_id: buyer,
        seller_id: null,
        order_id: null,
        webinar_id: course,
        bundle_id: null,
        subscribe_id: null,
        type: 'webinar',
        payment_method: 'payment_channel',
        amount: 9,
        manual_added: 1,
        access_to_purchased_item: 1,
        created_at: now,
        refund_at: null,
      })
      .executeTakeFirstOrThrow();
    // The worker's pass, as every sync interval runs it: the page hears subscription.changed.
    await server.ctx.hostSync.runOnce();
    await page.getByTestId('subscription-toast').getByText('Your Gold subscription to Live Lounge is active.').waitFor({ timeout: 30_000 });
    await page.getByRole('log').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('locked-note').count()).toBe(0);
    await screenshot(page, 'paid-channel-opened-live');

    await server.ctx.hostDb.updateTable('sales').set({ refund_at: now }).where('id', '=', Number(sale.insertId)).execute();
    await server.ctx.hostSync.runOnce();
    await page.locator('[data-testid="subscription-toast"][data-change="cancelled"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('locked-note').getByText('#gold is for subscribers').waitFor({ timeout: 30_000 });
  }, 120_000);

  it("an owner links a tier to their course through the tier editor's picker; a non-payer's Buy link goes to that course", async () => {
    const owner = server.demo.instructorIds[0]!;
    const course = (await server.ctx.host.courses.coursesTaughtBy(owner, 50)).find((x) => x.type !== 'bundle')!;
    const others = (await server.ctx.host.courses.coursesTaughtBy(server.demo.instructorIds[1]!, 50)).filter(
      (x) => x.type !== 'bundle' && !x.teacherIds.includes(owner),
    );
    const c = await makeCommunity(server, { ownerId: owner, name: 'Picker Lounge' });
    const api = server.as(owner);
    await api.communities.createTier({
      params: { id: String(c.id) },
      body: { name: 'Free', price_minor: 0, currency: 'GBP', is_default: true },
    });
    const plus = await api.communities.createTier({
      params: { id: String(c.id) },
      body: { name: 'Plus', price_minor: 1200, currency: 'GBP', billing_interval: 'monthly' },
    });
    await api.channels.create({ params: { id: String(c.id) }, body: { name: 'plus', required_tier_ids: [plus.id] } });

    const ownerPage = await signedInPage(owner);
    await ownerPage.goto(`${server.url}/communities/${c.slug}/settings`);
    const field = ownerPage.getByRole('group', { name: 'Plus: sold through RocketLMS as' });
    await field.getByTestId('tier-linked-item').getByText('Not linked', { exact: false }).waitFor();
    // The picker offers the owner's own courses only.
    const results = field.getByRole('list', { name: 'Items you may sell' });
    await results.getByRole('radio').first().waitFor();
    for (const o of others.slice(0, 3)) expect(await results.getByRole('radio', { name: o.title, exact: true }).count()).toBe(0);
    await field.getByRole('combobox', { name: 'Item type' }).selectOption('course');
    await field.getByRole('searchbox', { name: 'Search by title' }).fill(course.title);
    const radio = results.getByRole('radio', { name: course.title, exact: true });
    await radio.check();
    await field.getByTestId('tier-chosen-item').getByText(`Chosen: ${course.title}`).waitFor();
    await field.getByRole('button', { name: 'Link this item' }).click();
    await field.getByTestId('tier-linked-item').getByRole('link', { name: course.title }).waitFor();
    await screenshot(ownerPage, 'tier-item-picker');
    const saved = (await api.communities.tiers({ params: { id: c.slug } })).items.find((x) => x.id === plus.id)!;
    expect(saved).toMatchObject({ host_item_type: 'course', host_item_id: course.id });

    // A member who has not paid: the locked channel's Buy link goes to that course's page.
    const had = new Set(
      (await server.ctx.hostDb.selectFrom('sales').select('buyer_id').where('webinar_id', '=', course.id).execute()).map((r) => r.buyer_id),
    );
    const member = server.demo.studentIds.find((u) => !had.has(u) && u !== server.demo.bannedUserId && u !== server.demo.inactiveUserId)!;
    await addMember(server, c.id, member);
    const page = await signedInPage(member);
    await page.goto(`${server.url}/communities/${c.slug}/channels/plus`);
    const buy = page.getByTestId('locked-note').getByRole('link', { name: 'Join for £12/month' });
    await buy.waitFor();
    expect(await buy.getAttribute('href')).toBe(course.url);

    // Unlinking takes the Buy link away again.
    await field.getByRole('button', { name: 'Unlink' }).click();
    await field.getByTestId('tier-linked-item').getByText('Not linked', { exact: false }).waitFor();
    expect((await api.communities.tiers({ params: { id: c.slug } })).items.find((x) => x.id === plus.id)).toMatchObject({
      host_item_type: null,
      host_item_id: null,
      checkout_url: null,
    });
  }, 120_000);
});
