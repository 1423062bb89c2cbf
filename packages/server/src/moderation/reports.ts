import {
  MODERATION_REALTIME_EVENTS,
  type createReportBody,
  type queueQuery,
  type updateReportBody,
  type ModerationReport,
  type ModerationReportDetail,
  type MyReport,
  type ReportStatus,
  type ReportTargetType,
} from '@communities/contract';
import type { Selectable } from 'kysely';
import type { z } from 'zod';

import { assertCan, can, type AccessContext, type Actor } from '../access';
import type { HostUser } from '../host/ports';
import { pageById } from '../platform/cursor';
import type { ModerationReportsTable } from '../platform/db/tables';
import { insertedId } from '../platform/db/insert';
import { inTransaction } from '../platform/db/transaction';
import { conflict, notFound } from '../platform/errors';

import type { AuditLog } from './audit';
import type { ModerationDeps } from './deps';
import { summary, type ModerationPublisher } from './present';

type ReportRow = Selectable<ModerationReportsTable>;
type CreateBody = z.output<typeof createReportBody>;
type QueueQuery = z.output<typeof queueQuery>;
type UpdateBody = z.output<typeof updateReportBody>;

interface Target {
  communityId: number | null;
  authorId: number | null;
  content: string | null;
  createdAt: string | null;
  containerId: number | null;
  state: ModerationReport['target']['moderation_state'];
}

const OPEN: ReportStatus[] = ['open', 'reviewing'];
const openKey = (reporter: number, type: string, id: number) => `${reporter}:${type}:${id}`;

/**
 * Reports and the queues. Anyone may report what they can see (what they cannot see is a 404,
 * as if it did not exist); one open report per reporter and target, held by the unique
 * `open_key`. Moderators of a community read its queue; site admins read every queue, DMs
 * included, and see a reported DM only through a bounded window that is audit-logged.
 */
export class ReportService {
  constructor(
    private readonly ctx: Pick<ModerationDeps, 'bus' | 'clock' | 'config' | 'db' | 'facts' | 'host'>,
    private readonly audit: AuditLog,
    private readonly publish: ModerationPublisher,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  /** The target as the caller may see it; 404 for what does not exist or is not theirs to see. */
  private async visibleTarget(actor: Actor, type: ReportTargetType, id: number, communityId?: number): Promise<Target> {
    const facts = this.ctx.facts;
    const seen = (access: AccessContext, action: Parameters<typeof can>[1]) => {
      if (!can(actor, action, access).allowed) throw notFound();
    };
    if (type === 'channel_message') {
      const row = await this.db
        .selectFrom('channel_messages')
        .selectAll()
        .where('id', '=', id)
        .where('is_deleted', '=', 0)
        .executeTakeFirst();
      const channel = row && (await facts.channel(row.channel_id));
      if (!row || !channel) throw notFound();
      const { access } = await facts.forCommunity(actor, channel.row.community_id, { channel: channel.facts });
      seen(access, 'channel.view');
      if (row.moderation_state !== 'visible' && row.moderation_state !== 'flagged' && row.user_id !== actor.userId)
        seen(access, 'moderation.review');
      return {
        communityId: channel.row.community_id,
        authorId: row.user_id,
        content: row.content,
        createdAt: row.created_at,
        containerId: row.channel_id,
        state: row.moderation_state as Target['state'],
      };
    }
    if (type === 'dm_message') {
      const row = await this.db.selectFrom('dm_messages').selectAll().where('id', '=', id).where('is_deleted', '=', 0).executeTakeFirst();
      if (!row) throw notFound();
      const part = await this.db
        .selectFrom('dm_participants')
        .select('user_id')
        .where('thread_id', '=', row.thread_id)
        .where('user_id', '=', actor.userId)
        .executeTakeFirst();
      if (!part) throw notFound();
      return {
        communityId: null,
        authorId: row.user_id,
        content: row.content,
        createdAt: row.created_at,
        containerId: row.thread_id,
        state: row.moderation_state as Target['state'],
      };
    }
    if (type === 'feed_item' || type === 'feed_comment') {
      const comment =
        type === 'feed_comment'
          ? await this.db
              .selectFrom('central_feed_comments')
              .selectAll()
              .where('id', '=', id)
              .where('deleted_at', 'is', null)
              .executeTakeFirst()
          : null;
      if (type === 'feed_comment' && !comment) throw notFound();
      const itemId = comment ? comment.feed_item_id : id;
      const item = await this.db
        .selectFrom('central_feed_items')
        .selectAll()
        .where('id', '=', itemId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!item) throw notFound();
      if (item.community_id !== null) {
        const { access } = await facts.forCommunity(actor, item.community_id);
        seen(access, 'feed.read');
      }
      const src = comment ?? item;
      return {
        communityId: item.community_id,
        authorId: src.user_id,
        content: src.content,
        createdAt: src.created_at,
        containerId: comment ? item.id : item.community_id,
        state: src.moderation_state as Target['state'],
      };
    }
    // A user: in a community the caller may list the members of, or site-wide.
    const users = await this.ctx.host.identities.getUsers([id]);
    if (!users.get(id)) throw notFound();
    if (communityId !== undefined) {
      const { access } = await facts.forCommunity(actor, communityId);
      seen(access, 'members.list');
      const m = await facts.membership(communityId, id);
      if (!m) throw notFound();
    }
    return { communityId: communityId ?? null, authorId: id, content: null, createdAt: null, containerId: null, state: null };
  }

  async create(actor: Actor, body: CreateBody): Promise<MyReport> {
    const target = await this.visibleTarget(actor, body.target_type, body.target_id, body.community_id);
    if (target.authorId === actor.userId) throw notFound('You cannot report yourself');
    const key = openKey(actor.userId, body.target_type, body.target_id);
    const now = this.ctx.clock.now().toISOString();
    let id: number;
    try {
      id = await inTransaction(this.db, async (trx) => {
        const reportId = await insertedId(
          trx,
          trx.insertInto('moderation_reports').values({
            reporter_id: actor.userId,
            community_id: target.communityId,
            target_type: body.target_type,
            target_id: body.target_id,
            target_user_id: target.authorId,
            reason: body.reason,
            note: body.note || null,
            status: 'open',
            source: 'user',
            open_key: key,
            created_at: now,
            updated_at: now,
          }),
        );
        await this.ctx.bus.record(trx, 'ReportCreated', {
          community_id: target.communityId,
          user_id: actor.userId,
          report_id: reportId,
          target_type: body.target_type,
          target_id: body.target_id,
          reason: body.reason,
          source: 'user',
        });
        return reportId;
      });
    } catch (error) {
      // The unique open_key: this reporter already has an open report on it (a race, or a repeat).
      const open = await this.db.selectFrom('moderation_reports').select('id').where('open_key', '=', key).executeTakeFirst();
      if (open) throw conflict('You have already reported this', { reason: 'already_reported', report_id: open.id });
      throw error;
    }
    const row = await this.db.selectFrom('moderation_reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return this.mine1(row);
  }

  private mine1(r: ReportRow): MyReport {
    const closed = r.status === 'resolved' || r.status === 'dismissed';
    return {
      id: r.id,
      target_type: r.target_type as ReportTargetType,
      target_id: r.target_id,
      reason: r.reason,
      note: r.note,
      status: r.status as ReportStatus,
      outcome: closed ? r.resolution_notes : null,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  async mine(actor: Actor, q: { cursor?: string | undefined; limit: number }) {
    const page = await pageById(this.db.selectFrom('moderation_reports').selectAll().where('reporter_id', '=', actor.userId), q, 'desc');
    return { items: page.items.map((r) => this.mine1(r)), next_cursor: page.next_cursor };
  }

  /** Who gets a new report live: the community's owner and everyone whose role may moderate; site admins for the rest. */
  async moderatorsOf(communityId: number | null): Promise<number[]> {
    if (communityId === null) return (await this.ctx.host.identities.admins(200)).map((u) => u.id);
    const roles = await this.db
      .selectFrom('community_roles')
      .select(['id', 'slug', 'permissions'])
      .where('community_id', '=', communityId)
      .execute();
    const ids = roles.filter((r) => r.slug === 'owner' || (JSON.parse(r.permissions) as string[]).includes('moderate')).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('community_members')
      .select('user_id')
      .where('community_id', '=', communityId)
      .where('role_id', 'in', ids)
      .where('status', 'in', ['active', 'muted'])
      .limit(500)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** After commit (ReportCreated): tells the online moderators. */
  async announce(e: {
    report_id: number;
    community_id: number | null;
    target_type: string;
    target_id: number;
    reason: string;
    source: string;
  }) {
    const row = await this.db.selectFrom('moderation_reports').select('created_at').where('id', '=', e.report_id).executeTakeFirst();
    const to = await this.moderatorsOf(e.community_id);
    this.publish.toUsers(to, MODERATION_REALTIME_EVENTS.reportCreated, {
      report_id: e.report_id,
      community_id: e.community_id,
      target_type: e.target_type as ReportTargetType,
      target_id: e.target_id,
      reason: e.reason,
      source: e.source as 'user' | 'filter' | 'spam',
      created_at: row?.created_at ?? this.ctx.clock.now().toISOString(),
    });
  }

  private queueQuery(q: QueueQuery) {
    let query = this.db.selectFrom('moderation_reports').selectAll();
    query = q.status ? query.where('status', '=', q.status) : query.where('status', 'in', OPEN);
    if (q.target_type) query = query.where('target_type', '=', q.target_type);
    return query;
  }

  async queue(actor: Actor, idOrSlug: string, q: QueueQuery) {
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'moderation.review', access);
    const page = await pageById(this.queueQuery(q).where('community_id', '=', community.id), q, 'desc');
    return { items: await this.present(page.items), next_cursor: page.next_cursor };
  }

  async globalQueue(actor: Actor, q: QueueQuery) {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    const page = await pageById(this.queueQuery(q), q, 'desc');
    return { items: await this.present(page.items), next_cursor: page.next_cursor };
  }

  /** A report the caller may handle: its community's moderators, or a site admin; 404 to anyone else. */
  private async handled(actor: Actor, reportId: number): Promise<ReportRow> {
    const row = await this.db.selectFrom('moderation_reports').selectAll().where('id', '=', reportId).executeTakeFirst();
    if (!row) throw notFound('No such report');
    if (actor.isAdmin) return row;
    if (row.community_id === null) throw notFound('No such report');
    const { access } = await this.ctx.facts.forCommunity(actor, row.community_id);
    if (!can(actor, 'moderation.review', access).allowed) throw notFound('No such report');
    return row;
  }

  async get(actor: Actor, reportId: number): Promise<ModerationReportDetail> {
    const row = await this.handled(actor, reportId);
    const [report] = await this.present([row]);
    let context: ModerationReportDetail['context'] = [];
    if (row.target_type === 'dm_message') {
      const target = await this.db.selectFrom('dm_messages').select(['thread_id']).where('id', '=', row.target_id).executeTakeFirst();
      if (target) {
        const n = this.ctx.config.moderation.dm_context_messages;
        const base = () =>
          this.db.selectFrom('dm_messages').selectAll().where('thread_id', '=', target.thread_id).where('is_deleted', '=', 0);
        const before = await base().where('id', '<', row.target_id).orderBy('id', 'desc').limit(n).execute();
        const from = await base()
          .where('id', '>=', row.target_id)
          .orderBy('id', 'asc')
          .limit(n + 1)
          .execute();
        const rows = [...before.reverse(), ...from];
        const users = await this.ctx.host.identities.getUsers([...new Set(rows.map((r) => r.user_id))]);
        context = rows.map((m) => ({
          id: m.id,
          author: summary(users, m.user_id),
          content: m.content,
          created_at: m.created_at,
          is_target: m.id === row.target_id,
        }));
      }
      // Every look into a DM by staff leaves a trace.
      await this.audit.write(this.db, {
        action: 'dm_view',
        userId: row.target_user_id ?? 0,
        communityId: null,
        by: actor.userId,
        reason: `report #${row.id}`,
        target: { type: 'dm_message', id: row.target_id },
      });
    }
    return { ...report!, context };
  }

  async update(actor: Actor, reportId: number, body: UpdateBody): Promise<ModerationReport> {
    const row = await this.handled(actor, reportId);
    const now = this.ctx.clock.now().toISOString();
    const status = body.status ?? (row.status as ReportStatus);
    const closing = (status === 'resolved' || status === 'dismissed') && OPEN.includes(row.status as ReportStatus);
    const reopening = OPEN.includes(status) && !OPEN.includes(row.status as ReportStatus);
    const assigned =
      body.assigned_to !== undefined
        ? body.assigned_to
        : body.status === 'reviewing' && row.assigned_to === null
          ? actor.userId
          : row.assigned_to;
    if (body.assigned_to && body.assigned_to !== row.assigned_to) {
      // Only someone who may handle the report can be given it.
      const who = (await this.ctx.host.identities.getUsers([body.assigned_to])).get(body.assigned_to);
      const ok =
        who && (who.isAdmin || (row.community_id !== null && (await this.moderatorsOf(row.community_id)).includes(body.assigned_to)));
      if (!ok) throw notFound('No such moderator');
    }
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('moderation_reports')
        .set({
          status,
          assigned_to: assigned,
          ...(body.resolution_notes !== undefined ? { resolution_notes: body.resolution_notes } : {}),
          ...(closing ? { open_key: null, closed_at: now } : {}),
          ...(reopening ? { open_key: openKey(row.reporter_id, row.target_type, row.target_id), closed_at: null } : {}),
          updated_at: now,
        })
        .where('id', '=', row.id)
        .execute();
      await this.audit.write(trx, {
        action: 'report_update',
        userId: row.target_user_id ?? 0,
        communityId: row.community_id,
        by: actor.userId,
        reason: `${status}${body.resolution_notes ? `: ${body.resolution_notes}` : ''}`.slice(0, 1000),
        target: { type: 'report', id: row.id },
      });
      // The reporter hears the outcome (notifications); the filter's own reports have no reporter.
      if (closing && row.reporter_id > 0)
        await this.ctx.bus.record(trx, 'ReportClosed', {
          community_id: row.community_id,
          user_id: row.reporter_id,
          report_id: row.id,
          reporter_id: row.reporter_id,
          by_user_id: actor.userId,
          status: status,
        });
    });
    const fresh = await this.db.selectFrom('moderation_reports').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    if (closing && fresh.reporter_id > 0)
      this.publish.toUsers([fresh.reporter_id], MODERATION_REALTIME_EVENTS.reportOutcome, {
        report_id: fresh.id,
        status,
        outcome: fresh.resolution_notes,
      });
    return (await this.present([fresh]))[0]!;
  }

  private async target(type: string, id: number): Promise<Target | null> {
    const out = (
      r: { user_id: number; content: string; created_at: string; moderation_state: string },
      containerId: number | null,
      deleted: boolean,
    ): Target => ({
      communityId: null,
      authorId: r.user_id,
      content: deleted ? null : r.content,
      createdAt: r.created_at,
      containerId,
      state: deleted ? 'deleted' : (r.moderation_state as Target['state']),
    });
    if (type === 'channel_message') {
      const r = await this.db.selectFrom('channel_messages').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? out(r, r.channel_id, r.is_deleted === 1) : null;
    }
    if (type === 'dm_message') {
      const r = await this.db.selectFrom('dm_messages').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? out(r, r.thread_id, r.is_deleted === 1) : null;
    }
    if (type === 'feed_item') {
      const r = await this.db.selectFrom('central_feed_items').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? out(r, r.community_id, r.deleted_at !== null) : null;
    }
    if (type === 'feed_comment') {
      const r = await this.db.selectFrom('central_feed_comments').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? out(r, r.feed_item_id, r.deleted_at !== null) : null;
    }
    return null;
  }

  async present(rows: ReportRow[]): Promise<ModerationReport[]> {
    const targets = await Promise.all(rows.map((r) => this.target(r.target_type, r.target_id)));
    const ids = new Set<number>();
    rows.forEach((r, i) => {
      [r.reporter_id, r.assigned_to, r.target_user_id, targets[i]?.authorId].forEach((id) => id && ids.add(id));
    });
    const users: Map<number, HostUser> = await this.ctx.host.identities.getUsers([...ids]);
    const keys = [...new Set(rows.map((r) => `${r.target_type}:${r.target_id}`))];
    const counts = new Map<string, number>();
    if (keys.length) {
      const open = await this.db
        .selectFrom('moderation_reports')
        .select(['target_type', 'target_id'])
        .where('status', 'in', OPEN)
        .where('target_id', 'in', [...new Set(rows.map((r) => r.target_id))])
        .execute();
      for (const o of open) counts.set(`${o.target_type}:${o.target_id}`, (counts.get(`${o.target_type}:${o.target_id}`) ?? 0) + 1);
    }
    return rows.map((r, i) => {
      const t = targets[i];
      return {
        id: r.id,
        community_id: r.community_id,
        reporter: summary(users, r.reporter_id),
        source: r.source as ModerationReport['source'],
        reason: r.reason,
        note: r.note,
        status: r.status as ReportStatus,
        assigned_to: summary(users, r.assigned_to),
        resolution_notes: r.resolution_notes,
        target: {
          type: r.target_type as ReportTargetType,
          id: r.target_id,
          author: summary(users, t?.authorId ?? r.target_user_id),
          content: t?.content ?? null,
          created_at: t?.createdAt ?? null,
          container_id: t?.containerId ?? null,
          moderation_state: t ? t.state : r.target_type === 'user' ? null : 'deleted',
        },
        open_reports_on_target: counts.get(`${r.target_type}:${r.target_id}`) ?? 0,
        created_at: r.created_at,
        updated_at: r.updated_at,
      };
    });
  }

  /** Held and flagged content of a community (the filter's open reports), newest first. */
  async held(actor: Actor, idOrSlug: string, q: { cursor?: string | undefined; limit: number }) {
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'moderation.review', access);
    const page = await pageById(
      this.db
        .selectFrom('moderation_reports')
        .selectAll()
        .where('community_id', '=', community.id)
        .where('reporter_id', '=', 0)
        .where('status', 'in', OPEN),
      q,
      'desc',
    );
    const reports = await this.present(page.items);
    return {
      items: reports.map((r) => ({ ...r.target, community_id: r.community_id, reason: r.reason })),
      next_cursor: page.next_cursor,
    };
  }
}
