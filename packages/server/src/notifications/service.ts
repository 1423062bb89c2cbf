import {
  NOTIFICATION_KINDS,
  REALTIME_EVENTS,
  realtimeChannel,
  type CommunitiesConfig,
  type KindPrefs,
  type Notification,
  type NotificationKind,
  type NotificationLevel,
  type NotificationPage,
  type NotificationPrefs,
  type NotificationPrefsPatch,
} from '@communities/contract';

import { assertCan, can, type Action, type Actor } from '../access';
import type { FactsLoader } from '../communities/facts';
import type { HostNotification, HostPorts, NotificationPort } from '../host/ports';
import type { Clock } from '../platform/clock';
import { decodeCursor, pageOf } from '../platform/cursor';
import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';
import { notFound } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { Broadcaster } from '../realtime/broadcaster';
import { publishEvent } from '../realtime/publish-event';

import { chunks } from './audience';
import type { NotificationText } from './render';

/** One notification to one user, before preferences, blocks and the store decide on it. */
export interface Draft {
  userId: number;
  kind: NotificationKind;
  /** Unique per user: a redelivered event (or a second path to the same thing) finds it taken. */
  key: string;
  actorId: number | null;
  communityId?: number | null;
  channelId?: number | null;
  messageId?: number | null;
  threadId?: number | null;
  feedItemId?: number | null;
  /** `notifications.text.<title>` and its values (`actor` is filled from actorId). */
  title: string;
  vars?: Record<string, string | number>;
  body?: string | null;
  data?: Record<string, unknown>;
  /** Reactions: one item per target that counts its reactors. */
  coalesce?: boolean;
}

/** Kinds about chatter in a community: a mute or a level there silences them. */
const SCOPED = new Set<NotificationKind>(['mention', 'reply', 'reaction', 'announcement', 'join_request']);
/** What "only @mentions" still lets through. */
const MENTIONS_MODE = new Set<NotificationKind>(['mention', 'reply', 'join_request']);
/** Kinds whose item shows the content it is about; the rest are about the recipient themself. */
const CONTENT = new Set<NotificationKind>(['mention', 'reply', 'reaction', 'announcement', 'dm', 'join_request']);
const EXCERPT = 280;

interface PrefRow {
  user_id: number;
  community_id: number;
  channel_id: number;
  muted: number;
  level: string | null;
  kinds: string;
}

export interface NotificationDeps {
  db: DbHandle;
  dialect: DialectName;
  config: CommunitiesConfig;
  logger: Logger;
  clock: Clock;
  host: HostPorts;
  /** RocketLMS's notifications table (host-only writes). */
  hostTable: NotificationPort & { notifyMany?(ns: HostNotification[]): Promise<void> };
  facts: FactsLoader;
  text: NotificationText;
  broadcaster: () => Broadcaster;
}

export const excerpt = (s: string | null | undefined): string | null => {
  if (!s) return null;
  // Mentions as their readers see them (@Name), not as markup.
  const t = s
    .replace(/@\[([^\]]*)\]\((?:user|role):[^)]*\)/g, '@$1')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > EXCERPT ? `${t.slice(0, EXCERPT - 1)}…` : t;
};

export class NotificationService {
  constructor(private readonly d: NotificationDeps) {}

  private get cfg() {
    return this.d.config.notifications;
  }

  private now(): string {
    return this.d.clock.now().toISOString();
  }

  /** What the school allows per kind. */
  allowed(): KindPrefs {
    const channel = this.d.config.integration.notification_channel;
    return Object.fromEntries(
      NOTIFICATION_KINDS.map((k) => [
        k,
        {
          in_app: channel !== 'rocketlms' && this.cfg.in_app_kinds.includes(k),
          host:
            channel !== 'addon' &&
            (this.cfg.host_kinds.includes(k) || (k === 'level_up' && this.d.config.gamification.notify_host_on_level_up)),
        },
      ]),
    ) as KindPrefs;
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Stores drafts (idempotent by each draft's key), pushes the new ones live on the
   * recipient's user channel with their unread count, and writes those the school and the
   * recipient want in RocketLMS's notification centre, in the recipient's language. Blocks and
   * preferences drop drafts first. Batched: an @everyone to 10,000 members is a few dozen
   * statements, not 10,000.
   */
  async deliver(drafts: Draft[]): Promise<number> {
    let delivered = 0;
    for (const part of chunks(drafts, this.cfg.fanout_batch)) {
      delivered += await this.deliverChunk(part);
      // On SQLite every query completes synchronously: let waiting requests run between batches,
      // or a 10,000-member fan-out holds the event loop for its whole length.
      if (drafts.length > this.cfg.fanout_batch) await new Promise((r) => setImmediate(r));
    }
    return delivered;
  }

  private async deliverChunk(drafts: Draft[]): Promise<number> {
    const kept = await this.filter(drafts);
    if (kept.length === 0) return 0;
    const coalesced = kept.filter((k) => k.draft.coalesce);
    const plain = kept.filter((k) => !k.draft.coalesce);
    const actors = await this.d.host.identities.getUsers([
      ...new Set(kept.map((k) => k.draft.actorId).filter((x): x is number => x !== null)),
    ]);
    // An @everyone's thousands of drafts share one title: rendered once per chunk, not per row.
    const titles = new Map<string, string>();
    const title = (dr: Draft, locale: string | null, count = 1) => {
      const key = `${locale}|${dr.title}|${dr.actorId}|${count}|${dr.vars ? JSON.stringify(dr.vars) : ''}`;
      let t = titles.get(key);
      if (t === undefined) {
        t = this.d.text.render(locale, dr.title, {
          ...(count > 1 ? { count, others: count - 1 } : {}),
          ...dr.vars,
          actor: dr.actorId !== null ? (actors.get(dr.actorId)?.name ?? this.d.text.render(locale, 'someone')) : '',
        });
        titles.set(key, t);
      }
      return t;
    };
    const fresh: Array<{ id: number; draft: Draft; inApp: boolean; host: boolean; count: number }> = [];

    if (plain.length) {
      const now = this.now();
      const taken = await this.existing(plain.map((k) => k.draft));
      const rows = plain.filter((k) => !taken.has(`${k.draft.userId}|${k.draft.key}`));
      if (rows.length) {
        const values = rows.map(({ draft: dr, inApp }) => ({
          user_id: dr.userId,
          type: dr.kind,
          title: title(dr, 'en').slice(0, 200),
          body: dr.body ?? null,
          data: JSON.stringify({ ...dr.vars, ...dr.data, title_key: dr.title }),
          // A delivery that goes to RocketLMS only is recorded (for idempotency) but not listed: count 0.
          read_at: inApp ? null : now,
          count: inApp ? 1 : 0,
          community_id: dr.communityId ?? null,
          channel_id: dr.channelId ?? null,
          message_id: dr.messageId ?? null,
          thread_id: dr.threadId ?? null,
          feed_item_id: dr.feedItemId ?? null,
          actor_id: dr.actorId,
          dedupe_key: dr.key.slice(0, 120),
          created_at: now,
          updated_at: now,
        }));
        const insert = this.d.db.insertInto('community_notifications').values(values);
        await (
          this.d.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
        ).execute();
        // Read back what this delivery wrote (a racing delivery may have written some first).
        const ids = await this.idsOf(
          rows.map((r) => r.draft),
          now,
        );
        for (const r of rows) {
          const id = ids.get(`${r.draft.userId}|${r.draft.key}`);
          if (id !== undefined) fresh.push({ id, draft: r.draft, inApp: r.inApp, host: r.host, count: 1 });
        }
      }
    }
    for (const k of coalesced) {
      const out = await this.coalesce(k.draft, k.inApp, (dr, n) => title(dr, 'en', n));
      if (out) fresh.push({ ...out, draft: k.draft, inApp: k.inApp, host: k.host && out.count === 1 });
    }
    if (fresh.length === 0) return 0;

    await this.push(fresh.filter((f) => f.inApp).map((f) => f.id));
    const toHost = fresh.filter((f) => f.host);
    if (toHost.length) {
      const users = await this.d.host.identities.getUsers([...new Set(toHost.map((f) => f.draft.userId))]);
      const ns: HostNotification[] = toHost.map((f) => {
        const locale = users.get(f.draft.userId)?.locale ?? null;
        return {
          userId: f.draft.userId,
          title: title(f.draft, locale, f.count),
          message: f.draft.body ?? '',
          type: `communities_${f.draft.kind}`,
        };
      });
      try {
        if (this.d.hostTable.notifyMany) await this.d.hostTable.notifyMany(ns);
        else for (const n of ns) await this.d.hostTable.notify(n);
      } catch (error) {
        // The in-app items are stored; RocketLMS's copy is not worth redelivering them for.
        this.d.logger.warn({ err: error }, 'notifications: could not write to the host notification centre');
      }
    }
    return fresh.length;
  }

  /** A coalescing item: one per recipient and target, counting distinct actors (a redelivery adds nobody twice). */
  private async coalesce(
    dr: Draft,
    inApp: boolean,
    title: (dr: Draft, n: number) => string,
  ): Promise<{ id: number; count: number } | null> {
    const now = this.now();
    const row = await this.d.db
      .selectFrom('community_notifications')
      .select(['id', 'data', 'count'])
      .where('user_id', '=', dr.userId)
      .where('dedupe_key', '=', dr.key)
      .executeTakeFirst();
    if (!row) {
      const insert = this.d.db.insertInto('community_notifications').values({
        user_id: dr.userId,
        type: dr.kind,
        title: title(dr, 1).slice(0, 200),
        body: dr.body ?? null,
        data: JSON.stringify({ ...dr.vars, ...dr.data, title_key: dr.title, actors: [dr.actorId] }),
        read_at: inApp ? null : now,
        count: inApp ? 1 : 0,
        community_id: dr.communityId ?? null,
        channel_id: dr.channelId ?? null,
        message_id: dr.messageId ?? null,
        thread_id: dr.threadId ?? null,
        feed_item_id: dr.feedItemId ?? null,
        actor_id: dr.actorId,
        dedupe_key: dr.key,
        created_at: now,
        updated_at: now,
      });
      const r = await (
        this.d.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
      ).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return null;
      const id = (await this.idsOf([dr], now)).get(`${dr.userId}|${dr.key}`);
      return id === undefined ? null : { id, count: 1 };
    }
    const data = JSON.parse(row.data) as Record<string, unknown>;
    const seen = Array.isArray(data.actors) ? (data.actors as number[]) : [];
    if (seen.includes(dr.actorId ?? 0)) return null;
    // The first 50 actors are kept by id; the count goes on past them.
    const actors = [...seen, dr.actorId ?? 0].slice(-50);
    const count = Math.max(row.count, seen.length) + 1;
    await this.d.db
      .updateTable('community_notifications')
      .set({
        data: JSON.stringify({ ...data, ...dr.vars, actors }),
        count: inApp ? count : 0,
        title: title(dr, count).slice(0, 200),
        actor_id: dr.actorId,
        read_at: inApp ? null : now,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    return { id: row.id, count };
  }

  private async existing(drafts: Draft[]): Promise<Set<string>> {
    const out = new Set<string>();
    const keys = [...new Set(drafts.map((d) => d.key))];
    for (const users of chunks([...new Set(drafts.map((d) => d.userId))], 1000)) {
      const rows = await this.d.db
        .selectFrom('community_notifications')
        .select(['user_id', 'dedupe_key'])
        .where('user_id', 'in', users)
        .where('dedupe_key', 'in', keys)
        .execute();
      for (const r of rows) out.add(`${r.user_id}|${r.dedupe_key}`);
    }
    return out;
  }

  private async idsOf(drafts: Draft[], at: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const keys = [...new Set(drafts.map((d) => d.key))];
    for (const users of chunks([...new Set(drafts.map((d) => d.userId))], 1000)) {
      const rows = await this.d.db
        .selectFrom('community_notifications')
        .select(['id', 'user_id', 'dedupe_key'])
        .where('user_id', 'in', users)
        .where('dedupe_key', 'in', keys)
        .where('created_at', '=', at)
        .execute();
      for (const r of rows) out.set(`${r.user_id}|${r.dedupe_key}`, r.id);
    }
    return out;
  }

  /** Blocks between recipient and actor, the school's switches and the recipient's preferences. */
  private async filter(drafts: Draft[]): Promise<Array<{ draft: Draft; inApp: boolean; host: boolean }>> {
    const allowed = this.allowed();
    let list = drafts.filter((d) => d.userId !== d.actorId && (allowed[d.kind].in_app || allowed[d.kind].host));
    if (list.length === 0) return [];
    const actorIds = [...new Set(list.map((d) => d.actorId).filter((x): x is number => x !== null))];
    if (actorIds.length) {
      const users = [...new Set(list.map((d) => d.userId))];
      const blocked = new Set<string>();
      for (const part of chunks(users, 1000)) {
        const rows = await this.d.db
          .selectFrom('dm_blocks')
          .select(['blocker_id', 'blocked_id'])
          .where((eb) =>
            eb.or([
              eb.and([eb('blocker_id', 'in', part), eb('blocked_id', 'in', actorIds)]),
              eb.and([eb('blocked_id', 'in', part), eb('blocker_id', 'in', actorIds)]),
            ]),
          )
          .execute();
        for (const r of rows) {
          blocked.add(`${r.blocker_id}|${r.blocked_id}`);
          blocked.add(`${r.blocked_id}|${r.blocker_id}`);
        }
      }
      list = list.filter((d) => d.actorId === null || !blocked.has(`${d.userId}|${d.actorId}`));
    }
    const prefs = await this.prefRows(list);
    const out: Array<{ draft: Draft; inApp: boolean; host: boolean }> = [];
    for (const d of list) {
      const mine = prefs.get(d.userId) ?? [];
      const def = mine.find((p) => p.community_id === 0 && p.channel_id === 0);
      const kinds = parseKinds(def?.kinds);
      const inApp = allowed[d.kind].in_app && kinds[d.kind]?.in_app !== false;
      const host = allowed[d.kind].host && kinds[d.kind]?.host !== false;
      if (!inApp && !host) continue;
      if (SCOPED.has(d.kind) && d.communityId) {
        const channel = d.channelId ? mine.find((p) => p.community_id === d.communityId && p.channel_id === d.channelId) : undefined;
        const community = mine.find((p) => p.community_id === d.communityId && p.channel_id === 0);
        if (channel?.muted || community?.muted) continue;
        const level = (channel?.level ?? community?.level ?? def?.level ?? 'all') as NotificationLevel;
        if (level === 'nothing') continue;
        if (level === 'mentions' && !MENTIONS_MODE.has(d.kind)) continue;
      }
      out.push({ draft: d, inApp, host });
    }
    return out;
  }

  private async prefRows(drafts: Draft[]): Promise<Map<number, PrefRow[]>> {
    const out = new Map<number, PrefRow[]>();
    const communities = [0, ...new Set(drafts.map((d) => d.communityId ?? 0))];
    for (const users of chunks([...new Set(drafts.map((d) => d.userId))], 1000)) {
      const rows = await this.d.db
        .selectFrom('notification_preferences')
        .select(['user_id', 'community_id', 'channel_id', 'muted', 'level', 'kinds'])
        .where('user_id', 'in', users)
        .where('community_id', 'in', communities)
        .execute();
      for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r]);
    }
    return out;
  }

  /** notification.created for each item, with its recipient's unread count. */
  private async push(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const prefix = this.d.config.chat.broadcast_channel_prefix;
    for (const part of chunks(ids, 1000)) {
      const rows = await this.d.db.selectFrom('community_notifications').selectAll().where('id', 'in', part).execute();
      const unread = await this.unreadCounts([...new Set(rows.map((r) => r.user_id))]);
      const actors = await this.d.host.identities.getUsers([
        ...new Set(rows.map((r) => r.actor_id).filter((x): x is number => x !== null)),
      ]);
      for (const r of rows) {
        await publishEvent(
          { broadcaster: this.d.broadcaster(), config: this.d.config },
          realtimeChannel.user(prefix, r.user_id),
          REALTIME_EVENTS.notificationCreated,
          { notification: present(r, actors), unread_count: unread.get(r.user_id) ?? 0 },
        ).catch((error: unknown) => this.d.logger.warn({ err: error }, 'notification broadcast failed'));
      }
    }
  }

  private async unreadCounts(users: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const part of chunks(users, 1000)) {
      const rows = await this.d.db
        .selectFrom('community_notifications')
        .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('user_id', 'in', part)
        .where('read_at', 'is', null)
        .where('count', '>', 0)
        .groupBy('user_id')
        .execute();
      for (const r of rows) out.set(r.user_id, Number(r.n));
    }
    return out;
  }

  /**
   * The host port for domains that notify directly (level-ups, paid tiers): their notification
   * goes through the same switches, store and live push as the rest.
   */
  port(): NotificationPort {
    return {
      notify: async (n) => {
        const kind = kindOfHostType(n.type);
        const data = n.data ?? {};
        const community = typeof data.community_id === 'number' ? data.community_id : null;
        await this.deliver([
          {
            userId: n.userId,
            kind,
            key: typeof data.dedupe_key === 'string' ? data.dedupe_key : `${kind}:${this.now()}:${n.title}`.slice(0, 120),
            actorId: null,
            communityId: community,
            title: `${kind}_title`,
            vars: {
              ...(typeof data.level === 'number' ? { level: data.level } : {}),
              ...(typeof data.name === 'string' ? { badge: data.name } : {}),
              ...(typeof data.tier_name === 'string' ? { tier: data.tier_name } : {}),
            },
            body: n.message,
            data: { ...data, dedupe_key: undefined },
          },
        ]);
      },
    };
  }

  // ---------------------------------------------------------------- reading

  async list(
    actor: Actor,
    q: { cursor?: string | undefined; limit: number; unread?: 'true' | 'false' | undefined },
  ): Promise<NotificationPage> {
    const c = decodeCursor<{ id: number }>(q.cursor, { id: 'number' });
    let query = this.d.db.selectFrom('community_notifications').selectAll().where('user_id', '=', actor.userId).where('count', '>', 0);
    if (q.unread === 'true') query = query.where('read_at', 'is', null);
    if (c) query = query.where('id', '<', c.id);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = pageOf(rows, q.limit, (r) => ({ id: r.id }));
    const visible = await this.visibility(actor, page.items);
    const actors = await this.d.host.identities.getUsers([
      ...new Set(page.items.map((r) => r.actor_id).filter((x): x is number => x !== null)),
    ]);
    const items = page.items.map((r) => {
      const n = present(r, actors);
      if (visible.get(r.id) !== false) return n;
      // Content the recipient can no longer see: the item stays, what it was about does not.
      return { ...n, body: null, channel_id: null, message_id: null, thread_id: null, feed_item_id: null, data: { unavailable: true } };
    });
    return { items, next_cursor: page.next_cursor, unread_count: (await this.unreadCounts([actor.userId])).get(actor.userId) ?? 0 };
  }

  /** Whether the reader may still see each item's content (left, removed, channel made private, thread left). */
  private async visibility(
    actor: Actor,
    rows: Array<{ id: number; type: string; community_id: number | null; channel_id: number | null; thread_id: number | null }>,
  ): Promise<Map<number, boolean>> {
    const out = new Map<number, boolean>();
    const memo = new Map<string, Promise<boolean>>();
    const check = (communityId: number, channelId: number | null, action: Action) => {
      const k = `${communityId}|${channelId}|${action}`;
      if (!memo.has(k))
        memo.set(
          k,
          (async () => {
            try {
              const { access } = await this.d.facts.forCommunity(actor, communityId);
              if (channelId === null) return can(actor, action, access).allowed;
              const ch = await this.d.facts.channel(channelId);
              if (!ch || ch.row.community_id !== communityId) return false;
              return can(actor, 'channel.view', { ...access, channel: ch.facts }).allowed;
            } catch {
              return false;
            }
          })(),
        );
      return memo.get(k)!;
    };
    const threads = [...new Set(rows.map((r) => r.thread_id).filter((x): x is number => x !== null))];
    const inThreads = new Set(
      threads.length
        ? (
            await this.d.db
              .selectFrom('dm_participants')
              .select('thread_id')
              .where('user_id', '=', actor.userId)
              .where('thread_id', 'in', threads)
              .where('left_at', 'is', null)
              .execute()
          ).map((r) => r.thread_id)
        : [],
    );
    for (const r of rows) {
      const kind = r.type as NotificationKind;
      if (!CONTENT.has(kind)) continue;
      if (r.thread_id !== null) out.set(r.id, inThreads.has(r.thread_id));
      else if (r.community_id !== null)
        out.set(
          r.id,
          await check(
            r.community_id,
            r.channel_id,
            kind === 'join_request' ? 'members.manage' : r.channel_id ? 'channel.view' : 'feed.read',
          ),
        );
    }
    return out;
  }

  async markRead(actor: Actor, body: { ids?: number[] | undefined; all?: true | undefined }): Promise<{ unread_count: number }> {
    let q = this.d.db
      .updateTable('community_notifications')
      .set({ read_at: this.now() })
      .where('user_id', '=', actor.userId)
      .where('read_at', 'is', null);
    if (body.ids) q = q.where('id', 'in', body.ids);
    await q.execute();
    const unread = (await this.unreadCounts([actor.userId])).get(actor.userId) ?? 0;
    await publishEvent(
      { broadcaster: this.d.broadcaster(), config: this.d.config },
      realtimeChannel.user(this.d.config.chat.broadcast_channel_prefix, actor.userId),
      REALTIME_EVENTS.notificationsRead,
      { unread_count: unread, ids: body.ids ?? null },
    ).catch((error: unknown) => this.d.logger.warn({ err: error }, 'notification read broadcast failed'));
    return { unread_count: unread };
  }

  // ---------------------------------------------------------------- preferences

  async preferences(actor: Actor): Promise<NotificationPrefs> {
    const rows = await this.d.db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .orderBy('community_id')
      .orderBy('channel_id')
      .execute();
    const def = rows.find((r) => r.community_id === 0 && r.channel_id === 0);
    const allowed = this.allowed();
    const mine = parseKinds(def?.kinds);
    const kinds = Object.fromEntries(
      NOTIFICATION_KINDS.map((k) => [k, { in_app: mine[k]?.in_app !== false, host: mine[k]?.host !== false }]),
    ) as KindPrefs;
    return {
      level: (def?.level ?? 'all') as NotificationLevel,
      kinds,
      allowed,
      scopes: await this.visibleScopes(
        actor,
        rows.filter((r) => r.community_id !== 0 && (r.muted || r.level)),
      ),
    };
  }

  /**
   * The community and channel overrides, named, for the ones the caller can still see: a
   * community they have left or a channel made private to them is not named back to them (its
   * row stays, and applies again if they return).
   */
  private async visibleScopes(
    actor: Actor,
    rows: ReadonlyArray<{ community_id: number; channel_id: number; muted: number; level: string | null }>,
  ): Promise<NotificationPrefs['scopes']> {
    const out: NotificationPrefs['scopes'] = [];
    const communities = new Map<number, Awaited<ReturnType<FactsLoader['forCommunity']>> | null>();
    for (const r of rows) {
      if (!communities.has(r.community_id))
        communities.set(
          r.community_id,
          await this.d.facts.forCommunity(actor, r.community_id).then(
            (f) => (can(actor, 'community.view', f.access).allowed ? f : null),
            () => null,
          ),
        );
      const c = communities.get(r.community_id);
      if (!c) continue;
      let channelName: string | null = null;
      if (r.channel_id) {
        const ch = await this.d.facts.channel(r.channel_id);
        if (!ch || ch.row.community_id !== r.community_id || !can(actor, 'channel.view', { ...c.access, channel: ch.facts }).allowed)
          continue;
        channelName = ch.row.name;
      }
      out.push({
        community_id: r.community_id,
        community_name: c.community.name,
        channel_id: r.channel_id,
        channel_name: channelName,
        muted: r.muted === 1,
        level: (r.level ?? null) as NotificationLevel | null,
      });
    }
    return out;
  }

  async updatePreferences(actor: Actor, patch: NotificationPrefsPatch): Promise<NotificationPrefs> {
    const communityId = patch.community_id ?? 0;
    const channelId = patch.channel_id ?? 0;
    if (communityId) {
      // Only a community (and channel) the caller can see: the rest are 404, as everywhere.
      const { access } = await this.d.facts.forCommunity(actor, communityId);
      assertCan(actor, 'community.view', access);
      if (channelId) {
        const ch = await this.d.facts.channel(channelId);
        if (!ch || ch.row.community_id !== communityId || !can(actor, 'channel.view', { ...access, channel: ch.facts }).allowed)
          throw notFound();
      }
    }
    const now = this.now();
    const row = await this.d.db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .where('community_id', '=', communityId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    const kinds = parseKinds(row?.kinds);
    for (const [k, v] of Object.entries(patch.kinds ?? {})) kinds[k as NotificationKind] = { ...kinds[k as NotificationKind], ...v };
    const values = {
      muted: patch.muted !== undefined ? (patch.muted ? 1 : 0) : (row?.muted ?? 0),
      level: patch.level !== undefined ? patch.level : (row?.level ?? null),
      kinds: JSON.stringify(kinds),
      updated_at: now,
    };
    if (row) await this.d.db.updateTable('notification_preferences').set(values).where('id', '=', row.id).execute();
    else {
      const insert = this.d.db
        .insertInto('notification_preferences')
        .values({ user_id: actor.userId, community_id: communityId, channel_id: channelId, ...values });
      // Two tabs saving at once: the second one's values win.
      await (
        this.d.dialect === 'mysql'
          ? insert.onDuplicateKeyUpdate(values)
          : insert.onConflict((oc) => oc.columns(['user_id', 'community_id', 'channel_id']).doUpdateSet(values))
      ).execute();
    }
    return this.preferences(actor);
  }
}

function parseKinds(json: string | undefined): Partial<Record<NotificationKind, { in_app?: boolean; host?: boolean }>> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function kindOfHostType(type: string | undefined): NotificationKind {
  const t = (type ?? '').replace(/^communities_/, '');
  if (t === 'level_up') return 'level_up';
  if (t === 'badge') return 'badge';
  // A scan found malware in an upload: its community's moderators (or the site's admins) hear of it.
  if (t === 'file_flagged') return 'upload_blocked';
  return 'tier';
}

type Row = {
  id: number;
  type: string;
  title: string;
  body: string | null;
  data: string;
  read_at: string | null;
  created_at: string;
  updated_at: string;
  community_id: number | null;
  channel_id: number | null;
  message_id: number | null;
  thread_id: number | null;
  feed_item_id: number | null;
  actor_id: number | null;
  count: number;
};

export function present(r: Row, actors: Map<number, { id: number; name: string; avatarUrl: string | null }>): Notification {
  const a = r.actor_id !== null ? actors.get(r.actor_id) : undefined;
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(r.data) as Record<string, unknown>;
  } catch {
    /* an old row: no data */
  }
  const kind = (NOTIFICATION_KINDS as readonly string[]).includes(r.type) ? (r.type as NotificationKind) : kindOfHostType(r.type);
  return {
    id: r.id,
    kind,
    title: r.title,
    body: r.body,
    actor: a ? { id: a.id, name: a.name, avatar_url: a.avatarUrl } : null,
    count: Math.max(1, r.count),
    community_id: r.community_id,
    channel_id: r.channel_id,
    message_id: r.message_id,
    thread_id: r.thread_id,
    feed_item_id: r.feed_item_id,
    data,
    read: r.read_at !== null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
