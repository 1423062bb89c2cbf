import type { DomainEvent } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
const events: DomainEvent[] = [];

beforeAll(async () => {
  s = await startTestServer({ host: { identity_cache_seconds: 30 } });
  s.ctx.bus.subscribe('*', (e) => {
    events.push(e);
  });
});
afterAll(async () => s.close());

const iso = () => new Date().toISOString();

/** A community linked to a course with auto-join, written directly (the communities API is another suite's). */
async function linkedCommunity(courseId: number): Promise<number> {
  const db = s.ctx.db.db;
  const c = await db
    .insertInto('communities')
    .values({
      owner_id: s.demo.instructorIds[0]!,
      slug: `c-${courseId}-${Date.now()}`,
      name: 'Linked',
      visibility: 'private',
      status: 'active',
      settings: '{}',
      created_at: iso(),
      updated_at: iso(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('community_roles')
    .values({ community_id: c.id, name: 'Member', slug: 'member', permissions: '["view"]', rank: 10, created_at: iso(), updated_at: iso() })
    .execute();
  await db
    .insertInto('community_courses')
    .values({
      community_id: c.id,
      course_id: courseId,
      course_type: 'course',
      link_type: 'primary',
      auto_join: 1,
      created_at: iso(),
      updated_at: iso(),
    })
    .execute();
  return c.id;
}

describe('host sync', () => {
  it('auto-joins buyers of a linked course once, and publishes CommunityJoined after commit', async () => {
    const course = s.demo.courseIds[3]!;
    const communityId = await linkedCommunity(course);
    const buyers = (
      await s.ctx.hostDb.selectFrom('sales').select('buyer_id').where('webinar_id', '=', course).where('refund_at', 'is', null).execute()
    ).map((r) => r.buyer_id);
    const manual = (
      await s.ctx.hostDb.selectFrom('users_manual_purchase').select('user_id').where('webinar_id', '=', course).execute()
    ).map((r) => r.user_id);
    const expected = new Set([...buyers, ...manual]);
    expect(expected.size).toBeGreaterThan(0);

    const first = await s.ctx.hostSync.runOnce();
    await s.ctx.bus.idle();
    expect(first.joined).toBe(expected.size);
    const members = await s.ctx.db.db
      .selectFrom('community_members')
      .select(['user_id', 'status', 'source'])
      .where('community_id', '=', communityId)
      .execute();
    expect(new Set(members.map((m) => m.user_id))).toEqual(expected);
    expect(members.every((m) => m.status === 'active' && m.source === 'course')).toBe(true);
    const joined = events.filter(
      (e) => e.name === 'CommunityJoined' && (e.payload as { community_id: number }).community_id === communityId,
    );
    expect(joined.length).toBe(expected.size);
    const community = await s.ctx.db.db
      .selectFrom('communities')
      .select('member_count')
      .where('id', '=', communityId)
      .executeTakeFirstOrThrow();
    expect(community.member_count).toBe(expected.size);

    // A new purchase is picked up next time; nothing else repeats.
    const newcomer = s.demo.studentIds.find((id) => !expected.has(id))!;
    await s.ctx.hostDb
      .insertInto('sales')
      .values({
        buyer_id: newcomer,
        webinar_id: course,
        type: 'webinar',
        payment_method: 'payment_channel',
        amount: 0,
        manual_added: 0,
        access_to_purchased_item: 1,
        created_at: Math.floor(Date.now() / 1000),
      })
      .execute();
    const second = await s.ctx.hostSync.runOnce();
    expect(second.joined).toBe(1);
    expect((await s.ctx.hostSync.runOnce()).joined).toBe(0);
    // The event log recorded them (analytics subscriber).
    await s.ctx.bus.idle();
    const logged = await s.ctx.db.db.selectFrom('domain_events').select('name').where('name', '=', 'CommunityJoined').execute();
    expect(logged.length).toBe(expected.size + 1);
  });

  it('emits CourseCompleted once per new course certificate, not for history', async () => {
    events.length = 0;
    await s.ctx.hostSync.runOnce();
    expect(events.filter((e) => e.name === 'CourseCompleted')).toEqual([]);
    const student = s.demo.studentIds[0]!;
    await s.ctx.hostDb
      .insertInto('certificates')
      .values({
        student_id: student,
        webinar_id: s.demo.courseIds[0]!,
        bundle_id: null,
        type: 'course',
        created_at: Math.floor(Date.now() / 1000),
      })
      .execute();
    await s.ctx.hostDb
      .insertInto('certificates')
      .values({
        student_id: student,
        webinar_id: s.demo.courseIds[0]!,
        bundle_id: null,
        type: 'quiz',
        created_at: Math.floor(Date.now() / 1000),
      })
      .execute();
    await s.ctx.hostSync.runOnce();
    await s.ctx.hostSync.runOnce();
    const completed = events.filter((e) => e.name === 'CourseCompleted');
    expect(completed.map((e) => e.payload)).toEqual([expect.objectContaining({ user_id: student, course_id: s.demo.courseIds[0] })]);
  });

  it('a host ban takes effect at once, despite the identity cache', async () => {
    const victim = s.demo.studentIds[6]!;
    const token = await s.token(victim);
    const me = () => fetch(`${s.url}/api/communities/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);
    const nowS = Math.floor(Date.now() / 1000);
    await s.ctx.hostDb
      .updateTable('users')
      .set({ ban: 1, ban_start_at: nowS - 1, ban_end_at: null })
      .where('id', '=', victim)
      .execute();
    expect((await me()).status).toBe(200); // still cached (30 s)
    events.length = 0;
    const r = await s.ctx.hostSync.runOnce();
    expect(r.bans).toBe(1);
    expect((await me()).status).toBe(403);
    expect(events.find((e) => e.name === 'UserBanned')?.payload).toMatchObject({ user_id: victim, source: 'host' });
  });
});
