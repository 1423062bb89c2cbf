import type { Insertable, Kysely } from 'kysely';

import type { HostDatabase } from '../rocketlms/schema';

export const DAY = 86_400;

/** Ids of the fixture rows, so tests can name who should have what. */
export const FX = {
  roles: { user: 1, admin: 2, teacher: 3 },
  users: {
    admin: 1,
    teacher: 2,
    partner: 3,
    creator: 4,
    buyer: 10,
    refunded: 11,
    bundleBuyer: 12,
    subscriberValid: 13,
    subscriberExpired: 14,
    manual: 15,
    nobody: 16,
    banned: 17,
    banEnded: 18,
    deleted: 19,
    inactive: 20,
    banFuture: 21,
  },
  courses: { a: 100, b: 101, c: 102, live: 103 },
  bundle: 200,
  plan: 300,
} as const;

/**
 * One explicit row per access rule of RocketLMS, inserted with fixed ids, so the same
 * assertions run against SQLite and a real MariaDB. `now` is Unix seconds.
 */
export async function insertHostFixtures(db: Kysely<HostDatabase>, now: number): Promise<void> {
  const u = FX.users;
  await db
    .insertInto('roles')
    .values([
      { id: FX.roles.user, name: 'user', caption: 'Student', is_admin: 0, created_at: now },
      { id: FX.roles.admin, name: 'admin', caption: 'Admin', is_admin: 1, created_at: now },
      { id: FX.roles.teacher, name: 'teacher', caption: 'Instructor', is_admin: 0, created_at: now },
    ])
    .execute();
  const user = (id: number, name: string, role: keyof typeof FX.roles, extra: Partial<Insertable<HostDatabase['users']>> = {}) => ({
    id,
    full_name: name,
    username: name.toLowerCase().replace(/\s+/g, '.'),
    email: `${id}@fixture.test`,
    role_name: role,
    role_id: FX.roles[role],
    avatar: null,
    status: 'active',
    ban: 0,
    ban_start_at: null,
    ban_end_at: null,
    deleted_at: null,
    timezone: 'UTC',
    language: 'en',
    created_at: now - 100 * DAY,
    ...extra,
  });
  await db
    .insertInto('users')
    .values([
      user(u.admin, 'Ada Admin', 'admin', { avatar: '/store/1/avatar/a.png' }),
      user(u.teacher, 'Tess Teacher', 'teacher', { avatar: 'https://cdn.example.com/t.png' }),
      user(u.partner, 'Pat Partner', 'teacher'),
      user(u.creator, 'Cy Creator', 'teacher'),
      user(u.buyer, 'Bea Buyer', 'user'),
      user(u.refunded, 'Rex Refunded', 'user'),
      user(u.bundleBuyer, 'Bo Bundle', 'user'),
      user(u.subscriberValid, 'Sue Subscriber', 'user'),
      user(u.subscriberExpired, 'Sid Lapsed', 'user'),
      user(u.manual, 'Manu Granted', 'user'),
      user(u.nobody, 'Nia Nobody', 'user'),
      user(u.banned, 'Ban Now', 'user', { ban: 1, ban_start_at: now - DAY, ban_end_at: now + DAY }),
      user(u.banEnded, 'Ban Over', 'user', { ban: 1, ban_start_at: now - 10 * DAY, ban_end_at: now - DAY }),
      user(u.deleted, 'Del Eted', 'user', { deleted_at: now - DAY }),
      user(u.inactive, 'In Active', 'user', { status: 'inactive' }),
      user(u.banFuture, 'Ban Later', 'user', { ban: 1, ban_start_at: now + DAY, ban_end_at: null }),
    ])
    .execute();
  const course = (id: number, teacher: number, creator: number, type = 'course') => ({
    id,
    teacher_id: teacher,
    creator_id: creator,
    type,
    slug: `course-${id}`,
    status: 'active',
    thumbnail: `/store/${id}/thumb.jpg`,
    image_cover: null,
    price: 10,
    private: 0,
    deleted_at: null,
    created_at: now - 50 * DAY,
  });
  const c = FX.courses;
  await db
    .insertInto('webinars')
    .values([
      course(c.a, u.teacher, u.creator),
      course(c.b, u.teacher, u.teacher),
      course(c.c, u.teacher, u.teacher),
      course(c.live, u.teacher, u.teacher, 'webinar'),
    ])
    .execute();
  await db
    .insertInto('webinar_translations')
    .values([
      { webinar_id: c.a, locale: 'en', title: 'Course A' },
      { webinar_id: c.a, locale: 'es', title: 'Curso A' },
      { webinar_id: c.b, locale: 'es', title: 'Solo en español' },
      { webinar_id: c.c, locale: 'en', title: 'Course C' },
      { webinar_id: c.live, locale: 'en', title: 'Live Class' },
    ])
    .execute();
  await db.insertInto('webinar_partner_teacher').values({ webinar_id: c.c, teacher_id: u.partner }).execute();
  await db
    .insertInto('bundles')
    .values({
      id: FX.bundle,
      teacher_id: u.teacher,
      creator_id: u.teacher,
      slug: 'the-bundle',
      status: 'active',
      thumbnail: null,
      image_cover: null,
      price: 15,
      created_at: now,
    })
    .execute();
  await db.insertInto('bundle_translations').values({ bundle_id: FX.bundle, locale: 'en', title: 'The Bundle' }).execute();
  await db
    .insertInto('bundle_webinars')
    .values([
      { bundle_id: FX.bundle, webinar_id: c.b },
      { bundle_id: FX.bundle, webinar_id: c.c },
    ])
    .execute();
  await db
    .insertInto('subscribes')
    .values({ id: FX.plan, days: 30, usable_count: 10, infinite_use: 0, price: 9, created_at: now - 100 * DAY })
    .execute();
  const sale = (id: number, buyer: number, extra: Partial<Insertable<HostDatabase['sales']>>) => ({
    id,
    buyer_id: buyer,
    seller_id: u.teacher,
    order_id: null,
    webinar_id: null,
    bundle_id: null,
    subscribe_id: null,
    type: 'webinar',
    payment_method: 'payment_channel',
    amount: 10,
    manual_added: 0,
    access_to_purchased_item: 1,
    created_at: now - 5 * DAY,
    refund_at: null,
    ...extra,
  });
  await db
    .insertInto('sales')
    .values([
      sale(1, u.buyer, { webinar_id: c.a, created_at: now - 9 * DAY }),
      sale(2, u.refunded, { webinar_id: c.a, refund_at: now - DAY, created_at: now - 8 * DAY }),
      sale(3, u.bundleBuyer, { bundle_id: FX.bundle, type: 'bundle', created_at: now - 7 * DAY }),
      sale(4, u.subscriberValid, { webinar_id: c.a, subscribe_id: FX.plan, payment_method: 'subscribe', created_at: now - 10 * DAY }),
      sale(5, u.subscriberExpired, { webinar_id: c.a, subscribe_id: FX.plan, payment_method: 'subscribe', created_at: now - 40 * DAY }),
    ])
    .execute();
  await db
    .insertInto('users_manual_purchase')
    .values({ id: 1, user_id: u.manual, webinar_id: c.b, created_at: now - 3 * DAY })
    .execute();
  await db
    .insertInto('certificates')
    .values([
      { id: 1, student_id: u.buyer, webinar_id: c.a, bundle_id: null, type: 'course', created_at: now - 2 * DAY },
      { id: 2, student_id: u.buyer, webinar_id: c.a, bundle_id: null, type: 'quiz', created_at: now - 2 * DAY },
      { id: 3, student_id: u.bundleBuyer, webinar_id: c.b, bundle_id: null, type: 'course', created_at: now - DAY },
      { id: 4, student_id: u.manual, webinar_id: c.b, bundle_id: null, type: 'course', created_at: now },
    ])
    .execute();
}
