import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HIDDEN_LIST_LOOKUP_LIMIT } from '../src/communities/membership';
import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

// show_member_list: the owner hides the roster (as Skool/Circle's "hide member list"). Those who run
// the community and site admins browse it; ordinary members get 403 member_list_hidden and keep a
// bounded name lookup; outsiders learn what they learnt before.
let s: TestServer;
let owner: number;
let admin: number;
let st: number[];

beforeAll(async () => {
  s = await startTestServer();
  owner = s.demo.instructorIds[0]!;
  admin = s.demo.adminId;
  st = s.demo.studentIds;
});
afterAll(async () => s.close());

type Vis = 'public' | 'private' | 'hidden';
const ROLES = ['owner', 'moderator', 'member', 'outsider', 'admin'] as const;
type Role = (typeof ROLES)[number];

/** A community with a moderator, two members and an outsider, the list shown or not. */
async function world(vis: Vis, show: boolean) {
  const c = await makeCommunity(s, { visibility: vis });
  const [moderator, member, other, outsider] = [st[0]!, st[1]!, st[2]!, st[3]!];
  const invite = vis === 'public' ? undefined : await s.as(owner).communities.createInvite({ params: { id: String(c.id) }, body: {} });
  for (const u of [moderator, member, other]) {
    if (invite) await s.as(u).communities.join({ params: { id: c.slug }, body: { invite_token: invite.token } });
    else await addMember(s, c.id, u);
  }
  await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: moderator }, body: { role: 'moderator' } });
  if (!show) await s.as(owner).communities.update({ params: { id: String(c.id) }, body: { settings: { show_member_list: false } } });
  const who: Record<Role, number> = { owner, moderator, member, outsider, admin };
  return { c, who, other };
}

const list = (userId: number, id: string, query: Record<string, unknown> = {}) =>
  s.as(userId).communities.members({ params: { id }, query: query });

describe('the members list', () => {
  for (const vis of ['public', 'private', 'hidden'] as Vis[]) {
    it(`${vis} community, list shown: whoever reads the community browses it, as before`, async () => {
      const { c, who } = await world(vis, true);
      const want: Record<Role, number> = {
        owner: 200,
        moderator: 200,
        member: 200,
        admin: 200,
        outsider: vis === 'public' ? 200 : vis === 'private' ? 403 : 404,
      };
      for (const r of ROLES) {
        if (want[r] === 200) expect((await list(who[r], c.slug)).items.length, r).toBe(4);
        else await expectStatus(list(who[r], c.slug), want[r]);
      }
      const d = await s.as(who.member).communities.get({ params: { id: c.slug } });
      expect(d.viewer_permissions).toContain('members.browse');
    });

    it(`${vis} community, list hidden: owner, moderator and admin browse; the member gets 403 member_list_hidden`, async () => {
      const { c, who } = await world(vis, false);
      for (const r of ['owner', 'moderator', 'admin'] as Role[]) {
        const page = await list(who[r], c.slug);
        expect(page.items.length, r).toBe(4);
      }
      const e = await expectStatus(list(who.member, c.slug), 403, 'forbidden');
      expect(e.details.reason).toBe('member_list_hidden');
      // Outsiders: a public community hides its list from them too; private 403, hidden 404 as before.
      const out = await expectStatus(list(who.outsider, c.slug), vis === 'hidden' ? 404 : 403);
      expect(out.details.reason).toBe(vis === 'public' ? 'member_list_hidden' : vis === 'private' ? 'not_member' : undefined);
      // What the page is told: the member may not browse, those who run it may.
      const asMember = await s.as(who.member).communities.get({ params: { id: c.slug } });
      expect(asMember.viewer_permissions).not.toContain('members.browse');
      expect(asMember.viewer_permissions).toContain('members.list');
      expect(asMember.settings.show_member_list).toBe(false);
      for (const r of ['owner', 'moderator', 'admin'] as Role[])
        expect((await s.as(who[r]).communities.get({ params: { id: c.slug } })).viewer_permissions, r).toContain('members.browse');
    });
  }

  it('list hidden: a member still finds a fellow member by name, a bounded page, no paging, no status filter', async () => {
    const { c, who, other } = await world('private', false);
    const all = await list(who.owner, c.slug);
    const target = all.items.find((m) => m.user.id === other)!;
    const name = target.user.name;
    const found = await list(who.member, c.slug, { q: name, limit: 50 });
    expect(found.items.map((m) => m.user.id)).toContain(other);
    expect(found.items.length).toBeLessThanOrEqual(HIDDEN_LIST_LOOKUP_LIMIT);
    expect(found.next_cursor).toBeNull();
    // Anything that would page through or filter the roster is refused.
    for (const query of [{}, { q: '' }, { q: name, status: 'active' }, { q: name, cursor: all.next_cursor ?? 'eyJhdCI6IngiLCJpZCI6MX0' }])
      expect((await expectStatus(list(who.member, c.slug, query), 403)).details.reason, JSON.stringify(query)).toBe('member_list_hidden');
    // Outsiders get no lookup either.
    await expectStatus(list(who.outsider, c.slug, { q: name }), 403);
    // Those who run the community page through it as ever.
    const page = await list(who.moderator, c.slug, { limit: 2 });
    expect(page.items.length).toBe(2);
    expect(page.next_cursor).not.toBeNull();
  });

  it('list hidden in a public community: the outsider gets no name lookup', async () => {
    const { c, who, other } = await world('public', false);
    const name = (await list(who.owner, c.slug)).items.find((m) => m.user.id === other)!.user.name;
    const e = await expectStatus(list(who.outsider, c.slug, { q: name }), 403);
    expect(e.details.reason).toBe('member_list_hidden');
  });

  it('turning the list back on gives members the roster again', async () => {
    const { c, who } = await world('private', false);
    await expectStatus(list(who.member, c.slug), 403);
    await s.as(owner).communities.update({ params: { id: String(c.id) }, body: { settings: { show_member_list: true } } });
    expect((await list(who.member, c.slug)).items.length).toBe(4);
  });
});

describe('other rosters under a hidden list', () => {
  it('activity this week (a list of members) is for those who run the community once the list is hidden', async () => {
    const { c, who } = await world('private', false);
    await s.as(owner).communities.update({ params: { id: String(c.id) }, body: { settings: { show_member_activity: true } } });
    const e = await expectStatus(s.as(who.member).analytics.memberActivity({ params: { id: c.slug }, query: {} }), 403);
    expect(e.details.reason).toBe('member_list_hidden');
    for (const r of ['owner', 'moderator', 'admin'] as Role[])
      await s.as(who[r]).analytics.memberActivity({ params: { id: c.slug }, query: {} });
    // Shown again: members see it, as show_member_activity says.
    await s.as(owner).communities.update({ params: { id: String(c.id) }, body: { settings: { show_member_list: true } } });
    await s.as(who.member).analytics.memberActivity({ params: { id: c.slug }, query: {} });
  });

  it('search finds people only where the caller may browse the roster', async () => {
    const { c, who, other } = await world('private', false);
    const name = (await list(who.owner, c.slug)).items.find((m) => m.user.id === other)!.user.name;
    const word = name.split(' ')[0]!;
    const people = async (u: number) =>
      (await s.as(u).search.search({ query: { q: word, type: 'member', community_id: c.id } })).items
        .filter((i) => i.kind === 'member')
        .map((i) => i.id);
    expect(await people(who.member)).not.toContain(other);
    expect(await people(who.moderator)).toContain(other);
    await s.as(owner).communities.update({ params: { id: String(c.id) }, body: { settings: { show_member_list: true } } });
    expect(await people(who.member)).toContain(other);
  });

  it('what members still see: the roles, the channels and the leaderboard', async () => {
    const { c, who } = await world('private', false);
    await s.as(who.member).communities.roles({ params: { id: c.slug } });
    await s.as(who.member).channels.list({ params: { id: c.slug } });
    await s.as(who.member).gamification.communityLeaderboard({ params: { id: c.slug }, query: {} });
  });
});
