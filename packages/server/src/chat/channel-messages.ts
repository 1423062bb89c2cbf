import {
  extractMentions,
  extractRoleMentions,
  mentionsEveryone,
  REALTIME_EVENTS,
  type ChannelMessage,
  type channels as channelEndpoints,
} from '@communities/contract';
import type { z } from 'zod';

import { assertCan, can, canEditOwn, type AccessContext, type Actor, type MembershipFacts } from '../access';
import { ACTIVITY_RESOLUTION_MS, activityStale, touchCommunityActivity } from '../communities/activity';
import { memberWithRoleQuery, membershipFacts, openToCommunity, type FactsLoader } from '../communities/facts';
import { accessFloor, HOLDING } from '../communities/subscription-terms';
import type { HostUser } from '../host/ports';
import { ReusableInsert } from '../platform/db/insert';
import { ReusableQuery } from '../platform/db/reusable';
import type { ChannelMessageRow, ChannelRow } from '../platform/db/schema';
import { inTransaction, type DbHandle, type Tx } from '../platform/db/transaction';
import { AppError, forbidden, invalid, notFound, rateLimited } from '../platform/errors';

import type { ChannelService } from './channels';
import type { ContentCheck } from './content-check';
import type { ChatDeps } from './deps';
import { asOf, changesPage, historyPage, rangeOnMysql, type ChangesQuery, type HistoryQuery } from './history';
import { hydrateMessages, hydrationDeps, parseMessageMeta, presentBase, touchMessage, type Hydrated } from './hydrate';
import { bindAttachments, checkContent, checkLimits, recordCheck } from './pipeline';
import type { ChatPublisher } from './publish';

type PostBody = z.output<(typeof channelEndpoints)['post']['body']>;
type Shared = Omit<ChannelMessage, 'nonce' | 'viewer_can'>;
/** A page's hydration plus the replies marked helpful. */
type ChannelHydrated = Hydrated & { helpful: Set<number> };

/** Moderation states only the author and the moderators see. */
export const UNSEEN = ['held', 'hidden'];

/**
 * The columns a page of messages shows: a history page reads these rather than `select *`
 * (pin, delete and moderation bookkeeping and updated_at stay on disk), a third less of SQLite's
 * and V8's work per row.
 */
const PAGE_COLUMNS = [
  'id',
  'channel_id',
  'user_id',
  'content',
  'metadata',
  'reply_to_id',
  'nonce',
  'is_pinned',
  'is_deleted',
  'edited_at',
  'mention_everyone',
  'created_at',
] as const;
type PageRow = Pick<ChannelMessageRow, (typeof PAGE_COLUMNS)[number]>;

/** Role mentions reach at most this many members (larger audiences need @everyone). */
const ROLE_MENTION_CAP = 1000;

/** The columns a posted message is inserted with (ReusableInsert). */
const MESSAGE_COLUMNS = [
  'channel_id',
  'user_id',
  'content',
  'metadata',
  'reply_to_id',
  'nonce',
  'mention_everyone',
  'moderation_state',
  'created_at',
  'updated_at',
] as const;

/** Channel messages: history, the posting pipeline, edit, delete, pins and reactions. */
export class ChannelMessageService {
  /** The message row, compiled once (built per post, it cost more CPU than SQLite's write of it). */
  private readonly insertMessage: ReusableInsert<'channel_messages', (typeof MESSAGE_COLUMNS)[number]>;

  constructor(
    private readonly ctx: Pick<ChatDeps, 'bus' | 'clock' | 'config' | 'db' | 'host' | 'services'>,
    private readonly facts: FactsLoader,
    private readonly channels: ChannelService,
    private readonly publish: ChatPublisher,
    private readonly contentCheck: () => ContentCheck,
  ) {
    this.insertMessage = new ReusableInsert(ctx.db.db, 'channel_messages', MESSAGE_COLUMNS, ctx.db.sqliteStatements);
  }

  private get db(): DbHandle {
    return this.ctx.db.db;
  }

  private async hydrate(rows: PageRow[], me: number, known?: Map<number, HostUser>): Promise<ChannelHydrated> {
    const replies = rows.filter((r) => r.reply_to_id !== null).map((r) => r.id);
    const [h, marks] = await Promise.all([
      hydrateMessages(
        {
          db: this.db,
          ...hydrationDeps(this.ctx, known),
        },
        'channel',
        rows,
        me,
      ),
      replies.length
        ? this.db
            .selectFrom('gamification_helpful_marks')
            .select('target_id')
            .where('target_type', '=', 'message')
            .where('target_id', 'in', replies)
            .execute()
        : Promise.resolve([]),
    ]);
    return { ...h, helpful: new Set(marks.map((m) => Number(m.target_id))) };
  }

  /** Memberships of the authors, for the hierarchy rule on deleting others' messages. */
  private async authorMemberships(communityId: number, authorIds: number[]): Promise<Map<number, MembershipFacts>> {
    if (authorIds.length === 0) return new Map();
    const rows = await memberWithRoleQuery(this.db)
      .where('community_members.community_id', '=', communityId)
      .where('community_members.user_id', 'in', [...new Set(authorIds)])
      .execute();
    return new Map(rows.map((m) => [m.user_id, membershipFacts(m, [])]));
  }

  /**
   * The viewer's rights over a page's messages: pin, react and moderation are the same for every
   * row, and edit and delete depend only on the author, so the access engine runs once per page
   * and once per author rather than four times per message.
   */
  private rights(actor: Actor, access: AccessContext, authors: Map<number, MembershipFacts>) {
    const moderator = can(actor, 'channel.delete_any', access).allowed;
    const pin = can(actor, 'channel.pin', access).allowed;
    const react = can(actor, 'channel.react', access).allowed;
    // Helpful marks (gamification): the asker of the message a reply answers, or a moderator.
    const helpfulOn = this.ctx.config.features.gamification;
    const reviewer = helpfulOn && can(actor, 'moderation.review', access).allowed;
    const byAuthor = new Map<number, { edit: boolean; delete: boolean }>();
    return {
      moderator,
      of(authorId: number, deleted: boolean, askerId: number | null = null): ChannelMessage['viewer_can'] {
        let r = byAuthor.get(authorId);
        if (!r) {
          const own = canEditOwn(actor, authorId, access);
          // A target only narrows delete_any (rank): who may not delete any message may delete none of others'.
          const del =
            own ||
            (moderator &&
              can(actor, 'channel.delete_any', { ...access, target: { authorId, targetMembership: authors.get(authorId) ?? null } })
                .allowed);
          r = { edit: own, delete: del };
          byAuthor.set(authorId, r);
        }
        const markHelpful =
          helpfulOn && !deleted && askerId !== null && authorId !== actor.userId && (reviewer || askerId === actor.userId);
        return {
          edit: r.edit && !deleted,
          delete: r.delete && !deleted,
          pin: pin && !deleted,
          react: react && !deleted,
          mark_helpful: markHelpful,
        };
      },
    };
  }

  private present(actor: Actor, r: PageRow, h: ChannelHydrated, rights: ReturnType<ChannelMessageService['rights']>): ChannelMessage {
    const m = this.shared(r, h, rights.moderator);
    // The viewer's two fields go onto the object just built (a page is 50 of these: no copies).
    return Object.assign(m, {
      nonce: r.user_id === actor.userId ? r.nonce : null,
      viewer_can: rights.of(r.user_id, m.deleted, m.reply_to?.author.id ?? null),
    });
  }

  /** The message as every viewer sees it: all but the nonce and the viewer's rights, built as one object. */
  private shared(r: PageRow, h: ChannelHydrated, showDeleted: boolean): Shared {
    const meta = parseMessageMeta(r.metadata);
    const base = presentBase(r, h, { showDeleted }, meta);
    return {
      id: base.id,
      author: base.author,
      content: base.content,
      deleted: base.deleted,
      reply_to: base.reply_to,
      mentions: base.mentions,
      attachments: base.attachments,
      reactions: base.reactions,
      created_at: r.created_at,
      edited_at: r.edited_at,
      channel_id: r.channel_id,
      mention_everyone: r.mention_everyone === 1,
      mention_roles: meta.mention_roles,
      is_pinned: r.is_pinned === 1,
      helpful: r.reply_to_id !== null && h.helpful.has(r.id),
    };
  }

  private async presentRows(actor: Actor, channel: ChannelRow, access: AccessContext, rows: PageRow[]) {
    // The authors' roles matter only to a viewer who may delete others' messages (the
    // hierarchy rule); everyone else is spared the query.
    const mayDeleteOthers = can(actor, 'channel.delete_any', access).allowed;
    const [h, authors] = await Promise.all([
      this.hydrate(rows, actor.userId),
      mayDeleteOthers
        ? this.authorMemberships(
            channel.community_id,
            rows.map((r) => r.user_id),
          )
        : new Map<number, MembershipFacts>(),
    ]);
    const rights = this.rights(actor, access, authors);
    return rows.map((r) => this.present(actor, r, h, rights));
  }

  /** The history page statements, one per direction and audience, each built and compiled once (see ReusableQuery). */
  private readonly pageQueries = new Map<string, ReusableQuery<number[], PageRow>>();

  /**
   * `n` rows of a channel from `id` in the direction of `cmp` (the newest with none), nearest
   * first; held and hidden messages only for their author or a moderator.
   */
  private pageRows(channelId: number, viewer: number, moderator: boolean, cmp: '<' | '>' | '>=' | null, id: number, n: number) {
    const range = rangeOnMysql(this.ctx.db.dialect);
    // The values each statement binds, in order: a statement takes only what it uses.
    const args = [channelId, ...(range ? [channelId] : []), ...(moderator ? [] : [viewer]), ...(cmp ? [id] : []), n];
    const key = `${cmp}:${moderator}`;
    let q = this.pageQueries.get(key);
    if (!q) {
      q = new ReusableQuery(
        this.db,
        (db, ...values: number[]) => {
          let i = 0;
          const next = () => values[i++]!;
          let query = db.selectFrom('channel_messages').select(PAGE_COLUMNS);
          query = range
            ? query.where('channel_id', '>=', next()).where('channel_id', '<=', next())
            : query.where('channel_id', '=', next());
          // Held and hidden messages: their author and the moderators only.
          if (!moderator) {
            const author = next();
            query = query.where((eb) => eb.or([eb('moderation_state', 'not in', UNSEEN), eb('user_id', '=', author)]));
          }
          if (cmp) query = query.where('id', cmp, next());
          return query.orderBy('id', cmp === '>' || cmp === '>=' ? 'asc' : 'desc').limit(next());
        },
        args.map((_, k) => -9001 - k),
      );
      this.pageQueries.set(key, q);
    }
    return q.execute(...args);
  }

  async history(actor: Actor, channelId: number, q: HistoryQuery) {
    const now = this.ctx.clock.now();
    const { row: channel, access } = await this.channels.load(actor, channelId);
    const moderator = can(actor, 'moderation.review', access).allowed;
    const page = await historyPage<PageRow>(q, (cmp, id, n) => this.pageRows(channel.id, actor.userId, moderator, cmp, id, n));
    return { ...page, items: await this.presentRows(actor, channel, access, page.items), as_of: asOf(now) };
  }

  /** Messages the caller shows that changed since `since` (catch-up after a reconnect). */
  async changes(actor: Actor, channelId: number, q: ChangesQuery) {
    const now = this.ctx.clock.now();
    const { row: channel, access } = await this.channels.load(actor, channelId);
    const page = await changesPage<ChannelMessageRow>(this.db, 'channel_messages', { column: 'channel_id', id: channel.id }, q, now);
    const moderator = can(actor, 'moderation.review', access).allowed;
    const seen = moderator ? page.items : page.items.filter((r) => !UNSEEN.includes(r.moderation_state) || r.user_id === actor.userId);
    return { ...page, items: await this.presentRows(actor, channel, access, seen) };
  }

  async pins(actor: Actor, channelId: number) {
    const { row: channel, access } = await this.channels.load(actor, channelId);
    const rows = await this.db
      .selectFrom('channel_messages')
      .selectAll()
      .where('channel_id', '=', channel.id)
      .where('is_pinned', '=', 1)
      .where('is_deleted', '=', 0)
      .orderBy('pinned_at', 'desc')
      .limit(50)
      .execute();
    return { items: await this.presentRows(actor, channel, access, rows) };
  }

  /**
   * The posting pipeline: validate → access (mute, slow mode, announcement rules) → content
   * check → persist in one transaction → after commit publish MessagePosted and broadcast.
   */
  async post(actor: Actor, author: HostUser, channelId: number, body: PostBody): Promise<ChannelMessage> {
    checkLimits(this.ctx.config, body);
    const { row: channel, facts, community, access } = await this.channels.load(actor, channelId);
    assertCan(actor, 'channel.post', access);
    if (body.attachment_ids.length) assertCan(actor, 'channel.attach', access);

    // A retried nonce is found by the unique key when the insert fails (no lookup per message);
    // only slow mode, which would refuse the retry first, looks it up beforehand.
    const slow = access.channel?.slowModeSeconds ?? 0;
    if (slow > 0 && !can(actor, 'channel.manage', access).allowed) {
      const last = await this.db
        .selectFrom('channel_messages')
        .select('created_at')
        .where('channel_id', '=', channel.id)
        .where('user_id', '=', actor.userId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const wait = last ? slow - (this.ctx.clock.now().getTime() - Date.parse(last.created_at)) / 1000 : 0;
      if (wait > 0) {
        const again = body.nonce ? await this.byNonce(actor.userId, body.nonce) : undefined;
        if (again) return this.replay(actor, channel, access, again);
        throw rateLimited(wait);
      }
    }
    if (body.reply_to_id !== undefined) {
      const parent = await this.db
        .selectFrom('channel_messages')
        .select(['id', 'channel_id'])
        .where('id', '=', body.reply_to_id)
        .executeTakeFirst();
      if (parent?.channel_id !== channel.id) throw invalid('body.reply_to_id', 'Reply to a message of this channel', 'unknown_message');
    }
    const checkInput = {
      content: body.content,
      userId: actor.userId,
      communityId: channel.community_id,
      target: 'channel_message' as const,
    };
    const checked = await checkContent(this.contentCheck(), checkInput);
    // @everyone and @role ping only for those allowed to; otherwise they stay plain text.
    const mayPingAll = can(actor, 'channel.mention_everyone', access).allowed;
    const everyone = mayPingAll && mentionsEveryone(checked.content);
    const roles = mayPingAll ? extractRoleMentions(checked.content) : [];
    const mentions = extractMentions(checked.content)
      .filter((id) => id !== actor.userId)
      .slice(0, 50);

    // Only members who may read the channel hear of it: one query for the named and the role-mentioned.
    const notified = mentions.length || roles.length ? await this.mayBeNotified(actor, access, mentions, roles) : [];

    const now = this.ctx.clock.now().toISOString();
    let messageId: number;
    try {
      messageId = await this.ctx.db.groupCommit.run(async (trx, afterCommit, once) => {
        const id = await this.insertMessage.run(trx, {
          channel_id: channel.id,
          user_id: actor.userId,
          content: checked.content,
          metadata: JSON.stringify({ mentions, mention_roles: roles }),
          reply_to_id: body.reply_to_id ?? null,
          nonce: body.nonce ?? null,
          mention_everyone: everyone ? 1 : 0,
          moderation_state: checked.state,
          created_at: now,
          updated_at: now,
        });
        if (notified.length)
          await trx
            .insertInto('channel_message_mentions')
            .values(notified.map((user_id) => ({ message_id: id, channel_id: channel.id, user_id })))
            .execute();
        await bindAttachments(trx, 'channel', actor, id, body.attachment_ids);
        await recordCheck(this.contentCheck(), trx, afterCommit, checkInput, checked, { id, created_at: now });
        // Bookkeeping on rows every poster shares, once per commit (group) and only forward:
        // concurrent posts commit in any order, and the channel's last is the highest id.
        once(`channel:${channel.id}`, (t) =>
          t
            .updateTable('channels')
            .set({ last_message_id: id })
            .where('id', '=', channel.id)
            .where((eb) => eb.or([eb('last_message_id', 'is', null), eb('last_message_id', '<', id)]))
            .execute(),
        );
        // Activity is a discovery signal measured in minutes (see activityStale).
        if (activityStale(community.last_activity_at, now))
          once(`community:${channel.community_id}`, (t) => touchCommunityActivity(t, channel.community_id, now, ACTIVITY_RESOLUTION_MS));
        await this.ctx.bus.record(trx, 'MessagePosted', {
          community_id: channel.community_id,
          user_id: actor.userId,
          channel_id: channel.id,
          message_id: id,
          reply_to_id: body.reply_to_id ?? null,
          mentions: notified,
          mention_everyone: everyone,
        });
        return id;
      });
    } catch (err) {
      // Two sends with one nonce raced: the unique key kept one; answer with it.
      const again = body.nonce ? await this.byNonce(actor.userId, body.nonce) : undefined;
      if (again) return this.replay(actor, channel, access, again);
      throw err;
    }
    // Presented from what was just written: the author is the caller, nothing has reactions yet.
    const row: ChannelMessageRow = {
      id: messageId,
      channel_id: channel.id,
      user_id: actor.userId,
      content: checked.content,
      metadata: JSON.stringify({ mentions, mention_roles: roles }),
      reply_to_id: body.reply_to_id ?? null,
      nonce: body.nonce ?? null,
      is_pinned: 0,
      pinned_at: null,
      pinned_by: null,
      is_deleted: 0,
      deleted_at: null,
      deleted_by: null,
      edited_at: null,
      mention_everyone: everyone ? 1 : 0,
      moderation_state: checked.state,
      created_at: now,
      updated_at: now,
    };
    const h =
      body.reply_to_id !== undefined || body.attachment_ids.length
        ? await this.hydrate([row], actor.userId, new Map([[author.id, author]]))
        : {
            users: new Map([[author.id, author]]),
            reactions: new Map(),
            attachments: new Map(),
            replies: new Map(),
            helpful: new Set<number>(),
          };
    const message = this.present(actor, row, h, this.rights(actor, access, new Map()));
    // Held: its author and the moderators see it; nobody else hears of it until it is approved.
    if (checked.state === 'held') return message;
    this.broadcastCreated(message);
    this.broadcastActivity(channel, openToCommunity(facts), message, notified);
    return message;
  }

  /**
   * Of the users a message names and the members of the roles it pings, those who may read
   * the channel (its privacy, roles and tiers, their membership), the author left out.
   * Members are judged by their community role (a site admin too, when a member).
   */
  private async mayBeNotified(actor: Actor, access: AccessContext, mentions: number[], roles: string[]): Promise<number[]> {
    const community = access.community!;
    const rows = await memberWithRoleQuery(this.db)
      .where('community_members.community_id', '=', community.id)
      .where((eb) =>
        eb.or([
          ...(mentions.length ? [eb('community_members.user_id', 'in', mentions)] : []),
          ...(roles.length
            ? [eb.and([eb('community_roles.slug', 'in', roles), eb('community_members.status', 'in', ['active', 'muted'])])]
            : []),
        ]),
      )
      .limit(ROLE_MENTION_CAP + mentions.length)
      .execute();
    const gated = community.requiredTierIds.length > 0 || (access.channel?.requiredTierIds.length ?? 0) > 0;
    const tiers = new Map<number, number[]>();
    if (gated && rows.length) {
      const subs = await this.db
        .selectFrom('community_member_subscriptions')
        .select(['user_id', 'pricing_tier_id'])
        .where('community_id', '=', community.id)
        .where(
          'user_id',
          'in',
          rows.map((r) => r.user_id),
        )
        .where('status', 'in', [...HOLDING])
        .where((eb) =>
          eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', accessFloor(access.now, this.ctx.config.pricing.grace_period_hours))]),
        )
        .execute();
      for (const s of subs) tiers.set(s.user_id, [...(tiers.get(s.user_id) ?? []), s.pricing_tier_id]);
    }
    return rows
      .filter((m) => m.user_id !== actor.userId)
      .filter((m) => {
        const member: Actor = { userId: m.user_id, globalRole: 'student', isAdmin: false };
        return can(member, 'channel.view', { ...access, membership: membershipFacts(m, tiers.get(m.user_id) ?? []) }).allowed;
      })
      .map((m) => m.user_id);
  }

  /**
   * The light signal for badges: channel.activity where every reader of the channel listens
   * (the community channel for an open channel, the channel itself for a private or
   * tier-gated one), and mention.created to each member the message mentions.
   */
  private broadcastActivity(channel: ChannelRow, open: boolean, m: ChannelMessage, notified: number[]): void {
    const activity = { channel_id: channel.id, message_id: m.id, author_id: m.author.id, everyone: m.mention_everyone };
    if (open) this.publish.toCommunity(channel.community_id, REALTIME_EVENTS.channelActivity, activity);
    else this.publish.toChannel(channel.id, REALTIME_EVENTS.channelActivity, activity);
    if (notified.length)
      this.publish.toUsers(notified, REALTIME_EVENTS.mentionCreated, {
        community_id: channel.community_id,
        channel_id: channel.id,
        message_id: m.id,
        author_id: m.author.id,
      });
  }

  /** What everyone receives: the message without anything that depends on who looks (see toRealtimeMessage). */
  private broadcastCreated(m: ChannelMessage): void {
    this.publish.message(REALTIME_EVENTS.messageCreated, m);
  }

  private byNonce(userId: number, nonce: string) {
    return this.db.selectFrom('channel_messages').selectAll().where('user_id', '=', userId).where('nonce', '=', nonce).executeTakeFirst();
  }

  private async replay(actor: Actor, channel: ChannelRow, access: AccessContext, row: ChannelMessageRow): Promise<ChannelMessage> {
    if (row.channel_id !== channel.id)
      throw new AppError('conflict', 'This nonce was already used for another message', { details: { field: 'nonce' } });
    return (await this.presentRows(actor, channel, access, [row]))[0]!;
  }

  /** The message and its channel, with the caller's access; 404 when out of reach. */
  private async load(actor: Actor, messageId: number) {
    const row = await this.db.selectFrom('channel_messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    if (!row) throw notFound('No such message');
    const { row: channel, access } = await this.channels.load(actor, row.channel_id);
    return { row, channel, access };
  }

  private async presentOne(actor: Actor, messageId: number): Promise<ChannelMessage> {
    const { row, channel, access } = await this.load(actor, messageId);
    return (await this.presentRows(actor, channel, access, [row]))[0]!;
  }

  async edit(actor: Actor, messageId: number, content: string): Promise<ChannelMessage> {
    const { row, channel, access } = await this.load(actor, messageId);
    if (row.is_deleted || !canEditOwn(actor, row.user_id, access)) throw forbidden('Only the author can edit this message');
    const window = this.ctx.config.chat.edit_window_seconds;
    if (window > 0 && this.ctx.clock.now().getTime() - Date.parse(row.created_at) > window * 1000)
      throw forbidden('The time to edit this message is over');
    checkLimits(this.ctx.config, { content, attachment_ids: [] });
    const checkInput = { content, userId: actor.userId, communityId: channel.community_id, target: 'channel_message' as const };
    const checked = await checkContent(this.contentCheck(), checkInput);
    const now = this.ctx.clock.now().toISOString();
    const meta = parseMessageMeta(row.metadata);
    await inTransaction(this.db, async (trx, afterCommit) => {
      await trx
        .updateTable('channel_messages')
        .set({
          content: checked.content,
          metadata: JSON.stringify({ ...meta, mentions: extractMentions(checked.content).filter((id) => id !== actor.userId) }),
          moderation_state: checked.state,
          edited_at: now,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .execute();
      await recordCheck(this.contentCheck(), trx, afterCommit, checkInput, checked, row);
    });
    const message = await this.presentOne(actor, messageId);
    if (checked.state !== 'held') this.publish.messageUpdated(message);
    return message;
  }

  /**
   * A message changed without anyone editing it (an attachment's scan finished): its
   * updated_at moves, so catch-up after a reconnect finds it, and members get message.updated.
   */
  async touched(messageId: number): Promise<void> {
    await touchMessage(this.db, 'channel_messages', messageId, this.ctx.clock.now());
    const row = await this.db.selectFrom('channel_messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    if (row && !row.is_deleted) this.publish.messageUpdated(this.shared(row, await this.hydrate([row], 0), false));
  }

  async remove(actor: Actor, messageId: number): Promise<void> {
    const { row, channel, access } = await this.load(actor, messageId);
    if (row.is_deleted) return;
    const authors = await this.authorMemberships(channel.community_id, [row.user_id]);
    const own = canEditOwn(actor, row.user_id, access);
    if (!own)
      assertCan(actor, 'channel.delete_any', {
        ...access,
        target: { authorId: row.user_id, targetMembership: authors.get(row.user_id) ?? null },
      });
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      const done = await trx
        .updateTable('channel_messages')
        .set({ is_deleted: 1, deleted_at: now, deleted_by: actor.userId, is_pinned: 0, updated_at: now })
        .where('id', '=', row.id)
        .where('is_deleted', '=', 0)
        .executeTakeFirst();
      // Points it earned (and reactions and helpful marks on it) are reversed by gamification.
      if (Number(done.numUpdatedRows) > 0)
        await this.ctx.bus.record(trx, 'MessageDeleted', {
          community_id: channel.community_id,
          user_id: actor.userId,
          channel_id: channel.id,
          message_id: row.id,
          author_id: row.user_id,
          by_user_id: actor.userId,
        });
    });
    this.publish.toChannel(channel.id, REALTIME_EVENTS.messageDeleted, { id: row.id, channel_id: channel.id });
  }

  async setPinned(actor: Actor, messageId: number, pinned: boolean): Promise<ChannelMessage> {
    const { row, channel, access } = await this.load(actor, messageId);
    assertCan(actor, 'channel.pin', access);
    if (row.is_deleted) throw notFound('No such message');
    const now = this.ctx.clock.now().toISOString();
    await this.db
      .updateTable('channel_messages')
      .set(
        pinned
          ? { is_pinned: 1, pinned_at: now, pinned_by: actor.userId, updated_at: now }
          : { is_pinned: 0, pinned_at: null, pinned_by: null, updated_at: now },
      )
      .where('id', '=', row.id)
      .execute();
    this.publish.toChannel(channel.id, REALTIME_EVENTS.messagePinned, { id: row.id, channel_id: channel.id, is_pinned: pinned });
    return this.presentOne(actor, messageId);
  }

  async react(actor: Actor, messageId: number, emoji: string) {
    const { row, channel, access } = await this.load(actor, messageId);
    assertCan(actor, 'channel.react', access);
    if (row.is_deleted) throw notFound('No such message');
    const reacted = await toggleReaction(
      this.db,
      'channel_message_reactions',
      row.id,
      actor.userId,
      emoji,
      this.ctx.clock.now(),
      (trx, on) =>
        this.ctx.bus.record(trx, on ? 'ReactionAdded' : 'ReactionRemoved', {
          community_id: channel.community_id,
          user_id: actor.userId,
          target_type: 'message',
          target_id: row.id,
          emoji,
          target_author_id: row.user_id,
        }),
    );
    const reactions = (await this.hydrate([row], actor.userId)).reactions.get(row.id) ?? [];
    this.publish.toChannel(channel.id, REALTIME_EVENTS.reactionChanged, {
      message_id: row.id,
      channel_id: channel.id,
      user_id: actor.userId,
      emoji,
      reacted,
      counts: reactions.map((r) => ({ emoji: r.emoji, count: r.count })),
    });
    return { reacted, reactions };
  }
}

/** Adds the reaction, or removes it when the user already gave it; true when it is now on. */
export async function toggleReaction(
  db: DbHandle,
  table: 'channel_message_reactions' | 'dm_message_reactions',
  messageId: number,
  userId: number,
  emoji: string,
  now: Date,
  /** Work in the same transaction once the toggle is known (the channel path records its domain event). */
  changed?: (trx: Tx, reacted: boolean) => Promise<unknown>,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // Both reaction tables have the same columns; the cast only picks one for the type checker.
    const t = table as 'channel_message_reactions';
    await touchMessage(trx, table === 'channel_message_reactions' ? 'channel_messages' : 'dm_messages', messageId, now);
    const removed = await trx
      .deleteFrom(t)
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('emoji', '=', emoji)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0) {
      await changed?.(trx, false);
      return false;
    }
    const at = now.toISOString();
    await trx.insertInto(t).values({ message_id: messageId, user_id: userId, emoji, created_at: at, updated_at: at }).execute();
    await changed?.(trx, true);
    return true;
  });
}
