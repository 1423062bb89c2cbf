import type { communities as communityEndpoints } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, type Actor } from '../access';
import { insertedId } from '../platform/db/insert';
import type { Row } from '../platform/db/schema';
import { inTransaction, type Tx } from '../platform/db/transaction';
import { AppError, conflict, notFound } from '../platform/errors';
import type { HostSale, SoldItemType } from '../host/ports';
import type { Revoker } from '../realtime/revoke';

import type { CommunityDeps, PaidAccessPort } from './deps';
import type { FactsLoader } from './facts';
import { toMinorUnits } from './money';
import { slugify } from './setup';

type TierInput = z.output<(typeof communityEndpoints)['createTier']['body']>;

const SELLABLE_ITEMS_MAX = 50;

/**
 * Whose RocketLMS items an actor may sell as a paid tier: admins any item; others the courses,
 * bundles and products they sell themselves; subscription plans are the school's, so admins only.
 * The one rule behind both tier validation and the tier editor's picker.
 */
export function sellerScope(actor: Actor, type: SoldItemType): 'any' | 'none' | { sellerId: number } {
  if (actor.isAdmin) return 'any';
  if (type === 'subscribe') return 'none';
  return { sellerId: actor.userId };
}

export function presentTier(t: Row<'community_pricing_tiers'>, checkoutUrl: string | null = null) {
  let features: Record<string, unknown> = {};
  try {
    features = JSON.parse(t.features) as Record<string, unknown>;
  } catch {
    // keep empty
  }
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    description: t.description,
    price_minor: t.price_minor,
    currency: t.currency,
    billing_interval: t.billing_interval as 'monthly' | 'yearly' | 'once',
    features,
    is_default: t.is_default === 1,
    is_active: t.is_active === 1,
    host_item_type: t.host_item_type as SoldItemType | null,
    host_item_id: t.host_item_id,
    checkout_url: checkoutUrl,
  };
}

/**
 * Paid tiers. Checkout happens in RocketLMS: a tier names the RocketLMS item (course, bundle or
 * subscription plan) whose sale activates it (the host sync's PaidAccessSync reads the sales;
 * "Check my purchase" runs it for one user at once). With `payment_gateway_adapter = manual`
 * there is no checkout link and no sales sync: owners and admins grant tiers by hand.
 */
export class PricingService {
  constructor(
    private readonly ctx: Pick<CommunityDeps, 'clock' | 'config' | 'db' | 'host'>,
    private readonly facts: FactsLoader,
    private readonly revoker: Revoker,
    private readonly paid: () => PaidAccessPort,
  ) {}

  /** The tier's "Join for …" target: RocketLMS's page for its item, when tiers sell through RocketLMS. */
  private async checkoutUrl(t: Row<'community_pricing_tiers'>): Promise<string | null> {
    if (this.ctx.config.integration.payment_gateway_adapter !== 'rocketlms' || t.price_minor <= 0) return null;
    if (!t.host_item_type || !t.host_item_id) return null;
    return this.ctx.host.purchases.checkoutUrl({ type: t.host_item_type as SoldItemType, id: t.host_item_id });
  }

  private async present(t: Row<'community_pricing_tiers'>) {
    return presentTier(t, await this.checkoutUrl(t));
  }

  /**
   * A tier is sold as an item the actor may sell (`sellerScope`). 422 for an item that does not
   * exist or is not of its type; 403 for one the actor does not sell.
   */
  private async assertSellable(actor: Actor, type: SoldItemType | null | undefined, id: number | null | undefined): Promise<void> {
    if (!type && !id) return;
    if (!type || !id)
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: [
          { path: type ? 'host_item_id' : 'host_item_type', code: 'required', message: 'host_item_type and host_item_id go together' },
        ],
      });
    const purchases = this.ctx.host.purchases;
    if ((await purchases.sellableItems({ type, sellerId: null, ids: [id], limit: 1 })).length === 0)
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: [{ path: 'host_item_id', code: 'unknown_item', message: `No ${type} ${id} in RocketLMS` }],
      });
    const scope = sellerScope(actor, type);
    if (scope === 'any') return;
    if (scope !== 'none' && (await purchases.sellableItems({ type, sellerId: scope.sellerId, ids: [id], limit: 1 })).length > 0) return;
    throw new AppError('forbidden', 'Only what you sell in RocketLMS can be a tier', {
      details: { reason: 'not_item_seller', field: 'host_item_id' },
    });
  }

  /** The tier editor's picker: items of one type the caller may sell as a tier (`sellerScope`), by title. */
  async sellableItems(actor: Actor, idOrSlug: string, type: SoldItemType, query?: string) {
    const { access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'pricing.manage', access);
    const scope = sellerScope(actor, type);
    if (scope === 'none') return { items: [] };
    const items = await this.ctx.host.purchases.sellableItems({
      type,
      sellerId: scope === 'any' ? null : scope.sellerId,
      ...(query ? { query } : {}),
      limit: SELLABLE_ITEMS_MAX,
    });
    return { items: items.map((i) => ({ type: i.type, id: i.id, title: i.title, url: i.url })) };
  }

  private get db() {
    return this.ctx.db.db;
  }

  async list(actor: Actor, idOrSlug: string) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.view', access);
    const rows = await this.db
      .selectFrom('community_pricing_tiers')
      .selectAll()
      .where('community_id', '=', community.id)
      .orderBy('position')
      .orderBy('id')
      .execute();
    return { items: await Promise.all(rows.map((r) => this.present(r))) };
  }

  /** Inserts tiers inside a transaction (create and the wizard's publish). */
  async insertTiers(trx: Tx, communityId: number, tiers: TierInput[]): Promise<number[]> {
    const now = this.ctx.clock.now().toISOString();
    const ids: number[] = [];
    const used = new Set(
      (await trx.selectFrom('community_pricing_tiers').select('slug').where('community_id', '=', communityId).execute()).map((r) => r.slug),
    );
    for (const [i, t] of tiers.entries()) {
      let slug = slugify(t.name);
      for (let n = 2; used.has(slug); n++) slug = `${slugify(t.name)}-${n}`;
      used.add(slug);
      if (t.is_default)
        await trx.updateTable('community_pricing_tiers').set({ is_default: 0 }).where('community_id', '=', communityId).execute();
      ids.push(
        await insertedId(
          trx,
          trx.insertInto('community_pricing_tiers').values({
            community_id: communityId,
            name: t.name,
            slug,
            description: t.description ?? null,
            price_minor: t.price_minor,
            currency: t.currency ?? this.ctx.config.pricing.default_currency,
            billing_interval: t.billing_interval,
            features: JSON.stringify(t.features),
            is_default: t.is_default ? 1 : 0,
            is_active: t.is_active ? 1 : 0,
            host_item_type: t.host_item_type ?? null,
            host_item_id: t.host_item_id ?? null,
            position: i,
            created_at: now,
            updated_at: now,
          }),
        ),
      );
    }
    return ids;
  }

  async create(actor: Actor, idOrSlug: string, input: TierInput) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'pricing.manage', access);
    await this.assertSellable(actor, input.host_item_type, input.host_item_id);
    const [id] = await inTransaction(this.db, (trx) => this.insertTiers(trx, community.id, [input]));
    // A first paid tier (and no free one) gates the community: non-subscribers stop listening.
    this.revoker.revoke({ scope: { community: community.id } });
    return this.present(await this.db.selectFrom('community_pricing_tiers').selectAll().where('id', '=', id!).executeTakeFirstOrThrow());
  }

  async update(actor: Actor, idOrSlug: string, tierId: number, input: Partial<TierInput>) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'pricing.manage', access);
    const tier = await this.db
      .selectFrom('community_pricing_tiers')
      .selectAll()
      .where('id', '=', tierId)
      .where('community_id', '=', community.id)
      .executeTakeFirst();
    if (!tier) throw notFound('No such tier');
    if (input.host_item_type !== undefined || input.host_item_id !== undefined)
      await this.assertSellable(
        actor,
        input.host_item_type !== undefined ? input.host_item_type : (tier.host_item_type as SoldItemType | null),
        input.host_item_id !== undefined ? input.host_item_id : tier.host_item_id,
      );
    await inTransaction(this.db, async (trx) => {
      if (input.is_default)
        await trx.updateTable('community_pricing_tiers').set({ is_default: 0 }).where('community_id', '=', community.id).execute();
      await trx
        .updateTable('community_pricing_tiers')
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.price_minor !== undefined ? { price_minor: input.price_minor } : {}),
          ...(input.currency !== undefined ? { currency: input.currency } : {}),
          ...(input.billing_interval !== undefined ? { billing_interval: input.billing_interval } : {}),
          ...(input.features !== undefined ? { features: JSON.stringify(input.features) } : {}),
          ...(input.is_default !== undefined ? { is_default: input.is_default ? 1 : 0 } : {}),
          ...(input.is_active !== undefined ? { is_active: input.is_active ? 1 : 0 } : {}),
          ...(input.host_item_type !== undefined ? { host_item_type: input.host_item_type } : {}),
          ...(input.host_item_id !== undefined ? { host_item_id: input.host_item_id } : {}),
          updated_at: this.ctx.clock.now().toISOString(),
        })
        .where('id', '=', tier.id)
        .execute();
    });
    this.revoker.revoke({ scope: { community: community.id } });
    return this.present(
      await this.db.selectFrom('community_pricing_tiers').selectAll().where('id', '=', tier.id).executeTakeFirstOrThrow(),
    );
  }

  async grant(actor: Actor, idOrSlug: string, tierId: number, userId: number, expiresAt?: string): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'pricing.manage', access);
    const tier = await this.db
      .selectFrom('community_pricing_tiers')
      .select('id')
      .where('id', '=', tierId)
      .where('community_id', '=', community.id)
      .executeTakeFirst();
    if (!tier) throw notFound('No such tier');
    if (!(await this.ctx.host.identities.getUser(userId))) throw notFound('No such user');
    await this.activate({ communityId: community.id, userId, tierId, source: 'manual', externalId: null, expiresAt: expiresAt ?? null });
  }

  /** A subscription granted by hand (RocketLMS sales start theirs in PaidAccessSync). */
  async activate(s: {
    communityId: number;
    userId: number;
    tierId: number;
    source: 'manual';
    externalId: string | null;
    expiresAt: string | null;
  }): Promise<void> {
    const now = this.ctx.clock.now().toISOString();
    if (s.externalId) {
      const dup = await this.db
        .selectFrom('community_member_subscriptions')
        .select('id')
        .where('source', '=', s.source)
        .where('external_subscription_id', '=', s.externalId)
        .executeTakeFirst();
      if (dup) throw conflict('That purchase already activated a subscription');
    }
    const id = await insertedId(
      this.db,
      this.db.insertInto('community_member_subscriptions').values({
        community_id: s.communityId,
        user_id: s.userId,
        pricing_tier_id: s.tierId,
        status: 'active',
        started_at: now,
        expires_at: s.expiresAt,
        external_subscription_id: s.externalId,
        source: s.source,
        created_at: now,
        updated_at: now,
      }),
    );
    // The member hears it live (their screens open the gated channels) and as a notification.
    await this.paid().granted(id);
  }

  /**
   * The owner's view of their paid tiers: subscribers by status, and revenue from the RocketLMS
   * sales that started or renewed each tier (the ledger `community_tier_sales`, plus the sale
   * named by subscriptions from before it existed), counting only sales RocketLMS still stands by
   * (a refund or withdrawn access drops one). Owners and whoever may view analytics; 404 where
   * the community is hidden from the caller.
   */
  async revenue(actor: Actor, idOrSlug: string) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'analytics.view', access);
    const currency = this.ctx.config.pricing.default_currency;
    const tiers = await this.db
      .selectFrom('community_pricing_tiers')
      .selectAll()
      .where('community_id', '=', community.id)
      .orderBy('position')
      .orderBy('id')
      .execute();
    const counts = await this.db
      .selectFrom('community_member_subscriptions')
      .select(['pricing_tier_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('community_id', '=', community.id)
      .groupBy(['pricing_tier_id', 'status'])
      .execute();
    const ledger = await this.db
      .selectFrom('community_tier_sales')
      .select(['pricing_tier_id', 'host_sale_id', 'amount_minor'])
      .where('community_id', '=', community.id)
      .execute();
    const older = await this.db
      .selectFrom('community_member_subscriptions')
      .select(['pricing_tier_id', 'host_sale_id'])
      .where('community_id', '=', community.id)
      .where('source', '=', 'rocketlms')
      .where('host_sale_id', 'is not', null)
      .execute();
    // tier -> sale id -> amount (null: known only from a subscription, the amount comes from RocketLMS)
    const sales = new Map<number, Map<number, number | null>>();
    const of = (tier: number) => sales.get(tier) ?? sales.set(tier, new Map()).get(tier)!;
    for (const r of ledger) of(Number(r.pricing_tier_id)).set(Number(r.host_sale_id), Number(r.amount_minor));
    for (const r of older)
      if (!of(Number(r.pricing_tier_id)).has(Number(r.host_sale_id))) of(Number(r.pricing_tier_id)).set(Number(r.host_sale_id), null);
    const ids = [...new Set([...sales.values()].flatMap((m) => [...m.keys()]))];
    const now = new Map<number, HostSale>();
    for (let i = 0; i < ids.length; i += 500)
      for (const sale of await this.ctx.host.purchases.salesByIds(ids.slice(i, i + 500))) now.set(sale.id, sale);
    const zero = () => ({ active: 0, past_due: 0, expired: 0, cancelled: 0 });
    const totals = { subscribers: zero(), sales: 0, revenue_minor: 0 };
    const rows = tiers.map((t) => {
      const subscribers = zero();
      for (const c of counts)
        if (Number(c.pricing_tier_id) === t.id && c.status in subscribers) subscribers[c.status as keyof typeof subscribers] += Number(c.n);
      let standing = 0;
      let refunded = 0;
      let revenue = 0;
      for (const [saleId, amount] of sales.get(t.id) ?? []) {
        const sale = now.get(saleId);
        if (!sale?.valid) {
          refunded++;
          continue;
        }
        standing++;
        revenue += amount ?? toMinorUnits(sale.amount, currency);
      }
      for (const k of Object.keys(subscribers) as Array<keyof typeof subscribers>) totals.subscribers[k] += subscribers[k];
      totals.sales += standing;
      totals.revenue_minor += revenue;
      return {
        tier: {
          id: t.id,
          name: t.name,
          price_minor: t.price_minor,
          currency: t.currency,
          billing_interval: t.billing_interval as 'monthly' | 'yearly' | 'once',
          is_active: t.is_active === 1,
        },
        subscribers,
        sales: standing,
        refunded_sales: refunded,
        revenue_minor: revenue,
      };
    });
    return { currency, tiers: rows, totals };
  }

  /**
   * "Check my purchase": reads the caller's RocketLMS sales for this community's tiers and its
   * linked courses now, and answers what they hold after it.
   */
  async checkPurchase(actor: Actor, idOrSlug: string) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.view', access);
    await this.paid().checkUser(community.id, actor.userId);
    const rows = await this.db
      .selectFrom('community_member_subscriptions')
      .selectAll()
      .where('community_id', '=', community.id)
      .where('user_id', '=', actor.userId)
      .orderBy('id')
      .execute();
    const member = await this.db
      .selectFrom('community_members')
      .select('status')
      .where('community_id', '=', community.id)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    return {
      active_tier_ids: await this.facts.activeTierIds(community.id, actor.userId),
      subscriptions: rows.map((r) => ({
        id: r.id,
        tier_id: r.pricing_tier_id,
        status: r.status as 'active' | 'past_due' | 'expired' | 'cancelled',
        started_at: r.started_at,
        expires_at: r.expires_at,
        source: r.source === 'rocketlms' ? ('rocketlms' as const) : ('manual' as const),
      })),
      member: member?.status === 'active' || member?.status === 'muted',
    };
  }
}
