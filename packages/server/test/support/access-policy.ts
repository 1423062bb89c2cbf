import type { TestServer } from './server';
import { buildWorld, call, enrol, freshCaller, newHostUser, ok, ROLES, type Role, type World } from './world';

/**
 * The access policy of every contract endpoint as a compact table: for each role, the status
 * class a caller must get. 2 means any 2xx. Tables are written for the public community;
 * private and hidden ones derive from them (see `forVisibility`) plus explicit overrides.
 */
export type Want = 2 | 401 | 403 | 404 | 409 | 422;
export type Table = Record<Role, Want>;

export interface Req {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Multipart upload instead of JSON. */
  upload?: string;
  /** Caller override (a fresh user in the role). */
  as?: number | null;
}

export interface Policy {
  /** global: run once; community: run in the public, private and hidden worlds. */
  scope: 'global' | 'community';
  table: Table;
  private?: Partial<Table>;
  hidden?: Partial<Table>;
  /**
   * caller: the call changes the caller's own standing, so each role calls as a fresh user in it.
   * world: a call expected to succeed runs in a fresh world, as it would take the shared one apart.
   */
  mutates?: 'caller' | 'world';
  /** Addressed by a channel or message id: whoever may not read the channel gets 404, not 403. */
  channelScoped?: boolean;
  req(w: World, role: Role, s: TestServer): Promise<Req> | Req;
}

const t = (signedIn: Want, over: Partial<Table> = {}): Table =>
  Object.fromEntries(ROLES.map((r) => [r, r === 'anon' ? 401 : (over[r] ?? signedIn)])) as Table;
const only = (roles: Role[], other: Want, over: Partial<Table> = {}): Table =>
  Object.fromEntries(ROLES.map((r) => [r, r === 'anon' ? 401 : (over[r] ?? (roles.includes(r) ? 2 : other))])) as Table;

const NON_MEMBERS: Role[] = ['outsider', 'kicked', 'otherOwner'];
/** community.view: anyone signed in sees a public or private card; banned members don't. */
const VIEW = t(2, { banned: 403 });
/** feed.read, members.list, channel.view: members read; in a public community anyone signed in does (pending requesters too). */
const READ = t(2, { banned: 403 });
/** Elsewhere only members read: outsiders and pending requesters get 403. */
const READ_PRIVATE: Partial<Table> = { outsider: 403, kicked: 403, otherOwner: 403, pending: 403 };
/** Taking part (post, comment, react): active members with the permission; muted members may not. */
const PART = only(['member', 'moderator', 'owner', 'admin'], 403);
/** Moderator permissions (pin, manage channels and members, requests). */
const MOD = only(['moderator', 'owner', 'admin'], 403);
/** manage_community / manage_roles / owner-only. */
const OWNER = only(['owner', 'admin'], 403);
/** Authors (the member) edit their own; others who can see it get 403. */
const AUTHOR = t(403, { member: 2 });
/** delete_any: the author, and moderators above the author. */
const DELETE_ANY = only(['member', 'moderator', 'owner', 'admin'], 403);
/** Private channels and uploads only there: 404 to whoever may not read. */
const PRIVATE_CHANNEL = only(['moderator', 'owner', 'admin'], 404);
const PRIVATE_CHANNEL_POST = PRIVATE_CHANNEL;
const ALL = t(2);
const PUBLIC_ALL = { ...t(2), anon: 2 } as Table;
/** Members may invite (and see their links); a mute silences but does not take that away. */
const INVITERS = only(['member', 'muted', 'moderator', 'owner', 'admin'], 403);
const CREATORS = only(['owner', 'otherOwner', 'admin'], 403);
/** DM threads: participants (member and moderator) only; admins do not browse DMs. */
const DM_PARTY = only(['member', 'moderator'], 404);
/** Group management: the group's owner (member); other participants (moderator, owner) get 403. */
const GROUP_OWNER = only(['member'], 404, { moderator: 403, owner: 403 });
/** Adding people and renaming: any participant of the group (member, moderator, owner). */
const GROUP_MEMBER = only(['member', 'moderator', 'owner'], 404);
/** Uploads: the uploader or readers of where it was shared; 404 to everyone else. */
const UPLOAD_READ = t(2, { banned: 404 });
const UPLOAD_PRIVATE: Partial<Table> = { outsider: 404, kicked: 404, otherOwner: 404, pending: 404 };

/** The table for a world's visibility: private and hidden communities hide themselves. */
export function forVisibility(p: Policy, vis: World['vis']): Table {
  const out = { ...p.table };
  if (p.scope === 'community' && vis !== 'public') {
    if (out.banned !== 401) out.banned = 404;
    if (vis === 'hidden') for (const r of NON_MEMBERS) out[r] = 404;
    Object.assign(out, vis === 'private' ? p.private : p.hidden);
    // A pending requester knows a hidden community (they asked to join) but reads nothing yet.
    if (vis === 'hidden' && p.private === READ_PRIVATE) out.pending = 403;
  }
  if (p.channelScoped) {
    const nonReaders: Role[] = vis === 'public' ? ['banned'] : ['pending', 'banned', ...NON_MEMBERS];
    for (const r of nonReaders) if (out[r] === 403) out[r] = 404;
  }
  return out;
}

const C = '/api/communities';
let n = 0;
const uniq = () => `${Date.now().toString(36)}${++n}`;

async function freshMember(s: TestServer, w: World, role: Role = 'member') {
  const id = await newHostUser(s);
  await enrol(s, w, id, role);
  return id;
}
const freshMessage = async (s: TestServer, w: World) =>
  (await ok(s, w.users.member, 'POST', `${C}/channels/${w.channelId}/messages`, { content: `m ${uniq()}` })).id as number;
const freshPost = async (s: TestServer, w: World) =>
  (await ok(s, w.users.member, 'POST', `${C}/${w.id}/feed`, { content: `p ${uniq()}` })).id as number;
const freshComment = async (s: TestServer, w: World) =>
  (await ok(s, w.users.member, 'POST', `${C}/feed/${w.postId}/comments`, { content: `c ${uniq()}` })).id as number;

/** A group the member owns with the moderator and the owner (and `extra`) in it. */
const freshGroup = async (s: TestServer, w: World, extra: number[] = []) =>
  (await ok(s, w.users.member, 'POST', `${C}/dm/threads`, { user_ids: [w.users.moderator, w.users.owner, ...extra], group: true }))
    .id as number;

async function freshLink(s: TestServer, w: World): Promise<number> {
  const courseId = s.demo.courseIds[4]!;
  const r = await call(s, w.users.owner, 'POST', `${C}/${w.id}/courses`, { course_id: courseId, auto_join: false });
  if (r.status === 201) return (r.json as { id: number }).id;
  const list = await ok(s, w.users.owner, 'GET', `${C}/${w.id}/courses`);
  return (list.items as Array<{ id: number; course_id: number }>).find((l) => l.course_id === courseId)!.id;
}

async function freshDraft(s: TestServer, w: World, complete: boolean) {
  const d = await ok(s, w.users.owner, 'POST', `${C}/wizard`, { name: `Draft ${uniq()}` });
  if (complete) {
    await ok(s, w.users.owner, 'PUT', `${C}/wizard/${d.id}/steps/visibility`, { visibility: 'public' });
    await ok(s, w.users.owner, 'PUT', `${C}/wizard/${d.id}/steps/channels`, { channels: [{ name: 'general' }] });
  }
  return d.id as number;
}

/**
 * A world like `w` whose owner hid the member list (show_member_list off), built once per world so
 * the shared ones keep the default; cells aimed at it call as its users (`as`).
 */
const hiddenListWorlds = new WeakMap<World, Promise<World>>();
async function hiddenList(s: TestServer, w: World, role: Role, query: Record<string, string | number> = {}): Promise<Req> {
  let p = hiddenListWorlds.get(w);
  if (!p) {
    p = buildWorld(s, w.vis).then(async (h) => {
      await ok(s, h.users.owner, 'PATCH', `${C}/${h.id}`, { settings: { show_member_list: false } });
      return h;
    });
    hiddenListWorlds.set(w, p);
  }
  const h = await p;
  return { params: { id: h.id }, query, as: role === 'anon' ? null : h.users[role] };
}
/** The roster with the list hidden: those who run the community and admins; members 403 member_list_hidden. */
const BROWSE_HIDDEN = only(['moderator', 'owner', 'admin'], 403);
/** A name lookup with the list hidden: members (muted too) as well; outsiders and pending 403. */
const LOOKUP_HIDDEN = only(['member', 'muted', 'moderator', 'owner', 'admin'], 403);

const rtName = (s: TestServer, kind: 'channel' | 'dm', id: number) => `private-${s.ctx.config.chat.broadcast_channel_prefix}${kind}.${id}`;
const ROLE_INDEX = Object.fromEntries(ROLES.map((r, i) => [r, i])) as Record<Role, number>;

type Group = Record<string, Policy>;
const community = (table: Table, req: Policy['req'], extra: Partial<Policy> = {}): Policy => ({ scope: 'community', table, req, ...extra });
const inChannel = (table: Table, req: Policy['req'], extra: Partial<Policy> = {}): Policy =>
  community(table, req, { channelScoped: true, ...extra });
const global = (table: Table, req: Policy['req'] = () => ({}), extra: Partial<Policy> = {}): Policy => ({
  scope: 'global',
  table,
  req,
  ...extra,
});
const cid = (w: World) => ({ id: w.id });

/** A message by a member of its own, so nobody in the table reports their own message. */
async function strangerMessage(s: TestServer, w: World): Promise<number> {
  const author = await freshMember(s, w);
  return (await ok(s, author, 'POST', `${C}/channels/${w.channelId}/messages`, { content: `m ${uniq()}` })).id as number;
}
async function freshReport(s: TestServer, w: World): Promise<number> {
  const target_id = await strangerMessage(s, w);
  return (await ok(s, w.users.member, 'POST', `${C}/reports`, { target_type: 'channel_message', target_id, reason: 'spam' })).id as number;
}
const freshBadWord = async (s: TestServer) => {
  const word = `zq${uniq()}`;
  await ok(s, s.demo.adminId, 'POST', `${C}/admin/bad-words`, { words: [{ word, severity: 'low' }] });
  const list = await ok<{ items: Array<{ id: number }> }>(s, s.demo.adminId, 'GET', `${C}/admin/bad-words?q=${word}`);
  return list.items[0]!.id;
};
const freshSiteSanction = async (s: TestServer) =>
  (await ok(s, s.demo.adminId, 'POST', `${C}/admin/sanctions`, { user_id: await newHostUser(s), action: 'mute', reason: 'x' }))
    .id as number;
/** Moderation: those who may moderate there (owner, moderators, admins). */
const MODERATORS_ONLY_404 = only(['moderator', 'owner', 'admin'], 404);
const ADMIN = only(['admin'], 403);

/** A question by the member and a reply to it by another member: the member is the asker. */
async function freshAnswer(s: TestServer, w: World): Promise<number> {
  const question = (await ok(s, w.users.member, 'POST', `${C}/channels/${w.channelId}/messages`, { content: `q ${uniq()}?` })).id as number;
  const author = await freshMember(s, w);
  return (await ok(s, author, 'POST', `${C}/channels/${w.channelId}/messages`, { content: `answer ${uniq()}`, reply_to_id: question }))
    .id as number;
}
/** A comment by another member on a post of the member's: the member asked. */
async function freshFeedAnswer(s: TestServer, w: World): Promise<number> {
  const post = await freshPost(s, w);
  const author = await freshMember(s, w);
  return (await ok(s, author, 'POST', `${C}/feed/${post}/comments`, { content: `answer ${uniq()}` })).id as number;
}
/** Helpful marks: the asker (the member) and moderators; others who can see it get 403. */
const ASKER_OR_MOD = only(['member', 'moderator', 'owner', 'admin'], 403);

/** Every endpoint's policy, keyed like the contract's registry; `name@variant` adds a second target. */
export const POLICIES: Record<string, Group> = {
  system: {
    health: global(PUBLIC_ALL),
    features: global(PUBLIC_ALL),
    me: global(ALL),
    demoUsers: global(PUBLIC_ALL),
    demoToken: global(PUBLIC_ALL, (w) => ({ body: { user_id: w.users.member } })),
  },
  communities: {
    list: global(PUBLIC_ALL),
    get: community(VIEW, (w) => ({ params: cid(w) })),
    create: global(CREATORS, () => ({ body: { name: `Created ${uniq()}` } })),
    update: community(OWNER, (w) => ({ params: cid(w), body: { description: `d ${uniq()}` } })),
    remove: community(
      OWNER,
      async (w, _r, s) => ({ params: cid(w), body: { confirm_name: (await ok(s, s.demo.adminId, 'GET', `${C}/${w.id}`)).name as string } }),
      { mutates: 'world' },
    ),
    join: community(t(2, { banned: 403 }), async (w, r, s) => ({ params: cid(w), body: {}, as: await freshCaller(s, w, r) }), {
      mutates: 'caller',
      // Private communities take requests; hidden ones are invisible without an invite.
    }),
    leave: community(
      // Admins are not members: nothing to leave.
      t(403, { pending: 2, member: 2, muted: 2, moderator: 2, owner: 409, admin: 404 }),
      async (w, r, s) => ({ params: cid(w), as: await freshCaller(s, w, r) }),
      { mutates: 'caller' },
    ),
    requests: community(MOD, (w) => ({ params: cid(w) })),
    decideRequest: community(MOD, async (w, _r, s) => ({
      params: { id: w.id, userId: await freshMember(s, w, 'pending'), decision: 'approve' },
      body: { message: 'Welcome' },
    })),
    members: community(READ, (w) => ({ params: cid(w) }), { private: READ_PRIVATE }),
    // show_member_list off (a world of its own): browsing is for the owner, moderators and admins;
    // members keep a bounded name lookup (q, at most 10, one page); outsiders get what they got before.
    'members@hidden-list': community(BROWSE_HIDDEN, (w, r, s) => hiddenList(s, w, r)),
    'members@hidden-list-lookup': community(LOOKUP_HIDDEN, (w, r, s) => hiddenList(s, w, r, { q: 'a' })),
    updateMember: community(MOD, async (w, _r, s) => ({
      params: { id: w.id, userId: await freshMember(s, w) },
      body: { status: 'muted', duration_minutes: 5 },
    })),
    removeMember: community(MOD, async (w, _r, s) => ({ params: { id: w.id, userId: await freshMember(s, w) } })),
    // Aimed at someone who is not a member: those who may manage members learn that (404); nobody else
    // may tell a member from a stranger, so they get the same 403 as for a member.
    'updateMember@stranger': community(only([], 403, { moderator: 404, owner: 404, admin: 404 }), async (w, _r, s) => ({
      params: { id: w.id, userId: await newHostUser(s) },
      body: { status: 'muted', duration_minutes: 5 },
    })),
    'removeMember@stranger': community(only([], 403, { moderator: 404, owner: 404, admin: 404 }), async (w, _r, s) => ({
      params: { id: w.id, userId: await newHostUser(s) },
    })),
    transfer: community(OWNER, (w) => ({ params: cid(w), body: { user_id: w.users.member } }), { mutates: 'world' }),
    roles: community(READ, (w) => ({ params: cid(w) }), { private: READ_PRIVATE }),
    updateRole: community(OWNER, (w) => ({ params: { id: w.id, roleId: w.memberRoleId }, body: { name: 'Member' } })),
    createRole: community(OWNER, (w) => ({ params: cid(w), body: { name: `Helper ${uniq()}`, permissions: ['view', 'pin'] } })),
    reorderRoles: community(OWNER, async (w, _r, s) => {
      const roles = await ok<{ items: Array<{ id: number; slug: string }> }>(s, w.users.owner, 'GET', `${C}/${w.id}/roles`);
      return { params: cid(w), body: { role_ids: roles.items.filter((r) => r.slug !== 'owner' && r.slug !== 'guest').map((r) => r.id) } };
    }),
    deleteRole: community(OWNER, async (w, _r, s) => ({
      params: { id: w.id, roleId: (await ok(s, w.users.owner, 'POST', `${C}/${w.id}/roles`, { name: `Temp ${uniq()}` })).id as number },
    })),
    createInvite: community(INVITERS, (w) => ({ params: cid(w), body: { max_uses: 5 } })),
    invites: community(INVITERS, (w) => ({ params: cid(w) })),
    revokeInvite: community(MOD, async (w, _r, s) => ({
      params: { id: w.id, inviteId: (await ok(s, w.users.owner, 'POST', `${C}/${w.id}/invites`, {})).id as number },
    })),
    invitePreview: community(ALL, (w) => ({ params: { token: w.inviteToken } }), {
      // Holding the token is the permission (it shows the card only).
      private: { banned: 2 },
      hidden: { outsider: 2, kicked: 2, otherOwner: 2, banned: 2 },
    }),
    courses: community(VIEW, (w) => ({ params: cid(w) })),
    linkCourse: community(OWNER, (w, r, s) => ({
      params: cid(w),
      body: { course_id: s.demo.courseIds[1 + (ROLE_INDEX[r] % 3)]!, auto_join: false },
    })),
    unlinkCourse: community(OWNER, async (w, _r, s) => ({ params: { id: w.id, linkId: await freshLink(s, w) } })),
    // A course page lists what the caller may see: always 200, hidden communities left out.
    forCourse: community(ALL, (w) => ({ params: { id: w.courseId } }), {
      private: { banned: 2 },
      hidden: { outsider: 2, kicked: 2, otherOwner: 2, banned: 2 },
    }),
    tiers: community(VIEW, (w) => ({ params: cid(w) })),
    createTier: community(OWNER, (w) => ({ params: cid(w), body: { name: `T ${uniq()}`, price_minor: 0, currency: 'USD' } })),
    updateTier: community(OWNER, (w) => ({ params: { id: w.id, tierId: w.tierId }, body: { description: `d ${uniq()}` } })),
    // The tier editor's picker: whoever may manage pricing; hidden: 404 to outsiders.
    sellableItems: community(OWNER, (w) => ({ params: cid(w), query: { type: 'course' } })),
    // Revenue by tier: owners and whoever may view analytics (moderators here); hidden: 404 to outsiders.
    tierRevenue: community(MOD, (w) => ({ params: cid(w) })),
    grantTier: community(OWNER, (w) => ({ params: { id: w.id, tierId: w.tierId }, body: { user_id: w.users.member } })),
    // Whoever may see the community checks their own purchase (it reads only the caller's sales).
    checkPurchase: community(VIEW, (w) => ({ params: cid(w), body: {} })),
    slugAvailability: global(CREATORS, () => ({ query: { slug: `free-${uniq()}` } })),
    wizardDrafts: global(ALL),
    wizardCourses: global(CREATORS),
    wizardStart: global(CREATORS, () => ({ body: { name: `Wizard ${uniq()}` } })),
    wizardGet: global(only(['owner', 'admin'], 404), async (w, _r, s) => ({ params: { draftId: await freshDraft(s, w, false) } })),
    wizardStep: global(only(['owner', 'admin'], 404), async (w, _r, s) => ({
      params: { draftId: await freshDraft(s, w, false), step: 'visibility' },
      body: { visibility: 'private' },
    })),
    wizardPublish: global(only(['owner', 'admin'], 404), async (w, _r, s) => ({ params: { draftId: await freshDraft(s, w, true) } })),
  },
  feed: {
    communityFeed: community(READ, (w) => ({ params: cid(w) }), { private: READ_PRIVATE }),
    globalFeed: global(ALL),
    post: community(PART, (w) => ({ params: cid(w), body: { content: `post ${uniq()}` } })),
    announce: global(only(['admin'], 403), () => ({ body: { content: `announcement ${uniq()}` } })),
    update: community(AUTHOR, (w) => ({ params: { itemId: w.postId }, body: { content: `edited ${uniq()}` } }), {
      private: READ_PRIVATE,
    }),
    remove: community(DELETE_ANY, async (w, _r, s) => ({ params: { itemId: await freshPost(s, w) } })),
    pin: community(MOD, (w) => ({ params: { itemId: w.postId } })),
    unpin: community(MOD, (w) => ({ params: { itemId: w.postId } })),
    react: community(PART, (w) => ({ params: { itemId: w.postId }, body: { emoji: '👍' } })),
    comments: community(READ, (w) => ({ params: { itemId: w.postId } }), { private: READ_PRIVATE }),
    replies: community(READ, (w) => ({ params: { commentId: w.commentId } }), { private: READ_PRIVATE }),
    comment: community(PART, (w) => ({ params: { itemId: w.postId }, body: { content: `comment ${uniq()}` } })),
    updateComment: community(AUTHOR, (w) => ({ params: { commentId: w.commentId }, body: { content: `edited ${uniq()}` } }), {
      private: READ_PRIVATE,
    }),
    removeComment: community(DELETE_ANY, async (w, _r, s) => ({ params: { commentId: await freshComment(s, w) } })),
    reactComment: community(PART, (w) => ({ params: { commentId: w.commentId }, body: { emoji: '🎉' } })),
  },
  channels: {
    list: community(READ, (w) => ({ params: cid(w) }), { private: READ_PRIVATE }),
    create: community(MOD, (w) => ({ params: cid(w), body: { name: `made-${uniq()}` } })),
    reorder: community(MOD, (w) => ({ params: cid(w), body: { items: [{ id: w.channelId, parent_id: null, position: 0 }] } })),
    get: inChannel(READ, (w) => ({ params: { channelId: w.channelId } }), { private: READ_PRIVATE }),
    'get@private': community(PRIVATE_CHANNEL, (w) => ({ params: { channelId: w.privateChannelId } })),
    update: inChannel(MOD, (w) => ({ params: { channelId: w.channelId }, body: { topic: `topic ${uniq()}` } })),
    overrides: inChannel(MOD, (w) => ({ params: { channelId: w.channelId } })),
    setOverride: inChannel(MOD, (w) => ({ params: { channelId: w.channelId }, body: { role_slug: 'guest', deny: ['react'] } })),
    remove: inChannel(MOD, async (w, _r, s) => ({
      params: { channelId: (await ok(s, w.users.owner, 'POST', `${C}/${w.id}/channels`, { name: `doomed-${uniq()}` })).id as number },
    })),
    messages: inChannel(READ, (w) => ({ params: { channelId: w.channelId } }), { private: READ_PRIVATE }),
    'messages@private': community(PRIVATE_CHANNEL, (w) => ({ params: { channelId: w.privateChannelId } })),
    changes: inChannel(
      READ,
      (w) => ({ params: { channelId: w.channelId }, query: { since: new Date(0).toISOString(), from_id: 1, to_id: w.messageId } }),
      { private: READ_PRIVATE },
    ),
    pins: inChannel(READ, (w) => ({ params: { channelId: w.channelId } }), { private: READ_PRIVATE }),
    'pins@private': community(PRIVATE_CHANNEL, (w) => ({ params: { channelId: w.privateChannelId } })),
    post: inChannel(PART, (w) => ({ params: { channelId: w.channelId }, body: { content: `hi ${uniq()}` } })),
    'post@private': community(PRIVATE_CHANNEL_POST, (w) => ({
      params: { channelId: w.privateChannelId },
      body: { content: `hi ${uniq()}` },
    })),
    edit: inChannel(AUTHOR, (w) => ({ params: { messageId: w.messageId }, body: { content: `edited ${uniq()}` } }), {
      private: READ_PRIVATE,
    }),
    removeMessage: inChannel(DELETE_ANY, async (w, _r, s) => ({ params: { messageId: await freshMessage(s, w) } })),
    pin: inChannel(MOD, (w) => ({ params: { messageId: w.messageId } })),
    unpin: inChannel(MOD, (w) => ({ params: { messageId: w.messageId } })),
    react: inChannel(PART, (w) => ({ params: { messageId: w.messageId }, body: { emoji: '👍' } })),
    read: inChannel(READ, (w) => ({ params: { channelId: w.channelId }, body: { message_id: w.messageId } }), { private: READ_PRIVATE }),
    'read@private': community(PRIVATE_CHANNEL, (w) => ({ params: { channelId: w.privateChannelId }, body: { message_id: 0 } })),
  },
  dm: {
    inbox: global(ALL),
    unread: global(ALL),
    // Without a shared community (dm.allow_from = shared_community) the person is as unknown as a missing id: 404.
    start: global(t(2, { outsider: 404, pending: 404, banned: 404, kicked: 404, otherOwner: 404 }), async (w, _r, s) => ({
      body: { user_ids: [await freshMember(s, w)] },
    })),
    thread: global(DM_PARTY, (w) => ({ params: { threadId: w.dmThreadId } })),
    rename: global(GROUP_MEMBER, (w) => ({ params: { threadId: w.groupThreadId }, body: { title: `G ${uniq()}` } })),
    invite: global(GROUP_MEMBER, async (w, _r, s) => ({
      params: { threadId: await freshGroup(s, w) },
      body: { user_ids: [await freshMember(s, w)] },
    })),
    removeParticipant: global(GROUP_OWNER, async (w, _r, s) => {
      const id = await freshMember(s, w);
      return { params: { threadId: await freshGroup(s, w, [id]), userId: id } };
    }),
    messages: global(DM_PARTY, (w) => ({ params: { threadId: w.dmThreadId } })),
    changes: global(DM_PARTY, (w) => ({
      params: { threadId: w.dmThreadId },
      query: { since: new Date(0).toISOString(), from_id: 1, to_id: w.dmMessageId },
    })),
    post: global(DM_PARTY, (w) => ({ params: { threadId: w.dmThreadId }, body: { content: `dm ${uniq()}` } })),
    edit: global(only(['member'], 404, { moderator: 403 }), (w) => ({
      params: { messageId: w.dmMessageId },
      body: { content: `e ${uniq()}` },
    })),
    removeMessage: global(only(['member'], 404, { moderator: 403 }), async (w, _r, s) => ({
      params: {
        messageId: (await ok(s, w.users.member, 'POST', `${C}/dm/threads/${w.dmThreadId}/messages`, { content: `x ${uniq()}` }))
          .id as number,
      },
    })),
    react: global(DM_PARTY, (w) => ({ params: { messageId: w.dmMessageId }, body: { emoji: '👍' } })),
    read: global(DM_PARTY, (w) => ({ params: { threadId: w.dmThreadId }, body: { message_id: w.dmMessageId } })),
    blocks: global(ALL),
    block: global(ALL, async (_w, _r, s) => ({ params: { userId: await newHostUser(s) } })),
    unblock: global(ALL, async (_w, _r, s) => ({ params: { userId: await newHostUser(s) } })),
  },
  uploads: {
    upload: global(ALL, () => ({ query: { purpose: 'channel' }, upload: 'pic.png' })),
    status: community(UPLOAD_READ, (w) => ({ params: { kind: 'channel', id: w.uploadId } }), {
      private: UPLOAD_PRIVATE,
      hidden: { pending: 404 },
    }),
    download: community(UPLOAD_READ, (w) => ({ params: { kind: 'channel', id: w.uploadId } }), {
      private: UPLOAD_PRIVATE,
      hidden: { pending: 404 },
    }),
    thumbnail: community(UPLOAD_READ, (w) => ({ params: { kind: 'channel', id: w.uploadId } }), {
      private: UPLOAD_PRIVATE,
      hidden: { pending: 404 },
    }),
  },
  gamification: {
    // Leaderboards read like the member list: members, and anyone signed in for a public community.
    communityLeaderboard: community(READ, (w) => ({ params: cid(w), query: { period: 'week' } }), { private: READ_PRIVATE }),
    globalLeaderboard: global(ALL, () => ({ query: { period: 'all_time' } })),
    userProfile: global(ALL, (w) => ({ params: { userId: w.users.member } })),
    updateMyPrivacy: global(ALL, () => ({ body: { hide_from_leaderboards: false } })),
    markMessageHelpful: inChannel(ASKER_OR_MOD, async (w, _r, s) => ({ params: { messageId: await freshAnswer(s, w) } })),
    unmarkMessageHelpful: inChannel(ASKER_OR_MOD, async (w, _r, s) => {
      const messageId = await freshAnswer(s, w);
      await ok(s, w.users.owner, 'POST', `${C}/channels/messages/${messageId}/helpful`);
      return { params: { messageId } };
    }),
    // Whoever may not read the feed does not learn the comment exists.
    markCommentHelpful: community(
      { ...ASKER_OR_MOD, banned: 404 },
      async (w, _r, s) => ({ params: { commentId: await freshFeedAnswer(s, w) } }),
      { private: { outsider: 404, kicked: 404, otherOwner: 404, pending: 404 }, hidden: { pending: 404 } },
    ),
    unmarkCommentHelpful: community(
      { ...ASKER_OR_MOD, banned: 404 },
      async (w, _r, s) => {
        const commentId = await freshFeedAnswer(s, w);
        await ok(s, w.users.owner, 'POST', `${C}/feed/comments/${commentId}/helpful`);
        return { params: { commentId } };
      },
      { private: { outsider: 404, kicked: 404, otherOwner: 404, pending: 404 }, hidden: { pending: 404 } },
    ),
    communitySettings: community(OWNER, (w) => ({ params: cid(w) })),
    updateCommunitySettings: community(OWNER, (w) => ({ params: cid(w), body: { scale: 1 } })),
    adminSettings: global(ADMIN),
    updateAdminSettings: global(ADMIN, () => ({ body: {} })),
  },
  analytics: {
    // A student's heatmap (hidden from fellow members by default): themself, the community's owner
    // and moderators (its slice), site admins; everyone else learns nothing (404).
    userHeatmap: community(only(['member', 'moderator', 'owner', 'admin'], 404), (w) => ({ params: { id: w.users.member } })),
    // Insights: owners, moderators (view_analytics) and admins; hidden communities 404 to outsiders.
    communityHeatmap: community(MOD, (w) => ({ params: cid(w) })),
    communityAnalytics: community(MOD, (w) => ({ params: cid(w), query: { period: 'week' } })),
    exportCommunityAnalytics: community(MOD, (w) => ({ params: cid(w) })),
    // Activity this week: owners, moderators and admins always; members only once the owner turns
    // on show_member_activity (off in these worlds: 403 member_activity_off); hidden: 404 to outsiders.
    memberActivity: community(MOD, (w) => ({ params: cid(w) })),
    adminAnalytics: global(ADMIN),
    exportAdminAnalytics: global(ADMIN),
    heatmapSettings: global(ALL),
    updateHeatmapSettings: global(ALL, () => ({ body: { show_activity: false } })),
  },
  notifications: {
    // Everyone signed in has their own inbox and preferences.
    list: global(ALL, () => ({ query: { limit: 5 } })),
    markRead: global(ALL, () => ({ body: { all: true } })),
    preferences: global(ALL),
    updatePreferences: global(ALL, () => ({ body: { level: 'mentions' } })),
    // Muting a community: whoever can see its card; hidden ones are 404 to outsiders.
    'updatePreferences@community': community(VIEW, (w) => ({ body: { community_id: w.communityId, muted: true } })),
  },
  moderation: {
    // Anyone who can see it may report it; what they cannot see does not exist for them (404).
    // A pending requester of a public community reads it as any outsider does, so may report too.
    report: community(
      t(2, { banned: 404 }),
      async (w, _r, s) => ({ body: { target_type: 'channel_message', target_id: await strangerMessage(s, w), reason: 'spam' } }),
      { private: { outsider: 404, kicked: 404, otherOwner: 404, pending: 404 }, hidden: { pending: 404 } },
    ),
    myReports: global(ALL),
    queue: community(MOD, (w) => ({ params: cid(w) })),
    globalQueue: global(ADMIN),
    getReport: community(MODERATORS_ONLY_404, async (w, _r, s) => ({ params: { reportId: await freshReport(s, w) } })),
    updateReport: community(MODERATORS_ONLY_404, async (w, _r, s) => ({
      params: { reportId: await freshReport(s, w) },
      body: { status: 'reviewing' },
    })),
    held: community(MOD, (w) => ({ params: cid(w) })),
    contentAction: community(MODERATORS_ONLY_404, async (w, _r, s) => ({
      body: { target_type: 'channel_message', target_id: await strangerMessage(s, w), action: 'hide' },
    })),
    words: community(MOD, (w) => ({ params: cid(w) })),
    setWords: community(OWNER, (w) => ({ params: cid(w), body: { words: [], allow: [], actions: {} } })),
    wordList: global(ALL),
    badWords: global(ADMIN),
    addBadWords: global(ADMIN, () => ({ body: { words: [{ word: `zq${uniq()}`, severity: 'low' }] } })),
    deleteBadWord: global(ADMIN, async (_w, _r, s) => ({ params: { wordId: await freshBadWord(s) } })),
    actions: community(MOD, (w) => ({ params: cid(w) })),
    exportActions: community(MOD, (w) => ({ params: cid(w) })),
    globalActions: global(ADMIN),
    exportGlobalActions: global(ADMIN),
    sanctions: community(MOD, (w) => ({ params: cid(w) })),
    siteSanctions: global(ADMIN),
    sanctionSite: global(ADMIN, async (_w, _r, s) => ({ body: { user_id: await newHostUser(s), action: 'warning', reason: 'matrix' } })),
    liftSiteSanction: global(ADMIN, async (_w, _r, s) => ({ params: { sanctionId: await freshSiteSanction(s) } })),
    warn: community(MOD, async (w, _r, s) => ({ params: { id: w.id, userId: await freshMember(s, w) }, body: { reason: 'matrix' } })),
  },
  admin: {
    overview: global(ADMIN),
    settings: global(ADMIN),
    updateSettings: global(ADMIN, (_w, _r, s) => ({
      body: { values: { 'chat.edit_window_seconds': s.ctx.config.chat.edit_window_seconds } },
    })),
    communities: global(ADMIN),
    updateCommunity: global(ADMIN, (w) => ({ params: { id: w.communityId }, body: { is_featured: false } })),
    actAsOwner: global(ADMIN, (w) => ({ params: { id: w.communityId }, body: { reason: 'matrix support', minutes: 5 } })),
    endActAsOwner: global(ADMIN, async (w, _r, s) => {
      await ok(s, s.demo.adminId, 'POST', `${C}/admin/communities/${w.communityId}/act-as-owner`, { reason: 'matrix support', minutes: 5 });
      return { params: { id: w.communityId } };
    }),
    audit: global(ADMIN),
  },
  search: {
    // Any signed-in caller searches; a community they may not see is 404 (banned from a public one: 403, as viewing it).
    search: community(VIEW, (w) => ({ query: { q: 'matrix', community_id: w.id } })),
    // A private channel is 404 to whoever may not read it, as its history is.
    'search@private': community(PRIVATE_CHANNEL, (w) => ({ query: { q: 'staff', channel_id: w.privateChannelId } })),
  },
  realtime: {
    auth: community(READ, (w, _r, s) => ({ body: { socket_id: '1234.5678', channel_name: rtName(s, 'channel', w.channelId) } }), {
      private: READ_PRIVATE,
    }),
    'auth@private': community(PRIVATE_CHANNEL, (w, _r, s) => ({
      body: { socket_id: '1234.5678', channel_name: rtName(s, 'channel', w.privateChannelId) },
    })),
    'auth@dm': global(DM_PARTY, (w, _r, s) => ({ body: { socket_id: '1234.5678', channel_name: rtName(s, 'dm', w.dmThreadId) } })),
  },
};
