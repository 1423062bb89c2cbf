import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

// Access-control defects of issue #13: each case went through before its fix.
let s: TestServer;
let owner: number;
let st: number[];

beforeAll(async () => {
  s = await startTestServer();
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
});
afterAll(async () => s.close());

describe('member records', () => {
  it('a no-op patch is authorised like any other: outsiders of a hidden community get 404, members 403', async () => {
    const c = await makeCommunity(s, { visibility: 'hidden' });
    const [target, member] = [st[0]!, st[1]!];
    const invite = await s.as(owner).communities.createInvite({ params: { id: String(c.id) }, body: {} });
    for (const u of [target, member]) await s.as(u).communities.join({ params: { id: c.slug }, body: { invite_token: invite.token } });
    await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: target }, body: { status: 'banned', reason: 'spam' } });
    const outsider = st[2]!;
    const same = { role: 'member' };
    const hidden = await expectStatus(
      s.as(outsider).communities.updateMember({ params: { id: c.slug, userId: target }, body: same }),
      404,
      'not_found',
    );
    expect(hidden.details).toEqual({});
    // The same answer whether or not the user is a member there.
    await expectStatus(s.as(outsider).communities.updateMember({ params: { id: c.slug, userId: 999_999 }, body: same }), 404);
    await expectStatus(s.as(member).communities.updateMember({ params: { id: c.slug, userId: target }, body: same }), 403, 'forbidden');
    await expectStatus(s.as(member).communities.removeMember({ params: { id: c.slug, userId: 999_999 } }), 403, 'forbidden');
    await expectStatus(s.as(outsider).communities.removeMember({ params: { id: c.slug, userId: 999_999 } }), 404);
    // Managers still get the record back.
    expect((await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: target }, body: same })).ban_reason).toBe('spam');
  });

  it('a no-op patch respects the hierarchy: a moderator cannot read the owner or another moderator through it', async () => {
    const c = await makeCommunity(s);
    const [mod, mod2] = [st[3]!, st[4]!];
    await addMember(s, c.id, mod, 'moderator');
    await addMember(s, c.id, mod2, 'moderator');
    await expectStatus(s.as(mod).communities.updateMember({ params: { id: c.slug, userId: mod2 }, body: { role: 'moderator' } }), 403);
    await expectStatus(s.as(mod).communities.updateMember({ params: { id: c.slug, userId: owner }, body: { role: 'owner' } }), 403);
  });
});

describe('hidden communities', () => {
  it('answer outsiders exactly as an unknown community does', async () => {
    const c = await makeCommunity(s, { visibility: 'hidden' });
    const body = async (id: string, path = '') => {
      const res = await fetch(`${s.url}/api/communities/${id}${path}`, { headers: { authorization: `Bearer ${await s.token(st[5]!)}` } });
      return { status: res.status, body: await res.json() };
    };
    for (const path of ['', '/members', '/courses', '/invites']) expect(await body(c.slug, path)).toEqual(await body('no-such-slug', path));
    const join = async (id: string) => {
      const res = await fetch(`${s.url}/api/communities/${id}/join`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(st[5]!)}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    };
    expect(await join(c.slug)).toEqual(await join('no-such-slug'));
    expect((await join(c.slug)).status).toBe(404);
  });

  it('a taken slug, hidden or not, is refused just like a reserved word', async () => {
    const c = await makeCommunity(s, { visibility: 'hidden', name: 'Secret Society' });
    const taken = await expectStatus(
      s.as(s.demo.instructorIds[1]!).communities.wizardStart({ body: { name: 'Mine', slug: c.slug } }),
      409,
      'conflict',
    );
    const reserved = await expectStatus(
      s.as(s.demo.instructorIds[1]!).communities.wizardStart({ body: { name: 'Mine', slug: 'admin' } }),
      409,
      'conflict',
    );
    expect(taken.message.replace(c.slug, 'X')).toBe(reserved.message.replace('admin', 'X'));
    expect(taken.details).toEqual(reserved.details);
  });
});

describe('course links', () => {
  // Demo school: instructor 0 teaches courses 0 and 2 and the live class; 1 teaches course 1 and
  // partners on the live class; 2 teaches courses 3 and 4.
  it("only the course's instructors (and admins) may link it, through the API and the wizard", async () => {
    const c = await makeCommunity(s, { ownerId: s.demo.instructorIds[2]! });
    const api = s.as(s.demo.instructorIds[2]!);
    const e = await expectStatus(
      api.communities.linkCourse({ params: { id: c.slug }, body: { course_id: s.demo.courseIds[0]!, auto_join: true } }),
      403,
      'forbidden',
    );
    expect(e.details).toMatchObject({ reason: 'not_course_teacher', field: 'body.course_id' });
    expect((await s.as(st[6]!).communities.forCourse({ params: { id: s.demo.courseIds[0]! } })).items.map((x) => x.id)).not.toContain(c.id);
    // Own course: yes. A partner teacher: yes. An admin: yes.
    await api.communities.linkCourse({ params: { id: c.slug }, body: { course_id: s.demo.courseIds[3]! } });
    const partner = await makeCommunity(s, { ownerId: s.demo.instructorIds[1]! });
    await s.as(s.demo.instructorIds[1]!).communities.linkCourse({
      params: { id: partner.slug },
      body: { course_id: s.demo.liveClassId, course_type: 'live_class', link_type: 'live_classroom' },
    });
    await s.as(s.demo.adminId).communities.linkCourse({ params: { id: c.slug }, body: { course_id: s.demo.courseIds[1]! } });

    const draft = await api.communities.wizardStart({ body: { name: 'Borrowed Course Club' } });
    const w = await expectStatus(
      api.communities.wizardStep({
        params: { draftId: draft.id, step: 'courses' },
        body: { links: [{ course_id: s.demo.courseIds[4]! }, { course_id: s.demo.courseIds[0]! }] },
      }),
      403,
    );
    expect(w.details).toMatchObject({ reason: 'not_course_teacher', field: 'body.links.1.course_id' });
  });

  it('a wizard publish re-checks the links saved in the draft', async () => {
    const api = s.as(s.demo.instructorIds[2]!);
    const draft = await api.communities.wizardStart({ body: { name: 'Stale Links Club' } });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'visibility' }, body: { visibility: 'public' } });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'channels' }, body: { channels: [{ name: 'general' }] } });
    // A draft saved before the rule (or before the instructor lost the course).
    const row = await s.ctx.db.db.selectFrom('communities').select('wizard_state').where('id', '=', draft.id).executeTakeFirstOrThrow();
    const state = {
      ...(JSON.parse(row.wizard_state!) as object),
      courses: { links: [{ course_id: s.demo.courseIds[0]!, course_type: 'course', link_type: 'primary', auto_join: true }] },
    };
    await s.ctx.db.db
      .updateTable('communities')
      .set({ wizard_state: JSON.stringify(state) })
      .where('id', '=', draft.id)
      .execute();
    await expectStatus(api.communities.wizardPublish({ params: { draftId: draft.id } }), 403);
    expect(await s.ctx.db.db.selectFrom('community_courses').select('id').where('community_id', '=', draft.id).execute()).toEqual([]);
  });
});

describe('invite links', () => {
  it("die with their creator's right to make them: ban, kick, leaving, a lost permission", async () => {
    const c = await makeCommunity(s, { visibility: 'hidden' });
    const id = String(c.id);
    const makers = [st[7]!, st[8]!, st[9]!, st[10]!];
    const first = await s.as(owner).communities.createInvite({ params: { id }, body: {} });
    for (const u of makers) await s.as(u).communities.join({ params: { id }, body: { invite_token: first.token } });
    const links = [];
    for (const u of makers) links.push(await s.as(u).communities.createInvite({ params: { id }, body: {} }));
    const valid = async (token: string) => (await s.as(st[11]!).communities.invitePreview({ params: { token } })).valid;
    expect(await Promise.all(links.map((l) => valid(l.token)))).toEqual([true, true, true, true]);

    await s.as(owner).communities.updateMember({ params: { id, userId: makers[0]! }, body: { status: 'banned' } });
    await s.as(owner).communities.removeMember({ params: { id, userId: makers[1]! } });
    await s.as(makers[2]!).communities.leave({ params: { id } });
    await s.as(owner).communities.updateMember({ params: { id, userId: makers[3]! }, body: { role: 'guest' } });
    expect(await Promise.all(links.map((l) => valid(l.token)))).toEqual([false, false, false, false]);
    for (const l of links)
      await expectStatus(s.as(st[11]!).communities.join({ params: { id }, body: { invite_token: l.token } }), 404, 'not_found');
    // Lifting the ban brings the link back: the right is checked when the link is used.
    await s.as(owner).communities.updateMember({ params: { id, userId: makers[0]! }, body: { status: 'active' } });
    expect(await valid(links[0]!.token)).toBe(true);
  });

  it('skip approval only when a moderator or above made them', async () => {
    const c = await makeCommunity(s, { settings: { join_approval: true } });
    const id = String(c.id);
    const [member, mod] = [st[12]!, st[13]!];
    await addMember(s, c.id, member);
    await addMember(s, c.id, mod, 'moderator');
    const byMember = await s.as(member).communities.createInvite({ params: { id }, body: {} });
    const byMod = await s.as(mod).communities.createInvite({ params: { id }, body: {} });
    expect(await s.as(st[14]!).communities.join({ params: { id }, body: { invite_token: byMember.token } })).toMatchObject({
      status: 'pending',
    });
    expect(await s.as(st[15]!).communities.join({ params: { id }, body: { invite_token: byMod.token } })).toMatchObject({
      status: 'active',
    });
    // A pending request is approved by a moderator's link, not by a member's.
    expect(await s.as(st[14]!).communities.join({ params: { id }, body: { invite_token: byMember.token } })).toMatchObject({
      status: 'pending',
    });
    expect(await s.as(st[14]!).communities.join({ params: { id }, body: { invite_token: byMod.token } })).toMatchObject({
      status: 'active',
    });
  });
});

describe('community images on update', () => {
  async function upload(userId: number, data: Buffer, name: string, purpose: string, type: string): Promise<number> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type }), name);
    const res = await fetch(`${s.url}/api/communities/uploads?purpose=${purpose}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.token(userId)}` },
      body: form,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  }

  it("refuses someone else's upload and a non-image, as creation does; keeps accepting the current one", async () => {
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 9, g: 9, b: 9 } } })
      .png()
      .toBuffer();
    const theirs = await upload(st[16]!, png, 'a.png', 'community_icon', 'image/png');
    const pdf = await upload(
      owner,
      Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
      'a.pdf',
      'community_cover',
      'application/pdf',
    );
    const mine = await upload(owner, png, 'b.png', 'community_icon', 'image/png');
    await s.ctx.queue.processAll();
    const c = await makeCommunity(s);
    const id = String(c.id);
    const bad1 = await expectStatus(s.as(owner).communities.update({ params: { id }, body: { icon_upload_id: theirs } }), 422);
    expect(bad1.issues.map((i) => [i.path, i.code])).toEqual([['body.icon_upload_id', 'invalid_upload']]);
    const bad2 = await expectStatus(s.as(owner).communities.update({ params: { id }, body: { cover_upload_id: pdf } }), 422);
    expect(bad2.issues.map((i) => i.path)).toEqual(['body.cover_upload_id']);
    const row = await s.ctx.db.db
      .selectFrom('communities')
      .select(['icon_upload_id', 'cover_upload_id'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ icon_upload_id: null, cover_upload_id: null });
    expect((await s.as(owner).communities.update({ params: { id }, body: { icon_upload_id: mine } })).icon_url).not.toBeNull();
    // A co-manager's settings form sends the owner's icon back: not a change, so not refused.
    const mod = st[17]!;
    await addMember(s, c.id, mod, 'moderator');
    const modRole = (await s.as(owner).communities.roles({ params: { id } })).items.find((r) => r.slug === 'moderator')!;
    await s.as(owner).communities.updateRole({
      params: { id, roleId: modRole.id },
      body: { permissions: [...modRole.permissions, 'manage_community'] as never },
    });
    await s.as(mod).communities.update({ params: { id }, body: { icon_upload_id: mine, description: 'by the moderator' } });
    await expectStatus(s.as(mod).communities.update({ params: { id }, body: { cover_upload_id: mine } }), 422);
    // The wizard's first step checks them too.
    await expectStatus(s.as(owner).communities.wizardStart({ body: { name: 'Stolen Icon', icon_upload_id: theirs } }), 422);
  });
});

describe('a pending requester', () => {
  it('reads a public community as any outsider does, and still takes no part', async () => {
    const c = await makeCommunity(s, { settings: { join_approval: true } });
    const [pending, outsider] = [st[16]!, st[17]!];
    expect(await s.as(pending).communities.join({ params: { id: c.slug }, body: {} })).toMatchObject({ status: 'pending' });
    // What they see after reloading the page: the same channel list an outsider gets (this was a 403).
    const seen = await s.as(pending).channels.list({ params: { id: c.slug } });
    expect(seen.items.map((x) => x.id)).toEqual((await s.as(outsider).channels.list({ params: { id: c.slug } })).items.map((x) => x.id));
    expect(seen.items.length).toBeGreaterThan(0);
    await s.as(pending).feed.communityFeed({ params: { id: c.slug } });
    const general = seen.items.find((x) => x.type === 'text')!;
    await s.as(pending).channels.messages({ params: { channelId: general.id } });
    const refused = await expectStatus(s.as(pending).channels.post({ params: { channelId: general.id }, body: { content: 'hi' } }), 403);
    expect(refused.details.reason).toBe('pending');
  });

  it('of a private community reads nothing yet', async () => {
    const c = await makeCommunity(s, { visibility: 'private', settings: { join_approval: true } });
    const pending = st[18]!;
    expect(await s.as(pending).communities.join({ params: { id: c.slug }, body: {} })).toMatchObject({ status: 'pending' });
    const refused = await expectStatus(s.as(pending).channels.list({ params: { id: c.slug } }), 403);
    expect(refused.details.reason).toBe('pending');
  });
});
