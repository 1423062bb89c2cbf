import { REALTIME_EVENTS, type Channel, type ChannelOverride, type channels as channelEndpoints } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, can, type AccessContext, type Actor, type ChannelFacts } from '../access';
import { channelFacts, OPEN_CHANNEL, openToCommunity, type FactsLoader } from '../communities/facts';
import { channelSlug } from '../communities/setup';
import { insertedId } from '../platform/db/insert';
import type { ChannelRow, CommunityRow } from '../platform/db/schema';
import { inTransaction, type DbHandle, type Tx } from '../platform/db/transaction';
import { conflict, forbidden, invalid, notFound } from '../platform/errors';
import type { Revoker } from '../realtime/revoke';

import { passAllContent, type ContentCheck } from './content-check';
import type { ChatDeps } from './deps';
import { checkText } from './pipeline';
import type { ChatPublisher } from './publish';

type CreateBody = z.output<(typeof channelEndpoints)['create']['body']>;
type UpdateBody = z.output<(typeof channelEndpoints)['update']['body']>;
type ReorderBody = z.output<(typeof channelEndpoints)['reorder']['body']>;
type OverrideBody = z.output<(typeof channelEndpoints)['setOverride']['body']>;
type StoredOverride = { role_slug?: string; user_id?: number; allow: string[]; deny: string[] };

/** Visible in the list with a lock: the only thing missing is the level the channel needs. */
export const isLocked = (d: ReturnType<typeof can>): boolean => !d.allowed && d.reason === 'level_required';

/** Unread counts stop here: a badge says 99+ long before. */
const UNREAD_CAP = 100;

export interface ReadInfo {
  last_read_message_id: number;
  unread_count: number;
  mention_count: number;
}

/** A channel with the caller's access decided, as every message route needs it. */
export interface LoadedChannel {
  row: ChannelRow;
  /** The channel's access facts, as parsed from its row (also in access.channel). */
  facts: ChannelFacts;
  community: CommunityRow;
  access: AccessContext;
}

/** Categories and channels: list with unread counts, create, update, reorder, delete, read states. */
export class ChannelService {
  constructor(
    private readonly ctx: Pick<ChatDeps, 'clock' | 'db' | 'host'>,
    private readonly facts: FactsLoader,
    private readonly publish: ChatPublisher,
    private readonly revoker: Revoker,
    private readonly contentCheck: () => ContentCheck = () => passAllContent,
  ) {}

  /** Channel names and topics go through the word filter (censored, or refused under `reject`). */
  private async filtered<T extends { name?: string | undefined; topic?: string | null | undefined }>(
    userId: number,
    communityId: number,
    body: T,
  ): Promise<T> {
    const base = { userId, communityId, target: 'channel' as const };
    const out = { ...body };
    if (body.name) out.name = await checkText(this.contentCheck(), { ...base, content: body.name, field: 'name' });
    if (body.topic) out.topic = await checkText(this.contentCheck(), { ...base, content: body.topic, field: 'topic' });
    return out;
  }

  private get db(): DbHandle {
    return this.ctx.db.db;
  }

  /**
   * The channel and the caller's access to it; 404 when missing or invisible to the caller.
   * Facts come from the short-lived cache (every message reads them) unless `fresh`; the row's
   * bookkeeping columns (last_message_id) may then lag, so nothing here trusts them.
   */
  async load(actor: Actor, channelId: number, opts: { fresh?: boolean } = {}): Promise<LoadedChannel> {
    const cached = !opts.fresh;
    const ch = await this.facts.channel(channelId, { cached });
    if (!ch) throw notFound('No such channel');
    const { community, access } = await this.facts.forCommunity(actor, ch.row.community_id, { channel: ch.facts }, { cached });
    const d = can(actor, 'channel.view', access);
    if (isLocked(d)) throw forbidden(`Reach level ${ch.facts.minLevel ?? 1} in this community to open this channel`, 'level_required');
    if (!d.allowed) throw notFound('No such channel');
    return { row: ch.row, facts: ch.facts, community, access };
  }

  present(actor: Actor, row: ChannelRow, access: AccessContext, read: ReadInfo): Channel {
    const f = channelFacts(row);
    const ctx = { ...access, channel: f };
    const allowed = (a: Parameters<typeof can>[1]) => can(actor, a, ctx).allowed;
    const isCategory = row.type === 'category';
    return {
      id: row.id,
      community_id: row.community_id,
      parent_id: row.parent_id,
      type: row.type as Channel['type'],
      name: row.name,
      slug: row.slug,
      topic: row.topic,
      position: row.position,
      is_private: f.isPrivate,
      allowed_role_slugs: f.allowedRoleSlugs,
      allowed_user_ids: f.allowedUserIds,
      slow_mode_seconds: f.slowModeSeconds,
      min_level: f.minLevel ?? 1,
      locked: isLocked(can(actor, 'channel.view', ctx)),
      last_message_id: row.last_message_id,
      activity_on: openToCommunity(f) ? 'community' : 'channel',
      ...read,
      viewer_can: {
        post: !isCategory && allowed('channel.post'),
        manage: allowed('channel.manage'),
        pin: !isCategory && allowed('channel.pin'),
        attach: !isCategory && allowed('channel.attach'),
        mention_everyone: !isCategory && allowed('channel.mention_everyone'),
      },
    };
  }

  /** Unread and mention counts for one user over many channels: a bounded count per channel, one mention query. */
  async readInfo(userId: number, rows: ChannelRow[]): Promise<Map<number, ReadInfo>> {
    const out = new Map<number, ReadInfo>();
    const chats = rows.filter((r) => r.type !== 'category');
    if (chats.length === 0) return out;
    const ids = chats.map((r) => r.id);
    const states = await this.db
      .selectFrom('channel_read_states')
      .select(['channel_id', 'last_read_message_id'])
      .where('user_id', '=', userId)
      .where('channel_id', 'in', ids)
      .execute();
    const lastRead = new Map(states.map((s) => [s.channel_id, s.last_read_message_id]));
    const [mentionRows, everyoneRows] = await Promise.all([
      this.db
        .selectFrom('channel_message_mentions')
        .innerJoin('channel_messages', 'channel_messages.id', 'channel_message_mentions.message_id')
        .select(['channel_message_mentions.channel_id', 'channel_message_mentions.message_id'])
        .where('channel_message_mentions.user_id', '=', userId)
        .where('channel_message_mentions.channel_id', 'in', ids)
        .where('channel_messages.is_deleted', '=', 0)
        .execute(),
      this.db
        .selectFrom('channel_messages')
        .select(['channel_id', 'id'])
        .where('channel_id', 'in', ids)
        .where('mention_everyone', '=', 1)
        .where('is_deleted', '=', 0)
        .where('user_id', '!=', userId)
        .execute(),
    ]);
    for (const r of chats) {
      const since = lastRead.get(r.id) ?? 0;
      const unread =
        r.last_message_id === null || r.last_message_id > since
          ? await this.db
              .selectFrom((eb) =>
                eb
                  .selectFrom('channel_messages')
                  .select('id')
                  .where('channel_id', '=', r.id)
                  .where('id', '>', since)
                  .where('user_id', '!=', userId)
                  .where('is_deleted', '=', 0)
                  .limit(UNREAD_CAP)
                  .as('u'),
              )
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          : { n: 0 };
      const mentioned = new Set<number>();
      for (const m of mentionRows) if (m.channel_id === r.id && m.message_id > since) mentioned.add(m.message_id);
      for (const m of everyoneRows) if (m.channel_id === r.id && m.id > since) mentioned.add(m.id);
      out.set(r.id, { last_read_message_id: since, unread_count: Number(unread.n), mention_count: mentioned.size });
    }
    return out;
  }

  private async visible(actor: Actor, communityRef: number | string) {
    const { community, access } = await this.facts.forCommunity(actor, communityRef);
    // Listing needs the community's content, as reading a channel does (with no channel yet).
    assertCan(actor, 'members.list', access);
    if (!access.community?.settings.chat_enabled) throw notFound('This community has no channels');
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('community_id', '=', community.id)
      .where('archived_at', 'is', null)
      .orderBy('position')
      .orderBy('id')
      .execute();
    // A channel locked by level stays in the list (with its lock and the level it needs).
    const listed = (d: ReturnType<typeof can>) => d.allowed || isLocked(d);
    return { community, access, rows: rows.filter((r) => listed(can(actor, 'channel.view', { ...access, channel: channelFacts(r) }))) };
  }

  /** Categories first by position, each followed by its channels; uncategorised channels lead. */
  private order(rows: ChannelRow[]): ChannelRow[] {
    const categories = rows.filter((r) => r.type === 'category');
    const catIds = new Set(categories.map((c) => c.id));
    const loose = rows.filter((r) => r.type !== 'category' && (r.parent_id === null || !catIds.has(r.parent_id)));
    return [...loose, ...categories.flatMap((c) => [c, ...rows.filter((r) => r.type !== 'category' && r.parent_id === c.id)])];
  }

  async list(actor: Actor, communityRef: string): Promise<{ items: Channel[] }> {
    const { access, rows } = await this.visible(actor, communityRef);
    // A category shows only when it holds something the caller sees, or the caller manages channels.
    const manage = can(actor, 'channel.manage', { ...access, channel: OPEN_CHANNEL }).allowed;
    const shown = rows.filter((r) => r.type !== 'category' || manage || rows.some((c) => c.parent_id === r.id));
    const reads = await this.readInfo(actor.userId, shown);
    const none = { last_read_message_id: 0, unread_count: 0, mention_count: 0 };
    return { items: this.order(shown).map((r) => this.present(actor, r, access, reads.get(r.id) ?? none)) };
  }

  async get(actor: Actor, channelId: number): Promise<Channel> {
    const { row, access } = await this.load(actor, channelId, { fresh: true });
    const read = (await this.readInfo(actor.userId, [row])).get(row.id) ?? { last_read_message_id: 0, unread_count: 0, mention_count: 0 };
    return this.present(actor, row, access, read);
  }

  private async freeSlug(trx: Tx, communityId: number, name: string, type: string, exceptId?: number): Promise<string> {
    const base = `${channelSlug(name)}${type === 'category' ? '-category' : ''}`.slice(0, 95);
    for (let n = 1; n < 500; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      let q = trx.selectFrom('channels').select('id').where('community_id', '=', communityId).where('slug', '=', candidate);
      if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
      if (!(await q.executeTakeFirst())) return candidate;
    }
    throw conflict('Too many channels with this name');
  }

  private async assertParent(trx: Tx, communityId: number, parentId: number | null | undefined, type: string): Promise<void> {
    if (parentId === null || parentId === undefined) return;
    if (type === 'category') throw invalid('body.parent_id', 'Categories cannot be nested', 'invalid_parent');
    const p = await trx.selectFrom('channels').select(['id', 'type', 'community_id']).where('id', '=', parentId).executeTakeFirst();
    if (!p || p.community_id !== communityId || p.type !== 'category')
      throw invalid('body.parent_id', 'The parent must be a category of this community', 'invalid_parent');
  }

  private settingsJson(current: ChannelRow | null, body: Partial<CreateBody>): string {
    const prev = current ? (JSON.parse(current.settings || '{}') as Record<string, unknown>) : {};
    return JSON.stringify({
      ...prev,
      ...(body.allowed_role_slugs !== undefined ? { allowed_role_slugs: body.allowed_role_slugs } : {}),
      ...(body.allowed_user_ids !== undefined ? { allowed_user_ids: body.allowed_user_ids } : {}),
      ...(body.slow_mode_seconds !== undefined ? { slow_mode_seconds: body.slow_mode_seconds } : {}),
      ...(body.min_level !== undefined ? { min_level: body.min_level } : {}),
    });
  }

  private none = { last_read_message_id: 0, unread_count: 0, mention_count: 0 };

  async create(actor: Actor, communityRef: string, body: CreateBody): Promise<Channel> {
    const { community, access } = await this.facts.forCommunity(actor, communityRef);
    if (!access.community?.settings.chat_enabled) throw notFound('This community has no channels');
    assertCan(actor, 'channel.manage', { ...access, channel: OPEN_CHANNEL });
    body = await this.filtered(actor.userId, community.id, body);
    const id = await inTransaction(this.db, async (trx, afterCommit) => {
      await this.assertParent(trx, community.id, body.parent_id, body.type);
      const now = this.ctx.clock.now().toISOString();
      const last = await trx
        .selectFrom('channels')
        .select((eb) => eb.fn.max('position').as('p'))
        .where('community_id', '=', community.id)
        .where('parent_id', body.parent_id ? '=' : 'is', body.parent_id ?? null)
        .executeTakeFirst();
      const channelId = await insertedId(
        trx,
        trx.insertInto('channels').values({
          community_id: community.id,
          parent_id: body.type === 'category' ? null : (body.parent_id ?? null),
          name: body.name,
          slug: await this.freeSlug(trx, community.id, body.name, body.type),
          type: body.type,
          topic: body.topic ?? null,
          position: Number(last?.p ?? -1) + 1,
          is_private: body.is_private ? 1 : 0,
          settings: this.settingsJson(null, body),
          created_at: now,
          updated_at: now,
        }),
      );
      afterCommit(() => this.publish.toCommunity(community.id, REALTIME_EVENTS.channelCreated, { channel_id: channelId }));
      return channelId;
    });
    const row = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return this.present(actor, row, access, this.none);
  }

  async update(actor: Actor, channelId: number, body: UpdateBody): Promise<Channel> {
    const { row, access } = await this.load(actor, channelId);
    assertCan(actor, 'channel.manage', access);
    if (body.type !== undefined && body.type !== row.type && row.type !== 'text' && row.type !== 'announcement')
      throw invalid('body.type', 'Only text and announcement channels switch type', 'not_switchable');
    body = await this.filtered(actor.userId, row.community_id, body);
    await inTransaction(this.db, async (trx, afterCommit) => {
      if (body.parent_id !== undefined) await this.assertParent(trx, row.community_id, body.parent_id, row.type);
      await trx
        .updateTable('channels')
        .set({
          ...(body.name !== undefined && body.name !== row.name
            ? { name: body.name, slug: await this.freeSlug(trx, row.community_id, body.name, row.type, row.id) }
            : {}),
          ...(body.topic !== undefined ? { topic: body.topic } : {}),
          ...(body.parent_id !== undefined ? { parent_id: body.parent_id } : {}),
          ...(body.position !== undefined ? { position: body.position } : {}),
          ...(body.is_private !== undefined ? { is_private: body.is_private ? 1 : 0 } : {}),
          ...(body.type !== undefined ? { type: body.type } : {}),
          settings: this.settingsJson(row, body),
          updated_at: this.ctx.clock.now().toISOString(),
        })
        .where('id', '=', row.id)
        .execute();
      afterCommit(() => {
        this.publish.toCommunity(row.community_id, REALTIME_EVENTS.channelUpdated, { channel_id: row.id });
        // Made private or given to other roles or people: subscribers who lost it stop listening.
        if (
          body.is_private !== undefined ||
          body.allowed_role_slugs !== undefined ||
          body.allowed_user_ids !== undefined ||
          body.min_level !== undefined
        )
          this.revoker.revoke({ scope: { channel: row.id } });
      });
    });
    return this.get(actor, channelId);
  }

  /** A channel's overrides, with role names and users, for the settings screen. */
  async overrides(actor: Actor, channelId: number): Promise<{ items: ChannelOverride[] }> {
    const { row, access } = await this.load(actor, channelId, { fresh: true });
    assertCan(actor, 'channel.manage', access);
    return this.presentOverrides(row);
  }

  private async presentOverrides(row: ChannelRow): Promise<{ items: ChannelOverride[] }> {
    const list = channelFacts(row).overrides ?? [];
    const [roles, users] = await Promise.all([
      this.db.selectFrom('community_roles').select(['id', 'slug', 'name']).where('community_id', '=', row.community_id).execute(),
      this.ctx.host.identities.getUsers(list.flatMap((o) => (o.userId !== undefined ? [o.userId] : []))),
    ]);
    return {
      items: list.map((o) => {
        const role = o.roleSlug !== undefined ? roles.find((r) => r.slug === o.roleSlug) : undefined;
        const u = o.userId !== undefined ? users.get(o.userId) : undefined;
        return {
          target: o.roleSlug !== undefined ? ('role' as const) : ('member' as const),
          role: role
            ? { id: role.id, slug: role.slug, name: role.name }
            : o.roleSlug !== undefined
              ? { id: 0, slug: o.roleSlug, name: o.roleSlug }
              : null,
          user: o.userId !== undefined ? { id: o.userId, name: u?.name ?? 'Former member', avatar_url: u?.avatarUrl ?? null } : null,
          allow: o.allow as ChannelOverride['allow'],
          deny: o.deny as ChannelOverride['deny'],
        };
      }),
    };
  }

  /** Sets (or, with nothing allowed or denied, removes) the override of one role or one member. */
  async setOverride(actor: Actor, channelId: number, body: OverrideBody): Promise<{ items: ChannelOverride[] }> {
    const { row, access } = await this.load(actor, channelId, { fresh: true });
    assertCan(actor, 'channel.manage', access);
    if (row.type === 'category') throw invalid('body', 'Categories have no overrides', 'not_a_channel');
    if (body.role_slug !== undefined) {
      const role = await this.db
        .selectFrom('community_roles')
        .select('slug')
        .where('community_id', '=', row.community_id)
        .where('slug', '=', body.role_slug)
        .executeTakeFirst();
      if (!role) throw invalid('body.role_slug', `No role "${body.role_slug}" here`, 'unknown_role');
      if (role.slug === 'owner') throw invalid('body.role_slug', 'The owner always has every permission', 'owner_role');
    }
    if (body.user_id !== undefined) {
      const m = await this.db
        .selectFrom('community_members')
        .select('id')
        .where('community_id', '=', row.community_id)
        .where('user_id', '=', body.user_id)
        .executeTakeFirst();
      if (!m) throw invalid('body.user_id', 'Not a member of this community', 'not_member');
    }
    await inTransaction(this.db, async (trx, afterCommit) => {
      const fresh = await trx.selectFrom('channels').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      const prev = JSON.parse(fresh.settings || '{}') as { overrides?: StoredOverride[] };
      const others = (prev.overrides ?? []).filter((o) =>
        body.role_slug !== undefined ? o.role_slug !== body.role_slug : o.user_id !== body.user_id,
      );
      const next: StoredOverride[] =
        body.allow.length + body.deny.length === 0
          ? others
          : [
              ...others,
              {
                ...(body.role_slug !== undefined ? { role_slug: body.role_slug } : { user_id: body.user_id! }),
                allow: [...new Set(body.allow)],
                deny: [...new Set(body.deny)],
              },
            ];
      await trx
        .updateTable('channels')
        .set({ settings: JSON.stringify({ ...prev, overrides: next }), updated_at: this.ctx.clock.now().toISOString() })
        .where('id', '=', row.id)
        .execute();
      afterCommit(() => {
        this.publish.toCommunity(row.community_id, REALTIME_EVENTS.channelUpdated, { channel_id: row.id });
        this.revoker.revoke({ scope: { channel: row.id } });
      });
    });
    const updated = await this.db.selectFrom('channels').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return this.presentOverrides(updated);
  }

  async remove(actor: Actor, channelId: number): Promise<void> {
    const { row, access } = await this.load(actor, channelId);
    assertCan(actor, 'channel.manage', access);
    await inTransaction(this.db, async (trx, afterCommit) => {
      if (row.type === 'category') await trx.updateTable('channels').set({ parent_id: null }).where('parent_id', '=', row.id).execute();
      await trx.deleteFrom('channels').where('id', '=', row.id).execute();
      afterCommit(() => {
        this.publish.toCommunity(row.community_id, REALTIME_EVENTS.channelDeleted, { channel_id: row.id });
        this.publish.toChannel(row.id, REALTIME_EVENTS.channelDeleted, { channel_id: row.id });
        this.revoker.revoke({ scope: { channel: row.id } });
      });
    });
  }

  async reorder(actor: Actor, communityRef: string, body: ReorderBody): Promise<{ items: Channel[] }> {
    const { community, access } = await this.facts.forCommunity(actor, communityRef);
    if (!access.community?.settings.chat_enabled) throw notFound('This community has no channels');
    assertCan(actor, 'channel.manage', { ...access, channel: OPEN_CHANNEL });
    await inTransaction(this.db, async (trx, afterCommit) => {
      const rows = await trx.selectFrom('channels').selectAll().where('community_id', '=', community.id).execute();
      // Only channels the caller sees: one they may not see answers as if it did not exist.
      const byId = new Map(
        rows.filter((r) => can(actor, 'channel.view', { ...access, channel: channelFacts(r) }).allowed).map((r) => [r.id, r]),
      );
      for (const [i, item] of body.items.entries()) {
        const r = byId.get(item.id);
        if (!r) throw invalid(`body.items.${i}.id`, 'Not a channel of this community', 'unknown_channel');
        if (item.parent_id !== null) {
          const p = byId.get(item.parent_id);
          if (!p || p.type !== 'category' || r.type === 'category')
            throw invalid(`body.items.${i}.parent_id`, 'The parent must be a category; categories cannot be nested', 'invalid_parent');
        }
        await trx.updateTable('channels').set({ parent_id: item.parent_id, position: item.position }).where('id', '=', item.id).execute();
      }
      afterCommit(() => this.publish.toCommunity(community.id, REALTIME_EVENTS.channelUpdated, { reordered: true }));
    });
    return this.list(actor, String(community.id));
  }

  /** Moves the caller's read marker forward (never back) and pushes it to their other devices. */
  async markRead(actor: Actor, channelId: number, messageId: number): Promise<ReadInfo> {
    const { row } = await this.load(actor, channelId, { fresh: true });
    const upTo = Math.min(messageId, row.last_message_id ?? 0);
    const now = this.ctx.clock.now().toISOString();
    // Forward only, and safe when two devices mark at once: each statement stands alone (a
    // transaction would gain nothing), and whichever insert loses the unique key moves the
    // winner's marker instead.
    const forward = () =>
      this.db
        .updateTable('channel_read_states')
        .set({ last_read_message_id: upTo, updated_at: now })
        .where('channel_id', '=', row.id)
        .where('user_id', '=', actor.userId)
        .where('last_read_message_id', '<', upTo)
        .executeTakeFirst();
    const marker = () =>
      this.db
        .selectFrom('channel_read_states')
        .select('id')
        .where('channel_id', '=', row.id)
        .where('user_id', '=', actor.userId)
        .executeTakeFirst();
    if (Number((await forward()).numUpdatedRows) === 0 && !(await marker())) {
      try {
        await this.db
          .insertInto('channel_read_states')
          .values({ channel_id: row.id, user_id: actor.userId, last_read_message_id: upTo, mention_count: 0, updated_at: now })
          .execute();
      } catch (error) {
        if (!(await marker())) throw error;
        await forward();
      }
    }
    const info = (await this.readInfo(actor.userId, [row])).get(row.id)!;
    this.publish.toUsers([actor.userId], REALTIME_EVENTS.readStateUpdated, { channel_id: row.id, ...info });
    return info;
  }
}
