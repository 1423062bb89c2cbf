import type { Kysely } from 'kysely';

import type { HostSale, PurchasesPort, SoldItem } from '../ports';

import type { HostDatabase } from './schema';

/**
 * RocketLMS sales of the items paid tiers are sold as, read the way RocketLMS reads them:
 * a sale gives access while `refund_at` is null, `access_to_purchased_item` is set and its order
 * is `paid` (a sale added by hand, `manual_added`, or without an order needs no paid order).
 * A subscription-plan sale, or any sale paid with a plan (`payment_method = 'subscribe'`), lasts
 * the plan's `days` from the sale.
 */
export class RocketPurchases implements PurchasesPort {
  constructor(
    private readonly db: Kysely<HostDatabase>,
    private readonly opts: { baseUrl: string },
  ) {}

  private base() {
    return this.db
      .selectFrom('sales')
      .leftJoin('orders', 'orders.id', 'sales.order_id')
      .leftJoin('subscribes', 'subscribes.id', 'sales.subscribe_id')
      .leftJoin('product_orders', 'product_orders.id', 'sales.product_order_id')
      .select([
        'sales.id',
        'sales.order_id',
        'sales.buyer_id',
        'sales.webinar_id',
        'sales.bundle_id',
        'sales.subscribe_id',
        'sales.type',
        'sales.payment_method',
        'sales.manual_added',
        'sales.access_to_purchased_item',
        'sales.created_at',
        'sales.refund_at',
        'sales.amount',
        'orders.status as order_status',
        'subscribes.days as plan_days',
        'product_orders.product_id as product_id',
        'product_orders.status as product_order_status',
      ]);
  }

  private static itemFilter(items: readonly SoldItem[]) {
    const ids = (t: SoldItem['type']) => [...new Set(items.filter((i) => i.type === t).map((i) => i.id))];
    const courses = ids('course');
    const bundles = ids('bundle');
    const plans = ids('subscribe');
    const products = ids('product');
    return { courses, bundles, plans, products, empty: courses.length + bundles.length + plans.length + products.length === 0 };
  }

  private toSales(rows: Awaited<ReturnType<ReturnType<RocketPurchases['base']>['execute']>>, items?: readonly SoldItem[]): HostSale[] {
    const out: HostSale[] = [];
    for (const r of rows) {
      const candidates: SoldItem[] = [];
      if (r.webinar_id !== null) candidates.push({ type: 'course', id: Number(r.webinar_id) });
      if (r.bundle_id !== null) candidates.push({ type: 'bundle', id: Number(r.bundle_id) });
      // A plan sale names its plan in subscribe_id; a course paid with a plan names the plan too, but sells the course.
      if (r.subscribe_id !== null && r.type === 'subscribe') candidates.push({ type: 'subscribe', id: Number(r.subscribe_id) });
      if (r.product_id !== null && r.product_id !== undefined) candidates.push({ type: 'product', id: Number(r.product_id) });
      const item = candidates.find((c) => !items || items.some((i) => i.type === c.type && i.id === c.id));
      if (!item) continue;
      const paid = Number(r.manual_added) === 1 || r.order_id === null || r.order_status === 'paid';
      const byPlan = r.type === 'subscribe' || r.payment_method === 'subscribe';
      out.push({
        id: Number(r.id),
        orderId: r.order_id === null ? null : Number(r.order_id),
        userId: Number(r.buyer_id),
        item,
        at: Number(r.created_at),
        amount: Number(r.amount ?? 0),
        // A product order the seller or an admin cancelled gives nothing, refunded or not.
        valid: r.refund_at === null && Number(r.access_to_purchased_item) === 1 && paid && r.product_order_status !== 'canceled',
        planEndsAt: byPlan && r.plan_days !== null ? Number(r.created_at) + Number(r.plan_days) * 86_400 : null,
      });
    }
    return out;
  }

  async salesSince(afterId: number, items: readonly SoldItem[], limit: number): Promise<{ items: HostSale[]; cursor: number }> {
    const f = RocketPurchases.itemFilter(items);
    // The page is taken over all sales (by id) so the cursor moves past sales of other items too.
    const page = await this.db.selectFrom('sales').select('id').where('id', '>', afterId).orderBy('id').limit(limit).execute();
    if (page.length === 0) return { items: [], cursor: afterId };
    const last = Number(page[page.length - 1]!.id);
    if (f.empty) return { items: [], cursor: last };
    const rows = await this.base()
      .where('sales.id', '>', afterId)
      .where('sales.id', '<=', last)
      .where((eb) =>
        eb.or([
          ...(f.courses.length ? [eb('sales.webinar_id', 'in', f.courses)] : []),
          ...(f.bundles.length ? [eb('sales.bundle_id', 'in', f.bundles)] : []),
          ...(f.plans.length ? [eb.and([eb('sales.subscribe_id', 'in', f.plans), eb('sales.type', '=', 'subscribe')])] : []),
          ...(f.products.length ? [eb('product_orders.product_id', 'in', f.products)] : []),
        ]),
      )
      .orderBy('sales.id')
      .execute();
    return { items: this.toSales(rows, items), cursor: last };
  }

  async salesByIds(ids: readonly number[]): Promise<HostSale[]> {
    if (ids.length === 0) return [];
    const rows = await this.base()
      .where('sales.id', 'in', [...new Set(ids)])
      .execute();
    return this.toSales(rows);
  }

  async userSales(userId: number, items: readonly SoldItem[]): Promise<HostSale[]> {
    const f = RocketPurchases.itemFilter(items);
    if (f.empty) return [];
    const rows = await this.base()
      .where('sales.buyer_id', '=', userId)
      .where((eb) =>
        eb.or([
          ...(f.courses.length ? [eb('sales.webinar_id', 'in', f.courses)] : []),
          ...(f.bundles.length ? [eb('sales.bundle_id', 'in', f.bundles)] : []),
          ...(f.plans.length ? [eb.and([eb('sales.subscribe_id', 'in', f.plans), eb('sales.type', '=', 'subscribe')])] : []),
          ...(f.products.length ? [eb('product_orders.product_id', 'in', f.products)] : []),
        ]),
      )
      .orderBy('sales.id')
      .execute();
    return this.toSales(rows, items);
  }

  /**
   * The item's own RocketLMS page, where its Buy now / Add to cart buttons start RocketLMS's
   * checkout (`POST /course/direct-payment`, `/bundles/direct-payment`, `/cart/store` need the
   * page's CSRF token, so a link cannot start them itself); plans are bought from the panel's
   * subscription page. See docs/DEPLOY.md.
   */
  async checkoutUrl(item: SoldItem): Promise<string | null> {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    if (item.type === 'course') {
      const w = await this.db
        .selectFrom('webinars')
        .select('slug')
        .where('id', '=', item.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return w ? `${base}/course/${encodeURIComponent(w.slug)}` : null;
    }
    if (item.type === 'bundle') {
      const b = await this.db.selectFrom('bundles').select('slug').where('id', '=', item.id).executeTakeFirst();
      return b ? `${base}/bundles/${encodeURIComponent(b.slug)}` : null;
    }
    if (item.type === 'product') {
      const p = await this.product(item.id);
      return p ? `${base}/products/${encodeURIComponent(p.slug)}` : null;
    }
    const p = await this.db.selectFrom('subscribes').select('id').where('id', '=', item.id).executeTakeFirst();
    return p ? `${base}/panel/financial/subscribes` : null;
  }

  private product(id: number) {
    return this.db
      .selectFrom('products')
      .select(['slug', 'creator_id'])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  async productSeller(productId: number): Promise<number | null> {
    const p = await this.product(productId);
    return p ? Number(p.creator_id) : null;
  }
}

/** Unix seconds plus calendar months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(unixSeconds: number, months: number): number {
  const d = new Date(unixSeconds * 1000);
  const day = d.getUTCDate();
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(day, last));
  return Math.floor(t.getTime() / 1000);
}
