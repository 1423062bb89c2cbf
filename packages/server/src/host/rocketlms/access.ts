import { sql, type Kysely } from 'kysely';

import type { CourseAccessPort, Enrolment } from '../ports';

import type { HostDatabase } from './schema';

/**
 * RocketLMS's own rule for "has this course": a sale (of the course, or of a bundle holding it)
 * that was not refunded — and, for sales paid with a subscription plan, still within the plan's
 * days —, a manual purchase by an admin, teaching it (teacher, creator, partner teacher), or
 * being an admin. Read-only SQL, one round trip per question.
 */
export class RocketCourseAccess implements CourseAccessPort {
  constructor(
    private readonly db: Kysely<HostDatabase>,
    private readonly now: () => Date,
  ) {}

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** Course ids the user bought (directly or in a bundle), still valid. */
  private purchased(userId: number) {
    const now = this.nowSeconds();
    // RocketLMS's own check: not refunded, access not withdrawn, the order paid (or a sale added
    // by hand, or one without an order), and a sale paid with a plan only within the plan's days.
    const sales = () =>
      this.db
        .selectFrom('sales')
        .leftJoin('orders', 'orders.id', 'sales.order_id')
        .leftJoin('subscribes', 'subscribes.id', 'sales.subscribe_id')
        .where('sales.buyer_id', '=', userId)
        .where((eb) =>
          eb.and([
            eb('sales.refund_at', 'is', null),
            eb('sales.access_to_purchased_item', '=', 1),
            eb.or([eb('sales.manual_added', '=', 1), eb('sales.order_id', 'is', null), eb('orders.status', '=', 'paid')]),
            eb.or([
              eb('sales.payment_method', 'is', null),
              eb('sales.payment_method', '!=', 'subscribe'),
              eb(sql<number>`sales.created_at + subscribes.days * 86400`, '>', now),
            ]),
          ]),
        );
    const direct = sales().select('sales.webinar_id as course_id').where('sales.webinar_id', 'is not', null);
    const viaBundle = sales()
      .innerJoin('bundle_webinars', 'bundle_webinars.bundle_id', 'sales.bundle_id')
      .select('bundle_webinars.webinar_id as course_id');
    const manual = this.db.selectFrom('users_manual_purchase').select('webinar_id as course_id').where('user_id', '=', userId);
    const teaching = this.db
      .selectFrom('webinars')
      .select('id as course_id')
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('teacher_id', '=', userId), eb('creator_id', '=', userId)]));
    const partner = this.db.selectFrom('webinar_partner_teacher').select('webinar_id as course_id').where('teacher_id', '=', userId);
    return direct.union(viaBundle).union(manual).union(teaching).union(partner);
  }

  private async isAdmin(userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .innerJoin('roles', 'roles.id', 'users.role_id')
      .select('roles.is_admin')
      .where('users.id', '=', userId)
      .executeTakeFirst();
    return Number(row?.is_admin ?? 0) === 1;
  }

  async hasCourse(userId: number, courseId: number): Promise<boolean> {
    if (await this.isAdmin(userId)) return true;
    const row = await this.db
      .selectFrom(this.purchased(userId).as('owned'))
      .select('owned.course_id')
      .where('owned.course_id', '=', courseId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async userCourseIds(userId: number): Promise<number[]> {
    if (await this.isAdmin(userId)) {
      const rows = await this.db.selectFrom('webinars').select('id').where('deleted_at', 'is', null).orderBy('id').execute();
      return rows.map((r) => Number(r.id));
    }
    const rows = await this.purchased(userId).execute();
    return [...new Set(rows.map((r) => Number(r.course_id)).filter((id) => id > 0))].sort((a, b) => a - b);
  }

  /**
   * Cursor `sale:<last sale id>|manual:<last manual purchase id>`. Sales that give no access when
   * first seen (refunded, access withdrawn, unpaid order, paid with an expired plan) are skipped; a
   * refund after that is not an enrolment event: the host sync's course-access check removes it.
   */
  async enrolmentsSince(cursor: string | null, limit: number): Promise<{ items: Enrolment[]; cursor: string | null }> {
    const m = /^sale:(\d+)\|manual:(\d+)$/.exec(cursor ?? '');
    let saleId = m ? Number(m[1]) : 0;
    let manualId = m ? Number(m[2]) : 0;
    const sales = await this.db
      .selectFrom('sales')
      .leftJoin('orders', 'orders.id', 'sales.order_id')
      .leftJoin('subscribes', 'subscribes.id', 'sales.subscribe_id')
      .select([
        'sales.id',
        'sales.buyer_id',
        'sales.webinar_id',
        'sales.bundle_id',
        'sales.created_at',
        'sales.refund_at',
        'sales.access_to_purchased_item',
        'sales.manual_added',
        'sales.order_id',
        'sales.payment_method',
        'orders.status as order_status',
        'subscribes.days as plan_days',
      ])
      .where('sales.id', '>', saleId)
      .orderBy('sales.id')
      .limit(limit)
      .execute();
    const now = this.nowSeconds();
    const bundleIds = [...new Set(sales.map((s) => s.bundle_id).filter((b): b is number => b !== null))];
    const bundleCourses = bundleIds.length
      ? await this.db.selectFrom('bundle_webinars').select(['bundle_id', 'webinar_id']).where('bundle_id', 'in', bundleIds).execute()
      : [];
    const items: Enrolment[] = [];
    for (const s of sales) {
      saleId = Number(s.id);
      // Only a sale that gives access enrols: not refunded, access not withdrawn, order paid, and
      // not paid with a plan that had already run out.
      if (s.refund_at !== null || Number(s.access_to_purchased_item) !== 1) continue;
      if (Number(s.manual_added) !== 1 && s.order_id !== null && s.order_status !== 'paid') continue;
      if (s.payment_method === 'subscribe' && s.plan_days !== null && Number(s.created_at) + Number(s.plan_days) * 86_400 <= now) continue;
      if (s.webinar_id !== null)
        items.push({ userId: Number(s.buyer_id), courseId: Number(s.webinar_id), at: Number(s.created_at), source: 'sale' });
      if (s.bundle_id !== null) {
        for (const bc of bundleCourses.filter((b) => b.bundle_id === s.bundle_id)) {
          items.push({ userId: Number(s.buyer_id), courseId: Number(bc.webinar_id), at: Number(s.created_at), source: 'sale' });
        }
      }
    }
    const manual = await this.db
      .selectFrom('users_manual_purchase')
      .selectAll()
      .where('id', '>', manualId)
      .orderBy('id')
      .limit(limit)
      .execute();
    for (const mp of manual) {
      manualId = Number(mp.id);
      items.push({ userId: Number(mp.user_id), courseId: Number(mp.webinar_id), at: Number(mp.created_at), source: 'manual' });
    }
    items.sort((a, b) => a.at - b.at);
    return { items, cursor: `sale:${saleId}|manual:${manualId}` };
  }
}
