import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity, recordEvents } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let instructor: number;
let students: number[];

beforeAll(async () => {
  s = await startTestServer();
  instructor = s.demo.instructorIds[0]!;
  students = s.demo.studentIds;
});
afterAll(async () => s.close());

describe('creating communities', () => {
  it('lets instructors create one with default roles, channels and the owner as member; CommunityCreated after commit', async () => {
    const events = recordEvents(s);
    const c = await s
      .as(instructor)
      .communities.create({ body: { name: 'Night Photography', description: 'Stars & streets', category: 'photography' } });
    expect(c).toMatchObject({
      slug: 'night-photography',
      visibility: 'public',
      member_count: 1,
      owner: { id: instructor },
      viewer_membership: { status: 'active', role: 'owner' },
    });
    expect(c.viewer_permissions).toEqual(
      expect.arrayContaining(['community.update', 'feed.post', 'members.manage', 'channel.view', 'channel.manage']),
    );
    const channels = await s.ctx.db.db
      .selectFrom('channels')
      .select(['name', 'type'])
      .where('community_id', '=', c.id)
      .orderBy('id')
      .execute();
    expect(channels).toEqual([
      { name: 'General', type: 'category' },
      { name: 'general', type: 'text' },
      { name: 'announcements', type: 'announcement' },
    ]);
    const roles = await s.as(instructor).communities.roles({ params: { id: c.slug } });
    expect(roles.items.map((r) => r.slug)).toEqual(['owner', 'moderator', 'member', 'guest']);
    expect(events.of('CommunityCreated').map((e) => e.payload.community_id)).toEqual([c.id]);
    events.off();
  });

  it('derives a free slug, refuses a taken or reserved one with 409, and bad input with 422 field paths', async () => {
    const a = await s.as(instructor).communities.create({ body: { name: 'Book Club' } });
    const b = await s.as(instructor).communities.create({ body: { name: 'Book Club' } });
    expect([a.slug, b.slug]).toEqual(['book-club', 'book-club-2']);
    await expectStatus(s.as(instructor).communities.create({ body: { name: 'Other', slug: 'book-club' } }), 409, 'conflict');
    await expectStatus(s.as(instructor).communities.create({ body: { name: 'Other', slug: 'feed' } }), 409, 'conflict');
    // The site-wide leaderboard's path (API and web page), not a community.
    await expectStatus(s.as(instructor).communities.create({ body: { name: 'Other', slug: 'leaderboard' } }), 409, 'conflict');
    expect((await s.as(instructor).communities.create({ body: { name: 'Leaderboard' } })).slug).not.toBe('leaderboard');
    const e = await expectStatus(
      s.as(instructor).communities.create({ body: { name: 'x', visibility: 'secret' as 'public', slug: 'Bad Slug' } }),
      422,
      'validation_failed',
    );
    expect(e.issues.map((i) => i.path).sort()).toEqual(['body.name', 'body.slug', 'body.visibility']);
    const count = await s.ctx.db.db
      .selectFrom('communities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', 'x')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('refuses students (configurable) and anonymous callers', async () => {
    await expectStatus(s.as(students[0]!).communities.create({ body: { name: 'Student Club' } }), 403, 'forbidden');
    await expectStatus(s.as(null).communities.create({ body: { name: 'Anon Club' } }), 401, 'unauthenticated');
  });

  it('updates and archives for owners only; only admins feature', async () => {
    const c = await makeCommunity(s);
    const updated = await s
      .as(instructor)
      .communities.update({ params: { id: String(c.id) }, body: { description: 'New words', settings: { join_approval: true } } });
    expect(updated.description).toBe('New words');
    expect(updated.settings.join_approval).toBe(true);
    expect(updated.settings.chat_enabled).toBe(true);
    await expectStatus(s.as(students[0]!).communities.update({ params: { id: String(c.id) }, body: { description: 'hack' } }), 403);
    await expectStatus(s.as(instructor).communities.update({ params: { id: String(c.id) }, body: { is_featured: true } }), 403);
    expect((await s.as(s.demo.adminId).communities.update({ params: { id: String(c.id) }, body: { is_featured: true } })).is_featured).toBe(
      true,
    );
    expect((await s.as(instructor).communities.update({ params: { id: String(c.id) }, body: { status: 'archived' } })).status).toBe(
      'archived',
    );
  });

  it('a PATCH changes only the fields it sends: editing a hidden community keeps it hidden, a tier keeps its settings', async () => {
    const c = await makeCommunity(s, { visibility: 'hidden' });
    const updated = await s.as(instructor).communities.update({ params: { id: String(c.id) }, body: { description: 'Only this' } });
    expect(updated.visibility).toBe('hidden');
    await expectStatus(s.as(students[0]!).communities.get({ params: { id: String(c.id) } }), 404);
    const tier = await s.as(instructor).communities.createTier({
      params: { id: String(c.id) },
      body: { name: 'Yearly', price_minor: 0, currency: 'USD', billing_interval: 'yearly', is_default: true, features: { a: 1 } },
    });
    const changed = await s
      .as(instructor)
      .communities.updateTier({ params: { id: String(c.id), tierId: tier.id }, body: { description: 'words' } });
    expect(changed).toMatchObject({ billing_interval: 'yearly', is_default: true, is_active: true, features: { a: 1 } });
  });

  it('deletes (owner) with everything in it', async () => {
    const c = await makeCommunity(s);
    await addMember(s, c.id, students[0]!);
    await expectStatus(s.as(students[0]!).communities.remove({ params: { id: String(c.id) }, body: { confirm_name: c.name } }), 403);
    await s.as(instructor).communities.remove({ params: { id: String(c.id) }, body: { confirm_name: c.name } });
    await expectStatus(s.as(instructor).communities.get({ params: { id: String(c.id) } }), 404, 'not_found');
    expect(await s.ctx.db.db.selectFrom('channels').select('id').where('community_id', '=', c.id).execute()).toEqual([]);
  });
});

describe('discovery and visibility', () => {
  let pub: { id: number; slug: string };
  let priv: { id: number; slug: string };
  let hidden: { id: number; slug: string };

  beforeAll(async () => {
    pub = await makeCommunity(s, { name: 'Zebra Public Lounge' });
    priv = await makeCommunity(s, { name: 'Zebra Private Studio', visibility: 'private' });
    hidden = await makeCommunity(s, { name: 'Zebra Hidden Room', visibility: 'hidden' });
  });

  it('shows anonymous callers public communities only; signed-in users private cards too; hidden ones to members', async () => {
    const names = async (userId: number | null) =>
      (await s.as(userId).communities.list({ query: { q: 'zebra', limit: 50 } })).items.map((c) => c.name).sort();
    expect(await names(null)).toEqual(['Zebra Public Lounge']);
    expect(await names(students[0]!)).toEqual(['Zebra Private Studio', 'Zebra Public Lounge']);
    expect(await names(instructor)).toEqual(['Zebra Hidden Room', 'Zebra Private Studio', 'Zebra Public Lounge']);
    expect(await names(s.demo.adminId)).toEqual(['Zebra Hidden Room', 'Zebra Private Studio', 'Zebra Public Lounge']);
  });

  it('answers 404 for a hidden community to outsiders, and shows a private card but not its members', async () => {
    await expectStatus(s.as(students[0]!).communities.get({ params: { id: hidden.slug } }), 404, 'not_found');
    await expectStatus(s.as(students[0]!).communities.members({ params: { id: hidden.slug } }), 404);
    const card = await s.as(students[0]!).communities.get({ params: { id: priv.slug } });
    expect(card.viewer_membership).toBeNull();
    expect(card.viewer_permissions).toEqual(expect.arrayContaining(['community.view', 'community.join']));
    expect(card.viewer_permissions).not.toContain('feed.read');
    expect(card.viewer_permissions).not.toContain('channel.view');
    await expectStatus(s.as(students[0]!).communities.members({ params: { id: priv.slug } }), 403, 'forbidden');
    expect((await s.as(students[0]!).communities.members({ params: { id: pub.slug } })).items.length).toBe(1);
  });

  it('filters by joined, category and activity, and sorts by members and newest', async () => {
    await addMember(s, pub.id, students[1]!);
    const joined = await s.as(students[1]!).communities.list({ query: { joined: 'true', limit: 50 } });
    expect(joined.items.map((c) => c.id)).toContain(pub.id);
    expect(joined.items.every((c) => c.viewer_membership?.status === 'active')).toBe(true);
    const notJoined = await s.as(students[1]!).communities.list({ query: { joined: 'false', q: 'zebra', limit: 50 } });
    expect(notJoined.items.map((c) => c.id)).toEqual([priv.id]);
    const byMembers = await s.as(students[1]!).communities.list({ query: { sort: 'members', q: 'zebra', limit: 50 } });
    expect(byMembers.items[0]!.id).toBe(pub.id);
    const newest = await s.as(students[1]!).communities.list({ query: { sort: 'newest', q: 'zebra', limit: 50 } });
    expect(newest.items.map((c) => c.id)).toEqual([priv.id, pub.id]);
    expect((await s.as(null).communities.list({ query: { activity: 'active', q: 'zebra' } })).items.map((c) => c.activity_level)).toEqual([
      'buzzing',
    ]);
    await expectStatus(s.as(null).communities.list({ query: { joined: 'true' } }), 401);
    await expectStatus(s.as(null).communities.list({ query: { sort: 'random' as 'newest' } }), 422);
    await expectStatus(s.as(null).communities.list({ query: { cursor: 'garbage!' } }), 422);
  });

  it('pages without gaps or repeats while communities are being created', async () => {
    for (let i = 0; i < 7; i++) await makeCommunity(s, { name: `Paging Test ${i}` });
    for (const sort of ['newest', 'members', 'activity'] as const) {
      const seen: number[] = [];
      let cursor: string | undefined;
      let inserted = 0;
      do {
        const page = await s
          .as(students[2]!)
          .communities.list({ query: { q: 'paging test', sort, limit: 3, ...(cursor ? { cursor } : {}) } });
        seen.push(...page.items.map((c) => c.id));
        cursor = page.next_cursor ?? undefined;
        if (inserted++ < 2) await makeCommunity(s, { name: `Paging Test late ${sort} ${inserted}` });
      } while (cursor);
      const before = (
        await s.ctx.db.db
          .selectFrom('communities')
          .select('id')
          .where('name', 'like', 'Paging Test %')
          .where('name', 'not like', '%late%')
          .execute()
      ).map((r) => r.id);
      expect(new Set(seen).size, `${sort}: no repeats`).toBe(seen.length);
      for (const id of before) expect(seen, `${sort}: nothing missed`).toContain(id);
    }
  });
});

describe('membership', () => {
  it('joins a public community at once and counts the member; CommunityJoined', async () => {
    const c = await makeCommunity(s);
    const events = recordEvents(s);
    expect(await s.as(students[3]!).communities.join({ params: { id: String(c.id) }, body: {} })).toEqual({
      status: 'active',
      role: 'member',
    });
    expect(await s.as(students[3]!).communities.join({ params: { id: String(c.id) }, body: {} })).toEqual({
      status: 'active',
      role: 'member',
    });
    expect((await s.as(students[3]!).communities.get({ params: { id: c.slug } })).member_count).toBe(2);
    expect(events.of('CommunityJoined').length).toBe(1);
    events.off();
  });

  it('asks for approval in a private community: pending cannot read members; approve and reject', async () => {
    const c = await makeCommunity(s, { visibility: 'private' });
    const events = recordEvents(s);
    expect((await s.as(students[4]!).communities.join({ params: { id: c.slug }, body: {} })).status).toBe('pending');
    expect(events.of('MembershipRequested').length).toBe(1);
    await expectStatus(s.as(students[4]!).communities.members({ params: { id: c.slug } }), 403);
    const requests = await s.as(instructor).communities.requests({ params: { id: c.slug } });
    expect(requests.items.map((m) => m.user.id)).toEqual([students[4]]);
    await expectStatus(s.as(students[5]!).communities.requests({ params: { id: c.slug } }), 403);
    await s.as(instructor).communities.decideRequest({ params: { id: c.slug, userId: students[4]!, decision: 'approve' }, body: {} });
    expect((await s.as(students[4]!).communities.members({ params: { id: c.slug } })).items.length).toBe(2);
    await s.as(students[5]!).communities.join({ params: { id: c.slug }, body: {} });
    await s.as(instructor).communities.decideRequest({ params: { id: c.slug, userId: students[5]!, decision: 'reject' }, body: {} });
    expect((await s.as(instructor).communities.requests({ params: { id: c.slug } })).items).toEqual([]);
    await expectStatus(
      s.as(instructor).communities.decideRequest({ params: { id: c.slug, userId: students[5]!, decision: 'approve' }, body: {} }),
      404,
    );
    events.off();
  });

  it('invites: a hidden community is joined through a link; expiry, use limits and revocation hold', async () => {
    const c = await makeCommunity(s, { visibility: 'hidden' });
    const invite = await s.as(instructor).communities.createInvite({ params: { id: String(c.id) }, body: { max_uses: 1 } });
    expect(invite.url).toContain(`/communities/invite/${invite.token}`);
    const preview = await s.as(students[6]!).communities.invitePreview({ params: { token: invite.token } });
    expect(preview).toMatchObject({ valid: true, community: { id: c.id } });
    await expectStatus(s.as(students[6]!).communities.join({ params: { id: String(c.id) }, body: {} }), 404);
    expect((await s.as(students[6]!).communities.join({ params: { id: String(c.id) }, body: { invite_token: invite.token } })).status).toBe(
      'active',
    );
    expect((await s.as(students[7]!).communities.invitePreview({ params: { token: invite.token } })).valid).toBe(false);
    await expectStatus(s.as(students[7]!).communities.join({ params: { id: String(c.id) }, body: { invite_token: invite.token } }), 404);
    const second = await s.as(instructor).communities.createInvite({ params: { id: String(c.id) }, body: {} });
    await s.as(instructor).communities.revokeInvite({ params: { id: String(c.id), inviteId: second.id } });
    await expectStatus(s.as(students[7]!).communities.join({ params: { id: String(c.id) }, body: { invite_token: second.token } }), 404);
    // Members may make invites too; they see only their own.
    const mine = await s.as(students[6]!).communities.createInvite({ params: { id: String(c.id) }, body: { expires_in_hours: 1 } });
    expect((await s.as(students[6]!).communities.invites({ params: { id: String(c.id) } })).items.map((i) => i.id)).toEqual([mine.id]);
    expect((await s.as(instructor).communities.invites({ params: { id: String(c.id) } })).items.length).toBe(3);
    await expectStatus(s.as(students[6]!).communities.revokeInvite({ params: { id: String(c.id), inviteId: invite.id } }), 403);
  });

  it('leaving: members may, the owner must transfer first (409)', async () => {
    const c = await makeCommunity(s);
    await addMember(s, c.id, students[8]!);
    const events = recordEvents(s);
    await s.as(students[8]!).communities.leave({ params: { id: String(c.id) } });
    expect(events.of('CommunityLeft').map((e) => e.payload.user_id)).toEqual([students[8]]);
    await expectStatus(s.as(instructor).communities.leave({ params: { id: String(c.id) } }), 409, 'conflict');
    await expectStatus(s.as(students[8]!).communities.leave({ params: { id: String(c.id) } }), 403);
    events.off();
  });

  it('roles and hierarchy: owners promote; moderators manage members but not the owner or other moderators', async () => {
    const c = await makeCommunity(s);
    const [mod, mod2, member] = [students[9]!, students[10]!, students[11]!];
    await addMember(s, c.id, mod, 'moderator');
    await addMember(s, c.id, mod2, 'moderator');
    await addMember(s, c.id, member);
    const id = String(c.id);
    await expectStatus(
      s.as(mod).communities.updateMember({ params: { id, userId: instructor }, body: { status: 'muted', duration_minutes: 10 } }),
      403,
    );
    await expectStatus(s.as(mod).communities.updateMember({ params: { id, userId: mod2 }, body: { role: 'member' } }), 403);
    await expectStatus(s.as(mod).communities.updateMember({ params: { id, userId: member }, body: { role: 'moderator' } }), 403);
    await expectStatus(s.as(member).communities.updateMember({ params: { id, userId: mod }, body: { status: 'muted' } }), 403);
    const demoted = await s.as(mod).communities.updateMember({ params: { id, userId: member }, body: { role: 'guest' } });
    expect(demoted.role.slug).toBe('guest');
    const muted = await s
      .as(mod)
      .communities.updateMember({ params: { id, userId: member }, body: { status: 'muted', duration_minutes: 30, reason: 'spam' } });
    expect(muted.status).toBe('muted');
    expect(muted.status_expires_at).not.toBeNull();
    // The muted member's own view says why and until when, so clients can explain why they cannot post.
    const seen = await s.as(member).communities.get({ params: { id } });
    expect(seen.viewer_membership).toEqual({
      status: 'muted',
      role: 'guest',
      muted_until: muted.status_expires_at,
      sanction_reason: 'spam',
    });
    expect((await s.as(mod).communities.get({ params: { id } })).viewer_membership?.muted_until).toBeNull();
    await expectStatus(s.as(instructor).communities.updateMember({ params: { id, userId: member }, body: { role: 'owner' } }), 403);
    await expectStatus(s.as(instructor).communities.updateMember({ params: { id, userId: member }, body: { role: 'vip' } }), 422);
    await expectStatus(s.as(instructor).communities.updateMember({ params: { id, userId: member }, body: {} }), 422);
    const roles = await s.as(instructor).communities.roles({ params: { id } });
    const ownerRole = roles.items.find((r) => r.slug === 'owner')!;
    await expectStatus(
      s.as(instructor).communities.updateRole({ params: { id, roleId: ownerRole.id }, body: { permissions: ['view'] } }),
      409,
    );
    await expectStatus(s.as(mod).communities.updateRole({ params: { id, roleId: ownerRole.id }, body: { name: 'Boss' } }), 403);
  });

  it('bans hide a private community (404) and count the member out; kick removes', async () => {
    const c = await makeCommunity(s, { visibility: 'private' });
    const target = students[12]!;
    await addMember(s, c.id, target);
    const events = recordEvents(s);
    await s.as(instructor).communities.updateMember({ params: { id: c.slug, userId: target }, body: { status: 'banned', reason: 'spam' } });
    expect(events.of('UserBanned').map((e) => e.payload.user_id)).toEqual([target]);
    await expectStatus(s.as(target).communities.get({ params: { id: c.slug } }), 404);
    await expectStatus(s.as(target).communities.join({ params: { id: c.slug }, body: {} }), 404);
    expect((await s.as(instructor).communities.get({ params: { id: c.slug } })).member_count).toBe(1);
    const banned = await s.as(instructor).communities.members({ params: { id: c.slug }, query: { status: 'banned' } });
    expect(banned.items.map((m) => [m.user.id, m.ban_reason])).toEqual([[target, 'spam']]);
    const log = await s.ctx.db.db.selectFrom('user_moderation_actions').selectAll().where('user_id', '=', target).execute();
    expect(log.map((l) => l.action)).toEqual(['ban']);
    await s.as(instructor).communities.updateMember({ params: { id: c.slug, userId: target }, body: { status: 'active' } });
    await s.as(instructor).communities.removeMember({ params: { id: c.slug, userId: target } });
    expect((await s.as(instructor).communities.get({ params: { id: c.slug } })).member_count).toBe(1);
    events.off();
  });

  it('transfers ownership to an active member; the old owner becomes a moderator', async () => {
    const c = await makeCommunity(s);
    await addMember(s, c.id, students[13]!);
    await expectStatus(s.as(students[13]!).communities.transfer({ params: { id: c.slug }, body: { user_id: students[13]! } }), 403);
    await expectStatus(s.as(instructor).communities.transfer({ params: { id: c.slug }, body: { user_id: students[14]! } }), 409);
    await s.as(instructor).communities.transfer({ params: { id: c.slug }, body: { user_id: students[13]! } });
    const d = await s.as(students[13]!).communities.get({ params: { id: c.slug } });
    expect(d.owner.id).toBe(students[13]);
    expect(d.viewer_membership?.role).toBe('owner');
    expect((await s.as(instructor).communities.get({ params: { id: c.slug } })).viewer_membership?.role).toBe('moderator');
    await s.as(instructor).communities.leave({ params: { id: c.slug } });
  });

  it('lists members newest first with search and role filters, stable while people join', async () => {
    const c = await makeCommunity(s);
    for (const u of students.slice(15, 25)) await addMember(s, c.id, u);
    const seen: number[] = [];
    let cursor: string | undefined;
    let late = 25;
    do {
      const page = await s
        .as(instructor)
        .communities.members({ params: { id: c.slug }, query: { limit: 4, ...(cursor ? { cursor } : {}) } });
      seen.push(...page.items.map((m) => m.user.id));
      cursor = page.next_cursor ?? undefined;
      if (late < 28) await addMember(s, c.id, students[late++]!);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const u of [instructor, ...students.slice(15, 25)]) expect(seen).toContain(u);
    const someone = (await s.ctx.host.identities.getUser(students[16]!))!;
    const found = await s
      .as(instructor)
      .communities.members({ params: { id: c.slug }, query: { q: someone.name.split(' ')[1]!.toLowerCase() } });
    expect(found.items.map((m) => m.user.id)).toContain(students[16]);
    const owners = await s.as(instructor).communities.members({ params: { id: c.slug }, query: { role: 'owner' } });
    expect(owners.items.map((m) => m.user.id)).toEqual([instructor]);
  });
});

describe('course links', () => {
  it('links courses, refuses unknown ones and duplicates, and shows communities on a course page', async () => {
    const c = await makeCommunity(s, { visibility: 'private' });
    const events = recordEvents(s);
    const course = s.demo.courseIds[0]!;
    const link = await s
      .as(instructor)
      .communities.linkCourse({ params: { id: c.slug }, body: { course_id: course, link_type: 'primary', auto_join: true } });
    expect(link).toMatchObject({ course_id: course, title: 'Photography Fundamentals', auto_join: true });
    await s.ctx.bus.idle();
    expect(events.of('CourseLinked').map((e) => e.payload.course_id)).toEqual([course]);
    await expectStatus(s.as(instructor).communities.linkCourse({ params: { id: c.slug }, body: { course_id: course } }), 409);
    const bad = await expectStatus(s.as(instructor).communities.linkCourse({ params: { id: c.slug }, body: { course_id: 999_999 } }), 422);
    expect(bad.issues[0]!.path).toBe('body.course_id');
    await expectStatus(
      s.as(instructor).communities.linkCourse({ params: { id: c.slug }, body: { course_id: course, course_type: 'live_class' } }),
      422,
    );
    await s.as(instructor).communities.linkCourse({
      params: { id: c.slug },
      body: { course_id: s.demo.liveClassId, course_type: 'live_class', link_type: 'live_classroom' },
    });
    await expectStatus(
      s.as(students[0]!).communities.linkCourse({ params: { id: c.slug }, body: { course_id: s.demo.courseIds[1]! } }),
      403,
    );
    expect((await s.as(instructor).communities.courses({ params: { id: c.slug } })).items.length).toBe(2);
    const onPage = await s.as(students[0]!).communities.forCourse({ params: { id: course } });
    expect(onPage.items.map((x) => x.id)).toContain(c.id);
    expect(onPage.items.find((x) => x.id === c.id)!.url).toBe(`/communities/${c.slug}`);
    // The embed on /course/{slug} may know only the slug.
    const [host] = await s.ctx.host.courses.getCourses([{ type: 'course', id: course }]);
    const bySlug = await s.as(students[0]!).communities.forCourse({ params: { id: host!.slug } });
    expect(bySlug.items.map((x) => x.id)).toEqual(onPage.items.map((x) => x.id));
    expect((await s.as(students[0]!).communities.forCourse({ params: { id: 'no-such-course' } })).items).toEqual([]);
    await s.as(instructor).communities.unlinkCourse({ params: { id: c.slug, linkId: link.id } });
    expect((await s.as(students[0]!).communities.forCourse({ params: { id: course } })).items.map((x) => x.id)).not.toContain(c.id);
    events.off();
  });
});
