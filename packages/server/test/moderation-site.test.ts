import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXPIRE_JOB } from '../src/moderation';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

/**
 * A site-wide sanction reaches past the memberships the user had when it was applied: a site ban
 * keeps them out of every later join (public, invite, course auto-join), and a site mute or ban
 * silences their DMs; each refusal says why and until when, and lifting it gives all of that back.
 */
let s: TestServer;
let owner: number;
let admin: number;
let st: number[];
let home: { id: number; slug: string };

beforeAll(async () => {
  s = await startTestServer();
  owner = s.demo.instructorIds[0]!;
  admin = s.demo.adminId;
  st = s.demo.studentIds;
  home = await makeCommunity(s, { name: 'Home Room' });
  for (const u of st.slice(0, 4)) await addMember(s, home.id, u);
});
afterAll(async () => s.close());

const memberRow = (communityId: number, userId: number) =>
  s.ctx.db.db
    .selectFrom('community_members')
    .select(['status', 'mute_expires_at'])
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();

describe('site-wide sanctions and later joins and DMs', () => {
  it('a site ban refuses later joins (public, invite) and the course auto-join, and DMs, with the reason and end; lifting it lets them in', async () => {
    const course = s.demo.courseIds[0]!;
    let u = 0;
    for (const x of st.slice(0, 4)) if (!u && (await s.ctx.host.access.hasCourse(x, course))) u = x;
    expect(u).toBeGreaterThan(0);
    const peer = st.slice(0, 4).find((x) => x !== u)!;
    const thread = await s.as(peer).dm.start({ body: { user_ids: [u] } });
    await s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: 'before the ban' } });

    const pub = await makeCommunity(s, { name: 'Open Later' });
    const priv = await makeCommunity(s, { visibility: 'private', name: 'Invite Later' });
    const inv = await s.as(owner).communities.createInvite({ params: { id: priv.slug }, body: {} });
    const ban = await s.as(admin).moderation.sanctionSite({ body: { user_id: u, action: 'ban', reason: 'fraud', duration_minutes: 60 } });
    const until = ban.expires_at;
    expect(until).not.toBeNull();
    const expected = { reason: 'banned', scope: 'site', sanction_reason: 'fraud', until };

    const e1 = await expectStatus(s.as(u).communities.join({ params: { id: pub.slug }, body: {} }), 403, 'forbidden');
    expect(e1.details).toMatchObject(expected);
    const e2 = await expectStatus(
      s.as(u).communities.join({ params: { id: priv.slug }, body: { invite_token: inv.token } }),
      403,
      'forbidden',
    );
    expect(e2.details).toMatchObject(expected);
    const e3 = await expectStatus(s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: 'hello' } }), 403, 'forbidden');
    expect(e3.details).toMatchObject(expected);
    // Nothing was written by the refused joins, and the invite was not used.
    expect(await memberRow(pub.id, u)).toBeUndefined();
    expect(await memberRow(priv.id, u)).toBeUndefined();
    expect((await s.as(owner).communities.invites({ params: { id: priv.slug } })).items.find((x) => x.id === inv.id)?.uses).toBe(0);

    // Course auto-join: the other students of the course come in, the site-banned one does not,
    // and a site-muted one comes in muted until their site mute ends.
    let v = 0;
    for (const x of st.slice(4)) if (!v && (await s.ctx.host.access.hasCourse(x, course))) v = x;
    expect(v).toBeGreaterThan(0);
    const vMute = await s
      .as(admin)
      .moderation.sanctionSite({ body: { user_id: v, action: 'mute', reason: 'flood', duration_minutes: 20 } });
    const viaCourse = await makeCommunity(s, { name: 'Course Later' });
    await s.as(owner).communities.linkCourse({
      params: { id: viaCourse.slug },
      body: { course_id: course, course_type: 'course', link_type: 'primary', auto_join: true },
    });
    await s.ctx.hostSync.runOnce();
    const joined = await s.ctx.db.db
      .selectFrom('community_members')
      .select('user_id')
      .where('community_id', '=', viaCourse.id)
      .where('source', '=', 'course')
      .execute();
    expect(joined.length).toBeGreaterThan(0);
    expect(joined.map((r) => r.user_id)).not.toContain(u);
    expect(await memberRow(viaCourse.id, v)).toEqual({ status: 'muted', mute_expires_at: vMute.expires_at });
    await s.as(admin).moderation.liftSiteSanction({ params: { sanctionId: vMute.id } });
    expect((await memberRow(viaCourse.id, v))?.status).toBe('active');

    await s.as(admin).moderation.liftSiteSanction({ params: { sanctionId: ban.id } });
    expect(await s.as(u).communities.join({ params: { id: pub.slug }, body: {} })).toMatchObject({ status: 'active' });
    await s.as(u).communities.join({ params: { id: priv.slug }, body: { invite_token: inv.token } });
    expect((await memberRow(priv.id, u))?.status).toBe('active');
    await s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: 'back' } });
  });

  it('a site mute silences DMs and follows the user into communities joined while it lasts; it lifts with the site mute', async () => {
    const u = st[2]!;
    const peer = st[3]!;
    const thread = await s.as(peer).dm.start({ body: { user_ids: [u] } });
    const mute = await s.as(admin).moderation.sanctionSite({ body: { user_id: u, action: 'mute', reason: 'spam', duration_minutes: 30 } });
    const expected = { reason: 'muted', scope: 'site', sanction_reason: 'spam', until: mute.expires_at };
    const e1 = await expectStatus(s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: 'hi' } }), 403, 'forbidden');
    expect(e1.details).toMatchObject(expected);
    // The other side still writes; reading is not refused.
    await s.as(peer).dm.post({ params: { threadId: thread.id }, body: { content: 'are you there?' } });
    expect((await s.as(u).dm.messages({ params: { threadId: thread.id }, query: {} })).items.length).toBeGreaterThan(0);

    const later = await makeCommunity(s, { name: 'Joined While Muted' });
    expect(await s.as(u).communities.join({ params: { id: later.slug }, body: {} })).toMatchObject({ status: 'active' });
    expect(await memberRow(later.id, u)).toEqual({ status: 'muted', mute_expires_at: mute.expires_at });
    const general = (await s.as(u).channels.list({ params: { id: later.slug } })).items.find((x) => x.slug === 'general')!.id;
    const e2 = await expectStatus(s.as(u).channels.post({ params: { channelId: general }, body: { content: 'hi' } }), 403, 'forbidden');
    expect(e2.details).toMatchObject(expected);

    await s.as(admin).moderation.liftSiteSanction({ params: { sanctionId: mute.id } });
    expect((await memberRow(later.id, u))?.status).toBe('active');
    await s.as(u).channels.post({ params: { channelId: general }, body: { content: 'hello all' } });
    await s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: 'sorry' } });
  });

  it('a site ban lifted by the expiry job no longer refuses a join or a DM', async () => {
    const u = st[1]!;
    const peer = st[0]!;
    const thread = await s.as(peer).dm.start({ body: { user_ids: [u] } });
    await s.as(admin).moderation.sanctionSite({ body: { user_id: u, action: 'ban', reason: 'cool off', duration_minutes: 5 } });
    const pub = await makeCommunity(s, { name: 'After The Ban' });
    await expectStatus(s.as(u).communities.join({ params: { id: pub.slug }, body: {} }), 403, 'forbidden');
    // Six minutes later the expiry job lifts it.
    const real = s.ctx.clock;
    s.ctx.clock = { now: () => new Date(real.now().getTime() + 6 * 60_000) };
    try {
      await s.ctx.queue.enqueue('moderation', EXPIRE_JOB, {});
      await s.ctx.queue.processAll();
    } finally {
      s.ctx.clock = real;
    }
    expect(await s.as(u).communities.join({ params: { id: pub.slug }, body: {} })).toMatchObject({ status: 'active' });
    await s.as(u).dm.post({ params: { threadId: thread.id }, body: { content: 'free again' } });
  });
});
