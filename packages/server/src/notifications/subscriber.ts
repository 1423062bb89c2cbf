import type { DomainEvent, DomainEventName } from '@communities/contract';

import { parseMessageMeta } from '../chat/hydrate';
import type { EventBus } from '../platform/bus';
import type { DbHandle } from '../platform/db/transaction';

import type { Audience } from './audience';
import { excerpt, type Draft, type NotificationService } from './service';

export const NOTIFICATIONS_SUBSCRIBER = 'notifications.inbox';

export interface SubscriberDeps {
  db: DbHandle;
  audience: Audience;
  service: NotificationService;
  /** Whether the user has a live connection now (their own realtime channel is subscribed). */
  connected: (userId: number) => Promise<boolean>;
  dmOfflineOnly: () => boolean;
}

/**
 * Turns domain events into notifications: a durable outbox subscriber ('notifications.inbox'),
 * off the request path. Every draft's key names the event or the thing it is about, so a
 * redelivered event stores nothing twice. Who may see the content is decided here, at
 * delivery time, and again when the list is read.
 */
export class NotificationSubscriber {
  constructor(private readonly d: SubscriberDeps) {}

  register(bus: EventBus): void {
    bus.durable({
      name: NOTIFICATIONS_SUBSCRIBER,
      events: Object.keys(this.handlers) as DomainEventName[],
      handle: async (e) => {
        const h = this.handlers[e.name] as ((e: DomainEvent) => Promise<void>) | undefined;
        if (h) await h(e);
      },
    });
  }

  private deliver(drafts: Draft[]): Promise<number> {
    return this.d.service.deliver(drafts);
  }

  private readonly handlers: { [N in DomainEventName]?: (e: DomainEvent<N>) => Promise<void> } = {
    MessagePosted: async (e) => {
      const p = e.payload;
      if (p.community_id === null) return;
      // Most messages name nobody: nothing to read. (Events recorded before mention_everyone was
      // added do not say, so those are read.)
      if (p.mentions.length === 0 && p.reply_to_id === null && p.mention_everyone === false) return;
      const m = await this.d.db
        .selectFrom('channel_messages')
        .select(['id', 'user_id', 'content', 'metadata', 'mention_everyone', 'is_deleted', 'moderation_state', 'reply_to_id'])
        .where('id', '=', p.message_id)
        .executeTakeFirst();
      // Deleted or held for review by now: nobody hears of it.
      if (!m || m.is_deleted || m.moderation_state === 'held') return;
      const direct = new Set(parseMessageMeta(m.metadata).mentions ?? []);
      const by = new Map<number, { title: string; kind: 'mention' | 'reply'; via: string }>();
      const add = (ids: Iterable<number>, kind: 'mention' | 'reply', title: string, via: string) => {
        for (const id of ids) if (id !== p.user_id && !by.has(id)) by.set(id, { kind, title, via });
      };
      // One item per recipient and message, the most personal reason first.
      add(
        p.mentions.filter((id) => direct.has(id)),
        'mention',
        'mention_title',
        'user',
      );
      if (m.reply_to_id) {
        const parent = await this.d.db
          .selectFrom('channel_messages')
          .select(['user_id', 'is_deleted'])
          .where('id', '=', m.reply_to_id)
          .executeTakeFirst();
        if (parent && !parent.is_deleted) add([parent.user_id], 'reply', 'reply_title', 'reply');
      }
      add(
        p.mentions.filter((id) => !direct.has(id)),
        'mention',
        'mention_role_title',
        'role',
      );
      let everyone: number[] = [];
      if (m.mention_everyone) everyone = await this.d.audience.allowed(p.community_id, p.channel_id, 'channel.view', 'all');
      // Whoever is named must still be able to read the channel (role changes, a channel made private since).
      const named = by.size
        ? new Set(await this.d.audience.allowed(p.community_id, p.channel_id, 'channel.view', [...by.keys()]))
        : new Set<number>();
      const base = {
        actorId: p.user_id,
        communityId: p.community_id,
        channelId: p.channel_id,
        messageId: p.message_id,
        body: excerpt(m.content),
        key: `msg:${p.message_id}`,
      };
      const drafts: Draft[] = [];
      for (const [userId, why] of by)
        if (named.has(userId)) drafts.push({ ...base, userId, kind: why.kind, title: why.title, data: { via: why.via } });
      for (const userId of everyone)
        if (userId !== p.user_id && !by.has(userId))
          drafts.push({ ...base, userId, kind: 'mention', title: 'mention_everyone_title', data: { via: 'everyone' } });
      await this.deliver(drafts);
    },

    DMMessagePosted: async (e) => {
      const p = e.payload;
      const m = await this.d.db
        .selectFrom('dm_messages')
        .select(['content', 'is_deleted', 'moderation_state'])
        .where('id', '=', p.message_id)
        .executeTakeFirst();
      if (!m || m.is_deleted || m.moderation_state === 'held') return;
      const now = new Date(e.occurred_at).toISOString();
      const parts = await this.d.db
        .selectFrom('dm_participants')
        .select(['user_id', 'muted_until'])
        .where('thread_id', '=', p.thread_id)
        .where('left_at', 'is', null)
        .where('user_id', '!=', p.user_id)
        .execute();
      const drafts: Draft[] = [];
      for (const r of parts) {
        // A thread the recipient muted stays quiet; so does one they are watching right now.
        if (r.muted_until && r.muted_until > now) continue;
        if (this.d.dmOfflineOnly() && (await this.d.connected(r.user_id))) continue;
        drafts.push({
          userId: r.user_id,
          kind: 'dm',
          key: `dm:${p.message_id}`,
          actorId: p.user_id,
          threadId: p.thread_id,
          messageId: p.message_id,
          title: 'dm_title',
          body: excerpt(m.content),
        });
      }
      await this.deliver(drafts);
    },

    ReactionAdded: async (e) => {
      const p = e.payload;
      if (p.target_author_id === p.user_id || p.community_id === null) return;
      let channelId: number | null = null;
      let messageId: number | null = null;
      let feedItemId: number | null = null;
      let body: string | null = null;
      if (p.target_type === 'message') {
        const m = await this.d.db
          .selectFrom('channel_messages')
          .select(['channel_id', 'content', 'is_deleted'])
          .where('id', '=', p.target_id)
          .executeTakeFirst();
        if (!m || m.is_deleted) return;
        channelId = m.channel_id;
        messageId = p.target_id;
        body = excerpt(m.content);
      } else if (p.target_type === 'feed_item') {
        const f = await this.d.db
          .selectFrom('central_feed_items')
          .select(['content', 'deleted_at'])
          .where('id', '=', p.target_id)
          .executeTakeFirst();
        if (!f || f.deleted_at) return;
        feedItemId = p.target_id;
        body = excerpt(f.content);
      } else if (p.target_type === 'feed_comment') {
        const c = await this.d.db
          .selectFrom('central_feed_comments')
          .select(['feed_item_id', 'content', 'deleted_at'])
          .where('id', '=', p.target_id)
          .executeTakeFirst();
        if (!c || c.deleted_at) return;
        feedItemId = c.feed_item_id;
        body = excerpt(c.content);
      } else return;
      const ok = await this.d.audience.allowed(p.community_id, channelId, channelId ? 'channel.view' : 'feed.read', [p.target_author_id]);
      if (!ok.length) return;
      await this.deliver([
        {
          userId: p.target_author_id,
          kind: 'reaction',
          key: `reaction:${p.target_type}:${p.target_id}`,
          actorId: p.user_id,
          communityId: p.community_id,
          channelId,
          messageId,
          feedItemId,
          title: 'reaction_title',
          vars: { emoji: p.emoji },
          body,
          coalesce: true,
        },
      ]);
    },

    FeedCommentCreated: async (e) => {
      const p = e.payload;
      if (p.community_id === null) return;
      let to = p.item_author_id;
      if (p.parent_id) {
        const parent = await this.d.db
          .selectFrom('central_feed_comments')
          .select(['user_id', 'deleted_at'])
          .where('id', '=', p.parent_id)
          .executeTakeFirst();
        if (!parent || parent.deleted_at) return;
        to = parent.user_id;
      }
      if (to === p.user_id) return;
      const c = await this.d.db
        .selectFrom('central_feed_comments')
        .select(['content', 'deleted_at', 'moderation_state'])
        .where('id', '=', p.comment_id)
        .executeTakeFirst();
      if (!c || c.deleted_at || c.moderation_state === 'held') return;
      if (!(await this.d.audience.allowed(p.community_id, null, 'feed.read', [to])).length) return;
      await this.deliver([
        {
          userId: to,
          kind: 'reply',
          key: `comment:${p.comment_id}`,
          actorId: p.user_id,
          communityId: p.community_id,
          feedItemId: p.feed_item_id,
          title: 'reply_title',
          body: excerpt(c.content),
          data: { comment_id: p.comment_id },
        },
      ]);
    },

    FeedPostCreated: async (e) => {
      const p = e.payload;
      if (p.type !== 'announcement' || p.community_id === null) return;
      const f = await this.d.db
        .selectFrom('central_feed_items')
        .select(['title', 'content', 'deleted_at', 'moderation_state'])
        .where('id', '=', p.feed_item_id)
        .executeTakeFirst();
      if (!f || f.deleted_at || f.moderation_state === 'held') return;
      const readers = await this.d.audience.allowed(p.community_id, null, 'feed.read', 'all');
      await this.deliver(
        readers.map((userId) => ({
          userId,
          kind: 'announcement' as const,
          key: `post:${p.feed_item_id}`,
          actorId: p.user_id,
          communityId: p.community_id,
          feedItemId: p.feed_item_id,
          title: 'announcement_title',
          body: excerpt(f.title ? `${f.title}: ${f.content}` : f.content),
        })),
      );
    },

    MembershipRequested: async (e) => {
      const p = e.payload;
      const managers = await this.d.audience.allowed(p.community_id, null, 'members.manage', 'all');
      const c = await this.d.db.selectFrom('communities').select('name').where('id', '=', p.community_id).executeTakeFirst();
      await this.deliver(
        managers.map((userId) => ({
          userId,
          kind: 'join_request' as const,
          key: `join:${e.id}`,
          actorId: p.user_id,
          communityId: p.community_id,
          title: 'join_request_title',
          vars: { community: c?.name ?? '' },
        })),
      );
    },

    MembershipDecided: async (e) => {
      const p = e.payload;
      const c = await this.d.db.selectFrom('communities').select('name').where('id', '=', p.community_id).executeTakeFirst();
      await this.deliver([
        {
          userId: p.user_id,
          kind: 'request_decided',
          key: `decided:${e.id}`,
          actorId: null,
          communityId: p.community_id,
          title: p.decision === 'approved' ? 'request_approved_title' : 'request_rejected_title',
          vars: { community: c?.name ?? '' },
          body: p.message,
          data: { decision: p.decision },
        },
      ]);
    },

    ReportClosed: async (e) => {
      const p = e.payload;
      if (p.reporter_id <= 0) return;
      await this.deliver([
        {
          userId: p.reporter_id,
          kind: 'report_outcome',
          key: `report:${e.id}`,
          actorId: null,
          communityId: p.community_id,
          title: p.status === 'resolved' ? 'report_resolved_title' : 'report_dismissed_title',
          data: { report_id: p.report_id, status: p.status },
        },
      ]);
    },

    UserWarned: (e) => this.sanction(e, 'warning', e.payload.reason),
    UserMuted: (e) => this.sanction(e, 'mute', e.payload.reason ?? null, e.payload.expires_at),
    UserBanned: (e) => this.sanction(e, 'ban', e.payload.reason ?? null, e.payload.expires_at),
  };

  private async sanction(
    e: DomainEvent,
    action: 'warning' | 'mute' | 'ban',
    reason: string | null,
    until: string | null = null,
  ): Promise<void> {
    const p = e.payload as { community_id: number | null; user_id: number };
    await this.deliver([
      {
        userId: p.user_id,
        kind: 'sanction',
        key: `sanction:${e.id}`,
        actorId: null,
        communityId: p.community_id,
        title: `sanction_${action}_title`,
        body: reason,
        data: { action, until },
      },
    ]);
  }
}
