import sharp from 'sharp';

import type { TestServer } from './server';

/** Who calls: the roles the access matrix checks every route against. */
export const ROLES = [
  'anon',
  'outsider',
  'pending',
  'member',
  'muted',
  'banned',
  'kicked',
  'moderator',
  'owner',
  'otherOwner',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];
export type Visibility = 'public' | 'private' | 'hidden';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One HTTP call as a client makes it (a JSON body when given), signed in as `userId` or anonymous. */
export async function call(
  s: TestServer,
  userId: number | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const h: Record<string, string> = { ...headers };
  if (userId !== null) h.authorization = `Bearer ${await s.token(userId)}`;
  if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method,
    headers: h,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (files, pages)
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Like `call`, but the test fails unless the answer is 2xx; returns the JSON body. */
export async function ok<T = Record<string, any>>(s: TestServer, userId: number | null, method: string, path: string, body?: unknown) {
  const r = await call(s, userId, method, path, body);
  if (r.status >= 300) throw new Error(`setup ${method} ${path} as ${userId}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json as T;
}

let userSeq = 0;
/** A new RocketLMS user in the demo host's tables (student unless told). */
export async function newHostUser(s: TestServer, kind: 'user' | 'teacher' | 'admin' = 'user'): Promise<number> {
  const role = await s.ctx.hostDb.selectFrom('roles').select('id').where('name', '=', kind).executeTakeFirstOrThrow();
  userSeq++;
  const name = `Matrix ${kind} ${userSeq}`;
  const res = await s.ctx.hostDb
    .insertInto('users')
    .values({
      full_name: name,
      username: `matrix.${kind}.${userSeq}.${process.pid}`,
      email: `matrix.${kind}.${userSeq}.${process.pid}@test.school`,
      role_name: kind,
      role_id: role.id,
      avatar: null,
      status: 'active',
      ban: 0,
      ban_start_at: null,
      ban_end_at: null,
      deleted_at: null,
      timezone: 'UTC',
      language: 'en',
      created_at: Math.floor(Date.now() / 1000),
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

export interface World {
  vis: Visibility;
  /** The community id as a path segment. */
  id: string;
  communityId: number;
  users: Record<Exclude<Role, 'anon'>, number>;
  otherCommunityId: number;
  channelId: number;
  privateChannelId: number;
  messageId: number;
  postId: number;
  commentId: number;
  tierId: number;
  inviteId: number;
  inviteToken: string;
  linkId: number;
  memberRoleId: number;
  uploadId: number;
  dmThreadId: number;
  groupThreadId: number;
  dmMessageId: number;
  courseId: number;
}

const C = '/api/communities';

/** Makes `userId` hold `role` in the world's community (the caller of a fresh-caller cell). */
export async function enrol(s: TestServer, w: Pick<World, 'id' | 'users' | 'inviteToken' | 'vis'>, userId: number, role: Role) {
  const owner = w.users.owner;
  if (role === 'outsider' || role === 'otherOwner' || role === 'admin' || role === 'anon') return;
  if (role === 'pending') {
    if (w.vis === 'hidden') {
      // A hidden community takes no plain join requests: put the request in as an invite-less join would have.
      await ok(s, userId, 'POST', `${C}/${w.id}/join`, { invite_token: w.inviteToken });
      await s.ctx.db.db
        .updateTable('community_members')
        .set({ status: 'pending' })
        .where('user_id', '=', userId)
        .where('community_id', '=', Number(w.id))
        .execute();
      return;
    }
    await ok(s, userId, 'POST', `${C}/${w.id}/join`, {});
    return;
  }
  await ok(s, userId, 'POST', `${C}/${w.id}/join`, { invite_token: w.inviteToken });
  if (role === 'moderator') await ok(s, owner, 'PATCH', `${C}/${w.id}/members/${userId}`, { role: 'moderator' });
  if (role === 'muted') await ok(s, owner, 'PATCH', `${C}/${w.id}/members/${userId}`, { status: 'muted', duration_minutes: 600 });
  if (role === 'banned') await ok(s, owner, 'PATCH', `${C}/${w.id}/members/${userId}`, { status: 'banned', reason: 'matrix' });
  if (role === 'kicked') await ok(s, owner, 'DELETE', `${C}/${w.id}/members/${userId}`);
}

/** A new user holding `role` in the world (for calls that change the caller's own standing). */
export async function freshCaller(s: TestServer, w: World, role: Role): Promise<number | null> {
  if (role === 'anon') return null;
  if (role === 'owner') return w.users.owner;
  const id = await newHostUser(s, role === 'admin' ? 'admin' : role === 'otherOwner' ? 'teacher' : 'user');
  if (role === 'otherOwner') await ok(s, id, 'POST', C, { name: `Other of ${id}`, visibility: 'public' });
  await enrol(s, w, id, role);
  return id;
}

let png: Buffer | null = null;
export async function tinyPng(): Promise<Buffer> {
  png ??= await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 20, g: 120, b: 200 } } })
    .png()
    .toBuffer();
  return png;
}

export async function uploadFile(s: TestServer, userId: number, query = 'purpose=channel'): Promise<Record<string, any>> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await tinyPng())], { type: 'image/png' }), 'pic.png');
  const res = await fetch(`${s.url}${C}/uploads?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(userId)}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

/**
 * A community with a member in every role, a public and a private channel, a message, a
 * post with a comment, a free tier, an invite, a course link, a clean image attached to the
 * message, and DMs between its member and moderator. It is built public with join approval
 * (so join requests stay pending) and then given its visibility.
 */
export async function buildWorld(s: TestServer, vis: Visibility): Promise<World> {
  const owner = await newHostUser(s, 'teacher');
  const otherOwner = await newHostUser(s, 'teacher');
  const admin = s.demo.adminId;
  const roles = ['outsider', 'pending', 'member', 'muted', 'banned', 'kicked', 'moderator'] as const;
  const users = { owner, otherOwner, admin } as World['users'];
  // Only a course's instructors (or an admin) may link it: the owner co-teaches the demo courses.
  await s.ctx.hostDb
    .insertInto('webinar_partner_teacher')
    .values(s.demo.courseIds.map((webinar_id) => ({ webinar_id, teacher_id: owner })))
    .execute();
  for (const r of roles) users[r] = await newHostUser(s);

  const community = await ok(s, owner, 'POST', C, {
    name: `Matrix ${vis} ${owner}`,
    visibility: 'public',
    settings: { join_approval: true },
  });
  const id = String(community.id);
  const other = await ok(s, otherOwner, 'POST', C, { name: `Matrix other ${otherOwner}`, visibility: 'public' });
  const invite = await ok(s, owner, 'POST', `${C}/${id}/invites`, { max_uses: 10_000 });
  const partial = { id, users, inviteToken: invite.token as string, vis: 'public' as Visibility };
  for (const r of roles) await enrol(s, partial, users[r], r);

  const channel = await ok(s, owner, 'POST', `${C}/${id}/channels`, { name: 'matrix-open' });
  const privateChannel = await ok(s, owner, 'POST', `${C}/${id}/channels`, { name: 'matrix-private', is_private: true });
  const upload = await uploadFile(s, users.member);
  await s.ctx.queue.processAll();
  const message = await ok(s, users.member, 'POST', `${C}/channels/${channel.id}/messages`, {
    content: 'hello from the member',
    attachment_ids: [upload.id],
  });
  await ok(s, owner, 'POST', `${C}/channels/${privateChannel.id}/messages`, { content: 'staff only' });
  const post = await ok(s, users.member, 'POST', `${C}/${id}/feed`, { content: 'a post by the member' });
  const comment = await ok(s, users.member, 'POST', `${C}/feed/${post.id}/comments`, { content: 'a comment' });
  const tier = await ok(s, owner, 'POST', `${C}/${id}/tiers`, { name: 'Free', price_minor: 0, currency: 'USD', is_default: true });
  const courseId = s.demo.courseIds[0]!;
  const link = await ok(s, owner, 'POST', `${C}/${id}/courses`, { course_id: courseId, auto_join: false });
  const roleList = await ok(s, owner, 'GET', `${C}/${id}/roles`);
  const memberRole = (roleList.items as Array<{ id: number; slug: string }>).find((r) => r.slug === 'member')!;
  const dm = await ok(s, users.member, 'POST', `${C}/dm/threads`, { user_ids: [users.moderator] });
  const dmMessage = await ok(s, users.member, 'POST', `${C}/dm/threads/${dm.id}/messages`, { content: 'psst' });
  const group = await ok(s, users.member, 'POST', `${C}/dm/threads`, { user_ids: [users.moderator, owner], group: true, title: 'G' });
  if (vis !== 'public') await ok(s, owner, 'PATCH', `${C}/${id}`, { visibility: vis });

  return {
    vis,
    id,
    communityId: Number(community.id),
    users,
    otherCommunityId: Number(other.id),
    channelId: channel.id,
    privateChannelId: privateChannel.id,
    messageId: message.id,
    postId: post.id,
    commentId: comment.id,
    tierId: tier.id,
    inviteId: invite.id,
    inviteToken: invite.token,
    linkId: link.id,
    memberRoleId: memberRole.id,
    uploadId: upload.id,
    dmThreadId: dm.id,
    groupThreadId: group.id,
    dmMessageId: dmMessage.id,
    courseId,
  };
}
