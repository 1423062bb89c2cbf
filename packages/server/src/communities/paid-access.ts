import { REALTIME_EVENTS, realtimeChannel, type CommunitiesConfig, type RealtimeEventData } from '@communities/contract';
import type { Kysely } from 'kysely';

import type { HostPorts, HostSale, SoldItem } from '../host/ports';
import { addMonths } from '../host/rocketlms/purchases';
import type { HostDatabase } from '../host/rocketlms/schema';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import type { Row } from '../platform/db/schema';
import { inTransaction, type DbHandle } from '../platform/db/transaction';
import type { Logger } from '../platform/logger';
import { publishEvent, RealtimeDriftError, type EventPublisher } from '../realtime/publish-event';
import type { RealtimeRevoker } from '../realtime/revoke';

import { parseSettings, siteSanctionOf } from './facts';
import { toMinorUnits } from './money';
import { bumpMemberCount } from './membership';
import { accessFloor, HOLDING, REMINDER_BEFORE_MS } from './subscription-terms';

type TierRow = Row<'community_pricing_tiers'>;
type SubRow = Row<'community_member_subscriptions'>;

export interface PaidAccessDeps {
  db: DbHandle;
  hostDb: Kysely<HostDatabase>;
  host: HostPorts;
  bus: EventBus;
  clock: Clock;
  config: CommunitiesConfig;
  logger: Logger;
  revoker: RealtimeRevoker;
  /** subscription.changed to the subscriber's user channel (the broadcaster is read when used). */
  realtime: EventPublisher;
}

export type SubscriptionChange = RealtimeEventData<'subscription.changed'>['change'];
type SubStatus = RealtimeEventData<'subscription.changed'>['status'];

export interface PaidSyncResult {
  sales: number;
  activated: number;
  renewed: number;
  cancelled: number;
  lapsed: number;
  expired: number;
  reminded: number;
  courseMembersEnded: number;
}

const tierItem = (t: Pick<TierRow, 'host_item_type' | 'host_item_id'>): SoldItem | null =>
  t.host_item_type && t.host_item_id ? { type: t.host_item_type as SoldItem['type'], id: Number(t.host_item_id) } : null;

const sameItem = (a: SoldItem, b: SoldItem) => a.type === b.type && a.id === b.id;

/**
 * Paid tiers sold through RocketLMS, and course-derived membership, kept in step with the host:
 * - every sale of an item a tier is linked to starts (or renews) that tier's subscription, with
 *   `expires_at` from the tier's billing interval (a plan's `days` for plans and plan-paid sales);
 * - a sale that stops giving access (refund, access withdrawn) cancels its subscription at once;
 * - a term that runs out is `past_due` for `pricing.grace_period_hours` (access kept), then `expired`;
 * - the member hears of the activation, 3 days before the end and of the end;
 * - a course-derived member who no longer has any linked course is removed or kept read-only as
 *   alumni (the community's `course_access_ended`); members who joined on their own are kept.
 * Access itself is the access engine's: it reads the subscription rows (FactsLoader.activeTierIds).
 */
export class PaidAccessSync {
  constructor(private readonly d: PaidAccessDeps) {}

  private get db() {
    return this.d.db;
  }

  private now(): Date {
    return this.d.clock.now();
  }

  private get sellsThroughHost(): boolean {
    return this.d.config.features.pricing_tiers && this.d.config.integration.payment_gateway_adapter === 'rocketlms';
  }

  /** Active tiers linked to a RocketLMS item, in active communities. */
  private async linkedTiers(communityId?: number): Promise<TierRow[]> {
    let q = this.db
      .selectFrom('community_pricing_tiers')
      .innerJoin('communities', 'communities.id', 'community_pricing_tiers.community_id')
      .selectAll('community_pricing_tiers')
      .where('community_pricing_tiers.is_active', '=', 1)
      .where('community_pricing_tiers.host_item_type', 'is not', null)
      .where('community_pricing_tiers.host_item_id', 'is not', null)
      .where('communities.status', '=', 'active');
    if (communityId !== undefined) q = q.where('community_pricing_tiers.community_id', '=', communityId);
    return q.execute();
  }

  private async cursor(name: string): Promise<string | null> {
    const row = await this.db.selectFrom('host_sync_cursors').select('cursor').where('name', '=', name).executeTakeFirst();
    return row?.cursor ?? null;
  }

  private async saveCursor(name: string, cursor: string): Promise<void> {
    const now = this.now().toISOString();
    const updated = await this.db
      .updateTable('host_sync_cursors')
      .set({ cursor, updated_at: now })
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0)
      await this.db.insertInto('host_sync_cursors').values({ name, cursor, updated_at: now }).execute();
  }

  private emptyResult(): PaidSyncResult {
    return { sales: 0, activated: 0, renewed: 0, cancelled: 0, lapsed: 0, expired: 0, reminded: 0, courseMembersEnded: 0 };
  }

  /** One pass for everyone: new sales, changed sales, terms running out, course access ended. */
  async runOnce(batch = 500): Promise<PaidSyncResult> {
    const r = this.emptyResult();
    if (this.sellsThroughHost) {
      const tiers = await this.linkedTiers();
      let after = Number((await this.cursor('sales')) ?? 0);
      for (;;) {
        const items = tiers.map(tierItem).filter((i): i is SoldItem => i !== null);
        const page = await this.d.host.purchases.salesSince(after, items, batch);
        for (const sale of page.items) {
          r.sales++;
          for (const t of tiers.filter((x) => sameItem(tierItem(x)!, sale.item))) await this.applySale(t, sale, r);
        }
        if (page.cursor === after) break;
        after = page.cursor;
        await this.saveCursor('sales', String(after));
      }
      await this.recheckSales(undefined, r);
    }
    await this.moveTerms(r);
    await this.endCourseAccess(undefined, batch, r);
    return r;
  }

  /** "Check my purchase": the same, for one user and one community, now. */
  async checkUser(communityId: number, userId: number): Promise<PaidSyncResult> {
    const r = this.emptyResult();
    if (this.sellsThroughHost) {
      const tiers = await this.linkedTiers(communityId);
      const items = tiers.map(tierItem).filter((i): i is SoldItem => i !== null);
      for (const sale of await this.d.host.purchases.userSales(userId, items)) {
        r.sales++;
        for (const t of tiers.filter((x) => sameItem(tierItem(x)!, sale.item))) await this.applySale(t, sale, r);
      }
      await this.recheckSales(userId, r);
    }
    await this.moveTerms(r, userId);
    await this.endCourseAccess(userId, 500, r);
    return r;
  }

  /** An owner's grant started a subscription: the member hears it as they hear a sale's. */
  async granted(subscriptionId: number): Promise<void> {
    const sub = await this.db.selectFrom('community_member_subscriptions').selectAll().where('id', '=', subscriptionId).executeTakeFirst();
    if (sub) await this.notifySub(sub, 'activated', 'active', (c, t) => `You were given the ${t} tier of ${c}.`);
  }

  /** When the subscription a sale buys ends (Unix seconds); null: never. */
  private termEnd(tier: TierRow, sale: HostSale): number | null {
    let end: number | null;
    if (tier.host_item_type === 'subscribe') end = sale.planEndsAt;
    else if (tier.billing_interval === 'monthly') end = addMonths(sale.at, 1);
    else if (tier.billing_interval === 'yearly') end = addMonths(sale.at, 12);
    else end = null;
    // A course paid with a plan lasts only as long as the plan, as RocketLMS's own check says.
    if (sale.planEndsAt !== null) end = end === null ? sale.planEndsAt : Math.min(end, sale.planEndsAt);
    return end;
  }

  private async applySale(tier: TierRow, sale: HostSale, r: PaidSyncResult): Promise<void> {
    if (!sale.valid) return;
    const end = this.termEnd(tier, sale);
    const now = this.now();
    if (end !== null && end * 1000 <= now.getTime()) return; // a term already over buys nothing now
    const expiresAt = end === null ? null : new Date(end * 1000).toISOString();
    const at = now.toISOString();
    const external = `sale:${sale.id}${sale.orderId !== null ? `|order:${sale.orderId}` : ''}`;
    const outcome = await inTransaction(this.db, async (trx) => {
      if (await this.seenSale(trx, tier.id, sale.id)) return 'seen' as const;
      const current = await trx
        .selectFrom('community_member_subscriptions')
        .selectAll()
        .where('pricing_tier_id', '=', tier.id)
        .where('user_id', '=', sale.userId)
        .where('source', '=', 'rocketlms')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (current) {
        // A new sale renews: the later end wins; a cancelled or expired one starts again.
        const holding = (HOLDING as readonly string[]).includes(current.status);
        const keepEnd = holding && (current.expires_at === null || (expiresAt !== null && current.expires_at > expiresAt));
        await trx
          .updateTable('community_member_subscriptions')
          .set({
            status: 'active',
            started_at: holding ? current.started_at : new Date(sale.at * 1000).toISOString(),
            expires_at: keepEnd ? current.expires_at : expiresAt,
            external_subscription_id: external,
            host_sale_id: sale.id,
            reminded_at: keepEnd ? current.reminded_at : null,
            updated_at: at,
          })
          .where('id', '=', current.id)
          .execute();
        await this.recordSale(trx, tier, sale, at);
        return holding ? ('renewed' as const) : ('activated' as const);
      }
      await this.recordSale(trx, tier, sale, at);
      await trx
        .insertInto('community_member_subscriptions')
        .values({
          community_id: tier.community_id,
          user_id: sale.userId,
          pricing_tier_id: tier.id,
          status: 'active',
          started_at: new Date(sale.at * 1000).toISOString(),
          expires_at: expiresAt,
          external_subscription_id: external,
          host_sale_id: sale.id,
          source: 'rocketlms',
          created_at: at,
          updated_at: at,
        })
        .execute();
      return 'activated' as const;
    }).catch(async (error: unknown) => {
      // The other of two racing passes (the worker and "Check my purchase") recorded this sale first.
      if (await this.seenSale(this.db, tier.id, sale.id)) return 'seen' as const;
      throw error;
    });
    if (outcome === 'seen') return;
    if (outcome === 'renewed') {
      r.renewed++;
      const sub = await this.db
        .selectFrom('community_member_subscriptions')
        .select('expires_at')
        .where('pricing_tier_id', '=', tier.id)
        .where('host_sale_id', '=', sale.id)
        .executeTakeFirst();
      await this.tell(
        sale.userId,
        tier,
        'renewed',
        'active',
        sub?.expires_at ?? expiresAt,
        (c, t) => `Your ${t} subscription to ${c} was renewed.`,
        {
          host: false,
        },
      );
      return;
    }
    r.activated++;
    await this.joinBuyer(tier.community_id, sale.userId);
    await this.tell(sale.userId, tier, 'activated', 'active', expiresAt, (c, t) => `Your ${t} subscription to ${c} is active.`);
  }

  /**
   * Whether this sale already started or renewed the tier: its ledger row, or (for sales applied
   * before the ledger existed) a subscription that names it. An older sale re-read by "Check my
   * purchase" after a renewal is seen, not applied twice.
   */
  private async seenSale(db: DbHandle, tierId: number, saleId: number): Promise<boolean> {
    const ledger = await db
      .selectFrom('community_tier_sales')
      .select('id')
      .where('pricing_tier_id', '=', tierId)
      .where('host_sale_id', '=', saleId)
      .executeTakeFirst();
    if (ledger) return true;
    const sub = await db
      .selectFrom('community_member_subscriptions')
      .select('id')
      .where('pricing_tier_id', '=', tierId)
      .where('host_sale_id', '=', saleId)
      .executeTakeFirst();
    return sub !== undefined;
  }

  /** The sale in the tier's ledger (the owner's revenue view), in the school's currency's minor units. */
  private async recordSale(trx: DbHandle, tier: TierRow, sale: HostSale, at: string): Promise<void> {
    const currency = this.d.config.pricing.default_currency;
    await trx
      .insertInto('community_tier_sales')
      .values({
        community_id: tier.community_id,
        pricing_tier_id: tier.id,
        user_id: sale.userId,
        host_sale_id: sale.id,
        amount_minor: toMinorUnits(sale.amount, currency),
        currency,
        sold_at: new Date(sale.at * 1000).toISOString(),
        created_at: at,
      })
      .execute();
  }

  /** The buyer becomes a member (they paid: no approval), unless banned there or site-wide. */
  private async joinBuyer(communityId: number, userId: number): Promise<void> {
    await joinFromHost(this.d, communityId, userId, 'subscription');
  }

  /** Subscriptions whose sale no longer gives access (refunded, access withdrawn, removed) end at once. */
  private async recheckSales(userId: number | undefined, r: PaidSyncResult): Promise<void> {
    let afterId = 0;
    for (;;) {
      let q = this.db
        .selectFrom('community_member_subscriptions')
        .selectAll()
        .where('source', '=', 'rocketlms')
        .where('status', 'in', [...HOLDING])
        .where('host_sale_id', 'is not', null)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(500);
      if (userId !== undefined) q = q.where('user_id', '=', userId);
      const subs = await q.execute();
      if (subs.length === 0) return;
      afterId = subs[subs.length - 1]!.id;
      const sales = new Map((await this.d.host.purchases.salesByIds(subs.map((s) => Number(s.host_sale_id)))).map((s) => [s.id, s]));
      for (const sub of subs) {
        const sale = sales.get(Number(sub.host_sale_id));
        if (sale?.valid) continue;
        const done = await this.db
          .updateTable('community_member_subscriptions')
          .set({ status: 'cancelled', updated_at: this.now().toISOString() })
          .where('id', '=', sub.id)
          .where('status', 'in', [...HOLDING])
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) continue;
        r.cancelled++;
        this.d.revoker.revoke({ scope: { community: sub.community_id }, userId: sub.user_id });
        await this.notifySub(
          sub,
          'cancelled',
          'cancelled',
          (c, t) => `Your ${t} subscription to ${c} has ended: the purchase was refunded.`,
        );
      }
      if (subs.length < 500) return;
    }
  }

  /** Reminders 3 days before the end; lapsed terms to past_due, and past the grace period to expired. */
  private async moveTerms(r: PaidSyncResult, userId?: number): Promise<void> {
    const now = this.now();
    const iso = now.toISOString();
    const floor = accessFloor(now, this.d.config.pricing.grace_period_hours);
    const pick = (statuses: string[], cond: (q: ReturnType<PaidAccessSync['subsQuery']>) => ReturnType<PaidAccessSync['subsQuery']>) =>
      cond(this.subsQuery(statuses, userId)).execute();

    for (const sub of await pick(['active'], (q) =>
      q
        .where('expires_at', 'is not', null)
        .where('expires_at', '>', iso)
        .where('expires_at', '<=', new Date(now.getTime() + REMINDER_BEFORE_MS).toISOString())
        .where('reminded_at', 'is', null),
    )) {
      const done = await this.db
        .updateTable('community_member_subscriptions')
        .set({ reminded_at: iso, updated_at: iso })
        .where('id', '=', sub.id)
        .where('reminded_at', 'is', null)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) continue;
      r.reminded++;
      await this.notifySub(sub, 'expiring', 'active', (c, t) => `Your ${t} subscription to ${c} ends in 3 days.`);
    }

    for (const sub of await pick(['active', 'past_due'], (q) => q.where('expires_at', 'is not', null).where('expires_at', '<=', iso))) {
      const to = sub.expires_at! <= floor ? 'expired' : 'past_due';
      if (to === sub.status) continue;
      const done = await this.db
        .updateTable('community_member_subscriptions')
        .set({ status: to, updated_at: iso })
        .where('id', '=', sub.id)
        .where('status', '=', sub.status)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) continue;
      if (to === 'past_due') r.lapsed++;
      else {
        r.expired++;
        this.d.revoker.revoke({ scope: { community: sub.community_id }, userId: sub.user_id });
      }
      // The member hears once that the term ended (when it leaves `active`); their screens hear every step.
      await this.notifySub(
        sub,
        to,
        to,
        (c, t) =>
          to === 'past_due'
            ? `Your ${t} subscription to ${c} has run out. Renew it to keep access.`
            : `Your ${t} subscription to ${c} has expired.`,
        { host: sub.status === 'active' },
      );
    }
  }

  private subsQuery(statuses: string[], userId?: number) {
    let q = this.db.selectFrom('community_member_subscriptions').selectAll().where('status', 'in', statuses).orderBy('id').limit(2000);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return q;
  }

  /**
   * Course-derived members who no longer have any course the community links (refund, an
   * expired plan, a manual purchase removed): removed, or kept read-only with the `alumni` role,
   * per the community's `course_access_ended`. Walked in rolling batches; one user at once for a check.
   */
  private async endCourseAccess(userId: number | undefined, batch: number, r: PaidSyncResult): Promise<void> {
    const cursorName = 'course_members';
    const after = userId === undefined ? Number((await this.cursor(cursorName)) ?? 0) : 0;
    let q = this.db
      .selectFrom('community_members')
      .innerJoin('communities', 'communities.id', 'community_members.community_id')
      .innerJoin('community_roles', 'community_roles.id', 'community_members.role_id')
      .select([
        'community_members.id',
        'community_members.community_id',
        'community_members.user_id',
        'community_members.role_id',
        'community_members.status',
        'community_roles.slug as role_slug',
        'communities.owner_id',
        'communities.settings',
        'communities.default_role_id',
      ])
      .where('community_members.source', '=', 'course')
      .where('community_members.id', '>', after)
      .orderBy('community_members.id')
      .limit(batch);
    if (userId !== undefined) q = q.where('community_members.user_id', '=', userId);
    const members = await q.execute();
    if (userId === undefined) await this.saveCursor(cursorName, members.length < batch ? '0' : String(members[members.length - 1]!.id));
    if (members.length === 0) return;
    const communityIds = [...new Set(members.map((m) => m.community_id))];
    const links = await this.db
      .selectFrom('community_courses')
      .select(['community_id', 'course_id', 'course_type'])
      .where('community_id', 'in', communityIds)
      .execute();
    const bundleIds = [...new Set(links.filter((l) => l.course_type === 'bundle').map((l) => l.course_id))];
    const bundleCourses = bundleIds.length
      ? await this.d.hostDb.selectFrom('bundle_webinars').select(['bundle_id', 'webinar_id']).where('bundle_id', 'in', bundleIds).execute()
      : [];
    const owned = new Map<number, Set<number>>();
    for (const m of members) {
      // Staff keep their place: only plain members (the default role) follow the course.
      if (m.user_id === m.owner_id || !['member', 'alumni'].includes(m.role_slug)) continue;
      if (m.role_slug === 'alumni') continue;
      const linked = links
        .filter((l) => l.community_id === m.community_id)
        .flatMap((l) =>
          l.course_type === 'bundle'
            ? bundleCourses.filter((b) => Number(b.bundle_id) === l.course_id).map((b) => Number(b.webinar_id))
            : [l.course_id],
        );
      if (linked.length === 0) continue; // the link was removed: nothing to follow
      if (!owned.has(m.user_id)) owned.set(m.user_id, new Set(await this.d.host.access.userCourseIds(m.user_id)));
      if (linked.some((c) => owned.get(m.user_id)!.has(c))) continue;
      const mode = parseSettings(m.settings).course_access_ended;
      const ended = await inTransaction(this.db, async (trx) => {
        const now = this.now().toISOString();
        const still = await trx
          .selectFrom('community_members')
          .select(['id', 'status'])
          .where('id', '=', m.id)
          .where('source', '=', 'course')
          .executeTakeFirst();
        if (!still) return false;
        if (mode === 'alumni') {
          const role = await alumniRole(trx, m.community_id, now);
          await trx
            .updateTable('community_members')
            .set({ role_id: role, source: 'alumni', updated_at: now })
            .where('id', '=', m.id)
            .execute();
          await this.d.bus.record(trx, 'MemberRoleChanged', {
            community_id: m.community_id,
            user_id: m.user_id,
            by_user_id: m.owner_id,
            from: m.role_slug,
            to: 'alumni',
          });
          return true;
        }
        await trx.deleteFrom('community_members').where('id', '=', m.id).execute();
        if (still.status === 'active' || still.status === 'muted') await bumpMemberCount(trx, m.community_id, -1, now);
        await this.d.bus.record(trx, 'CommunityLeft', { community_id: m.community_id, user_id: m.user_id, reason: 'course_access_ended' });
        return true;
      });
      if (ended) {
        r.courseMembersEnded++;
        this.d.revoker.revoke({ scope: { community: m.community_id }, userId: m.user_id });
      }
    }
  }

  private async notifySub(
    sub: SubRow,
    change: SubscriptionChange,
    status: SubStatus,
    text: (community: string, tier: string) => string,
    opts: { host?: boolean } = {},
  ): Promise<void> {
    const tier = await this.db.selectFrom('community_pricing_tiers').selectAll().where('id', '=', sub.pricing_tier_id).executeTakeFirst();
    if (tier) await this.tell(sub.user_id, tier, change, status, sub.expires_at, text, opts);
  }

  /**
   * The member hears of a change: live on their user channel (subscription.changed: their
   * screens list gated channels again), and, unless `host: false`, as a notification (the
   * addon's in-app record and/or RocketLMS's notification centre, per
   * `integration.notification_channel`).
   */
  private async tell(
    userId: number,
    tier: TierRow,
    change: SubscriptionChange,
    status: SubStatus,
    expiresAt: string | null,
    text: (community: string, tier: string) => string,
    opts: { host?: boolean } = {},
  ): Promise<void> {
    const c = await this.db.selectFrom('communities').select(['name', 'slug']).where('id', '=', tier.community_id).executeTakeFirst();
    if (!c) return;
    const message = text(c.name, tier.name);
    await tellSubscriber(this.d, {
      userId,
      communityId: tier.community_id,
      slug: c.slug,
      name: c.name,
      tier,
      change,
      status,
      expiresAt,
      message,
    });
    if (opts.host === false) return;
    try {
      await this.d.host.notifications.notify({
        userId,
        title: c.name,
        message,
        // One host type per ending: a lapse (past_due) and an expiry both tell the member the term ended.
        type: `subscription.${change === 'past_due' ? 'expired' : change}`,
        data: {
          community_id: tier.community_id,
          community_slug: c.slug,
          tier_id: tier.id,
          tier_name: tier.name,
          change,
          expires_at: expiresAt,
          // One notification per change of a term: the sync and "Check my purchase" seeing it twice store it once.
          dedupe_key: `tier:${tier.id}:${userId}:${change}:${expiresAt ?? 'none'}`,
        },
      });
    } catch (error) {
      // A notification is not worth failing the sync for: the state change already committed.
      this.d.logger.warn({ err: error, userId, type: change }, 'could not deliver a subscription notification');
    }
  }
}

/** Publishes subscription.changed to the subscriber; best effort (clients also refetch on focus and on "Check my purchase"). */
export async function tellSubscriber(
  d: Pick<PaidAccessDeps, 'realtime' | 'logger'>,
  e: {
    userId: number;
    communityId: number;
    slug: string;
    name: string;
    tier: Pick<TierRow, 'id' | 'name'>;
    change: SubscriptionChange;
    status: SubStatus;
    expiresAt: string | null;
    message: string;
  },
): Promise<void> {
  try {
    await publishEvent(
      d.realtime,
      realtimeChannel.user(d.realtime.config.chat.broadcast_channel_prefix, e.userId),
      REALTIME_EVENTS.subscriptionChanged,
      {
        community_id: e.communityId,
        slug: e.slug,
        name: e.name,
        tier_id: e.tier.id,
        tier_name: e.tier.name,
        change: e.change,
        status: e.status,
        expires_at: e.expiresAt,
        message: e.message,
      },
    );
  } catch (error) {
    if (error instanceof RealtimeDriftError) throw error;
    d.logger.warn({ err: error, userId: e.userId }, 'could not publish subscription.changed');
  }
}

/** The community's read-only `alumni` role, made the first time someone needs it. */
async function alumniRole(trx: DbHandle, communityId: number, now: string): Promise<number> {
  const found = await trx
    .selectFrom('community_roles')
    .select('id')
    .where('community_id', '=', communityId)
    .where('slug', '=', 'alumni')
    .executeTakeFirst();
  if (found) return found.id;
  await trx
    .insertInto('community_roles')
    .values({
      community_id: communityId,
      name: 'Alumni',
      slug: 'alumni',
      permissions: JSON.stringify(['view']),
      rank: 5,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return (
    await trx
      .selectFrom('community_roles')
      .select('id')
      .where('community_id', '=', communityId)
      .where('slug', '=', 'alumni')
      .executeTakeFirstOrThrow()
  ).id;
}

/**
 * Makes the user an active member because the host says so (a course enrolment, a paid tier):
 * no approval; nothing while banned there or site-wide; a site-wide mute follows them in. A
 * pending request is accepted; an alumnus is restored to the default role. Returns whether
 * they became a member.
 */
export async function joinFromHost(
  d: Pick<PaidAccessDeps, 'db' | 'bus' | 'clock'>,
  communityId: number,
  userId: number,
  source: 'course' | 'subscription',
): Promise<boolean> {
  const site = await siteSanctionOf(d.db, userId, d.clock.now());
  if (site?.status === 'banned') return false;
  const member =
    site?.status === 'muted'
      ? { status: 'muted', mute_expires_at: site.expiresAt?.toISOString() ?? null, ban_reason: `site: ${site.reason ?? ''}`.slice(0, 500) }
      : { status: 'active' };
  return inTransaction(d.db, async (trx) => {
    const community = await trx
      .selectFrom('communities')
      .select(['id', 'default_role_id', 'status'])
      .where('id', '=', communityId)
      .executeTakeFirst();
    if (!community || community.status !== 'active') return false;
    const defaultRole = community.default_role_id
      ? { id: community.default_role_id }
      : await trx
          .selectFrom('community_roles')
          .select('id')
          .where('community_id', '=', communityId)
          .where('slug', '=', 'member')
          .executeTakeFirst();
    const existing = await trx
      .selectFrom('community_members')
      .select(['id', 'status', 'source'])
      .where('community_id', '=', communityId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const now = d.clock.now().toISOString();
    if (existing?.source === 'alumni' && source === 'course' && defaultRole) {
      // Bought again: back from alumni to the default role, still course-derived.
      await trx
        .updateTable('community_members')
        .set({ role_id: defaultRole.id, source: 'course', updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      return false;
    }
    if (existing && existing.status !== 'pending') return false;
    if (!defaultRole) return false;
    const count = await bumpMemberCount(trx, communityId, 1, now);
    if (existing) {
      await trx
        .updateTable('community_members')
        .set({ ...member, source, joined_at: now, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await trx
        .insertInto('community_members')
        .values({
          community_id: communityId,
          user_id: userId,
          role_id: defaultRole.id,
          joined_at: now,
          ...member,
          source,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await d.bus.record(trx, 'CommunityJoined', { community_id: communityId, user_id: userId, source, member_count: count });
    return true;
  });
}
