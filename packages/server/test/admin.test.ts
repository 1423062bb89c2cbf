import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';
import { newHostUser } from './support/world';

let s: TestServer;
let admin: number;
let teacher: number;
let student: number;

beforeAll(async () => {
  s = await startTestServer({
    communities: {
      who_can_create: ['admin'],
      create_host_roles: ['teacher'],
      admin_permissions: { organization: ['manage_communities', 'view_community_analytics'] },
    },
    admin_settings: { locked: ['features.dm'] },
  });
  admin = s.demo.adminId;
  teacher = s.demo.instructorIds[0]!;
  student = s.demo.studentIds[0]!;
});
afterAll(async () => s.close());

/** A host user with the RocketLMS role `organization` (not an admin): config maps admin permissions to it. */
async function organizationUser(): Promise<number> {
  const id = await newHostUser(s, 'user');
  await s.ctx.hostDb.updateTable('users').set({ role_name: 'organization' }).where('id', '=', id).execute();
  return id;
}

/** Realtime publishes, recorded (and still delivered). */
function recordRealtime() {
  const seen: Array<{ channels: string[]; name: string; data: unknown }> = [];
  const orig = s.ctx.broadcaster;
  const spy = Object.create(orig) as typeof orig;
  spy.publish = (channels, name, data, o) => {
    seen.push({ channels: [...channels], name, data });
    return orig.publish(channels, name, data, o);
  };
  s.ctx.broadcaster = spy;
  return { seen, restore: () => (s.ctx.broadcaster = orig) };
}

describe('admin permissions and who may create', () => {
  it('exposes admin_permissions and can_create_community on /me', async () => {
    expect(await s.as(admin).system.me()).toMatchObject({
      admin_permissions: ['manage_communities', 'manage_community_settings', 'view_community_analytics', 'manage_community_moderation'],
      can_create_community: true,
    });
    // who_can_create is admins only here; the teacher may create through create_host_roles.
    expect(await s.as(teacher).system.me()).toMatchObject({ admin_permissions: [], can_create_community: true });
    expect(await s.as(student).system.me()).toMatchObject({ admin_permissions: [], can_create_community: false });
    const org = await organizationUser();
    expect(await s.as(org).system.me()).toMatchObject({
      admin_permissions: ['manage_communities', 'view_community_analytics'],
      can_create_community: false,
    });
    await expectStatus(s.as(student).communities.wizardStart({ body: { name: 'Not allowed' } }), 403);
    await s.as(teacher).communities.wizardStart({ body: { name: 'Allowed by host role' } });
  });

  it('checks each admin endpoint against its permission', async () => {
    const org = await organizationUser();
    await s.as(org).admin.communities();
    await s.as(org).admin.overview();
    await expectStatus(s.as(org).admin.settings(), 403, 'forbidden');
    await expectStatus(s.as(teacher).admin.communities(), 403, 'forbidden');
    await expectStatus(s.as(student).admin.overview(), 403, 'forbidden');
  });
});

describe('view_community_analytics for a mapped host role', () => {
  it('reads any community’s insights, heatmap and its members’ slices, hidden ones included, and the site-wide analytics', async () => {
    const c = await makeCommunity(s, { ownerId: teacher });
    await addMember(s, c.id, student);
    await s.ctx.db.db.updateTable('communities').set({ visibility: 'hidden' }).where('id', '=', c.id).execute();
    const org = await organizationUser();
    const other = await newHostUser(s, 'user');
    const q = { params: { id: String(c.id) }, query: { period: 'day' as const } };
    expect((await s.as(org).analytics.communityAnalytics(q)).community_id).toBe(c.id);
    expect((await s.as(org).analytics.communityHeatmap({ params: { id: String(c.id) } })).subject).toEqual({ type: 'community', id: c.id });
    const slice = await s.as(org).analytics.userHeatmap({ params: { id: student }, query: { community_id: c.id } });
    expect(slice.community_id).toBe(c.id);
    expect(slice.kinds).not.toContain('dm');
    expect((await s.as(org).analytics.adminAnalytics()).communities).toBeInstanceOf(Array);
    // Without the permission: a hidden community is not there, and the site-wide view is refused.
    await expectStatus(s.as(other).analytics.communityAnalytics(q), 404);
    await expectStatus(s.as(other).analytics.communityHeatmap({ params: { id: String(c.id) } }), 404);
    await expectStatus(s.as(other).analytics.adminAnalytics(), 403);
    await expectStatus(s.as(teacher).analytics.adminAnalytics(), 403);
  });
});

describe('runtime settings', () => {
  it('lists editable keys with defaults and locks, never secrets', async () => {
    const r = await s.as(admin).admin.settings();
    const keys = r.items.map((i) => i.key);
    expect(keys).toContain('features.leaderboard');
    expect(keys.some((k) => /secret|token|key|password|url/i.test(k))).toBe(false);
    expect(JSON.stringify(r)).not.toContain('test-realtime-secret');
    expect(JSON.stringify(r)).not.toContain('test-jwt-secret');
    expect(r.items.find((i) => i.key === 'features.dm')).toMatchObject({ locked: true, source: 'config' });
    expect(r.running).toMatchObject({ chat_driver: 'broadcast', database_dialect: 'sqlite', redis: false });
  });

  it('validates with the config schema, refuses locked keys, audit-logs and applies at once', async () => {
    const api = s.as(admin);
    const bad = await expectStatus(api.admin.updateSettings({ body: { values: { 'chat.max_message_length': 0 } } }), 422);
    expect(bad.issues[0]!.path).toBe('body.values.chat.max_message_length');
    await expectStatus(api.admin.updateSettings({ body: { values: { 'features.dm': false } } }), 409, 'conflict');
    await expectStatus(api.admin.updateSettings({ body: { values: { 'moderation.spam.action': 'explode' } } }), 422);

    expect((await s.as(student).system.features()).features.leaderboard).toBe(true);
    const c = await makeCommunity(s, { ownerId: teacher });
    await addMember(s, c.id, student);
    await s.as(student).gamification.communityLeaderboard({ params: { id: c.slug } });
    const after = await api.admin.updateSettings({ body: { values: { 'features.leaderboard': false, 'chat.max_message_length': 500 } } });
    expect(after.items.find((i) => i.key === 'features.leaderboard')).toMatchObject({
      value: false,
      source: 'database',
      default_value: true,
    });
    expect(after.items.find((i) => i.key === 'features.leaderboard')!.updated_by?.id).toBe(admin);
    const f = await s.as(student).system.features();
    expect(f.features.leaderboard).toBe(false);
    expect(f.limits.max_message_length).toBe(500);
    await expectStatus(s.as(student).gamification.communityLeaderboard({ params: { id: c.slug } }), 404, 'not_found');

    const audit = await api.admin.audit({ query: { action: 'settings.update' } });
    expect(audit.items.map((i) => i.detail.key)).toEqual(expect.arrayContaining(['features.leaderboard', 'chat.max_message_length']));
    expect(audit.items.find((i) => i.detail.key === 'features.leaderboard')).toMatchObject({
      actor: { id: admin },
      detail: { from: true, to: false },
    });

    // null puts the config file's value back.
    await api.admin.updateSettings({ body: { values: { 'features.leaderboard': null, 'chat.max_message_length': null } } });
    expect((await s.as(student).system.features()).features.leaderboard).toBe(true);
    await s.as(student).gamification.communityLeaderboard({ params: { id: c.slug } });
  });

  it('reaches a second instance on the same database without a restart', async () => {
    const b = await startTestServer({
      database: { url: s.ctx.config.database.url },
      admin_settings: { reload_seconds: 1 },
    });
    try {
      expect((await b.as(student).system.features()).features.central_feed).toBe(true);
      await s.as(admin).admin.updateSettings({ body: { values: { 'features.central_feed': false } } });
      const deadline = Date.now() + 5000;
      let seen = true;
      while (Date.now() < deadline && seen) {
        seen = (await b.as(student).system.features()).features.central_feed;
        if (seen) await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe(false);
      await s.as(admin).admin.updateSettings({ body: { values: { 'features.central_feed': null } } });
    } finally {
      await b.close();
    }
  });
});

describe('join requests', () => {
  it('keeps the intro, answers with a message, and tells the requester live', async () => {
    const c = await makeCommunity(s, { ownerId: teacher, visibility: 'private' });
    const asker = s.demo.studentIds[2]!;
    expect(await s.as(asker).communities.join({ params: { id: c.slug }, body: { intro: 'I take the JS course' } })).toMatchObject({
      status: 'pending',
    });
    const reqs = await s.as(teacher).communities.requests({ params: { id: c.slug } });
    expect(reqs.items).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: asker }), request_intro: 'I take the JS course' }),
    ]);
    const rt = recordRealtime();
    try {
      await s.as(teacher).communities.decideRequest({
        params: { id: c.slug, userId: asker, decision: 'approve' },
        body: { message: 'Welcome aboard' },
      });
      await new Promise((r) => setTimeout(r, 50));
      const ev = rt.seen.find((e) => e.name === 'membership.request_decided');
      expect(ev?.channels).toEqual([`private-${s.ctx.config.chat.broadcast_channel_prefix}user.${asker}`]);
      expect(ev?.data).toEqual({ community_id: c.id, slug: c.slug, name: c.name, decision: 'approved', message: 'Welcome aboard' });
    } finally {
      rt.restore();
    }
    const members = await s.as(teacher).communities.members({ params: { id: c.slug } });
    expect(members.items.find((m) => m.user.id === asker)).toMatchObject({ status: 'active', request_intro: null });

    // Cancel: a pending requester leaves.
    const other = s.demo.studentIds[3]!;
    await s.as(other).communities.join({ params: { id: c.slug }, body: {} });
    await s.as(other).communities.leave({ params: { id: c.slug } });
    expect((await s.as(teacher).communities.requests({ params: { id: c.slug } })).items).toEqual([]);
  });
});

describe('the community answer for an admin who is not a member', () => {
  it('gives admin controls, not "Ask to join" beside a composer', async () => {
    const c = await makeCommunity(s, { ownerId: teacher, visibility: 'private' });
    const d = await s.as(admin).communities.get({ params: { id: c.slug } });
    expect(d.viewer_capabilities).toEqual({ member: false, join: 'join', compose: false, manage: true, admin_override: true });
    expect(d.viewer_permissions).not.toContain('feed.post');
    expect(d.viewer_permissions).not.toContain('channel.post');
    expect(d.viewer_permissions).toContain('community.update');
    // An admin joins directly (no request); then they are a member with a composer.
    expect(await s.as(admin).communities.join({ params: { id: c.slug }, body: {} })).toMatchObject({ status: 'active' });
    const m = await s.as(admin).communities.get({ params: { id: c.slug } });
    expect(m.viewer_capabilities).toMatchObject({ member: true, join: 'none', compose: true, admin_override: false });
    const outsider = await s.as(s.demo.studentIds[4]!).communities.get({ params: { id: c.slug } });
    expect(outsider.viewer_capabilities).toEqual({ member: false, join: 'request', compose: false, manage: false, admin_override: false });
  });
});

describe('admin communities and open as owner', () => {
  it('lists every community, hidden and drafts included, with search and filters', async () => {
    const hidden = await makeCommunity(s, { ownerId: teacher, visibility: 'hidden', name: 'Zeta Hidden Lab' });
    const list = await s.as(admin).admin.communities({ query: { q: 'zeta hidden' } });
    expect(list.items.map((i) => i.id)).toEqual([hidden.id]);
    expect(list.items[0]).toMatchObject({ visibility: 'hidden', owner: { id: teacher }, pending_requests: 0 });
    const drafts = await s.as(admin).admin.communities({ query: { status: 'draft' } });
    expect(drafts.items.length).toBeGreaterThan(0);
    expect(drafts.items.every((i) => i.status === 'draft')).toBe(true);
    const page = await s.as(admin).admin.communities({ query: { limit: 1, sort: 'name' } });
    expect(page.next_cursor).toBe('1');
    expect(page.total).toBeGreaterThan(1);
  });

  it('features, archives and hands over a community (the name confirms a hand-over)', async () => {
    const c = await makeCommunity(s, { ownerId: teacher, name: 'Handover Club' });
    const next = s.demo.instructorIds[1]!;
    await addMember(s, c.id, next);
    const org = await organizationUser();
    const api = s.as(org);
    expect(await api.admin.updateCommunity({ params: { id: c.id }, body: { is_featured: true } })).toMatchObject({ is_featured: true });
    await expectStatus(api.admin.updateCommunity({ params: { id: c.id }, body: { owner_user_id: next, confirm_name: 'wrong' } }), 422);
    const moved = await api.admin.updateCommunity({ params: { id: c.id }, body: { owner_user_id: next, confirm_name: 'Handover Club' } });
    expect(moved.owner.id).toBe(next);
    expect(await api.admin.updateCommunity({ params: { id: c.id }, body: { status: 'archived' } })).toMatchObject({ status: 'archived' });
    const log = await s.as(admin).admin.audit({ query: { community_id: c.id } });
    expect(log.items.filter((i) => i.action === 'community.admin_update').length).toBe(3);
  });

  it('opens a community as its owner for a while, with a banner, and logs every change on the owner’s behalf', async () => {
    const c = await makeCommunity(s, { ownerId: teacher, visibility: 'private', name: 'Support Case' });
    const org = await organizationUser();
    const api = s.as(org);
    // Without the grant, staff with manage_communities are outsiders there.
    await expectStatus(api.communities.update({ params: { id: c.slug }, body: { description: 'x' } }), 403);
    await expectStatus(s.as(student).admin.actAsOwner({ params: { id: c.id }, body: { reason: 'nope' } }), 403);
    const grant = await api.admin.actAsOwner({ params: { id: c.id }, body: { reason: 'Ticket 42', minutes: 30 } });
    expect(grant).toMatchObject({ community_id: c.id, owner: { id: teacher }, admin: { id: org }, reason: 'Ticket 42' });
    const d = await api.communities.get({ params: { id: c.slug } });
    expect(d.acting_as_owner).toMatchObject({ grant_id: grant.id, owner: { id: teacher }, reason: 'Ticket 42' });
    expect(d.viewer_capabilities).toMatchObject({ manage: true, admin_override: true, compose: false });
    await api.communities.update({ params: { id: c.slug }, body: { description: 'Fixed by support' } });
    const log = await s.as(admin).admin.audit({ query: { community_id: c.id } });
    expect(log.items.find((i) => i.action === 'PATCH /api/communities/:id')).toMatchObject({
      actor: { id: org },
      on_behalf_of: { id: teacher },
      detail: { grant_id: grant.id, fields: ['description'] },
    });
    expect(log.items.some((i) => i.action === 'owner_grant.start')).toBe(true);
    await api.admin.endActAsOwner({ params: { id: c.id } });
    await expectStatus(api.communities.update({ params: { id: c.slug }, body: { description: 'y' } }), 403);
    await expectStatus(api.admin.endActAsOwner({ params: { id: c.id } }), 404);
  });

  it('answers the overview with counts, health and recent flags', async () => {
    const o = await s.as(admin).admin.overview();
    expect(o.counts.communities).toBeGreaterThan(0);
    expect(o.counts.communities).toBe(o.counts.active + o.counts.archived + o.counts.drafts);
    expect(o.health.database.status).toBe('ok');
    expect(o.health.redis.status).toBe('disabled');
    expect(Array.isArray(o.recent_flags)).toBe(true);
  });
});

describe('wizard helpers', () => {
  it('checks slugs, lists drafts to resume, and offers the courses the creator teaches', async () => {
    const api = s.as(teacher);
    const c = await makeCommunity(s, { ownerId: teacher, name: 'Slug Taken' });
    expect(await api.communities.slugAvailability({ query: { slug: c.slug } })).toMatchObject({
      available: false,
      reason: 'unavailable',
      suggestion: `${c.slug}-2`,
    });
    expect(await api.communities.slugAvailability({ query: { slug: 'admin' } })).toMatchObject({ available: false, reason: 'unavailable' });
    expect(await api.communities.slugAvailability({ query: { slug: 'Bad Slug!' } })).toMatchObject({ available: false, reason: 'invalid' });
    expect(await api.communities.slugAvailability({ query: { slug: 'fresh-slug-xyz' } })).toEqual({
      slug: 'fresh-slug-xyz',
      available: true,
      reason: null,
      suggestion: null,
    });
    const draft = await api.communities.wizardStart({ body: { name: 'Resume Me' } });
    const drafts = await api.communities.wizardDrafts();
    expect(drafts.items[0]).toMatchObject({ id: draft.id, name: 'Resume Me', missing: ['visibility', 'channels'] });
    expect((await s.as(student).communities.wizardDrafts()).items).toEqual([]);
    const courses = await api.communities.wizardCourses();
    expect(courses.items.length).toBeGreaterThan(0);
    const hostCourses = await s.ctx.host.courses.getCourses(courses.items.map((i) => ({ type: i.type, id: i.id })));
    expect(hostCourses.every((h) => h.teacherIds.includes(teacher))).toBe(true);
    await expectStatus(s.as(student).communities.wizardCourses(), 403);
  });
});
