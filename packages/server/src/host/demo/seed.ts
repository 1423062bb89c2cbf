import type { Insertable, Kysely } from 'kysely';

import type { HostDatabase } from '../rocketlms/schema';

export interface DemoSchool {
  adminId: number;
  instructorIds: number[];
  /** Active students first; the banned and the inactive student are also listed separately. */
  studentIds: number[];
  courseIds: number[];
  liveClassId: number;
  bundleId: number;
  bannedUserId: number;
  inactiveUserId: number;
}

const INSTRUCTORS = ['Marcus Lee', 'Priya Natarajan', 'Sofia Alvarez'];
const STUDENTS = [
  'Liam Carter',
  'Emma Johansson',
  'Noah Okafor',
  'Olivia Brown',
  'Mateo García',
  'Ava Thompson',
  'Lucas Müller',
  'Mia Rossi',
  'Ethan Nguyen',
  'Isabella Silva',
  'Kenji Watanabe',
  'Amara Mensah',
  'Leo Dubois',
  'Chloe Martin',
  'Arjun Mehta',
  'Zoe Papadopoulos',
  "Finn O'Brien",
  'Layla Haddad',
  'Oscar Lindqvist',
  'Nora Kowalski',
  'Samuel Adeyemi',
  'Hannah Fischer',
  'Diego Fernández',
  'Grace Kim',
  'Elias Novak',
  'Freya Jensen',
  'Omar Farouk',
  'Lily Chen',
  'Hugo Bernard',
  'Aisha Bello',
  'Jonas Weber',
  'Sara Costa',
  'Ravi Sharma',
  'Elena Petrova',
  'Theo Walsh',
  'Maya Levi',
  'Daniel Moreau',
  'Yuki Tanaka',
  'Ines Moreira',
  'Caleb Wright',
];
const COURSES: Array<{ title: string; slug: string; type: 'course' | 'webinar'; teacher: number; price: number }> = [
  { title: 'Photography Fundamentals', slug: 'photography-fundamentals', type: 'course', teacher: 0, price: 49 },
  { title: 'Modern JavaScript from Scratch', slug: 'modern-javascript-from-scratch', type: 'course', teacher: 1, price: 79 },
  { title: 'Watercolor for Beginners', slug: 'watercolor-for-beginners', type: 'course', teacher: 0, price: 39 },
  { title: 'Personal Finance 101', slug: 'personal-finance-101', type: 'course', teacher: 2, price: 0 },
  { title: 'Conversational Spanish', slug: 'conversational-spanish', type: 'course', teacher: 2, price: 59 },
  { title: 'Live Q&A: Portfolio Reviews', slug: 'live-qa-portfolio-reviews', type: 'webinar', teacher: 0, price: 15 },
];

/** A small deterministic PRNG (mulberry32), so every demo school is the same school. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slugName = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z]+/g, '.')
    .replace(/^\.|\.$/g, '');

async function summary(db: Kysely<HostDatabase>): Promise<DemoSchool> {
  const users = await db.selectFrom('users').select(['id', 'role_name', 'status', 'ban']).orderBy('id').execute();
  const courses = await db.selectFrom('webinars').select(['id', 'type']).orderBy('id').execute();
  const bundle = await db.selectFrom('bundles').select('id').orderBy('id').executeTakeFirst();
  const students = users.filter((u) => u.role_name === 'user');
  const banned = students.find((u) => Number(u.ban) === 1);
  const inactive = students.find((u) => u.status !== 'active');
  return {
    adminId: Number(users.find((u) => u.role_name === 'admin')?.id ?? 0),
    instructorIds: users.filter((u) => u.role_name === 'teacher').map((u) => Number(u.id)),
    studentIds: [
      ...students.filter((u) => u !== banned && u !== inactive).map((u) => Number(u.id)),
      ...[banned, inactive].filter((u) => u !== undefined).map((u) => Number(u.id)),
    ],
    courseIds: courses.filter((c) => c.type !== 'webinar').map((c) => Number(c.id)),
    liveClassId: Number(courses.find((c) => c.type === 'webinar')?.id ?? 0),
    bundleId: Number(bundle?.id ?? 0),
    bannedUserId: Number(banned?.id ?? 0),
    inactiveUserId: Number(inactive?.id ?? 0),
  };
}

/**
 * Seeds a believable RocketLMS school: an admin, 3 instructors, 40 students, 5 courses and a
 * live class with titles in webinar_translations, a bundle, sales (one refunded, one expired
 * subscription use), manual purchases and course certificates. Does nothing when users exist.
 */
export async function seedDemoSchool(db: Kysely<HostDatabase>, opts: { now?: Date } = {}): Promise<DemoSchool> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return summary(db);
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const day = 86_400;
  const rand = prng(20261124);
  const pick = <X>(xs: X[]) => xs[Math.floor(rand() * xs.length)]!;

  await db.transaction().execute(async (trx) => {
    const roles = [
      { name: 'user', caption: 'Student', is_admin: 0 },
      { name: 'admin', caption: 'Admin', is_admin: 1 },
      { name: 'teacher', caption: 'Instructor', is_admin: 0 },
      { name: 'organization', caption: 'Organization', is_admin: 0 },
    ];
    const roleId: Record<string, number> = {};
    for (const r of roles) {
      const res = await trx
        .insertInto('roles')
        .values({ ...r, created_at: now - 400 * day })
        .executeTakeFirstOrThrow();
      roleId[r.name] = Number(res.insertId);
    }
    const addUser = async (name: string, role: string, extra: Partial<Insertable<HostDatabase['users']>> = {}) => {
      const username = slugName(name);
      const res = await trx
        .insertInto('users')
        .values({
          full_name: name,
          username,
          email: `${username}@demo.school`,
          role_name: role,
          role_id: roleId[role]!,
          avatar: null,
          status: 'active',
          ban: 0,
          ban_start_at: null,
          ban_end_at: null,
          deleted_at: null,
          timezone: 'UTC',
          language: 'en',
          created_at: now - Math.floor(rand() * 300 + 30) * day,
          ...extra,
        })
        .executeTakeFirstOrThrow();
      return Number(res.insertId);
    };

    await addUser('Ava Admin', 'admin');
    const instructors: number[] = [];
    for (const name of INSTRUCTORS) instructors.push(await addUser(name, 'teacher'));
    const students: number[] = [];
    for (const [i, name] of STUDENTS.entries()) {
      const extra: Partial<Insertable<HostDatabase['users']>> =
        i === STUDENTS.length - 2
          ? { ban: 1, ban_start_at: now - 2 * day, ban_end_at: now + 30 * day }
          : i === STUDENTS.length - 1
            ? { status: 'inactive' }
            : {};
      students.push(await addUser(name, 'user', extra));
    }

    const courseIds: number[] = [];
    for (const c of COURSES) {
      const teacher = instructors[c.teacher]!;
      const res = await trx
        .insertInto('webinars')
        .values({
          teacher_id: teacher,
          creator_id: teacher,
          type: c.type,
          slug: c.slug,
          status: 'active',
          thumbnail: null,
          image_cover: null,
          price: c.price,
          private: 0,
          deleted_at: null,
          created_at: now - 200 * day,
        })
        .executeTakeFirstOrThrow();
      const id = Number(res.insertId);
      courseIds.push(id);
      await trx.insertInto('webinar_translations').values({ webinar_id: id, locale: 'en', title: c.title }).execute();
    }
    // The live Q&A is co-hosted by the JavaScript instructor.
    await trx.insertInto('webinar_partner_teacher').values({ webinar_id: courseIds[5]!, teacher_id: instructors[1]! }).execute();

    const bundle = await trx
      .insertInto('bundles')
      .values({
        teacher_id: instructors[0]!,
        creator_id: instructors[0]!,
        slug: 'creative-starter-pack',
        status: 'active',
        thumbnail: null,
        image_cover: null,
        price: 69,
        created_at: now - 150 * day,
      })
      .executeTakeFirstOrThrow();
    const bundleId = Number(bundle.insertId);
    await trx.insertInto('bundle_translations').values({ bundle_id: bundleId, locale: 'en', title: 'Creative Starter Pack' }).execute();
    for (const w of [courseIds[0]!, courseIds[2]!])
      await trx.insertInto('bundle_webinars').values({ bundle_id: bundleId, webinar_id: w }).execute();
    const plan = await trx
      .insertInto('subscribes')
      .values({ days: 30, usable_count: 5, infinite_use: 0, price: 19, created_at: now - 300 * day })
      .executeTakeFirstOrThrow();

    const sale = (buyer: number, values: Partial<Insertable<HostDatabase['sales']>>) =>
      trx
        .insertInto('sales')
        .values({
          buyer_id: buyer,
          seller_id: null,
          order_id: null,
          webinar_id: null,
          bundle_id: null,
          subscribe_id: null,
          type: 'webinar',
          payment_method: 'payment_channel',
          amount: 0,
          manual_added: 0,
          access_to_purchased_item: 1,
          created_at: now - Math.floor(rand() * 120 + 1) * day,
          refund_at: null,
          ...values,
        })
        .execute();

    const active = students.slice(0, -2);
    for (const [i, s] of active.entries()) {
      const count = 1 + Math.floor(rand() * 3);
      const owned = new Set<number>();
      while (owned.size < count) owned.add(pick(courseIds));
      for (const c of owned) await sale(s, { webinar_id: c, amount: COURSES[courseIds.indexOf(c)]!.price });
      if (i % 7 === 3) await sale(s, { bundle_id: bundleId, type: 'bundle', amount: 69 });
    }
    // One refunded purchase and one course used through a subscription plan that ran out.
    await sale(active[1]!, { webinar_id: courseIds[4]!, amount: 59, refund_at: now - 5 * day });
    await sale(active[2]!, {
      webinar_id: courseIds[1]!,
      subscribe_id: Number(plan.insertId),
      payment_method: 'subscribe',
      created_at: now - 90 * day,
    });
    for (const s of [active[5]!, active[6]!])
      await trx
        .insertInto('users_manual_purchase')
        .values({ user_id: s, webinar_id: courseIds[3]!, created_at: now - 20 * day })
        .execute();

    const buyers = await trx
      .selectFrom('sales')
      .select(['buyer_id', 'webinar_id'])
      .where('webinar_id', 'is not', null)
      .where('refund_at', 'is', null)
      .where('payment_method', '!=', 'subscribe')
      .orderBy('id')
      .execute();
    for (const b of buyers.filter((_, i) => i % 9 === 0).slice(0, 6)) {
      await trx
        .insertInto('certificates')
        .values({
          student_id: b.buyer_id,
          webinar_id: b.webinar_id,
          bundle_id: null,
          type: 'course',
          created_at: now - Math.floor(rand() * 30) * day,
        })
        .execute();
    }
  });
  return summary(db);
}
