import type { Realtime } from '@communities/client';
import { REALTIME_EVENT_SCHEMAS, REALTIME_EVENTS, realtimeChannel, type RealtimeEventData } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { realtimeClients } from './support/realtime-clients';
import { startTestServer, type TestServer } from './support/server';

/**
 * Paid tiers at the user's level on the embedded database (the demo school's RocketLMS-shaped
 * tables): the subscriber hears every change live, tier features gate what members may do,
 * the owner's revenue view, and the pricing config keys.
 */
let s: TestServer;
const rts = realtimeClients(() => s);
type Changed = RealtimeEventData<'subscription.changed'>;

beforeAll(async () => {
  s = await startTestServer({ pricing: { grace_period_hours: 0 } });
});
afterAll(async () => {
  rts.closeAll();
  await s.close();
});

const nowS = () => Math.floor(s.ctx.clock.now().getTime() / 1000);
const used = new Set<number>();
/** A student who has never bought `course`, each used once. */
async function newcomer(course: number): Promise<number> {
  const had = new Set(
    (await s.ctx.hostDb.selectFrom('sales').select('buyer_id').where('webinar_id', '=', course).execute()).map((r) => Number(r.buyer_id)),
  );
  const id = s.demo.studentIds.find((u) => !had.has(u) && !used.has(u) && u !== s.demo.bannedUserId && u !== s.demo.inactiveUserId);
  if (!id) throw new Error('no student left without the course');
  used.add(id);
  return id;
}

async function paidSale(buyer: number, course: number, amount = 15): Promise<number> {
  const order = await s.ctx.hostDb
    .insertInto('orders')
    .values({ user_id: buyer, status: 'paid', amount, created_at: nowS() })
    .executeTakeFirstOrThrow();
  const sale = await s.ctx.hostDb
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
      amount,
      manual_added: 0,
      access_to_purchased_item: 1,
      created_at: nowS(),
      refund_at: null,
    })
    .executeTakeFirstOrThrow();
  return Number(sale.insertId);
}

/** A public community owned by the admin with one paid monthly tier sold as `course`, and a channel it gates. */
async function paidCommunity(course: number, features: Record<string, boolean> = {}) {
  const owner = s.demo.adminId;
  const c = await makeCommunity(s, { ownerId: owner });
  const tier = await s.as(owner).communities.createTier({
    params: { id: String(c.id) },
    body: {
      name: 'Pro',
      price_minor: 1500,
      currency: 'GBP',
      billing_interval: 'monthly',
      host_item_type: 'course',
      host_item_id: course,
      features,
    },
  });
  const channel = await s.as(owner).channels.create({
    params: { id: String(c.id) },
    body: { name: 'subscribers', type: 'text', required_tier_ids: [tier.id] },
  });
  return { c, tier, channel, owner };
}

describe('subscription.changed on the subscriber’s user channel', () => {
  it('a sale, a refund and a grant reach a real client live, matching the contract; the gated channel follows', async () => {
    const course = s.demo.courseIds[3]!;
    const { c, tier, channel, owner } = await paidCommunity(course);
    const buyer = await newcomer(course);
    const rt: Realtime = await rts.client(buyer);
    const userChannel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, buyer);
    await rt.subscribed(userChannel);
    const got: Changed[] = [];
    rt.on(userChannel, REALTIME_EVENTS.subscriptionChanged, (d) => got.push(REALTIME_EVENT_SCHEMAS['subscription.changed'].parse(d)));

    await expectStatus(s.as(buyer).channels.get({ params: { channelId: channel.id } }), 403, 'forbidden');
    const saleId = await paidSale(buyer, course);
    await s.ctx.hostSync.runOnce();
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(1);
    expect(got[0]).toMatchObject({
      community_id: c.id,
      slug: c.slug,
      tier_id: tier.id,
      tier_name: 'Pro',
      change: 'activated',
      status: 'active',
    });
    expect(got[0]!.message).toContain('Pro');
    // What the client does on the event: list the channel again, and it is open.
    expect((await s.as(buyer).channels.get({ params: { channelId: channel.id } })).locked_reason).toBeNull();
    // RocketLMS's notification centre has it too (integration.notification_channel = both).
    const hostNote = await s.ctx.hostDb
      .selectFrom('notifications')
      .select('message')
      .where('user_id', '=', buyer)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    expect(hostNote?.message).toContain('Pro');

    await s.ctx.hostDb.updateTable('sales').set({ refund_at: nowS() }).where('id', '=', saleId).execute();
    await s.ctx.hostSync.runOnce();
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(2);
    expect(got[1]).toMatchObject({ tier_id: tier.id, change: 'cancelled', status: 'cancelled' });
    await expectStatus(s.as(buyer).channels.get({ params: { channelId: channel.id } }), 403, 'forbidden');

    await s.as(owner).communities.grantTier({ params: { id: c.slug, tierId: tier.id }, body: { user_id: buyer } });
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(3);
    expect(got[2]).toMatchObject({ tier_id: tier.id, change: 'activated', status: 'active', expires_at: null });
    expect((await s.as(buyer).channels.get({ params: { channelId: channel.id } })).locked_reason).toBeNull();
  });

  it('the end of a term: expiring 3 days before, then expired (grace 0), each once', async () => {
    const course = s.demo.courseIds[0]!;
    const { tier } = await paidCommunity(course);
    const buyer = await newcomer(course);
    const rt = await rts.client(buyer);
    const userChannel = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, buyer);
    await rt.subscribed(userChannel);
    const got: Changed[] = [];
    rt.on(userChannel, REALTIME_EVENTS.subscriptionChanged, (d) => got.push(d as Changed));
    await paidSale(buyer, course);
    await s.ctx.hostSync.runOnce();
    const real = s.ctx.clock;
    try {
      s.ctx.clock = { now: () => new Date(real.now().getTime() + 29 * 86_400_000) };
      await s.ctx.hostSync.runOnce();
      await s.ctx.hostSync.runOnce();
      s.ctx.clock = { now: () => new Date(real.now().getTime() + 33 * 86_400_000) };
      await s.ctx.hostSync.runOnce();
      await s.ctx.hostSync.runOnce();
    } finally {
      s.ctx.clock = real;
    }
    await expect.poll(() => got.map((e) => e.change), { timeout: 5000 }).toEqual(['activated', 'expiring', 'expired']);
    expect(got.every((e) => e.tier_id === tier.id)).toBe(true);
    expect(got[2]!.status).toBe('expired');
  });
});

describe('tier features gate taking part (through HTTP)', () => {
  it('post_feed on the paid tier only: members without it may not post (403 tier_required) until they hold it; a free tier giving send_messages leaves chat open', async () => {
    const owner = s.demo.adminId;
    const c = await makeCommunity(s, { ownerId: owner });
    const api = s.as(owner);
    await api.communities.createTier({
      params: { id: c.slug },
      body: { name: 'Free', price_minor: 0, is_default: true, features: { post_feed: false, send_messages: true, perks: 'read along' } },
    });
    const pro = await api.communities.createTier({
      params: { id: c.slug },
      body: { name: 'Pro', price_minor: 1200, features: { post_feed: true, send_messages: true } },
    });
    const u = s.demo.studentIds[20]!;
    await addMember(s, c.id, u);
    const refused = await expectStatus(s.as(u).feed.post({ params: { id: c.slug }, body: { content: 'hello' } }), 403, 'forbidden');
    expect(refused.details).toMatchObject({ reason: 'tier_required' });
    // Reading, commenting (no tier names it) and chat (the free tier gives it) stay open.
    const ownerPost = await api.feed.post({ params: { id: c.slug }, body: { content: 'welcome' } });
    await s.as(u).feed.comment({ params: { itemId: ownerPost.id }, body: { content: 'thanks' } });
    const general = (await s.as(u).channels.list({ params: { id: c.slug } })).items.find((x) => x.type === 'text')!;
    await s.as(u).channels.post({ params: { channelId: general.id }, body: { content: 'hi all' } });

    await api.communities.grantTier({ params: { id: c.slug, tierId: pro.id }, body: { user_id: u } });
    expect((await s.as(u).feed.post({ params: { id: c.slug }, body: { content: 'now I can' } })).id).toBeGreaterThan(0);
    // The owner is never gated.
    expect((await api.feed.post({ params: { id: c.slug }, body: { content: 'owner' } })).id).toBeGreaterThan(0);
  });

  it('send_messages on no tier it applies to gates chat for everyone but staff; a known feature must be a boolean (422)', async () => {
    const owner = s.demo.adminId;
    const c = await makeCommunity(s, { ownerId: owner });
    const api = s.as(owner);
    const bad = await expectStatus(
      api.communities.createTier({
        params: { id: c.slug },
        // A client that ignores the contract's types: the server still refuses it.
        body: { name: 'Odd', price_minor: 500, features: { send_messages: 'yes' } as unknown as { send_messages: boolean } },
      }),
      422,
    );
    expect(bad.issues.map((i) => i.path)).toContain('body.features.send_messages');
    const vip = await api.communities.createTier({
      params: { id: c.slug },
      body: { name: 'VIP', price_minor: 500, features: { send_messages: true } },
    });
    await api.communities.createTier({
      params: { id: c.slug },
      body: { name: 'Free', price_minor: 0, features: { send_messages: false } },
    });
    const u = s.demo.studentIds[21]!;
    await addMember(s, c.id, u);
    const general = (await s.as(u).channels.list({ params: { id: c.slug } })).items.find((x) => x.type === 'text')!;
    await expectStatus(s.as(u).channels.post({ params: { channelId: general.id }, body: { content: 'hi' } }), 403, 'forbidden');
    await api.communities.updateTier({ params: { id: c.slug, tierId: vip.id }, body: { features: {} } });
    // VIP no longer gives it and Free still refuses it: still gated, now for everyone.
    await expectStatus(s.as(u).channels.post({ params: { channelId: general.id }, body: { content: 'hi' } }), 403, 'forbidden');
    expect((await api.channels.post({ params: { channelId: general.id }, body: { content: 'staff' } })).id).toBeGreaterThan(0);
  });
});

describe("the owner's revenue by tier", () => {
  it('counts subscribers by status and sums the standing sales (renewals included, refunds left out) in the school currency', async () => {
    const course = s.demo.courseIds[2]!;
    const { c, tier, owner } = await paidCommunity(course);
    const [a, b] = [await newcomer(course), await newcomer(course)];
    await paidSale(a, course, 15);
    await s.ctx.hostSync.runOnce();
    await paidSale(a, course, 15.5); // a renewal: a second sale of the same tier
    const refundMe = await paidSale(b, course, 15);
    await s.ctx.hostSync.runOnce();
    let r = await s.as(owner).communities.tierRevenue({ params: { id: c.slug } });
    expect(r.currency).toBe(s.ctx.config.pricing.default_currency);
    expect(r.tiers).toEqual([
      expect.objectContaining({
        tier: expect.objectContaining({ id: tier.id, name: 'Pro' }),
        subscribers: { active: 2, past_due: 0, expired: 0, cancelled: 0 },
        sales: 3,
        refunded_sales: 0,
        revenue_minor: 1500 + 1550 + 1500,
      }),
    ]);
    await s.ctx.hostDb.updateTable('sales').set({ refund_at: nowS() }).where('id', '=', refundMe).execute();
    await s.ctx.hostSync.runOnce();
    r = await s.as(owner).communities.tierRevenue({ params: { id: c.slug } });
    expect(r.tiers[0]).toMatchObject({ subscribers: { active: 1, cancelled: 1 }, sales: 2, refunded_sales: 1, revenue_minor: 3050 });
    expect(r.totals).toEqual({ subscribers: { active: 1, past_due: 0, expired: 0, cancelled: 1 }, sales: 2, revenue_minor: 3050 });
    // A buyer sees nothing of it; a stranger to a hidden community learns it does not exist.
    await expectStatus(s.as(a).communities.tierRevenue({ params: { id: c.slug } }), 403, 'forbidden');
    const hidden = await makeCommunity(s, { ownerId: owner, visibility: 'hidden' });
    await expectStatus(s.as(b).communities.tierRevenue({ params: { id: hidden.slug } }), 404, 'not_found');
  });
});

describe('every pricing config key has an effect', () => {
  it('pricing.default_currency: tiers without a currency take it, /features reports it, revenue is in it', async () => {
    const t = await startTestServer({ pricing: { default_currency: 'EUR' } });
    try {
      const owner = t.demo.adminId;
      const c = await makeCommunity(t, { ownerId: owner });
      const tier = await t.as(owner).communities.createTier({ params: { id: c.slug }, body: { name: 'Plus', price_minor: 700 } });
      expect(tier.currency).toBe('EUR');
      expect((await t.as(null).system.features()).pricing.currency).toBe('EUR');
      expect((await t.as(owner).communities.tierRevenue({ params: { id: c.slug } })).currency).toBe('EUR');
    } finally {
      await t.close();
    }
  });

  it('pricing.grace_period_hours: a lapsed term keeps access that long (past_due), then ends (expired)', async () => {
    const t = await startTestServer({ pricing: { grace_period_hours: 48 } });
    try {
      const owner = t.demo.adminId;
      const c = await makeCommunity(t, { ownerId: owner });
      const tier = await t.as(owner).communities.createTier({ params: { id: c.slug }, body: { name: 'Plus', price_minor: 700 } });
      const channel = await t.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'plus', required_tier_ids: [tier.id] } });
      const u = t.demo.studentIds[22]!;
      const end = new Date(t.ctx.clock.now().getTime() + 86_400_000);
      await t
        .as(owner)
        .communities.grantTier({ params: { id: c.slug, tierId: tier.id }, body: { user_id: u, expires_at: end.toISOString() } });
      // Granted first: the community has only this paid tier, so joining needs it.
      await addMember(t, c.id, u);
      const real = t.ctx.clock;
      const at = (hoursAfterEnd: number) => (t.ctx.clock = { now: () => new Date(end.getTime() + hoursAfterEnd * 3_600_000) });
      const status = async () =>
        (
          await t.ctx.db.db
            .selectFrom('community_member_subscriptions')
            .select('status')
            .where('user_id', '=', u)
            .where('pricing_tier_id', '=', tier.id)
            .executeTakeFirstOrThrow()
        ).status;
      try {
        at(47);
        await t.ctx.hostSync.runOnce();
        expect(await status()).toBe('past_due');
        expect((await t.as(u).channels.get({ params: { channelId: channel.id } })).locked_reason).toBeNull();
        at(49);
        await t.ctx.hostSync.runOnce();
        expect(await status()).toBe('expired');
        await expectStatus(t.as(u).channels.get({ params: { channelId: channel.id } }), 403, 'forbidden');
      } finally {
        t.ctx.clock = real;
      }
    } finally {
      await t.close();
    }
  });

  it('pricing.enable_per_community_subscriptions = false: tiers are listed but gate nothing (channels, paid-only communities, features)', async () => {
    const t = await startTestServer({ pricing: { enable_per_community_subscriptions: false } });
    try {
      const owner = t.demo.adminId;
      const c = await makeCommunity(t, { ownerId: owner });
      const tier = await t.as(owner).communities.createTier({
        params: { id: c.slug },
        body: { name: 'Only', price_minor: 700, features: { post_feed: true } },
      });
      const channel = await t.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'only', required_tier_ids: [tier.id] } });
      const u = t.demo.studentIds[23]!;
      await addMember(t, c.id, u);
      expect((await t.as(u).communities.tiers({ params: { id: c.slug } })).items.map((x) => x.id)).toEqual([tier.id]);
      expect((await t.as(u).feed.communityFeed({ params: { id: c.slug }, query: {} })).items).toBeDefined();
      expect((await t.as(u).feed.post({ params: { id: c.slug }, body: { content: 'free for all' } })).id).toBeGreaterThan(0);
      expect((await t.as(u).channels.get({ params: { channelId: channel.id } })).locked_reason).toBeNull();
    } finally {
      await t.close();
    }
  });
});

describe('a store product as the linked item', () => {
  it('only its creator (or an admin) may sell it as a tier; its page is the checkout; a paid product order gives the tier, a cancelled one ends it', async () => {
    const teacher = s.demo.instructorIds[0]!;
    const other = s.demo.instructorIds[1]!;
    const product = Number(
      (
        await s.ctx.hostDb
          .insertInto('products')
          .values({ creator_id: teacher, type: 'virtual', slug: 'study-pack', price: 12, status: 'active', created_at: nowS() })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    const c = await makeCommunity(s, { ownerId: teacher });
    const body = {
      name: 'Pack',
      price_minor: 1200,
      billing_interval: 'once' as const,
      host_item_type: 'product' as const,
      host_item_id: product,
    };
    const theirs = await makeCommunity(s, { ownerId: other });
    const refused = await expectStatus(s.as(other).communities.createTier({ params: { id: theirs.slug }, body }), 403, 'forbidden');
    expect(refused.details).toMatchObject({ reason: 'not_item_seller' });
    await expectStatus(
      s.as(teacher).communities.createTier({ params: { id: c.slug }, body: { ...body, host_item_id: 987_654 } }),
      422,
      'validation_failed',
    );
    const tier = await s.as(teacher).communities.createTier({ params: { id: c.slug }, body });
    expect(tier).toMatchObject({ host_item_type: 'product', host_item_id: product });
    expect(tier.checkout_url).toMatch(/\/products\/study-pack$/);

    const buyer = s.demo.studentIds[24]!;
    const po = Number(
      (
        await s.ctx.hostDb
          .insertInto('product_orders')
          .values({
            product_id: product,
            seller_id: teacher,
            buyer_id: buyer,
            sale_id: null,
            status: 'success',
            quantity: 1,
            created_at: nowS(),
          })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    await s.ctx.hostDb
      .insertInto('sales')
      .values({
        buyer_id: buyer,
        seller_id: teacher,
        order_id: null,
        webinar_id: null,
        bundle_id: null,
        subscribe_id: null,
        product_order_id: po,
        type: 'product',
        payment_method: 'payment_channel',
        amount: 12,
        manual_added: 0,
        access_to_purchased_item: 1,
        created_at: nowS(),
        refund_at: null,
      })
      .execute();
    const r = await s.as(buyer).communities.checkPurchase({ params: { id: c.slug } });
    expect(r.active_tier_ids).toEqual([tier.id]);
    expect(r.member).toBe(true);
    expect((await s.as(teacher).communities.tierRevenue({ params: { id: c.slug } })).totals.revenue_minor).toBe(1200);

    await s.ctx.hostDb.updateTable('product_orders').set({ status: 'canceled' }).where('id', '=', po).execute();
    await s.ctx.hostSync.runOnce();
    expect((await s.as(buyer).communities.checkPurchase({ params: { id: c.slug } })).active_tier_ids).toEqual([]);
  });
});

describe("the tier editor's picker: GET /tiers/sellable-items", () => {
  it('lists what the caller may sell, by type and title, and the tier accepts exactly those', async () => {
    const teacher = s.demo.instructorIds[0]!;
    const other = s.demo.instructorIds[1]!;
    const admin = s.demo.adminId;
    const c = await makeCommunity(s, { ownerId: teacher });
    const pick = (as: number, type: 'course' | 'bundle' | 'subscribe' | 'product', q?: string, id = c.slug) =>
      s.as(as).communities.sellableItems({ params: { id }, query: { type, ...(q !== undefined ? { q } : {}) } });

    // The owner: the courses they teach, as the host counts teachers; nobody else's.
    const taught = (await s.ctx.host.courses.coursesTaughtBy(teacher, 500)).filter((x) => x.type !== 'bundle');
    const mine = await pick(teacher, 'course');
    expect(taught.length).toBeGreaterThan(0);
    expect(mine.items.map((x) => x.id).sort((a, b) => a - b)).toEqual(
      taught
        .map((x) => x.id)
        .sort((a, b) => a - b)
        .slice(0, 50),
    );
    expect(mine.items.every((x) => x.type === 'course' && x.url.includes('/course/'))).toBe(true);
    // Searchable by title (case-insensitive); a title nobody has finds nothing.
    const first = mine.items[0]!;
    const found = await pick(teacher, 'course', first.title.toUpperCase());
    expect(found.items.map((x) => x.id)).toContain(first.id);
    expect(found.items.every((x) => x.title.toLowerCase().includes(first.title.toLowerCase()))).toBe(true);
    expect((await pick(teacher, 'course', 'no course is called this')).items).toEqual([]);
    // Plans are the school's: an instructor lists none, an admin lists them.
    expect((await pick(teacher, 'subscribe')).items).toEqual([]);
    expect((await pick(admin, 'subscribe')).items.length).toBeGreaterThan(0);

    // The admin may pick any course, the other instructor's too, and at most 50.
    const othersCourse = (await s.ctx.host.courses.coursesTaughtBy(other, 500)).find(
      (x) => x.type !== 'bundle' && !taught.some((t) => t.id === x.id),
    )!;
    expect(mine.items.map((x) => x.id)).not.toContain(othersCourse.id);
    const all = await pick(admin, 'course');
    expect(all.items.length).toBe(
      Math.min(50, (await s.ctx.hostDb.selectFrom('webinars').select('id').where('deleted_at', 'is', null).execute()).length),
    );
    expect((await pick(admin, 'course', othersCourse.title)).items.map((x) => x.id)).toContain(othersCourse.id);

    // The same rule decides the tier: what the picker offers is accepted, another's course is not.
    const body = { name: 'Pro', price_minor: 900, host_item_type: 'course' as const };
    const tier = await s.as(teacher).communities.createTier({ params: { id: c.slug }, body: { ...body, host_item_id: first.id } });
    expect(tier.checkout_url).toBe(first.url);
    const refused = await expectStatus(
      s.as(teacher).communities.createTier({ params: { id: c.slug }, body: { ...body, host_item_id: othersCourse.id } }),
      403,
      'forbidden',
    );
    expect(refused.details).toMatchObject({ reason: 'not_item_seller' });
    await expectStatus(
      s.as(teacher).communities.createTier({ params: { id: c.slug }, body: { ...body, host_item_type: 'subscribe', host_item_id: 1 } }),
      403,
      'forbidden',
    );
  });

  it('owners and admins only: plain members 403, outsiders of a hidden community 404, bad input 422', async () => {
    const teacher = s.demo.instructorIds[0]!;
    const member = s.demo.studentIds[30]!;
    const outsider = s.demo.studentIds[31]!;
    const c = await makeCommunity(s, { ownerId: teacher });
    await addMember(s, c.id, member);
    await s.as(teacher).communities.update({ params: { id: c.slug }, body: { visibility: 'hidden' } });
    const call = (as: number, query: Record<string, string>) =>
      s.as(as).communities.sellableItems({ params: { id: c.slug }, query: query as { type: 'course' } });
    await expectStatus(call(member, { type: 'course' }), 403, 'forbidden');
    await expectStatus(call(outsider, { type: 'course' }), 404, 'not_found');
    await expectStatus(call(teacher, { type: 'webinar' }), 422, 'validation_failed');
    await expectStatus(call(teacher, { type: 'course', q: 'x'.repeat(101) }), 422, 'validation_failed');
    expect((await call(s.demo.adminId, { type: 'course' })).items.length).toBeGreaterThan(0);
    // A member whose role manages the community picks too: what they sell themselves (here nothing).
    const role = await s.as(teacher).communities.createRole({
      params: { id: c.slug },
      body: { name: 'Manager', permissions: ['view', 'manage_community'] },
    });
    await s.as(teacher).communities.updateMember({ params: { id: c.slug, userId: member }, body: { role: role.slug } });
    expect(await call(member, { type: 'course' })).toEqual({ items: [] });
  });
});
