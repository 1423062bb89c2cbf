import { MODERATION_REALTIME_EVENTS, type DomainEvent, type Sanction, type siteSanctionBody } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, type Actor } from '../access';
import { pageById } from '../platform/cursor';
import { inTransaction, type Tx } from '../platform/db/transaction';
import { notFound } from '../platform/errors';

import type { AuditLog } from './audit';
import type { ModerationDeps } from './deps';
import { summary, type ModerationPublisher } from './present';

/** The job that lifts sanctions whose time is up. */
export const EXPIRE_JOB = 'moderation.expire';
/** Marks a membership sanctioned by a site-wide action, so lifting that action restores it. */
export const SITE_MARK = 'site: ';

/**
 * Sanctions: warnings, timed or permanent mutes and bans per community (through the members
 * route) or site-wide (admins), lifted by a job when they expire; and the automatic mute and
 * ban when a member's violations reach moderation.actions thresholds within the window.
 */
export class SanctionService {
  constructor(
    private readonly ctx: Pick<ModerationDeps, 'bus' | 'clock' | 'config' | 'db' | 'facts' | 'host'>,
    private readonly audit: AuditLog,
    private readonly publish: ModerationPublisher,
    /** The community's moderators (owners and roles that may moderate): who hears of automatic sanctions. */
    private readonly moderatorsOf: (communityId: number) => Promise<number[]>,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  private now() {
    return this.ctx.clock.now();
  }

  async warn(actor: Actor, idOrSlug: string, userId: number, reason: string): Promise<void> {
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'members.manage', access);
    const target = await this.ctx.facts.membership(community.id, userId);
    if (!target || target.row.status === 'pending') throw notFound('No such member');
    assertCan(actor, 'members.manage', { ...access, target: { targetMembership: target.facts, targetUserId: userId } });
    await inTransaction(this.db, async (trx) => {
      await this.audit.write(trx, { action: 'warning', userId, communityId: community.id, by: actor.userId, reason });
      await this.ctx.bus.record(trx, 'UserWarned', { community_id: community.id, user_id: userId, by_user_id: actor.userId, reason });
    });
  }

  /** After commit: the sanctioned user hears of it at once (reason and end); an automatic one reaches the moderators too. */
  async notify(e: DomainEvent<'UserMuted' | 'UserBanned' | 'UserWarned'>): Promise<void> {
    const p = e.payload as {
      community_id: number | null;
      user_id: number;
      reason?: string | null;
      expires_at?: string | null;
      source?: string;
    };
    this.publish.toUsers([p.user_id], MODERATION_REALTIME_EVENTS.sanctionApplied, {
      community_id: p.community_id,
      action: e.name === 'UserMuted' ? 'mute' : e.name === 'UserBanned' ? 'ban' : 'warning',
      reason: p.reason ?? null,
      until: p.expires_at ?? null,
      source: p.source ?? 'manual',
    });
    if (p.source === 'auto' && p.community_id !== null && e.name !== 'UserWarned') {
      const to = (await this.moderatorsOf(p.community_id)).filter((id) => id !== p.user_id);
      this.publish.toUsers(to, MODERATION_REALTIME_EVENTS.autoSanction, {
        community_id: p.community_id,
        user_id: p.user_id,
        action: e.name === 'UserMuted' ? 'mute' : 'ban',
        reason: p.reason ?? '',
        until: p.expires_at ?? null,
      });
    }
  }

  private until(minutes: number | undefined): string | null {
    return minutes ? new Date(this.now().getTime() + minutes * 60_000).toISOString() : null;
  }

  async sanctionSite(actor: Actor, body: z.output<typeof siteSanctionBody>) {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    const users = await this.ctx.host.identities.getUsers([body.user_id]);
    if (!users.get(body.user_id)) throw notFound('No such user');
    const until = body.action === 'warning' ? null : this.until(body.duration_minutes);
    const iso = this.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      await this.audit.write(trx, {
        action: body.action,
        userId: body.user_id,
        communityId: null,
        by: actor.userId,
        reason: body.reason,
        expiresAt: until,
        source: 'site',
      });
      if (body.action === 'warning') {
        await this.ctx.bus.record(trx, 'UserWarned', {
          community_id: null,
          user_id: body.user_id,
          by_user_id: actor.userId,
          reason: body.reason,
        });
        return;
      }
      // Every membership takes the sanction (marked, so lifting the site-wide one restores them).
      const status = body.action === 'mute' ? 'muted' : 'banned';
      await trx
        .updateTable('community_members')
        .set({
          status,
          ...(status === 'muted' ? { mute_expires_at: until } : { ban_expires_at: until }),
          ban_reason: (SITE_MARK + body.reason).slice(0, 500),
          updated_at: iso,
        })
        .where('user_id', '=', body.user_id)
        .where('status', 'in', body.action === 'mute' ? ['active'] : ['active', 'muted'])
        .execute();
      const payload = {
        community_id: null,
        user_id: body.user_id,
        by_user_id: actor.userId,
        expires_at: until,
        source: 'site',
        reason: body.reason,
      };
      await this.ctx.bus.record(trx, body.action === 'mute' ? 'UserMuted' : 'UserBanned', payload);
    });
    const row = await this.db
      .selectFrom('user_moderation_actions')
      .selectAll()
      .where('user_id', '=', body.user_id)
      .where('community_id', 'is', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const who = await this.ctx.host.identities.getUsers([body.user_id, actor.userId]);
    return { ...this.present1(row, who), action: body.action };
  }

  async liftSite(actor: Actor, sanctionId: number): Promise<void> {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    const row = await this.db
      .selectFrom('user_moderation_actions')
      .selectAll()
      .where('id', '=', sanctionId)
      .where('community_id', 'is', null)
      .where('action', 'in', ['mute', 'ban'])
      .executeTakeFirst();
    if (!row || row.revoked_at) throw notFound('No such sanction');
    await inTransaction(this.db, (trx) => this.lift(trx, row, actor.userId, 'manual'));
  }

  /** Lifts one sanction: its memberships back to active, the action revoked, an audit entry. */
  private async lift(
    trx: Tx,
    row: { id: number; user_id: number; community_id: number | null; action: string },
    by: number | null,
    source: 'manual' | 'job',
  ): Promise<void> {
    const iso = this.now().toISOString();
    await trx.updateTable('user_moderation_actions').set({ revoked_at: iso, updated_at: iso }).where('id', '=', row.id).execute();
    const status = row.action === 'mute' ? 'muted' : 'banned';
    let q = trx
      .updateTable('community_members')
      .set({ status: 'active', mute_expires_at: null, ban_expires_at: null, ban_reason: null, updated_at: iso })
      .where('user_id', '=', row.user_id)
      .where('status', '=', status);
    q = row.community_id === null ? q.where('ban_reason', 'like', `${SITE_MARK}%`) : q.where('community_id', '=', row.community_id);
    await q.execute();
    await this.audit.write(trx, {
      action: row.action === 'mute' ? 'unmute' : 'unban',
      userId: row.user_id,
      communityId: row.community_id,
      by,
      reason: source === 'job' ? 'expired' : null,
      source,
      target: { type: 'sanction', id: row.id },
    });
  }

  /**
   * The expiry job: every mute or ban whose end has passed is lifted (memberships and the
   * audit log), and its user told. Idempotent: a lifted sanction is not picked again.
   */
  async expireDue(): Promise<number> {
    const now = this.now().toISOString();
    const due = await this.db
      .selectFrom('user_moderation_actions')
      .select(['id', 'user_id', 'community_id', 'action'])
      .where('action', 'in', ['mute', 'ban'])
      .where('revoked_at', 'is', null)
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .orderBy('id')
      .limit(500)
      .execute();
    for (const row of due) {
      await inTransaction(this.db, async (trx) => {
        // Lifted by someone else meanwhile: nothing to do.
        const still = await trx.selectFrom('user_moderation_actions').select('revoked_at').where('id', '=', row.id).executeTakeFirst();
        if (!still || still.revoked_at) return;
        await this.lift(trx, row, null, 'job');
      });
      this.publish.toUsers([row.user_id], MODERATION_REALTIME_EVENTS.sanctionApplied, {
        community_id: row.community_id,
        action: 'lift',
        reason: null,
        until: null,
        source: 'job',
      });
    }
    // Memberships whose end passed without an action row (older data): back to active too.
    await this.db
      .updateTable('community_members')
      .set({ status: 'active', mute_expires_at: null, updated_at: now })
      .where('status', '=', 'muted')
      .where('mute_expires_at', 'is not', null)
      .where('mute_expires_at', '<=', now)
      .execute();
    await this.db
      .updateTable('community_members')
      .set({ status: 'active', ban_expires_at: null, ban_reason: null, updated_at: now })
      .where('status', '=', 'banned')
      .where('ban_expires_at', 'is not', null)
      .where('ban_expires_at', '<=', now)
      .execute();
    return due.length;
  }

  /**
   * The durable subscriber of ContentViolated: counts the user's violations in the community
   * within moderation.actions.window_days (since their last automatic sanction, so one mute
   * does not follow another at every later hit) and mutes or bans at the thresholds. Delivered
   * one at a time in commit order, so concurrent violations are counted exactly.
   */
  async onViolation(e: DomainEvent<'ContentViolated'>): Promise<void> {
    const a = this.ctx.config.moderation.actions;
    const { user_id: userId, community_id: communityId } = e.payload;
    if (communityId === null || (a.auto_mute_threshold === 0 && a.auto_ban_threshold === 0)) return;
    const member = await this.ctx.facts.membership(communityId, userId);
    if (!member || member.row.status === 'banned' || member.row.status === 'pending') return;
    if (member.row.role_slug === 'owner' || member.row.role_slug === 'moderator') return;
    const windowStart = new Date(this.now().getTime() - a.window_days * 86_400_000).toISOString();
    const count = async (since: string) =>
      Number(
        (
          await this.db
            .selectFrom('moderation_violations')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('user_id', '=', userId)
            .where('community_id', '=', communityId)
            .where('created_at', '>=', since)
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const total = await count(windowStart);
    if (a.auto_ban_threshold > 0 && total >= a.auto_ban_threshold)
      return this.autoSanction(communityId, userId, 'ban', a.auto_ban_minutes || undefined, total);
    if (a.auto_mute_threshold === 0 || member.row.status === 'muted') return;
    const lastAuto = await this.db
      .selectFrom('user_moderation_actions')
      .select('created_at')
      .where('user_id', '=', userId)
      .where('community_id', '=', communityId)
      .where('action', '=', 'mute')
      .where('source', '=', 'auto')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const since = lastAuto && lastAuto.created_at > windowStart ? lastAuto.created_at : windowStart;
    const sinceLast = lastAuto && lastAuto.created_at > windowStart ? await count(since) : total;
    if (sinceLast >= a.auto_mute_threshold) await this.autoSanction(communityId, userId, 'mute', a.auto_mute_minutes, sinceLast);
  }

  private async autoSanction(communityId: number, userId: number, action: 'mute' | 'ban', minutes: number | undefined, count: number) {
    const until = this.until(minutes);
    const reason = `automatic: ${count} violations in ${this.ctx.config.moderation.actions.window_days} days`;
    const iso = this.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      // Conditional: a concurrent manual sanction, or a redelivered event, changes nothing twice.
      const res = await trx
        .updateTable('community_members')
        .set({
          status: action === 'mute' ? 'muted' : 'banned',
          ...(action === 'mute' ? { mute_expires_at: until } : { ban_expires_at: until }),
          ban_reason: reason,
          updated_at: iso,
        })
        .where('community_id', '=', communityId)
        .where('user_id', '=', userId)
        .where('status', 'in', action === 'mute' ? ['active'] : ['active', 'muted'])
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return;
      if (action === 'ban') {
        await trx
          .updateTable('communities')
          .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
          .where('id', '=', communityId)
          .where('member_count', '>', 0)
          .execute();
      }
      await this.audit.write(trx, { action, userId, communityId, by: null, reason, expiresAt: until, source: 'auto' });
      const payload = { community_id: communityId, user_id: userId, by_user_id: null, expires_at: until, source: 'auto', reason };
      await this.ctx.bus.record(trx, action === 'mute' ? 'UserMuted' : 'UserBanned', payload);
    });
  }

  private present1(
    r: {
      id: number;
      community_id: number | null;
      user_id: number;
      action: string;
      reason: string | null;
      expires_at: string | null;
      performed_by: number | null;
      source: string;
      created_at: string;
    },
    users: Awaited<ReturnType<ModerationDeps['host']['identities']['getUsers']>>,
  ): Sanction {
    return {
      id: r.id,
      community_id: r.community_id,
      user: summary(users, r.user_id)!,
      action: r.action as Sanction['action'],
      reason: r.reason,
      expires_at: r.expires_at,
      moderator: summary(users, r.performed_by),
      source: r.source,
      created_at: r.created_at,
    };
  }

  /** Active mutes and bans: not lifted and not expired. */
  private activeQuery() {
    const now = this.now().toISOString();
    return this.db
      .selectFrom('user_moderation_actions')
      .selectAll()
      .where('action', 'in', ['mute', 'ban'])
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  }

  private async page(q: ReturnType<SanctionService['activeQuery']>, p: { cursor?: string | undefined; limit: number }) {
    const page = await pageById(q, p, 'desc');
    const ids = [...new Set(page.items.flatMap((r) => [r.user_id, r.performed_by ?? 0]).filter((id) => id > 0))];
    const users = await this.ctx.host.identities.getUsers(ids);
    return { items: page.items.map((r) => this.present1(r, users)), next_cursor: page.next_cursor };
  }

  async list(actor: Actor, idOrSlug: string, p: { cursor?: string | undefined; limit: number }) {
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'moderation.review', access);
    return this.page(this.activeQuery().where('community_id', '=', community.id), p);
  }

  async listSite(actor: Actor, p: { cursor?: string | undefined; limit: number }) {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    return this.page(this.activeQuery(), p);
  }
}
