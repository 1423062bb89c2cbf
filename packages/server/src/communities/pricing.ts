import type { communities as communityEndpoints } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, type Actor } from '../access';
import { insertedId } from '../platform/db/insert';
import type { Row } from '../platform/db/schema';
import { inTransaction, type Tx } from '../platform/db/transaction';
import { conflict, notFound } from '../platform/errors';
import type { Revoker } from '../realtime/revoke';

import type { CommunityDeps } from './deps';
import type { FactsLoader } from './facts';
import { slugify } from './setup';

type TierInput = z.output<(typeof communityEndpoints)['createTier']['body']>;

export function presentTier(t: Row<'community_pricing_tiers'>) {
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
    host_item_type: t.host_item_type as 'course' | 'bundle' | 'subscribe' | null,
    host_item_id: t.host_item_id,
  };
}

/**
 * Paid tiers. Checkout happens in RocketLMS: a tier names the RocketLMS item (course, bundle or
 * subscription plan) whose completed sale activates it (`activateFromHostSale`, for the
 * purchases sync); admins and owners may also grant a tier by hand.
 */
export class PricingService {
  constructor(
    private readonly ctx: Pick<CommunityDeps, 'clock' | 'config' | 'db' | 'host'>,
    private readonly facts: FactsLoader,
    private readonly revoker: Revoker,
  ) {}

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
    return { items: rows.map(presentTier) };
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
    const [id] = await inTransaction(this.db, (trx) => this.insertTiers(trx, community.id, [input]));
    // A first paid tier (and no free one) gates the community: non-subscribers stop listening.
    this.revoker.revoke({ scope: { community: community.id } });
    return presentTier(await this.db.selectFrom('community_pricing_tiers').selectAll().where('id', '=', id!).executeTakeFirstOrThrow());
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
    return presentTier(await this.db.selectFrom('community_pricing_tiers').selectAll().where('id', '=', tier.id).executeTakeFirstOrThrow());
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

  /** The one way a subscription starts: by hand, or from a RocketLMS sale (the purchases sync's seam). */
  async activate(s: {
    communityId: number;
    userId: number;
    tierId: number;
    source: 'manual' | 'rocketlms' | 'stripe';
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
    await this.db
      .insertInto('community_member_subscriptions')
      .values({
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
      })
      .execute();
  }
}
