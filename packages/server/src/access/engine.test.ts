import { DEFAULT_ROLES, type Action } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { can } from './engine';
import type { AccessContext, Actor, ChannelFacts, CommunityFacts, MembershipFacts } from './facts';

const now = new Date('2026-11-24T12:00:00Z');
const past = new Date('2026-11-01T00:00:00Z');
const future = new Date('2026-12-24T00:00:00Z');
const role = (slug: string) => {
  const r = DEFAULT_ROLES.find((x) => x.slug === slug)!;
  return { slug: r.slug, rank: r.rank, permissions: r.permissions };
};
const OWNER_ID = 1;
const member = (
  slug: string,
  status: MembershipFacts['status'] = 'active',
  statusExpiresAt: Date | null = null,
  tiers: number[] = [],
): MembershipFacts => ({
  status,
  statusExpiresAt,
  role: role(slug),
  activeTierIds: tiers,
});

type Kind =
  | 'anonymous'
  | 'admin'
  | 'outsider'
  | 'owner'
  | 'moderator'
  | 'member'
  | 'guest'
  | 'pending'
  | 'muted'
  | 'muted_expired'
  | 'banned'
  | 'banned_expired'
  | 'subscriber';
const KINDS: Kind[] = [
  'anonymous',
  'admin',
  'outsider',
  'owner',
  'moderator',
  'member',
  'guest',
  'pending',
  'muted',
  'muted_expired',
  'banned',
  'banned_expired',
  'subscriber',
];

function actorOf(kind: Kind): { actor: Actor | null; membership: MembershipFacts | null } {
  const student = (id: number): Actor => ({ userId: id, globalRole: 'student', isAdmin: false });
  switch (kind) {
    case 'anonymous':
      return { actor: null, membership: null };
    case 'admin':
      return { actor: { userId: 99, globalRole: 'admin', isAdmin: true }, membership: null };
    case 'outsider':
      return { actor: student(50), membership: null };
    case 'owner':
      return { actor: { userId: OWNER_ID, globalRole: 'instructor', isAdmin: false }, membership: member('owner') };
    case 'moderator':
      return { actor: student(2), membership: member('moderator') };
    case 'member':
      return { actor: student(3), membership: member('member') };
    case 'guest':
      return { actor: student(4), membership: member('guest') };
    case 'pending':
      return { actor: student(5), membership: member('member', 'pending') };
    case 'muted':
      return { actor: student(6), membership: member('member', 'muted', future) };
    case 'muted_expired':
      return { actor: student(7), membership: member('member', 'muted', past) };
    case 'banned':
      return { actor: student(8), membership: member('member', 'banned', future) };
    case 'banned_expired':
      return { actor: student(9), membership: member('member', 'banned', past) };
    case 'subscriber':
      return { actor: student(10), membership: member('member', 'active', null, [77]) };
  }
}

type Vis = CommunityFacts['visibility'];
type Status = CommunityFacts['status'];
type ChannelKind = 'none' | 'text' | 'private_mods' | 'private_vip' | 'announcement' | 'tier_locked' | 'category';
type Expect = 'ok' | 401 | 403 | 404;

const CHANNELS: Record<Exclude<ChannelKind, 'none'>, ChannelFacts> = {
  text: { id: 1, type: 'text', isPrivate: false, allowedRoleSlugs: [], allowedUserIds: [], requiredTierIds: [], slowModeSeconds: 0 },
  private_mods: {
    id: 2,
    type: 'text',
    isPrivate: true,
    allowedRoleSlugs: ['moderator'],
    allowedUserIds: [],
    requiredTierIds: [],
    slowModeSeconds: 0,
  },
  private_vip: {
    id: 3,
    type: 'text',
    isPrivate: true,
    allowedRoleSlugs: ['vip'],
    allowedUserIds: [],
    requiredTierIds: [],
    slowModeSeconds: 0,
  },
  announcement: {
    id: 4,
    type: 'announcement',
    isPrivate: false,
    allowedRoleSlugs: [],
    allowedUserIds: [],
    requiredTierIds: [],
    slowModeSeconds: 0,
  },
  tier_locked: {
    id: 5,
    type: 'text',
    isPrivate: false,
    allowedRoleSlugs: [],
    allowedUserIds: [],
    requiredTierIds: [77],
    slowModeSeconds: 0,
  },
  category: {
    id: 6,
    type: 'category',
    isPrivate: false,
    allowedRoleSlugs: [],
    allowedUserIds: [],
    requiredTierIds: [],
    slowModeSeconds: 0,
  },
};

const COMMUNITY_ACTIONS: Action[] = [
  'community.view',
  'feed.read',
  'members.list',
  'feed.post',
  'feed.comment',
  'feed.react',
  'feed.announce',
  'feed.pin',
  'members.manage',
  'community.update',
  'community.transfer',
];
const CHANNEL_ACTIONS: Action[] = ['channel.view', 'channel.post', 'channel.react', 'channel.manage'];

/**
 * The expectations, written as the product rules read, independently of the engine's code:
 * first who may see the community at all, then what each kind of person may do inside it.
 */
function expected(kind: Kind, vis: Vis, status: Status, chan: ChannelKind, action: Action): Expect {
  if (kind === 'anonymous') return 401;
  if (kind === 'admin') return 'ok';
  const isOwner = kind === 'owner';
  // Who knows the community exists.
  if (status === 'draft' && !isOwner) return 404;
  const memberish = !['outsider', 'banned'].includes(kind);
  if (vis === 'hidden' && !memberish) return 404;
  // A private channel is invisible to whoever it does not admit (only owners and moderators here).
  if ((chan === 'private_mods' || chan === 'private_vip') && !['owner', 'moderator'].includes(kind)) return 404;
  if (kind === 'banned') return vis === 'public' ? 403 : 404;
  if (action === 'community.view') return 'ok';
  if (action === 'community.transfer') return isOwner ? 'ok' : 403;
  const read = ['feed.read', 'members.list', 'channel.view'].includes(action);
  // A pending requester reads what an outsider reads, and does nothing more yet.
  if ((kind === 'outsider' || kind === 'pending') && !(vis === 'public' && read)) return 403;
  // Inside: roles by kind (expired mutes and bans are ordinary members again).
  const r =
    kind === 'owner' ? 'owner' : kind === 'moderator' ? 'moderator' : kind === 'guest' ? 'guest' : kind === 'outsider' ? 'none' : 'member';
  if (chan === 'private_mods' && !['owner', 'moderator'].includes(r)) return 404;
  if (chan === 'private_vip' && !['owner', 'moderator'].includes(r)) return 404;
  if (chan === 'tier_locked' && r !== 'owner' && kind !== 'subscriber') return 403;
  if (read) return 'ok';
  const writes = ['feed.post', 'feed.comment', 'feed.react', 'feed.announce', 'channel.post', 'channel.react'];
  if (writes.includes(action)) {
    if (status === 'archived') return 403;
    if (kind === 'muted') return 403;
    if (action === 'channel.post' && chan === 'category') return 403;
    if (action === 'feed.announce' || (action === 'channel.post' && chan === 'announcement'))
      return ['owner', 'moderator'].includes(r) ? 'ok' : 403;
    if (r === 'guest') return action === 'feed.react' || action === 'channel.react' ? 'ok' : 403;
    return 'ok';
  }
  // Running the community.
  if (action === 'community.update') return isOwner ? 'ok' : 403;
  if (action === 'feed.pin' || action === 'members.manage' || action === 'channel.manage')
    return ['owner', 'moderator'].includes(r) ? 'ok' : 403;
  throw new Error(`no expectation for ${action}`);
}

function context(vis: Vis, status: Status, chan: ChannelKind, membership: MembershipFacts | null): AccessContext {
  return {
    community: {
      id: 10,
      ownerId: OWNER_ID,
      visibility: vis,
      status,
      requiredTierIds: [],
      settings: { chat_enabled: true, feed_enabled: true, dms_between_members: true, join_approval: false, show_member_list: true },
    },
    membership,
    ...(chan === 'none' ? {} : { channel: CHANNELS[chan] }),
    target: { targetUserId: 3, targetMembership: member('member') },
    now,
    config: { whoCanCreate: ['admin', 'instructor'] },
  };
}

describe('the access matrix', () => {
  const cases: Array<[Kind, Vis, Status, ChannelKind, Action]> = [];
  for (const kind of KINDS)
    for (const vis of ['public', 'private', 'hidden'] as Vis[])
      for (const status of ['active', 'archived', 'draft'] as Status[]) {
        for (const action of COMMUNITY_ACTIONS) cases.push([kind, vis, status, 'none', action]);
        for (const chan of Object.keys(CHANNELS) as ChannelKind[])
          for (const action of CHANNEL_ACTIONS) cases.push([kind, vis, status, chan, action]);
      }

  it(`covers ${cases.length} cases`, () => {
    expect(cases.length).toBeGreaterThan(2000);
  });

  it.each(cases)('%s in a %s %s community (channel %s): %s', (kind, vis, status, chan, action) => {
    const { actor, membership } = actorOf(kind);
    const d = can(actor, action, context(vis, status, chan, membership));
    const want = expected(kind, vis, status, chan, action);
    expect(d.allowed ? 'ok' : d.status).toBe(want);
  });
});

describe('hierarchy', () => {
  const ctx = (target: MembershipFacts, targetUserId: number, newRoleRank?: number): AccessContext => ({
    ...context('public', 'active', 'none', member('moderator')),
    target: { targetMembership: target, targetUserId, ...(newRoleRank === undefined ? {} : { newRoleRank }) },
  });
  const mod: Actor = { userId: 2, globalRole: 'student', isAdmin: false };

  it('a moderator cannot act on the owner or another moderator, nor on themselves', () => {
    expect(can(mod, 'members.manage', ctx(member('owner'), OWNER_ID)).allowed).toBe(false);
    expect(can(mod, 'members.manage', ctx(member('moderator'), 12)).allowed).toBe(false);
    expect(can(mod, 'members.manage', ctx(member('moderator'), 2)).allowed).toBe(false);
    expect(can(mod, 'members.manage', ctx(member('member'), 3)).allowed).toBe(true);
  });

  it('a moderator cannot hand out a role at or above their own', () => {
    expect(can(mod, 'members.change_role', ctx(member('guest'), 4, 10)).allowed).toBe(true);
    expect(can(mod, 'members.change_role', ctx(member('guest'), 4, 50)).allowed).toBe(false);
  });

  it('delete_any respects rank, but authors may always delete their own', () => {
    const c = context('public', 'active', 'none', member('moderator'));
    expect(can(mod, 'feed.delete_any', { ...c, target: { authorId: 3, targetMembership: member('member') } }).allowed).toBe(true);
    expect(can(mod, 'feed.delete_any', { ...c, target: { authorId: OWNER_ID, targetMembership: member('owner') } }).allowed).toBe(false);
    expect(can(mod, 'feed.delete_any', { ...c, target: { authorId: 2, targetMembership: member('moderator') } }).allowed).toBe(true);
  });
});

describe('community-wide switches, tiers, creation and DMs', () => {
  const m: Actor = { userId: 3, globalRole: 'student', isAdmin: false };

  it('hides channels when chat is off and the feed when it is off', () => {
    const c = context('public', 'active', 'text', member('member'));
    c.community!.settings.chat_enabled = false;
    c.community!.settings.feed_enabled = false;
    expect(can(m, 'channel.view', c)).toMatchObject({ allowed: false, status: 404 });
    expect(can(m, 'feed.read', c)).toMatchObject({ allowed: false, status: 404 });
  });

  it('a paid community needs an active tier to read; the owner and admins do not', () => {
    const c = context('public', 'active', 'none', member('member'));
    c.community!.requiredTierIds = [77];
    expect(can(m, 'feed.read', c)).toMatchObject({ allowed: false, reason: 'tier_required', status: 403 });
    expect(can(m, 'community.view', c).allowed).toBe(true);
    expect(can(m, 'feed.read', { ...c, membership: member('member', 'active', null, [77]) }).allowed).toBe(true);
    expect(
      can({ userId: OWNER_ID, globalRole: 'instructor', isAdmin: false }, 'feed.read', { ...c, membership: member('owner') }).allowed,
    ).toBe(true);
  });

  it("a tier's features gate taking part: the feature's tiers only; reading stays open; moderators need it too, managers do not", () => {
    const c = context('public', 'active', 'text', member('member'));
    c.community!.featureTierIds = { post_feed: [77], send_messages: [77, 78] };
    const mod: Actor = { userId: 4, globalRole: 'student', isAdmin: false };
    const cases: Array<[Actor, MembershipFacts, Action, boolean]> = [
      [m, member('member'), 'feed.post', false],
      [m, member('member'), 'channel.post', false],
      [m, member('member'), 'feed.comment', true], // not gated
      [m, member('member'), 'feed.read', true],
      [m, member('member'), 'channel.view', true],
      [m, member('member', 'active', null, [77]), 'feed.post', true],
      [m, member('member', 'active', null, [78]), 'feed.post', false],
      [m, member('member', 'active', null, [78]), 'channel.post', true],
      [mod, member('moderator'), 'feed.post', false],
      [{ userId: OWNER_ID, globalRole: 'instructor', isAdmin: false }, member('owner'), 'feed.post', true],
      [{ userId: 9, globalRole: 'admin', isAdmin: true }, member('member'), 'feed.post', true],
    ];
    for (const [actor, membership, action, allowed] of cases) {
      const d = can(actor, action, { ...c, membership });
      expect({ action, role: membership.role.slug, tiers: membership.activeTierIds, allowed: d.allowed }).toEqual({
        action,
        role: membership.role.slug,
        tiers: membership.activeTierIds,
        allowed,
      });
      if (!allowed) expect(d).toMatchObject({ reason: 'tier_required', status: 403 });
    }
    // A muted subscriber is still muted: the sanction answers first.
    expect(can(m, 'feed.post', { ...c, membership: member('member', 'muted', future, [77]) })).toMatchObject({ reason: 'muted' });
    // Without the role's permission the answer is missing_permission, tier or not.
    expect(can(m, 'feed.post', { ...c, membership: member('guest', 'active', null, [77]) })).toMatchObject({ allowed: false });
  });

  it('with paid tiers switched off (tiersOff), a tier-locked channel is open to members', () => {
    const c = context('public', 'active', 'tier_locked', member('member'));
    expect(can(m, 'channel.view', c)).toMatchObject({ allowed: false, reason: 'tier_required' });
    c.community!.tiersOff = true;
    expect(can(m, 'channel.view', c).allowed).toBe(true);
    expect(can(m, 'channel.post', c).allowed).toBe(true);
  });

  it('a level-gated channel is locked (403 level_required) below its level; moderators, channel managers and admins pass', () => {
    const c = context('public', 'active', 'text', member('member'));
    c.channel = { ...c.channel!, minLevel: 3 };
    for (const action of ['channel.view', 'channel.post', 'channel.react'] as const)
      expect(can(m, action, c)).toMatchObject({ allowed: false, reason: 'level_required', status: 403 });
    expect(can(m, 'channel.view', { ...c, membership: { ...member('member'), level: 2 } }).allowed).toBe(false);
    expect(can(m, 'channel.view', { ...c, membership: { ...member('member'), level: 3 } }).allowed).toBe(true);
    expect(can(m, 'channel.post', { ...c, membership: { ...member('member'), level: 9 } }).allowed).toBe(true);
    expect(can(m, 'channel.view', { ...c, membership: member('moderator') }).allowed).toBe(true);
    expect(can({ ...m, isAdmin: true, globalRole: 'admin' }, 'channel.view', c).allowed).toBe(true);
    // The level never reveals a channel the member may not know: private ones stay 404.
    expect(can(m, 'channel.view', { ...c, channel: { ...c.channel, isPrivate: true } })).toMatchObject({ allowed: false, status: 404 });
    // An outsider of a public community reads open channels, but not a gated one.
    expect(can(m, 'channel.view', { ...c, membership: null })).toMatchObject({ allowed: false, reason: 'level_required' });
  });

  it('lets configured global roles create communities', () => {
    const c = context('public', 'active', 'none', null);
    expect(can({ userId: 5, globalRole: 'instructor', isAdmin: false }, 'community.create', c).allowed).toBe(true);
    expect(can({ userId: 5, globalRole: 'student', isAdmin: false }, 'community.create', c).allowed).toBe(false);
    expect(
      can({ userId: 5, globalRole: 'student', isAdmin: false }, 'community.create', { ...c, config: { whoCanCreate: ['student'] } })
        .allowed,
    ).toBe(true);
  });

  it('a valid invite reveals a hidden community for viewing and joining only', () => {
    const c = { ...context('hidden', 'active', 'none', null), hasValidInvite: true };
    expect(can(m, 'community.view', c).allowed).toBe(true);
    expect(can(m, 'community.join', c).allowed).toBe(true);
    expect(can(m, 'feed.read', c)).toMatchObject({ status: 404 });
  });

  it('DMs: participants only (admins too get 404), blocks stop posting, only the group owner manages', () => {
    const dm = { participantUserIds: [3, 4], ownerUserId: 3, type: 'group' as const, blockedBetween: false };
    const c: AccessContext = { dm, now, config: { whoCanCreate: [] } };
    expect(can(m, 'dm.read', c).allowed).toBe(true);
    expect(can(m, 'dm.manage', c).allowed).toBe(true);
    expect(can({ userId: 4, globalRole: 'student', isAdmin: false }, 'dm.manage', c)).toMatchObject({ status: 403 });
    // Any member of a group adds people and renames it; outsiders do not learn it exists; a 1:1 is no group.
    expect(can({ userId: 4, globalRole: 'student', isAdmin: false }, 'dm.edit_group', c).allowed).toBe(true);
    expect(can({ userId: 5, globalRole: 'student', isAdmin: false }, 'dm.edit_group', c)).toMatchObject({ status: 404 });
    expect(can(m, 'dm.edit_group', { ...c, dm: { ...dm, type: 'dm' } })).toMatchObject({ status: 403, reason: 'not_a_group' });
    expect(can({ userId: 99, globalRole: 'admin', isAdmin: true }, 'dm.read', c)).toMatchObject({ status: 404 });
    expect(can(m, 'dm.post', { ...c, dm: { ...dm, type: 'dm', blockedBetween: true } })).toMatchObject({ reason: 'blocked', status: 403 });
    expect(can(null, 'dm.read', c)).toMatchObject({ status: 401 });
  });
  it('a site-wide ban refuses joining any community and a site mute or ban posting DMs, with the reason and end, until it ends', () => {
    const ban = { status: 'banned' as const, expiresAt: future, reason: 'fraud' };
    const c = { ...context('public', 'active', 'none', null), siteSanction: ban };
    expect(can(m, 'community.join', c)).toEqual({
      allowed: false,
      reason: 'banned',
      status: 403,
      sanction: { until: future.toISOString(), sanction_reason: 'fraud', scope: 'site' },
    });
    // A site mute does not keep anyone out; an ended sanction counts for nothing.
    expect(can(m, 'community.join', { ...c, siteSanction: { ...ban, status: 'muted' } }).allowed).toBe(true);
    expect(can(m, 'community.join', { ...c, siteSanction: { ...ban, expiresAt: past } }).allowed).toBe(true);
    const dm = { participantUserIds: [3, 4], ownerUserId: 3, type: 'dm' as const, blockedBetween: false };
    const d: AccessContext = { dm, now, config: { whoCanCreate: [] } };
    expect(can(m, 'dm.post', { ...d, siteSanction: { ...ban, status: 'muted', expiresAt: null } })).toMatchObject({
      reason: 'muted',
      status: 403,
      sanction: { until: null, sanction_reason: 'fraud', scope: 'site' },
    });
    expect(can(m, 'dm.post', { ...d, siteSanction: ban })).toMatchObject({ reason: 'banned', status: 403 });
    expect(can(m, 'dm.post', { ...d, siteSanction: { ...ban, expiresAt: past } }).allowed).toBe(true);
    // Reading stays open: the sanction silences, it does not hide the conversation.
    expect(can(m, 'dm.read', { ...d, siteSanction: ban }).allowed).toBe(true);
  });
});

describe('members.browse (the roster) and show_member_list', () => {
  const browse = (kind: Kind, vis: Vis, show: boolean) => {
    const { actor, membership } = actorOf(kind);
    const ctx = context(vis, 'active', 'none', membership);
    ctx.community = { ...ctx.community!, settings: { ...ctx.community!.settings, show_member_list: show } };
    const d = can(actor, 'members.browse', ctx);
    return d.allowed ? 'ok' : `${d.status} ${d.reason}`;
  };

  it('follows members.list while the list is shown', () => {
    for (const kind of KINDS)
      for (const vis of ['public', 'private', 'hidden'] as Vis[]) {
        const { actor, membership } = actorOf(kind);
        const list = can(actor, 'members.list', context(vis, 'active', 'none', membership));
        expect(browse(kind, vis, true)).toBe(list.allowed ? 'ok' : `${list.status} ${list.reason}`);
      }
  });

  it('is for the owner, moderators and admins once the owner hides the list', () => {
    for (const vis of ['public', 'private', 'hidden'] as Vis[]) {
      for (const kind of ['owner', 'moderator', 'admin'] as Kind[]) expect(browse(kind, vis, false)).toBe('ok');
      for (const kind of ['member', 'guest', 'muted', 'subscriber'] as Kind[])
        expect(browse(kind, vis, false)).toBe('403 member_list_hidden');
    }
    // Outsiders: what they got before (public: the list is hidden from them too; private 403; hidden 404).
    expect(browse('outsider', 'public', false)).toBe('403 member_list_hidden');
    expect(browse('outsider', 'private', false)).toBe('403 not_member');
    expect(browse('outsider', 'hidden', false)).toBe('404 not_visible');
    expect(browse('anonymous', 'public', false)).toBe('401 unauthenticated');
    // A member may still list members in the narrow sense (members.list: authors, mentions, presence).
    const { actor, membership } = actorOf('member');
    const ctx = context('private', 'active', 'none', membership);
    ctx.community = { ...ctx.community!, settings: { ...ctx.community!.settings, show_member_list: false } };
    expect(can(actor, 'members.list', ctx).allowed).toBe(true);
  });
});
