import { randomBytes } from 'node:crypto';

import { REALTIME_EVENTS, realtimeChannel, type communities as communityEndpoints, type Member } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, can, effectiveStatus, type AccessContext, type Actor, type CommunityFacts } from '../access';
import { decodeCursor, pageOf } from '../platform/cursor';
import { insertedId } from '../platform/db/insert';
import type { CommunityRow } from '../platform/db/schema';
import { inTransaction, type Tx } from '../platform/db/transaction';
import { AppError, conflict, notFound } from '../platform/errors';

import type { CommunityDeps } from './deps';
import { memberWithRoleQuery, type FactsLoader, type MemberWithRole } from './facts';
import { presentMember } from './presenters';
import { publishEvent } from '../realtime/publish-event';

/** With the member list hidden, a member's name lookup answers at most this many, one page. */
export const HIDDEN_LIST_LOOKUP_LIMIT = 10;

type MembersQuery = z.output<(typeof communityEndpoints)['members']['query']>;
type MemberPatch = z.output<(typeof communityEndpoints)['updateMember']['body']>;

const COUNTED = new Set(['active', 'muted']);
/** How a site-wide sanction marks the memberships it set (the moderation module lifts them by it; the engine reads it). */
const SITE_MARK = 'site: ';

/** Joining, leaving, requests, invites, member management, ownership transfer. */
export class MembershipService {
  constructor(
    private readonly ctx: Pick<CommunityDeps, 'bus' | 'broadcaster' | 'clock' | 'config' | 'db' | 'host'>,
    private readonly facts: FactsLoader,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  private now(): string {
    return this.ctx.clock.now().toISOString();
  }

  private bumpCount(trx: Tx, communityId: number, delta: number): Promise<number> {
    return bumpMemberCount(trx, communityId, delta, this.now());
  }

  /**
   * A usable invite for this community, or null. A link lives only as long as its creator's
   * right to make it (checked now, not when it was made: a ban, kick, leaving or a lost role
   * ends it), and it skips approval only when its creator could approve the request anyway.
   */
  private async validInvite(c: { row: CommunityRow; facts: CommunityFacts }, token: string | undefined) {
    if (!token) return null;
    const inv = await this.db.selectFrom('community_invites').selectAll().where('token', '=', token).executeTakeFirst();
    if (!inv || inv.community_id !== c.row.id || inv.revoked_at) return null;
    if (inv.expires_at && inv.expires_at <= this.now()) return null;
    if (inv.max_uses !== null && inv.uses >= inv.max_uses) return null;
    const creator = await this.ctx.host.identities.getUser(inv.created_by);
    if (!creator || creator.state !== 'active') return null;
    const maker: Actor = { userId: creator.id, globalRole: creator.globalRole, isAdmin: creator.isAdmin };
    const m = await this.facts.membership(c.row.id, creator.id);
    const access: AccessContext = { ...this.facts.baseContext(), community: c.facts, membership: m?.facts ?? null };
    if (!can(maker, 'invites.manage', access).allowed) return null;
    return { ...inv, approves: can(maker, 'members.manage', access).allowed };
  }

  async join(
    actor: Actor,
    idOrSlug: string,
    inviteToken?: string,
    intro?: string,
  ): Promise<{ status: 'active' | 'pending'; role: string }> {
    const c = await this.facts.community(idOrSlug);
    if (!c) throw notFound(); // the same answer as a hidden community's
    const invite = await this.validInvite(c, inviteToken);
    const siteSanction = await this.facts.siteSanction(actor.userId);
    const { community, membership, access } = await this.facts.forCommunity(actor, c.row.id, {
      hasValidInvite: invite !== null,
      siteSanction,
    });
    assertCan(actor, 'community.join', access);
    if (membership && COUNTED.has(membership.status)) return { status: 'active', role: membership.role_slug };
    if (membership?.status === 'pending' && !invite?.approves) return { status: 'pending', role: membership.role_slug };
    const required = access.community!.requiredTierIds;
    const held = required.length > 0 ? await this.facts.activeTierIds(community.id, actor.userId) : [];
    if (required.length > 0 && !actor.isAdmin && !held.some((t) => required.includes(t))) {
      throw new AppError('forbidden', 'This community needs a subscription', { details: { reason: 'tier_required', tier_ids: required } });
    }
    // Site admins join directly: the community page offers them "Join", never "Ask to join".
    const needsApproval =
      !actor.isAdmin && !invite?.approves && (community.visibility !== 'public' || access.community!.settings.join_approval);
    const status = needsApproval ? 'pending' : 'active';
    const requestIntro = status === 'pending' && intro ? intro : null;
    // A site-wide mute follows the user into communities joined while it lasts (lifted with it: the site mark).
    const siteMute =
      status === 'active' && siteSanction?.status === 'muted'
        ? {
            status: 'muted' as const,
            mute_expires_at: siteSanction.expiresAt?.toISOString() ?? null,
            ban_reason: (SITE_MARK + (siteSanction.reason ?? '')).slice(0, 500),
          }
        : {};
    return inTransaction(this.db, async (trx) => {
      const now = this.now();
      // The count first: it locks the community row before the member row's foreign key
      // takes a shared lock on it, so concurrent joins queue rather than deadlock (MariaDB).
      const count = status === 'active' ? await this.bumpCount(trx, community.id, 1) : 0;
      const roleId =
        community.default_role_id ??
        (
          await trx
            .selectFrom('community_roles')
            .select('id')
            .where('community_id', '=', community.id)
            .where('slug', '=', 'member')
            .executeTakeFirstOrThrow()
        ).id;
      if (membership) {
        await trx
          .updateTable('community_members')
          .set({
            status,
            joined_at: now,
            updated_at: now,
            source: invite ? 'invite' : 'join',
            request_intro: requestIntro,
            ...siteMute,
          })
          .where('id', '=', membership.id)
          .execute();
      } else {
        await trx
          .insertInto('community_members')
          .values({
            community_id: community.id,
            user_id: actor.userId,
            role_id: roleId,
            joined_at: now,
            status,
            source: invite ? 'invite' : 'join',
            invited_by: invite?.created_by ?? null,
            created_at: now,
            updated_at: now,
            request_intro: requestIntro,
            ...siteMute,
          })
          .execute();
      }
      if (invite) {
        // Guarded so two joins cannot both take an invite's last use.
        const used = await trx
          .updateTable('community_invites')
          .set((eb) => ({ uses: eb('uses', '+', 1), updated_at: now }))
          .where('id', '=', invite.id)
          .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
          .executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) throw conflict('This invite has been used up');
      }
      if (status === 'active')
        await this.ctx.bus.record(trx, 'CommunityJoined', {
          community_id: community.id,
          user_id: actor.userId,
          source: invite ? 'invite' : 'join',
          member_count: count,
        });
      else await this.ctx.bus.record(trx, 'MembershipRequested', { community_id: community.id, user_id: actor.userId });
      const role = await trx
        .selectFrom('community_roles')
        .select('slug')
        .where('id', '=', membership?.role_id ?? roleId)
        .executeTakeFirstOrThrow();
      return { status, role: role.slug };
    });
  }

  async leave(actor: Actor, idOrSlug: string): Promise<void> {
    const { community, membership, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.leave', access);
    if (!membership) throw notFound('You are not a member');
    if (community.owner_id === actor.userId) throw conflict('Transfer ownership before leaving', { reason: 'owner_must_transfer' });
    await this.removeRow(community.id, membership, 'left');
  }

  private async removeRow(communityId: number, m: MemberWithRole, reason: string, also?: (trx: Tx) => Promise<void>): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('community_members').where('id', '=', m.id).execute();
      await also?.(trx);
      if (COUNTED.has(m.status)) await this.bumpCount(trx, communityId, -1);
      if (m.status !== 'pending')
        await this.ctx.bus.record(trx, 'CommunityLeft', { community_id: communityId, user_id: m.user_id, reason });
    });
  }

  private async memberList(
    communityId: number,
    q: { q?: string | undefined; role?: string | undefined; statuses: string[]; cursor?: string | undefined; limit: number },
  ) {
    let query = memberWithRoleQuery(this.db).where('community_members.community_id', '=', communityId);
    query = query.where('community_members.status', 'in', q.statuses);
    if (q.role) query = query.where('community_roles.slug', '=', q.role);
    if (q.q) {
      const found = await this.ctx.host.identities.searchUsers(q.q, 500);
      query = query.where('community_members.user_id', 'in', found.length ? found.map((u) => u.id) : [0]);
    }
    const c = decodeCursor<{ at: string; id: number }>(q.cursor, { at: 'string', id: 'number' });
    if (c)
      query = query.where((eb) =>
        eb.or([
          eb('community_members.joined_at', '<', c.at),
          eb.and([eb('community_members.joined_at', '=', c.at), eb('community_members.id', '<', c.id)]),
        ]),
      );
    const rows = await query
      .orderBy('community_members.joined_at', 'desc')
      .orderBy('community_members.id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = pageOf(rows, q.limit, (r) => ({ at: r.joined_at, id: r.id }));
    const users = await this.ctx.host.identities.getUsers(page.items.map((r) => r.user_id));
    return { items: page.items.map((r) => presentMember(r, users)), next_cursor: page.next_cursor };
  }

  async members(actor: Actor, idOrSlug: string, q: MembersQuery) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    const browse = can(actor, 'members.browse', access);
    if (!browse.allowed) {
      // The owner hid the member list: a member still finds a fellow member by name (@-mentions,
      // the search "From" picker), a few at a time, with no paging through the roster.
      const status = effectiveStatus(access.membership, access.now);
      const lookup =
        browse.reason === 'member_list_hidden' && (status === 'active' || status === 'muted') && !!q.q && !q.status && !q.cursor;
      if (!lookup) assertCan(actor, 'members.browse', access);
      const found = await this.memberList(community.id, {
        ...q,
        limit: Math.min(q.limit, HIDDEN_LIST_LOOKUP_LIMIT),
        statuses: ['active', 'muted'],
      });
      return { items: found.items, next_cursor: null };
    }
    // Pending and banned people are the managers' business.
    if (q.status === 'pending' || q.status === 'banned') assertCan(actor, 'members.manage', access);
    return this.memberList(community.id, { ...q, statuses: q.status ? [q.status] : ['active', 'muted'] });
  }

  async requests(actor: Actor, idOrSlug: string, q: { cursor?: string | undefined; limit: number }) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'members.manage', access);
    return this.memberList(community.id, { ...q, statuses: ['pending'] });
  }

  async decide(actor: Actor, idOrSlug: string, userId: number, decision: 'approve' | 'reject', message?: string): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'members.manage', access);
    const target = await this.facts.membership(community.id, userId);
    if (!target || target.row.status !== 'pending') throw notFound('No such request');
    // The requester hears the outcome live, with the owner's words, once it is committed.
    const tell = () =>
      publishEvent(
        this.ctx,
        realtimeChannel.user(this.ctx.config.chat.broadcast_channel_prefix, userId),
        REALTIME_EVENTS.membershipRequestDecided,
        {
          community_id: community.id,
          slug: community.slug,
          name: community.name,
          decision: decision === 'approve' ? 'approved' : 'rejected',
          message: message || null,
        },
      ).catch(() => {}); // best effort: the requester's next load shows the outcome anyway
    const decided = (trx: Tx, d: 'approved' | 'rejected') =>
      this.ctx.bus.record(trx, 'MembershipDecided', {
        community_id: community.id,
        user_id: userId,
        by_user_id: actor.userId,
        decision: d,
        message: message || null,
      });
    if (decision === 'reject') {
      await this.removeRow(community.id, target.row, 'rejected', (trx) => decided(trx, 'rejected').then(() => {}));
      void tell();
      return;
    }
    await inTransaction(this.db, async (trx, afterCommit) => {
      const now = this.now();
      afterCommit(tell);
      await trx
        .updateTable('community_members')
        .set({ status: 'active', joined_at: now, updated_at: now, request_intro: null })
        .where('id', '=', target.row.id)
        .execute();
      const count = await this.bumpCount(trx, community.id, 1);
      await this.ctx.bus.record(trx, 'CommunityJoined', {
        community_id: community.id,
        user_id: userId,
        source: 'approved',
        member_count: count,
      });
      await decided(trx, 'approved');
    });
  }

  async updateMember(actor: Actor, idOrSlug: string, userId: number, patch: MemberPatch): Promise<Member> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    // Authorise before reading the target, and whatever the patch: a no-op patch must not
    // hand anyone a member's record (hidden communities answer outsiders 404).
    assertCan(actor, 'members.manage', access);
    const target = await this.facts.membership(community.id, userId);
    if (!target || target.row.status === 'pending') throw notFound('No such member');
    const targetFacts = { targetMembership: target.facts, targetUserId: userId };
    assertCan(actor, 'members.manage', { ...access, target: targetFacts });
    let role: { id: number; slug: string; rank: number } | undefined;
    if (patch.role !== undefined && patch.role !== target.row.role_slug) {
      if (patch.role === 'owner')
        throw new AppError('forbidden', 'Use transfer to change the owner', { details: { reason: 'use_transfer' } });
      role = await this.db
        .selectFrom('community_roles')
        .select(['id', 'slug', 'rank'])
        .where('community_id', '=', community.id)
        .where('slug', '=', patch.role)
        .executeTakeFirst();
      if (!role)
        throw new AppError('validation_failed', 'The request is not valid', {
          issues: [{ path: 'body.role', code: 'unknown_role', message: `No role "${patch.role}" here` }],
        });
      assertCan(actor, 'members.change_role', { ...access, target: { ...targetFacts, newRoleRank: role.rank } });
    }
    const now = this.ctx.clock.now();
    const until = patch.duration_minutes ? new Date(now.getTime() + patch.duration_minutes * 60_000).toISOString() : null;
    const before = target.row;
    await inTransaction(this.db, async (trx) => {
      const iso = now.toISOString();
      await trx
        .updateTable('community_members')
        .set({
          ...(role ? { role_id: role.id } : {}),
          // ban_reason holds the reason of the current mute or ban: the 403 tells the member why.
          ...(patch.status === 'muted' ? { status: 'muted', mute_expires_at: until, ban_reason: patch.reason ?? null } : {}),
          ...(patch.status === 'banned' ? { status: 'banned', ban_expires_at: until, ban_reason: patch.reason ?? null } : {}),
          ...(patch.status === 'active' ? { status: 'active', mute_expires_at: null, ban_expires_at: null, ban_reason: null } : {}),
          updated_at: iso,
        })
        .where('id', '=', before.id)
        .execute();
      const wasCounted = COUNTED.has(before.status);
      const isCounted = patch.status ? COUNTED.has(patch.status) : wasCounted;
      if (wasCounted !== isCounted) await this.bumpCount(trx, community.id, isCounted ? 1 : -1);
      const lifting = patch.status === 'active' && (before.status === 'muted' || before.status === 'banned');
      if (lifting || patch.status === 'muted' || patch.status === 'banned') {
        // A new sanction replaces the current one; lifting ends it (the expiry job skips revoked ones).
        await trx
          .updateTable('user_moderation_actions')
          .set({ revoked_at: iso, updated_at: iso })
          .where('user_id', '=', userId)
          .where('community_id', '=', community.id)
          .where('action', 'in', ['mute', 'ban'])
          .where('revoked_at', 'is', null)
          .execute();
      }
      if (lifting)
        await trx
          .insertInto('user_moderation_actions')
          .values({
            user_id: userId,
            community_id: community.id,
            action: before.status === 'muted' ? 'unmute' : 'unban',
            reason: patch.reason ?? null,
            expires_at: null,
            performed_by: actor.userId,
            source: 'manual',
            created_at: iso,
            updated_at: iso,
          })
          .execute();
      if (patch.status === 'muted' || patch.status === 'banned') {
        await trx
          .insertInto('user_moderation_actions')
          .values({
            user_id: userId,
            community_id: community.id,
            action: patch.status === 'muted' ? 'mute' : 'ban',
            reason: patch.reason ?? null,
            expires_at: until,
            performed_by: actor.userId,
            source: 'manual',
            created_at: iso,
            updated_at: iso,
          })
          .execute();
      }
      if (role)
        await this.ctx.bus.record(trx, 'MemberRoleChanged', {
          community_id: community.id,
          user_id: userId,
          by_user_id: actor.userId,
          from: before.role_slug,
          to: role.slug,
        });
      if (patch.status === 'banned')
        await this.ctx.bus.record(trx, 'UserBanned', {
          community_id: community.id,
          user_id: userId,
          by_user_id: actor.userId,
          expires_at: until,
          source: 'manual',
          reason: patch.reason ?? null,
        });
      if (patch.status === 'muted')
        await this.ctx.bus.record(trx, 'UserMuted', {
          community_id: community.id,
          user_id: userId,
          by_user_id: actor.userId,
          expires_at: until,
          source: 'manual',
          reason: patch.reason ?? null,
        });
    });
    const after = (await this.facts.membership(community.id, userId))!;
    return presentMember(after.row, await this.ctx.host.identities.getUsers([userId]));
  }

  async removeMember(actor: Actor, idOrSlug: string, userId: number, reason?: string): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    // First, so that "no such member" is never an answer to someone who may not manage members.
    assertCan(actor, 'members.manage', access);
    const target = await this.facts.membership(community.id, userId);
    if (!target) throw notFound('No such member');
    assertCan(actor, 'members.manage', { ...access, target: { targetMembership: target.facts, targetUserId: userId } });
    await this.removeRow(community.id, target.row, 'removed', async (trx) => {
      const iso = this.now();
      await trx
        .insertInto('user_moderation_actions')
        .values({
          user_id: userId,
          community_id: community.id,
          action: 'kick',
          reason: reason ?? null,
          expires_at: null,
          performed_by: actor.userId,
          source: 'manual',
          created_at: iso,
          updated_at: iso,
        })
        .execute();
    });
  }

  async transfer(actor: Actor, idOrSlug: string, userId: number, confirmName?: string): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.transfer', access);
    if (confirmName !== undefined && confirmName.trim() !== community.name.trim())
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: [{ path: 'body.confirm_name', code: 'confirm_mismatch', message: "Type the community's name to hand it over" }],
      });
    const target = await this.facts.membership(community.id, userId);
    if (!target || target.row.status !== 'active')
      throw conflict('The new owner must be an active member', { reason: 'not_active_member' });
    if (userId === community.owner_id) return;
    const roles = await this.db
      .selectFrom('community_roles')
      .select(['id', 'slug'])
      .where('community_id', '=', community.id)
      .where('slug', 'in', ['owner', 'moderator'])
      .execute();
    const ownerRole = roles.find((r) => r.slug === 'owner')!;
    const modRole = roles.find((r) => r.slug === 'moderator')!;
    const oldOwner = community.owner_id;
    await inTransaction(this.db, async (trx) => {
      const now = this.now();
      await trx.updateTable('communities').set({ owner_id: userId, updated_at: now }).where('id', '=', community.id).execute();
      await trx.updateTable('community_members').set({ role_id: ownerRole.id, updated_at: now }).where('id', '=', target.row.id).execute();
      await trx
        .updateTable('community_members')
        .set({ role_id: modRole.id, updated_at: now })
        .where('community_id', '=', community.id)
        .where('user_id', '=', oldOwner)
        .execute();
      await this.ctx.bus.record(trx, 'MemberRoleChanged', {
        community_id: community.id,
        user_id: userId,
        by_user_id: actor.userId,
        from: target.row.role_slug,
        to: 'owner',
      });
      await this.ctx.bus.record(trx, 'MemberRoleChanged', {
        community_id: community.id,
        user_id: oldOwner,
        by_user_id: actor.userId,
        from: 'owner',
        to: 'moderator',
      });
    });
  }

  async createInvite(actor: Actor, idOrSlug: string, body: { expires_in_hours?: number | undefined; max_uses?: number | undefined }) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'invites.manage', access);
    const now = this.ctx.clock.now();
    const token = randomBytes(18).toString('base64url');
    const id = await insertedId(
      this.db,
      this.db.insertInto('community_invites').values({
        community_id: community.id,
        token,
        created_by: actor.userId,
        expires_at: body.expires_in_hours ? new Date(now.getTime() + body.expires_in_hours * 3_600_000).toISOString() : null,
        max_uses: body.max_uses ?? null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      }),
    );
    return this.presentInvite(await this.db.selectFrom('community_invites').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  presentInvite(i: {
    id: number;
    token: string;
    expires_at: string | null;
    max_uses: number | null;
    uses: number;
    revoked_at: string | null;
    created_at: string;
  }) {
    const base = (this.ctx.config.http.public_url ?? '') + this.ctx.config.http.base_path + this.ctx.config.http.web_path;
    return {
      id: i.id,
      token: i.token,
      url: `${base}/invite/${i.token}`,
      expires_at: i.expires_at,
      max_uses: i.max_uses,
      uses: i.uses,
      revoked: i.revoked_at !== null,
      created_at: i.created_at,
    };
  }

  async invites(actor: Actor, idOrSlug: string) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'invites.manage', access);
    let q = this.db.selectFrom('community_invites').selectAll().where('community_id', '=', community.id);
    // Managers see every link; members see the ones they made.
    if (!actor.isAdmin && community.owner_id !== actor.userId && !access.membership?.role.permissions.includes('manage_members'))
      q = q.where('created_by', '=', actor.userId);
    return { items: (await q.orderBy('id', 'desc').limit(200).execute()).map((i) => this.presentInvite(i)) };
  }

  async revokeInvite(actor: Actor, idOrSlug: string, inviteId: number): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'invites.manage', access);
    const inv = await this.db
      .selectFrom('community_invites')
      .selectAll()
      .where('id', '=', inviteId)
      .where('community_id', '=', community.id)
      .executeTakeFirst();
    if (!inv) throw notFound('No such invite');
    const manager = actor.isAdmin || community.owner_id === actor.userId || access.membership?.role.permissions.includes('manage_members');
    if (inv.created_by !== actor.userId && !manager) throw new AppError('forbidden', 'Only its creator or a manager may revoke an invite');
    await this.db
      .updateTable('community_invites')
      .set({ revoked_at: this.now(), updated_at: this.now() })
      .where('id', '=', inv.id)
      .execute();
  }

  async invitePreview(token: string) {
    const inv = await this.db.selectFrom('community_invites').selectAll().where('token', '=', token).executeTakeFirst();
    const c = inv ? await this.facts.community(inv.community_id) : null;
    if (!inv || !c) throw notFound('No such invite');
    return { invite: inv, valid: (await this.validInvite(c, token)) !== null };
  }
}

/**
 * Adds `delta` to a community's member count and returns the new count, read in the same
 * transaction: the row lock (or SQLite's single writer) gives each join its own number.
 */
export async function bumpMemberCount(trx: Tx, communityId: number, delta: number, now: string): Promise<number> {
  await trx
    .updateTable('communities')
    .set((eb) => ({ member_count: eb('member_count', '+', delta), updated_at: now }))
    .where('id', '=', communityId)
    .execute();
  const row = await trx.selectFrom('communities').select('member_count').where('id', '=', communityId).executeTakeFirstOrThrow();
  return row.member_count;
}
