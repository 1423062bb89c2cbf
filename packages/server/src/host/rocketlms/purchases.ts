import type { Kysely } from 'kysely';

import { containsPattern, likeLower } from '../../platform/db/like';
import type { HostSale, PurchasesPort, SellableFilter, SellableItem, SoldItem } from '../ports';

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
    private readonly opts: { baseUrl: string; defaultLocale: string },
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

  /** The item's page by its slug (plans: the panel's subscription page). */
  private pageUrl(type: SoldItem['type'], slug: string): string {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    if (type === 'course') return `${base}/course/${encodeURIComponent(slug)}`;
    if (type === 'bundle') return `${base}/bundles/${encodeURIComponent(slug)}`;
    if (type === 'product') return `${base}/products/${encodeURIComponent(slug)}`;
    return `${base}/panel/financial/subscribes`;
  }

  /**
   * The item's own RocketLMS page, where its Buy now / Add to cart buttons start RocketLMS's
   * checkout (`POST /course/direct-payment`, `/bundles/direct-payment`, `/cart/store` need the
   * page's CSRF token, so a link cannot start them itself); plans are bought from the panel's
   * subscription page. See docs/DEPLOY.md.
   */
  async checkoutUrl(item: SoldItem): Promise<string | null> {
    const [found] = await this.sellableItems({ type: item.type, sellerId: null, ids: [item.id], limit: 1 });
    return found?.url ?? null;
  }

  /**
   * Who sells what, as RocketLMS counts it: a course's teacher, creator and partner teachers; a
   * bundle's teacher and creator; a product's creator. Plans are the school's: no seller matches.
   * Titles in the school's default locale (else any translation, else the slug).
   */
  async sellableItems(f: SellableFilter): Promise<SellableItem[]> {
    if (f.ids && f.ids.length === 0) return [];
    const limit = Math.max(1, Math.min(f.limit, 200));
    const q = f.query?.trim() ? containsPattern(f.query) : null;
    const seller = f.sellerId;
    const ids = f.ids ? [...new Set(f.ids)] : null;
    const titled = (rows: Array<{ id: number; slug: string }>, titles: Array<{ ref: number; locale: string; title: string }>) =>
      rows.map((r) => {
        const mine = titles.filter((t) => Number(t.ref) === Number(r.id));
        const title = mine.find((t) => t.locale === this.opts.defaultLocale)?.title ?? mine[0]?.title ?? r.slug;
        return { type: f.type, id: Number(r.id), title, url: this.pageUrl(f.type, r.slug) };
      });
    if (f.type === 'course') {
      const rows = await this.db
        .selectFrom('webinars')
        .select(['id', 'slug'])
        .where('deleted_at', 'is', null)
        .$if(ids !== null, (b) => b.where('id', 'in', ids!))
        .$if(seller !== null, (b) =>
          b.where((eb) =>
            eb.or([
              eb('teacher_id', '=', seller!),
              eb('creator_id', '=', seller!),
              eb('id', 'in', eb.selectFrom('webinar_partner_teacher').select('webinar_id').where('teacher_id', '=', seller!)),
            ]),
          ),
        )
        .$if(q !== null, (b) =>
          b.where((eb) =>
            eb.or([
              likeLower('slug', q!),
              eb('id', 'in', eb.selectFrom('webinar_translations').select('webinar_id').where(likeLower('title', q!))),
            ]),
          ),
        )
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      if (rows.length === 0) return [];
      const titles = await this.db
        .selectFrom('webinar_translations')
        .select(['webinar_id as ref', 'locale', 'title'])
        .where(
          'webinar_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return titled(rows, titles);
    }
    if (f.type === 'bundle') {
      const rows = await this.db
        .selectFrom('bundles')
        .select(['id', 'slug'])
        .$if(ids !== null, (b) => b.where('id', 'in', ids!))
        .$if(seller !== null, (b) => b.where((eb) => eb.or([eb('teacher_id', '=', seller!), eb('creator_id', '=', seller!)])))
        .$if(q !== null, (b) =>
          b.where((eb) =>
            eb.or([
              likeLower('slug', q!),
              eb('id', 'in', eb.selectFrom('bundle_translations').select('bundle_id').where(likeLower('title', q!))),
            ]),
          ),
        )
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      if (rows.length === 0) return [];
      const titles = await this.db
        .selectFrom('bundle_translations')
        .select(['bundle_id as ref', 'locale', 'title'])
        .where(
          'bundle_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return titled(rows, titles);
    }
    if (f.type === 'product') {
      // The adapter does not read product_translations: a product is named by its slug.
      const rows = await this.db
        .selectFrom('products')
        .select(['id', 'slug'])
        .where('deleted_at', 'is', null)
        .$if(ids !== null, (b) => b.where('id', 'in', ids!))
        .$if(seller !== null, (b) => b.where('creator_id', '=', seller!))
        .$if(q !== null, (b) => b.where(likeLower('slug', q!)))
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return titled(rows, []);
    }
    if (seller !== null) return [];
    // Plans have no title the adapter reads (subscribe_translations): named by their length.
    const plans = await this.db
      .selectFrom('subscribes')
      .select(['id', 'days'])
      .$if(ids !== null, (b) => b.where('id', 'in', ids!))
      .orderBy('id', 'desc')
      .execute();
    return plans
      .map((p) => ({ type: f.type, id: Number(p.id), title: `Plan ${p.id} (${p.days} days)`, url: this.pageUrl('subscribe', '') }))
      .filter((p) => q === null || p.title.toLowerCase().includes(f.query!.trim().toLowerCase()))
      .slice(0, limit);
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
