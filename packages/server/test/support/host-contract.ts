import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';

import { DAY, FX, insertHostFixtures } from '../../src/host/demo/fixtures';
import type { HostNotification, HostPorts } from '../../src/host/ports';
import { createRocketLmsHost } from '../../src/host/rocketlms/adapter';
import type { HostDatabase } from '../../src/host/rocketlms/schema';

export const NOW = new Date('2026-11-24T12:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);

/**
 * The host adapter's behaviour, run against any database holding RocketLMS-shaped tables:
 * SQLite in `npm test`, a real MariaDB in the service suite.
 */
export function runHostAdapterContract(name: string, open: () => Promise<{ db: Kysely<HostDatabase>; close(): Promise<void> }>): void {
  describe(`RocketLMS host adapter on ${name}`, () => {
    const setup = async (channel: 'addon' | 'rocketlms' | 'both' = 'rocketlms') => {
      const { db, close } = await open();
      await insertHostFixtures(db, now);
      const inApp: HostNotification[] = [];
      const host: HostPorts = createRocketLmsHost({
        db,
        baseUrl: 'https://school.example.com/',
        roleMap: { teacher: 'instructor', user: 'student' },
        defaultLocale: 'en',
        notificationChannel: channel,
        writeInApp: (n) => {
          inApp.push(n);
          return Promise.resolve();
        },
        now: () => NOW,
      });
      return { db, host, inApp, close };
    };

    it('reads identities in one batch with roles, states and absolute avatars', async () => {
      const { host, close } = await setup();
      try {
        const users = await host.identities.getUsers(Object.values(FX.users));
        expect(users.size).toBe(Object.keys(FX.users).length);
        const admin = users.get(FX.users.admin)!;
        expect(admin).toMatchObject({
          isAdmin: true,
          globalRole: 'admin',
          state: 'active',
          avatarUrl: 'https://school.example.com/store/1/avatar/a.png',
        });
        expect(users.get(FX.users.teacher)).toMatchObject({ globalRole: 'instructor', avatarUrl: 'https://cdn.example.com/t.png' });
        expect(users.get(FX.users.buyer)).toMatchObject({ globalRole: 'student', name: 'Bea Buyer', avatarUrl: null });
        expect(users.get(FX.users.banned)!.state).toBe('banned');
        expect(users.get(FX.users.banEnded)!.state).toBe('active');
        expect(users.get(FX.users.banFuture)!.state).toBe('active');
        expect(users.get(FX.users.deleted)!.state).toBe('deleted');
        expect(users.get(FX.users.inactive)!.state).toBe('inactive');
        expect(await host.identities.getUser(999_999)).toBeNull();
        expect((await host.identities.searchUsers('bUnDlE', 10)).map((u) => u.id)).toEqual([FX.users.bundleBuyer]);
        expect(await host.identities.searchUsers('100%', 10)).toEqual([]);
        expect((await host.identities.admins(10)).map((u) => u.id)).toEqual([FX.users.admin]);
      } finally {
        await close();
      }
    });

    it('reads courses and bundles with titles in the asked locale, falling back', async () => {
      const { host, close } = await setup();
      try {
        const list = await host.courses.getCourses(
          [
            { type: 'course', id: FX.courses.a },
            { type: 'course', id: FX.courses.b },
            { type: 'course', id: FX.courses.c },
            { type: 'bundle', id: FX.bundle },
          ],
          'es',
        );
        const byId = new Map(list.map((c) => [`${c.type === 'bundle' ? 'b' : 'c'}${c.id}`, c]));
        expect(byId.get(`c${FX.courses.a}`)!.title).toBe('Curso A');
        expect(byId.get(`c${FX.courses.b}`)!.title).toBe('Solo en español');
        expect(byId.get(`c${FX.courses.c}`)).toMatchObject({ title: 'Course C', url: 'https://school.example.com/course/course-102' });
        expect(byId.get(`c${FX.courses.c}`)!.teacherIds.sort()).toEqual([FX.users.teacher, FX.users.partner].sort());
        // Who may link a course to a community: its teacher, its creator and partner teachers.
        expect(byId.get(`c${FX.courses.a}`)!.teacherIds.sort()).toEqual([FX.users.teacher, FX.users.creator].sort());
        expect(byId.get(`b${FX.bundle}`)!.teacherIds).toEqual([FX.users.teacher]);
        expect(byId.get(`b${FX.bundle}`)).toMatchObject({ title: 'The Bundle', url: 'https://school.example.com/bundles/the-bundle' });
        expect((await host.courses.searchCourses('course c', 5)).map((c) => c.id)).toEqual([FX.courses.c]);
        expect(await host.courses.courseIdBySlug('course-102')).toBe(FX.courses.c);
        expect(await host.courses.courseIdBySlug('no-such-course')).toBeNull();
        const taught = await host.courses.coursesTaughtBy(FX.users.teacher, 50);
        expect(taught.map((c) => `${c.type === 'bundle' ? 'b' : 'c'}${c.id}`)).toContain(`b${FX.bundle}`);
        expect(taught.every((c) => c.teacherIds.includes(FX.users.teacher))).toBe(true);
        expect(await host.courses.coursesTaughtBy(999_999, 50)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('lists the items a seller may sell as a tier, by type, seller, title and id', async () => {
      const { host, close } = await setup();
      try {
        const p = host.purchases;
        const ids = async (f: Parameters<typeof p.sellableItems>[0]) => (await p.sellableItems(f)).map((x) => x.id);
        // Courses: teacher, creator and partner teachers sell them; newest first; titles in the default locale.
        expect(await ids({ type: 'course', sellerId: FX.users.partner, limit: 50 })).toEqual([FX.courses.c]);
        expect(await ids({ type: 'course', sellerId: FX.users.creator, limit: 50 })).toEqual([FX.courses.a]);
        expect(await ids({ type: 'course', sellerId: FX.users.buyer, limit: 50 })).toEqual([]);
        expect(await ids({ type: 'course', sellerId: FX.users.teacher, limit: 50 })).toEqual([
          FX.courses.live,
          FX.courses.c,
          FX.courses.b,
          FX.courses.a,
        ]);
        expect(await p.sellableItems({ type: 'course', sellerId: FX.users.teacher, query: 'COURSE C', limit: 50 })).toEqual([
          { type: 'course', id: FX.courses.c, title: 'Course C', url: 'https://school.example.com/course/course-102' },
        ]);
        // By a title in any locale; shown in the default one.
        expect((await p.sellableItems({ type: 'course', sellerId: null, query: 'curso', limit: 50 })).map((x) => x.title)).toEqual([
          'Course A',
        ]);
        expect(await ids({ type: 'course', sellerId: null, query: '100%_', limit: 50 })).toEqual([]);
        expect(await ids({ type: 'course', sellerId: null, limit: 2 })).toHaveLength(2);
        // Bundles: teacher and creator; a course id is not a bundle.
        expect(await p.sellableItems({ type: 'bundle', sellerId: FX.users.teacher, query: 'bundle', limit: 50 })).toEqual([
          { type: 'bundle', id: FX.bundle, title: 'The Bundle', url: 'https://school.example.com/bundles/the-bundle' },
        ]);
        expect(await ids({ type: 'bundle', sellerId: FX.users.partner, limit: 50 })).toEqual([]);
        expect(await ids({ type: 'bundle', sellerId: null, ids: [FX.courses.a], limit: 50 })).toEqual([]);
        // Plans are the school's: no seller sells one.
        expect(await ids({ type: 'subscribe', sellerId: null, ids: [FX.plan], limit: 50 })).toEqual([FX.plan]);
        expect(await ids({ type: 'subscribe', sellerId: FX.users.teacher, limit: 50 })).toEqual([]);
        expect(await ids({ type: 'subscribe', sellerId: null, query: '30 days', limit: 50 })).toContain(FX.plan);
      } finally {
        await close();
      }
    });

    it('applies RocketLMS course access rules', async () => {
      const { host, close } = await setup();
      try {
        const u = FX.users;
        const c = FX.courses;
        const cases: Array<[number, number, boolean, string]> = [
          [u.buyer, c.a, true, 'a sale'],
          [u.refunded, c.a, false, 'a refunded sale'],
          [u.bundleBuyer, c.b, true, 'a bundle sale (course in the bundle)'],
          [u.bundleBuyer, c.a, false, 'a bundle sale (course not in it)'],
          [u.subscriberValid, c.a, true, 'a subscription use within its days'],
          [u.subscriberExpired, c.a, false, 'a subscription use past its days'],
          [u.manual, c.b, true, 'a manual purchase'],
          [u.teacher, c.a, true, 'the teacher'],
          [u.creator, c.a, true, 'the creator'],
          [u.partner, c.c, true, 'a partner teacher'],
          [u.partner, c.a, false, 'another course of a partner teacher'],
          [u.admin, c.c, true, 'an admin'],
          [u.nobody, c.a, false, 'nobody'],
        ];
        for (const [user, course, want, why] of cases) expect(await host.access.hasCourse(user, course), why).toBe(want);
        expect(await host.access.userCourseIds(u.bundleBuyer)).toEqual([c.b, c.c]);
        expect(await host.access.userCourseIds(u.subscriberExpired)).toEqual([]);
        expect((await host.access.userCourseIds(u.admin)).length).toBe(4);
      } finally {
        await close();
      }
    });

    it('walks enrolments and completions by cursor without gaps or repeats', async () => {
      const { db, host, close } = await setup();
      try {
        const first = await host.access.enrolmentsSince(null, 2);
        const rest = await host.access.enrolmentsSince(first.cursor, 100);
        const all = [...first.items, ...rest.items].map((e) => `${e.userId}:${e.courseId}:${e.source}`);
        expect(all.sort()).toEqual(
          [
            `${FX.users.buyer}:${FX.courses.a}:sale`,
            `${FX.users.bundleBuyer}:${FX.courses.b}:sale`,
            `${FX.users.bundleBuyer}:${FX.courses.c}:sale`,
            `${FX.users.subscriberValid}:${FX.courses.a}:sale`,
            // A sale paid with a plan that had already run out enrols nobody (RocketLMS grants no access).
            `${FX.users.manual}:${FX.courses.b}:manual`,
          ].sort(),
        );
        expect((await host.access.enrolmentsSince(rest.cursor, 100)).items).toEqual([]);

        const c1 = await host.completions.completionsSince(null, 1);
        const c2 = await host.completions.completionsSince(c1.cursor, 10);
        expect([...c1.items, ...c2.items].map((c) => `${c.userId}:${c.courseId}`)).toEqual([
          `${FX.users.buyer}:${FX.courses.a}`,
          `${FX.users.bundleBuyer}:${FX.courses.b}`,
          `${FX.users.manual}:${FX.courses.b}`,
        ]);
        const end = await host.completions.completionsSince(c2.cursor, 10);
        expect(end.items).toEqual([]);
        await db
          .insertInto('certificates')
          .values({ id: 5, student_id: FX.users.nobody, webinar_id: FX.courses.c, bundle_id: null, type: 'course', created_at: now + DAY })
          .execute();
        expect((await host.completions.completionsSince(end.cursor, 10)).items.map((c) => c.userId)).toEqual([FX.users.nobody]);
      } finally {
        await close();
      }
    });

    it('reads sales of store products through product_orders, with their amounts, as tier purchases', async () => {
      const { db, host, close } = await setup();
      try {
        const product = Number(
          (
            await db
              .insertInto('products')
              .values({ creator_id: FX.users.teacher, type: 'virtual', slug: 'study-pack', price: 12, status: 'active', created_at: now })
              .executeTakeFirstOrThrow()
          ).insertId,
        );
        const order = async (buyer: number, status: string) =>
          Number(
            (
              await db
                .insertInto('product_orders')
                .values({
                  product_id: product,
                  seller_id: FX.users.teacher,
                  buyer_id: buyer,
                  sale_id: null,
                  status,
                  quantity: 1,
                  created_at: now,
                })
                .executeTakeFirstOrThrow()
            ).insertId,
          );
        const sale = async (buyer: number, productOrderId: number) =>
          Number(
            (
              await db
                .insertInto('sales')
                .values({
                  buyer_id: buyer,
                  seller_id: FX.users.teacher,
                  order_id: null,
                  webinar_id: null,
                  bundle_id: null,
                  subscribe_id: null,
                  product_order_id: productOrderId,
                  type: 'product',
                  payment_method: 'payment_channel',
                  amount: 12,
                  manual_added: 0,
                  access_to_purchased_item: 1,
                  created_at: now,
                  refund_at: null,
                })
                .executeTakeFirstOrThrow()
            ).insertId,
          );
        const good = await sale(FX.users.buyer, await order(FX.users.buyer, 'success'));
        const cancelled = await sale(FX.users.nobody, await order(FX.users.nobody, 'canceled'));
        const item = { type: 'product' as const, id: product };
        const page = await host.purchases.salesSince(0, [item], 10_000);
        expect(page.items.map((x) => [x.id, x.userId, x.item, x.amount, x.valid])).toEqual([
          [good, FX.users.buyer, item, 12, true],
          [cancelled, FX.users.nobody, item, 12, false],
        ]);
        expect((await host.purchases.userSales(FX.users.buyer, [item])).map((x) => x.id)).toEqual([good]);
        // A course tier does not see product sales.
        expect(
          (await host.purchases.userSales(FX.users.buyer, [{ type: 'course', id: FX.courses.a }])).map((x) => x.item.type),
        ).not.toContain('product');
        expect(await host.purchases.checkoutUrl(item)).toBe('https://school.example.com/products/study-pack');
        // Its creator sells it; nobody else does, and a missing product is nobody's.
        const sells = async (sellerId: number | null, id = product) =>
          (await host.purchases.sellableItems({ type: 'product', sellerId, ids: [id], limit: 5 })).map((x) => [x.id, x.url]);
        expect(await sells(FX.users.teacher)).toEqual([[product, 'https://school.example.com/products/study-pack']]);
        expect(await sells(FX.users.buyer)).toEqual([]);
        expect(await sells(null, product + 1000)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('delivers notifications to the host table (Unix seconds) and in-app as configured', async () => {
      for (const channel of ['rocketlms', 'addon', 'both'] as const) {
        const { db, host, inApp, close } = await setup(channel);
        try {
          await host.notifications.notify({ userId: FX.users.buyer, title: 'Welcome', message: 'You joined Photography Circle' });
          const rows = await db.selectFrom('notifications').selectAll().execute();
          expect(rows.length, channel).toBe(channel === 'addon' ? 0 : 1);
          if (rows[0]) expect(rows[0]).toMatchObject({ user_id: FX.users.buyer, sender: 'system', type: 'single', created_at: now });
          expect(inApp.length, channel).toBe(channel === 'rocketlms' ? 0 : 1);
        } finally {
          await close();
        }
      }
    });
  });
}
