import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from './support/databases';
import { expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * Paid tiers sold through RocketLMS, on MariaDB with the RocketLMS-shaped tables (the demo
 * school's, in the same database as a shared-database install has them), and on PostgreSQL: a paid sale becomes the
 * tier within one sync and opens the gated channel; a refund ends it at once; a 30-day plan is
 * expired (access ended) 31 days on.
 */
for (const dialect of ['mysql', 'postgres'] as const)
  describe(`paid tiers on ${dialect === 'mysql' ? 'MariaDB (RocketLMS-shaped sales, orders, subscribes beside the addon)' : 'PostgreSQL (the RocketLMS tables in SQLite)'}`, () => {
    let db: TestDatabase;
    let s: TestServer;
    const nowS = () => Math.floor(s.ctx.clock.now().getTime() / 1000);

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      await db.db.destroy();
      s = await startTestServer({
        database: { url: db.url },
        // PostgreSQL is never RocketLMS's database: the host tables live elsewhere (here a SQLite file).
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
        pricing: { grace_period_hours: 24 },
      });
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      await db?.drop();
    });

    /** A public community whose one tier is sold as `item`, with a channel gated by it. */
    async function paidCommunity(item: { type: 'course' | 'subscribe'; id: number }, interval: 'monthly' | 'once') {
      const owner = s.demo.adminId;
      const c = await makeCommunity(s, { ownerId: owner });
      const api = s.as(owner);
      const tier = await api.communities.createTier({
        params: { id: String(c.id) },
        body: {
          name: 'Pro',
          price_minor: 1500,
          currency: 'GBP',
          billing_interval: interval,
          host_item_type: item.type,
          host_item_id: item.id,
        },
      });
      const channel = await api.channels.create({
        params: { id: String(c.id) },
        body: { name: 'subscribers', type: 'text', required_tier_ids: [tier.id] },
      });
      return { c, tier, channel };
    }

    async function paidSale(buyer: number, values: { webinar_id?: number; subscribe_id?: number; type: string }) {
      const order = await s.ctx.hostDb
        .insertInto('orders')
        .values({ user_id: buyer, status: 'paid', amount: 15, created_at: nowS() })
        .executeTakeFirstOrThrow();
      const sale = await s.ctx.hostDb
        .insertInto('sales')
        .values({
          buyer_id: buyer,
          seller_id: null,
          order_id: Number(order.insertId),
          webinar_id: values.webinar_id ?? null,
          bundle_id: null,
          subscribe_id: values.subscribe_id ?? null,
          type: values.type,
          payment_method: 'payment_channel',
          amount: 15,
          manual_added: 0,
          access_to_purchased_item: 1,
          created_at: nowS(),
          refund_at: null,
        })
        .executeTakeFirstOrThrow();
      return Number(sale.insertId);
    }

    const used = new Set<number>();
    /** Students who have never had this course (no sale, no manual purchase), each used once. */
    async function newcomer(course: number): Promise<number> {
      const had = new Set([
        ...(await s.ctx.hostDb.selectFrom('sales').select('buyer_id').where('webinar_id', '=', course).execute()).map((r) =>
          Number(r.buyer_id),
        ),
        ...(await s.ctx.hostDb.selectFrom('users_manual_purchase').select('user_id').where('webinar_id', '=', course).execute()).map((r) =>
          Number(r.user_id),
        ),
      ]);
      const id = s.demo.studentIds.find((u) => !had.has(u) && !used.has(u) && u !== s.demo.bannedUserId && u !== s.demo.inactiveUserId);
      if (!id) throw new Error('no student left without the course');
      used.add(id);
      return id;
    }

    const subscriptionsOf = (userId: number, tierId: number) =>
      s.ctx.db.db
        .selectFrom('community_member_subscriptions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('pricing_tier_id', '=', tierId)
        .execute();

    it('a paid sale of the linked course gives the tier within one sync and opens the gated channel; a refund ends it at once', async () => {
      const course = s.demo.courseIds[2]!;
      const { c, tier, channel } = await paidCommunity({ type: 'course', id: course }, 'monthly');
      const buyer = await newcomer(course);
      const cards = await s.as(buyer).communities.list({ query: { price: 'paid' } });
      expect(cards.items.find((x) => x.id === c.id)?.price).toEqual({ amount_minor: 1500, currency: 'GBP', interval: 'monthly' });
      const tiers = await s.as(buyer).communities.tiers({ params: { id: String(c.id) } });
      expect(tiers.items[0]!.checkout_url).toMatch(/\/course\/[^/]+$/);
      await expectStatus(s.as(buyer).channels.get({ params: { channelId: channel.id } }), 403, 'forbidden');

      const saleId = await paidSale(buyer, { webinar_id: course, type: 'webinar' });
      await s.ctx.hostSync.runOnce();
      const [sub] = await subscriptionsOf(buyer, tier.id);
      expect(sub).toMatchObject({ status: 'active', source: 'rocketlms', host_sale_id: saleId });
      expect(sub!.external_subscription_id).toMatch(new RegExp(`^sale:${saleId}\\|order:\\d+$`));
      // Monthly: a calendar month from the sale.
      const days = (new Date(sub!.expires_at!).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(27);
      expect(days).toBeLessThan(32);
      expect((await s.as(buyer).channels.get({ params: { channelId: channel.id } })).locked_reason).toBeNull();
      const note = await s.ctx.db.db
        .selectFrom('community_notifications')
        .select(['type', 'body'])
        .where('user_id', '=', buyer)
        // The inbox stores tier changes as the `tier` kind (notifications domain), with the host's text.
        .where('type', '=', 'tier')
        .executeTakeFirst();
      expect(note?.body).toContain('Pro');
      // A second sync changes nothing (the sale is seen once).
      const again = await s.ctx.hostSync.runOnce();
      expect(again.paid).toMatchObject({ activated: 0, renewed: 0 });

      await s.ctx.hostDb.updateTable('sales').set({ refund_at: nowS() }).where('id', '=', saleId).execute();
      await s.ctx.hostSync.runOnce();
      expect((await subscriptionsOf(buyer, tier.id))[0]!.status).toBe('cancelled');
      await expectStatus(s.as(buyer).channels.get({ params: { channelId: channel.id } }), 403, 'forbidden');
    });

    it('an unpaid order or withdrawn access gives nothing; "Check my purchase" syncs the one user at once', async () => {
      const course = s.demo.courseIds[1]!;
      const { c, tier, channel } = await paidCommunity({ type: 'course', id: course }, 'once');
      const buyer = await newcomer(course);
      const saleId = await paidSale(buyer, { webinar_id: course, type: 'webinar' });
      const orderId = (await s.ctx.hostDb.selectFrom('sales').select('order_id').where('id', '=', saleId).executeTakeFirstOrThrow())
        .order_id!;
      await s.ctx.hostDb.updateTable('orders').set({ status: 'pending' }).where('id', '=', orderId).execute();
      let r = await s.as(buyer).communities.checkPurchase({ params: { id: String(c.id) } });
      expect(r.active_tier_ids).toEqual([]);
      await s.ctx.hostDb.updateTable('orders').set({ status: 'paid' }).where('id', '=', orderId).execute();
      r = await s.as(buyer).communities.checkPurchase({ params: { id: String(c.id) } });
      expect(r.active_tier_ids).toEqual([tier.id]);
      expect(r.member).toBe(true);
      expect(r.subscriptions[0]).toMatchObject({ tier_id: tier.id, status: 'active', expires_at: null, source: 'rocketlms' });
      expect((await s.as(buyer).channels.get({ params: { channelId: channel.id } })).id).toBe(channel.id);
      await s.ctx.hostDb.updateTable('sales').set({ access_to_purchased_item: 0 }).where('id', '=', saleId).execute();
      r = await s.as(buyer).communities.checkPurchase({ params: { id: String(c.id) } });
      expect(r.active_tier_ids).toEqual([]);
      expect(r.subscriptions[0]!.status).toBe('cancelled');
    });

    it('a subscription plan of 30 days: 31 days on, the subscription is expired and access has ended', async () => {
      const plan = await s.ctx.hostDb
        .insertInto('subscribes')
        .values({ days: 30, usable_count: 0, infinite_use: 1, price: 20, created_at: nowS() })
        .executeTakeFirstOrThrow();
      const planId = Number(plan.insertId);
      const { tier, channel } = await paidCommunity({ type: 'subscribe', id: planId }, 'monthly');
      const buyer = await newcomer(s.demo.courseIds[0]!);
      await paidSale(buyer, { subscribe_id: planId, type: 'subscribe' });
      await s.ctx.hostSync.runOnce();
      const [sub] = await subscriptionsOf(buyer, tier.id);
      expect(sub!.status).toBe('active');
      expect(new Date(sub!.expires_at!).getTime() - new Date(sub!.started_at).getTime()).toBe(30 * 86_400_000);
      expect((await s.as(buyer).channels.get({ params: { channelId: channel.id } })).id).toBe(channel.id);

      const real = s.ctx.clock;
      try {
        // 28 days on: the 3-day reminder, once.
        s.ctx.clock = { now: () => new Date(real.now().getTime() + 28 * 86_400_000) };
        expect((await s.ctx.hostSync.runOnce()).paid?.reminded).toBe(1);
        expect((await s.ctx.hostSync.runOnce()).paid?.reminded).toBe(0);
        // 30.5 days on: past due, still open within the 24 h grace period.
        s.ctx.clock = { now: () => new Date(real.now().getTime() + 30.5 * 86_400_000) };
        await s.ctx.hostSync.runOnce();
        expect((await subscriptionsOf(buyer, tier.id))[0]!.status).toBe('past_due');
        expect((await s.as(buyer).channels.get({ params: { channelId: channel.id } })).id).toBe(channel.id);
        // 31 days on: expired, and the channel is closed again.
        s.ctx.clock = { now: () => new Date(real.now().getTime() + 31 * 86_400_000 + 60_000) };
        await s.ctx.hostSync.runOnce();
        expect((await subscriptionsOf(buyer, tier.id))[0]!.status).toBe('expired');
        const closed = await expectStatus(s.as(buyer).channels.get({ params: { channelId: channel.id } }), 403, 'forbidden');
        expect(closed.details).toMatchObject({ reason: 'tier_required', tier_ids: [tier.id] });
        // The member's inbox: one `tier` notification per change of the term, in order.
        const changes = (
          await s.ctx.db.db
            .selectFrom('community_notifications')
            .select('data')
            .where('user_id', '=', buyer)
            .where('type', '=', 'tier')
            .orderBy('id')
            .execute()
        ).map((n) => (JSON.parse(n.data) as { change?: string }).change);
        expect(changes).toEqual(['activated', 'expiring', 'past_due']);
      } finally {
        s.ctx.clock = real;
      }
    });

    it('course-derived members who lose the course leave (or stay as read-only alumni); self-joined members stay', async () => {
      const course = s.demo.courseIds[4]!;
      const mk = async (mode: 'remove' | 'alumni') => {
        const c = await makeCommunity(s, { ownerId: s.demo.adminId, visibility: 'public' });
        await s.as(s.demo.adminId).communities.update({ params: { id: String(c.id) }, body: { settings: { course_access_ended: mode } } });
        await s.as(s.demo.adminId).communities.linkCourse({
          params: { id: String(c.id) },
          body: { course_id: course, course_type: 'course', link_type: 'primary', auto_join: true },
        });
        return c;
      };
      const removeC = await mk('remove');
      const alumniC = await mk('alumni');
      const buyer = await newcomer(course);
      const selfJoiner = await newcomer(course);
      await s.as(selfJoiner).communities.join({ params: { id: String(removeC.id) }, body: {} });
      const saleA = await paidSale(buyer, { webinar_id: course, type: 'webinar' });
      const saleB = await paidSale(selfJoiner, { webinar_id: course, type: 'webinar' });
      await s.ctx.hostSync.runOnce();
      const member = (communityId: number, userId: number) =>
        s.ctx.db.db
          .selectFrom('community_members')
          .innerJoin('community_roles', 'community_roles.id', 'community_members.role_id')
          .select(['community_members.source', 'community_roles.slug'])
          .where('community_members.community_id', '=', communityId)
          .where('community_members.user_id', '=', userId)
          .executeTakeFirst();
      expect(await member(removeC.id, buyer)).toMatchObject({ source: 'course' });
      expect(await member(alumniC.id, buyer)).toMatchObject({ source: 'course' });
      await s.ctx.hostDb.updateTable('sales').set({ refund_at: nowS() }).where('id', 'in', [saleA, saleB]).execute();
      await s.ctx.hostSync.runOnce();
      expect(await member(removeC.id, buyer)).toBeUndefined();
      expect(await member(alumniC.id, buyer)).toMatchObject({ source: 'alumni', slug: 'alumni' });
      expect(await member(removeC.id, selfJoiner)).toMatchObject({ source: 'join' });
      // Alumni read, and may not post.
      const feed = await s.as(buyer).feed.communityFeed({ params: { id: String(alumniC.id) }, query: {} });
      expect(feed.items).toBeDefined();
      await expectStatus(s.as(buyer).feed.post({ params: { id: String(alumniC.id) }, body: { content: 'hello' } }), 403);
    });
    it('a store product sold as a tier: a paid product order gives it, revenue counts it, a cancelled order ends it', async () => {
      const owner = s.demo.adminId;
      const product = Number(
        (
          await s.ctx.hostDb
            .insertInto('products')
            .values({ creator_id: owner, type: 'virtual', slug: `pack-${Date.now()}`, price: 12, status: 'active', created_at: nowS() })
            .executeTakeFirstOrThrow()
        ).insertId,
      );
      const c = await makeCommunity(s, { ownerId: owner });
      const tier = await s.as(owner).communities.createTier({
        params: { id: String(c.id) },
        body: { name: 'Pack', price_minor: 1200, billing_interval: 'once', host_item_type: 'product', host_item_id: product },
      });
      expect(tier.checkout_url).toMatch(/\/products\/pack-\d+$/);
      const buyer = await newcomer(s.demo.courseIds[0]!);
      const order = await s.ctx.hostDb
        .insertInto('orders')
        .values({ user_id: buyer, status: 'paid', amount: 12, created_at: nowS() })
        .executeTakeFirstOrThrow();
      const po = Number(
        (
          await s.ctx.hostDb
            .insertInto('product_orders')
            .values({
              product_id: product,
              seller_id: owner,
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
          seller_id: owner,
          order_id: Number(order.insertId),
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
      await s.ctx.hostSync.runOnce();
      expect((await subscriptionsOf(buyer, tier.id))[0]).toMatchObject({ status: 'active', expires_at: null });
      const revenue = await s.as(owner).communities.tierRevenue({ params: { id: String(c.id) } });
      expect(revenue.tiers[0]).toMatchObject({ subscribers: { active: 1 }, sales: 1, revenue_minor: 1200 });
      await s.ctx.hostDb.updateTable('product_orders').set({ status: 'canceled' }).where('id', '=', po).execute();
      await s.ctx.hostSync.runOnce();
      expect((await subscriptionsOf(buyer, tier.id))[0]!.status).toBe('cancelled');
      expect((await s.as(owner).communities.tierRevenue({ params: { id: String(c.id) } })).totals).toMatchObject({
        sales: 0,
        revenue_minor: 0,
      });
    });
  });
