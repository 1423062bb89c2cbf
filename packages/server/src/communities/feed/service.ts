import { extractMentions, type FeedComment, type FeedItem, type feed as feedEndpoints } from '@communities/contract';
import { sql } from 'kysely';
import type { z } from 'zod';

import { assertCan, can, canEditOwn, type AccessContext, type Actor, type MembershipFacts } from '../../access';
import type { HostUser } from '../../host/ports';
import { decodeCursor, pageById, pageOf } from '../../platform/cursor';
import { insertedId, ReusableInsert } from '../../platform/db/insert';
import { lockRow } from '../../platform/db/lock';
import type { ChannelAttachmentRow, CommunityRow, FeedCommentRow, FeedItemRow } from '../../platform/db/schema';
import { inTransaction, type Tx } from '../../platform/db/transaction';
import { AppError, notFound } from '../../platform/errors';
import type { ContentCheck } from '../../chat/content-check';
import { checkContent, checkText, recordCheck, type CheckedContent } from '../../chat/pipeline';
import { ACTIVITY_RESOLUTION_MS, activityStale, touchCommunityActivity } from '../activity';
import type { CommunityDeps } from '../deps';
import { membershipFacts, type FactsLoader, type MemberWithRole } from '../facts';

import { NO_HELPFUL, presentComment, presentItem, presentItems, reactionsFor, type CommentHelpful } from './hydrate';
import { FeedPublisher } from './publish';

type FeedQuery = z.output<(typeof feedEndpoints)['communityFeed']['query']>;
type PostBody = z.output<(typeof feedEndpoints)['post']['body']>;

const PERIOD_MS = { day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000, all: Number.POSITIVE_INFINITY };
const SCORE = sql<number>`(${sql.ref('central_feed_items.reaction_count')} + 2 * ${sql.ref('central_feed_items.comment_count')})`;
const INLINE_REPLIES = 3;
/** Held (waiting for a moderator) and hidden content: its author and the moderators only. */
const UNSEEN = ['held', 'hidden'];
const unseen = (state: string): boolean => UNSEEN.includes(state);

/** The columns a new post writes; the others keep their defaults. */
const POST_COLUMNS = [
  'community_id',
  'user_id',
  'type',
  'title',
  'content',
  'metadata',
  'visibility',
  'last_activity_at',
  'moderation_state',
  'nonce',
  'created_at',
  'updated_at',
] as const;

/** The central feed: posts, announcements, comments (two levels), reactions, pins. */
export class FeedService {
  private readonly publish: FeedPublisher;

  /** A post's row, compiled once: building the insert through Kysely cost more than SQLite's write. */
  private readonly insertPost: ReusableInsert<'central_feed_items', (typeof POST_COLUMNS)[number]>;

  constructor(
    private readonly ctx: Pick<CommunityDeps, 'broadcaster' | 'bus' | 'clock' | 'config' | 'db' | 'host' | 'logger' | 'services'>,
    private readonly facts: FactsLoader,
  ) {
    this.publish = new FeedPublisher(ctx);
    this.insertPost = new ReusableInsert(ctx.db.db, 'central_feed_items', POST_COLUMNS, ctx.db.sqliteStatements);
  }

  /** The posting pipeline's content check (moderation's, once wired). */
  private get check(): ContentCheck {
    return this.ctx.services.chat.contentCheck;
  }

  private get db() {
    return this.ctx.db.db;
  }

  private hydrateDeps() {
    return {
      db: this.db,
      facts: this.facts,
      users: (ids: number[]) => this.ctx.host.identities.getUsers(ids),
      attachment: this.presentAttachment,
    };
  }

  private readonly presentAttachment = (row: ChannelAttachmentRow) => this.ctx.services.uploads.present('channel', row);

  private present(actor: Actor, rows: FeedItemRow[], access: AccessContext | null): Promise<FeedItem[]> {
    return presentItems(this.hydrateDeps(), actor, rows, () => access);
  }

  async communityFeed(actor: Actor, idOrSlug: string, q: FeedQuery) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'feed.read', access);
    const moderator = can(actor, 'moderation.review', access).allowed;
    const base = () => {
      let b = this.db.selectFrom('central_feed_items').selectAll().where('community_id', '=', community.id).where('deleted_at', 'is', null);
      // Held and hidden posts: their author and the moderators only.
      if (!moderator) b = b.where((eb) => eb.or([eb('moderation_state', 'not in', UNSEEN), eb('user_id', '=', actor.userId)]));
      if (q.type) b = b.where('type', '=', q.type);
      return b;
    };
    const pinned = q.cursor ? [] : await base().where('is_pinned', '=', 1).orderBy('pinned_at', 'desc').limit(10).execute();
    let query = base().where('is_pinned', '=', 0);
    let page: { items: FeedItemRow[]; next_cursor: string | null };
    if (q.sort === 'top') {
      if (q.period !== 'all')
        query = query.where('created_at', '>=', new Date(this.ctx.clock.now().getTime() - PERIOD_MS[q.period]).toISOString());
      const c = decodeCursor<{ s: number; id: number }>(q.cursor, { s: 'number', id: 'number' });
      if (c) query = query.where((eb) => eb.or([eb(SCORE, '<', c.s), eb.and([eb(SCORE, '=', c.s), eb('id', '<', c.id)])]));
      const rows = await query
        .orderBy(SCORE, 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit + 1)
        .execute();
      page = pageOf(rows, q.limit, (r) => ({ s: r.reaction_count + 2 * r.comment_count, id: r.id }));
    } else {
      page = await pageById(query, q, 'desc');
    }
    const all = await this.present(actor, [...pinned, ...page.items], access);
    return { pinned: all.slice(0, pinned.length), items: all.slice(pinned.length), next_cursor: page.next_cursor };
  }

  /** Items from the communities the caller takes part in, and global announcements. */
  async globalFeed(actor: Actor, q: { cursor?: string | undefined; limit: number }) {
    const memberOf = await this.db
      .selectFrom('community_members')
      .innerJoin('communities', 'communities.id', 'community_members.community_id')
      .selectAll('communities')
      .where('community_members.user_id', '=', actor.userId)
      .where('community_members.status', 'in', ['active', 'muted'])
      .where('communities.status', 'in', ['active', 'archived'])
      .execute();
    const contexts = new Map<number, AccessContext>();
    const moderated: number[] = [];
    for (const row of memberOf) {
      const c = await this.facts.forCommunity(actor, row.id);
      if (!can(actor, 'feed.read', c.access).allowed) continue;
      contexts.set(row.id, c.access);
      if (can(actor, 'moderation.review', c.access).allowed) moderated.push(row.id);
    }
    const readable = [...contexts.keys()];
    const query = this.db
      .selectFrom('central_feed_items')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('community_id', 'is', null), ...(readable.length ? [eb('community_id', 'in', readable)] : [])]))
      // Held and hidden posts: their author, and the moderators of their community.
      .where((eb) =>
        eb.or([
          eb('moderation_state', 'not in', UNSEEN),
          eb('user_id', '=', actor.userId),
          ...(moderated.length ? [eb('community_id', 'in', moderated)] : []),
        ]),
      );
    const page = await pageById(query, q, 'desc');
    const items = await presentItems(this.hydrateDeps(), actor, page.items, (communityId) =>
      communityId === null ? null : (contexts.get(communityId) ?? null),
    );
    return { items, next_cursor: page.next_cursor };
  }

  /** Attachments must be the author's own, unbound uploads. */
  private async bindAttachments(trx: Tx, actor: Actor, itemId: number, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    if (ids.length > this.ctx.config.chat.max_attachments_per_message) {
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: [
          {
            path: 'body.attachment_ids',
            code: 'too_many',
            message: `At most ${this.ctx.config.chat.max_attachments_per_message} attachments`,
          },
        ],
      });
    }
    const res = await trx
      .updateTable('channel_message_attachments')
      .set({ feed_item_id: itemId })
      .where('id', 'in', ids)
      .where('uploader_id', '=', actor.userId)
      .where('feed_item_id', 'is', null)
      .where('message_id', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== new Set(ids).size) {
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: [{ path: 'body.attachment_ids', code: 'unknown_attachment', message: 'Attach your own new uploads only' }],
      });
    }
  }

  private async existingByNonce(actor: Actor, nonce: string | undefined) {
    if (!nonce) return null;
    return (
      (await this.db
        .selectFrom('central_feed_items')
        .selectAll()
        .where('user_id', '=', actor.userId)
        .where('nonce', '=', nonce)
        .executeTakeFirst()) ?? null
    );
  }

  /**
   * The posting pipeline, as the chat path runs it: cached community and membership facts →
   * access → content check → one group-committed transaction (the row, its attachments, the
   * moderation record, FeedPostCreated) → presented from what was written → broadcast.
   */
  async post(actor: Actor, author: HostUser, idOrSlug: string | null, body: PostBody): Promise<FeedItem> {
    let access: AccessContext | null = null;
    let community: CommunityRow | null = null;
    let membership: MemberWithRole | null = null;
    if (idOrSlug === null) {
      assertCan(actor, 'admin.global', this.facts.baseContext());
    } else {
      // Every post reads the same community and membership: the short-lived facts cache the
      // chat path reads, emptied by any write to those tables in this process.
      const found = await this.facts.forCommunity(actor, idOrSlug, {}, { cached: true });
      ({ access, community, membership } = found);
      assertCan(actor, body.type === 'announcement' ? 'feed.announce' : 'feed.post', access);
    }
    const communityId = community?.id ?? null;
    const checkInput = { content: body.content, userId: actor.userId, communityId, target: 'feed_item' as const };
    // A retried nonce is found by the unique key when the insert fails (no lookup per post);
    // only a retry the check now refuses (the repeat rule counts the first send) looks first.
    let checked: CheckedContent;
    let title = body.title ?? null;
    try {
      checked = await checkContent(this.check, checkInput);
      if (title) title = await checkText(this.check, { ...checkInput, content: title, field: 'title' });
    } catch (err) {
      const again = err instanceof AppError && err.code === 'content_rejected' ? await this.existingByNonce(actor, body.nonce) : null;
      if (again) return (await this.present(actor, [again], access))[0]!;
      throw err;
    }
    const now = this.ctx.clock.now().toISOString();
    const type = idOrSlug === null ? 'announcement' : body.type;
    const row: Omit<FeedItemRow, 'id'> = {
      community_id: communityId,
      user_id: actor.userId,
      type,
      title,
      content: checked.content,
      metadata: JSON.stringify({ mentions: extractMentions(checked.content) }),
      visibility: communityId === null ? 'public' : 'members',
      is_pinned: 0,
      pinned_at: null,
      edited_at: null,
      deleted_at: null,
      deleted_by: null,
      comment_count: 0,
      reaction_count: 0,
      last_activity_at: now,
      moderation_state: checked.state,
      nonce: body.nonce ?? null,
      dedupe_key: null,
      created_at: now,
      updated_at: now,
    };
    let id: number;
    try {
      id = await this.ctx.db.groupCommit.run(async (trx, afterCommit, once) => {
        const itemId = await this.insertPost.run(trx, row);
        await this.bindAttachments(trx, actor, itemId, body.attachment_ids);
        await recordCheck(this.check, trx, afterCommit, checkInput, checked, { id: itemId, created_at: row.created_at });
        await this.ctx.bus.record(trx, 'FeedPostCreated', { community_id: communityId, user_id: actor.userId, feed_item_id: itemId, type });
        // The community row every post shares: once per commit group, after the writes, and
        // only when its last activity is older than the resolution (see touchCommunityActivity).
        if (community && activityStale(community.last_activity_at, now))
          once(`community:${community.id}`, (t) => touchCommunityActivity(t, community.id, now, ACTIVITY_RESOLUTION_MS));
        return itemId;
      });
    } catch (err) {
      // Two sends with one nonce: the unique key kept the first; answer with it.
      const again = await this.existingByNonce(actor, body.nonce);
      if (again) return (await this.present(actor, [again], access))[0]!;
      throw err;
    }
    // Presented from what was just written: the author is the caller, a new post has no
    // reactions, and only attached files need reading back.
    const created: FeedItemRow = { id, ...row };
    const attachments = new Map<number, ChannelAttachmentRow[]>();
    if (body.attachment_ids.length)
      attachments.set(
        id,
        await this.db.selectFrom('channel_message_attachments').selectAll().where('feed_item_id', '=', id).orderBy('id').execute(),
      );
    const authorMemberships = new Map<string, MembershipFacts>();
    if (membership) authorMemberships.set(`${communityId}:${actor.userId}`, membershipFacts(membership, []));
    const users = new Map([[author.id, author]]);
    const item = presentItem(
      actor,
      created,
      { users, reactions: new Map(), attachments, authorMemberships },
      access,
      this.presentAttachment,
    );
    // Held: its author and the moderators see it on their next read; nobody else hears of it
    // until a moderator approves it (then `moderated` pushes it).
    if (!unseen(created.moderation_state)) this.publish.postCreated(item);
    return item;
  }

  /** An item with the caller's access context; 404 when the item or its community is out of reach. */
  private async load(
    actor: Actor,
    itemId: number,
    opts: { cached?: boolean } = {},
  ): Promise<{ row: FeedItemRow; access: AccessContext | null; community: CommunityRow | null }> {
    const row = await this.db.selectFrom('central_feed_items').selectAll().where('id', '=', itemId).executeTakeFirst();
    if (!row || row.deleted_at) throw notFound('No such post');
    if (row.community_id === null) return { row, access: null, community: null };
    const { access, community } = await this.facts.forCommunity(actor, row.community_id, {}, opts);
    assertCan(actor, 'feed.read', access);
    // A held or hidden post does not exist for members other than its author: no comments,
    // reactions or reads by id until a moderator lets it out.
    if (unseen(row.moderation_state) && row.user_id !== actor.userId && !can(actor, 'moderation.review', access).allowed)
      throw notFound('No such post');
    return { row, access, community };
  }

  async item(actor: Actor, itemId: number): Promise<FeedItem> {
    const { row, access } = await this.load(actor, itemId);
    return (await this.present(actor, [row], access))[0]!;
  }

  async update(actor: Actor, itemId: number, body: { title?: string | null | undefined; content?: string | undefined }): Promise<FeedItem> {
    const { row, access } = await this.load(actor, itemId);
    const own = access ? canEditOwn(actor, row.user_id, access) : row.user_id === actor.userId;
    if (!own || (row.type !== 'post' && row.type !== 'announcement')) throw new AppError('forbidden', 'Only the author may edit a post');
    const checkInput = { content: body.content ?? '', userId: actor.userId, communityId: row.community_id, target: 'feed_item' as const };
    const checked = body.content !== undefined ? await checkContent(this.check, checkInput) : null;
    if (checked) body = { ...body, content: checked.content };
    if (body.title) body = { ...body, title: await checkText(this.check, { ...checkInput, content: body.title, field: 'title' }) };
    const now = this.ctx.clock.now().toISOString();
    if (checked) await inTransaction(this.db, (trx, afterCommit) => recordCheck(this.check, trx, afterCommit, checkInput, checked, row));
    await this.db
      .updateTable('central_feed_items')
      .set({
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.content !== undefined
          ? { content: body.content, metadata: JSON.stringify({ ...JSON.parse(row.metadata), mentions: extractMentions(body.content) }) }
          : {}),
        ...(checked ? { moderation_state: checked.state } : {}),
        edited_at: now,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    const item = await this.item(actor, row.id);
    if (!unseen(checked?.state ?? row.moderation_state)) this.publish.postUpdated(item);
    return item;
  }

  /** Authors delete their own; others need delete_any over the author's rank (admins for global items). */
  private async assertMayDelete(actor: Actor, access: AccessContext | null, communityId: number | null, authorId: number): Promise<void> {
    if (access ? canEditOwn(actor, authorId, access) : authorId === actor.userId) return;
    if (!access || communityId === null) return assertCan(actor, 'admin.global', this.facts.baseContext());
    const targetMembership = (await this.facts.membership(communityId, authorId))?.facts ?? null;
    assertCan(actor, 'feed.delete_any', { ...access, target: { authorId, targetMembership } });
  }

  async remove(actor: Actor, itemId: number): Promise<void> {
    const { row, access } = await this.load(actor, itemId);
    await this.assertMayDelete(actor, access, row.community_id, row.user_id);
    const now = this.ctx.clock.now().toISOString();
    const deleted = await inTransaction(this.db, async (trx) => {
      const done = await trx
        .updateTable('central_feed_items')
        .set({ deleted_at: now, deleted_by: actor.userId, is_pinned: 0, updated_at: now })
        .where('id', '=', row.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) > 0)
        await this.ctx.bus.record(trx, 'FeedItemDeleted', {
          community_id: row.community_id,
          user_id: actor.userId,
          feed_item_id: row.id,
          author_id: row.user_id,
        });
      return Number(done.numUpdatedRows) > 0;
    });
    if (deleted) this.publish.postDeleted(row.id, row.community_id);
  }

  async setPinned(actor: Actor, itemId: number, pinned: boolean): Promise<FeedItem> {
    const { row, access } = await this.load(actor, itemId);
    if (!access) throw new AppError('forbidden', 'Global announcements are always on top');
    assertCan(actor, 'feed.pin', access);
    const now = this.ctx.clock.now().toISOString();
    await this.db
      .updateTable('central_feed_items')
      .set({ is_pinned: pinned ? 1 : 0, pinned_at: pinned ? now : null, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    const item = await this.item(actor, row.id);
    if (!unseen(row.moderation_state)) this.publish.postUpdated(item);
    return item;
  }

  /**
   * An attachment of the post finished its scan: members see it as servable or removed. The
   * post goes out as everyone sees it, so it is presented for its author and stripped.
   */
  async attachmentScanned(itemId: number): Promise<void> {
    const row = await this.db.selectFrom('central_feed_items').selectAll().where('id', '=', itemId).executeTakeFirst();
    if (!row || row.deleted_at || row.community_id === null || unseen(row.moderation_state)) return;
    const author: Actor = { userId: row.user_id, globalRole: 'student', isAdmin: false };
    const [item] = await presentItems(this.hydrateDeps(), author, [row], () => null);
    if (item) this.publish.postUpdated(item);
  }

  /**
   * A moderator decided on a held or flagged post or comment: approved content reaches the
   * members' screens for the first time (it was never pushed), hidden content leaves them.
   */
  async moderated(type: 'feed_item' | 'feed_comment', id: number): Promise<void> {
    if (type === 'feed_item') {
      const row = await this.db.selectFrom('central_feed_items').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || row.community_id === null) return;
      if (row.deleted_at || unseen(row.moderation_state)) return this.publish.postDeleted(row.id, row.community_id);
      const author: Actor = { userId: row.user_id, globalRole: 'student', isAdmin: false };
      const [item] = await presentItems(this.hydrateDeps(), author, [row], () => null);
      if (item) this.publish.postCreated(item);
      return;
    }
    const comment = await this.db.selectFrom('central_feed_comments').selectAll().where('id', '=', id).executeTakeFirst();
    if (!comment) return;
    const post = await this.db.selectFrom('central_feed_items').selectAll().where('id', '=', comment.feed_item_id).executeTakeFirst();
    if (!post || post.community_id === null || post.deleted_at) return;
    if (comment.deleted_at || unseen(comment.moderation_state)) return this.publish.commentDeleted(post.community_id, comment.id, post.id);
    const author: Actor = { userId: comment.user_id, globalRole: 'student', isAdmin: false };
    const [presented] = await this.presentComments(author, [comment], null);
    if (presented) this.publish.commentCreated(post.community_id, presented, post.comment_count);
  }

  /** Toggles one reaction; posts and comments alike. */
  private async toggle(
    actor: Actor,
    target: { itemId: number; commentId: number; authorId: number; communityId: number | null },
    emoji: string,
  ) {
    return inTransaction(this.db, async (trx) => {
      // Every write under one post (comments, reactions, counters) locks the post first, so
      // they queue in one order instead of deadlocking over the rows they share.
      await lockRow(trx, 'central_feed_items', target.itemId);
      const existing = await trx
        .selectFrom('central_feed_reactions')
        .select('id')
        .where('feed_item_id', '=', target.itemId)
        .where('comment_id', '=', target.commentId)
        .where('user_id', '=', actor.userId)
        .where('reaction', '=', emoji)
        .executeTakeFirst();
      const now = this.ctx.clock.now().toISOString();
      const table = target.commentId ? 'central_feed_comments' : 'central_feed_items';
      const rowId = target.commentId || target.itemId;
      if (existing) {
        await trx.deleteFrom('central_feed_reactions').where('id', '=', existing.id).execute();
        await trx
          .updateTable(table)
          .set((eb) => ({ reaction_count: eb('reaction_count', '-', 1) }))
          .where('id', '=', rowId)
          .execute();
      } else {
        await trx
          .insertInto('central_feed_reactions')
          .values({
            feed_item_id: target.itemId,
            comment_id: target.commentId,
            user_id: actor.userId,
            reaction: emoji,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .updateTable(table)
          .set((eb) => ({ reaction_count: eb('reaction_count', '+', 1) }))
          .where('id', '=', rowId)
          .execute();
      }
      await this.ctx.bus.record(trx, existing ? 'ReactionRemoved' : 'ReactionAdded', {
        community_id: target.communityId,
        user_id: actor.userId,
        target_type: target.commentId ? 'feed_comment' : 'feed_item',
        target_id: rowId,
        emoji,
        target_author_id: target.authorId,
      });
      return !existing;
    });
  }

  async react(actor: Actor, itemId: number, emoji: string) {
    const { row, access } = await this.load(actor, itemId);
    if (access) assertCan(actor, 'feed.react', access);
    const reacted = await this.toggle(actor, { itemId: row.id, commentId: 0, authorId: row.user_id, communityId: row.community_id }, emoji);
    const reactions = (await reactionsFor(this.db, 'item', [row.id], actor.userId)).get(String(row.id)) ?? [];
    if (!unseen(row.moderation_state)) this.publish.reactionChanged(row.community_id, row.id, null, reactions);
    return { reacted, reactions };
  }

  private async loadComment(
    actor: Actor,
    commentId: number,
  ): Promise<{ comment: FeedCommentRow; row: FeedItemRow; access: AccessContext | null }> {
    const comment = await this.db.selectFrom('central_feed_comments').selectAll().where('id', '=', commentId).executeTakeFirst();
    if (!comment) throw notFound('No such comment');
    const { row, access } = await this.load(actor, comment.feed_item_id);
    if (unseen(comment.moderation_state) && comment.user_id !== actor.userId && !this.isModerator(actor, access))
      throw notFound('No such comment');
    return { comment, row, access };
  }

  private isModerator(actor: Actor, access: AccessContext | null): boolean {
    return access ? can(actor, 'moderation.review', access).allowed : actor.isAdmin;
  }

  private mayDeleteAny(actor: Actor, access: AccessContext | null): boolean {
    return access ? can(actor, 'feed.delete_any', { ...access, target: {} }).allowed : actor.isAdmin;
  }

  private async presentComments(actor: Actor, rows: FeedCommentRow[], access: AccessContext | null) {
    const [users, reactions, helpful] = await Promise.all([
      this.ctx.host.identities.getUsers(rows.map((r) => r.user_id)),
      reactionsFor(
        this.db,
        'comment',
        rows.map((r) => r.id),
        actor.userId,
      ),
      this.commentHelpful(actor, rows, access),
    ]);
    const any = this.mayDeleteAny(actor, access);
    return rows.map((r) => presentComment(r, users, reactions, actor, any, helpful));
  }

  /** Which comments are marked helpful, and on which posts the viewer may mark them (the post's author, or a moderator). */
  private async commentHelpful(actor: Actor, rows: FeedCommentRow[], access: AccessContext | null): Promise<CommentHelpful> {
    if (rows.length === 0 || !this.ctx.config.features.gamification) return NO_HELPFUL;
    const ids = rows.map((r) => r.id);
    const items = [...new Set(rows.map((r) => r.feed_item_id))];
    const reviewer = access !== null && can(actor, 'moderation.review', access).allowed;
    const [marks, posts] = await Promise.all([
      this.db
        .selectFrom('gamification_helpful_marks')
        .select('target_id')
        .where('target_type', '=', 'feed_comment')
        .where('target_id', 'in', ids)
        .execute(),
      reviewer
        ? Promise.resolve([])
        : this.db.selectFrom('central_feed_items').select(['id', 'user_id', 'community_id']).where('id', 'in', items).execute(),
    ]);
    const asked = new Set(posts.filter((p) => p.user_id === actor.userId && p.community_id !== null).map((p) => p.id));
    return {
      marked: new Set(marks.map((m) => Number(m.target_id))),
      // Helpful marks exist in communities only: a site-wide post (no access context) has none.
      mayMark: (itemId) => access !== null && (reviewer || asked.has(itemId)),
    };
  }

  async comments(actor: Actor, itemId: number, q: { cursor?: string | undefined; limit: number }) {
    const { row, access } = await this.load(actor, itemId);
    const moderator = this.isModerator(actor, access);
    let query = this.db.selectFrom('central_feed_comments').selectAll().where('feed_item_id', '=', row.id).where('parent_id', 'is', null);
    // Held and hidden comments: their author and the moderators only.
    if (!moderator) query = query.where((eb) => eb.or([eb('moderation_state', 'not in', UNSEEN), eb('user_id', '=', actor.userId)]));
    const page = await pageById(query, q, 'asc');
    const parents = page.items.map((p) => p.id);
    // The first few replies of each thread, in one query (a window function: all three dialects have one).
    const replies: FeedCommentRow[] = parents.length
      ? await this.db
          .selectFrom(
            this.db
              .selectFrom('central_feed_comments')
              .selectAll()
              .select(sql<number>`row_number() over (partition by parent_id order by id)`.as('rn'))
              .where('parent_id', 'in', parents)
              .$if(!moderator, (b) => b.where((eb) => eb.or([eb('moderation_state', 'not in', UNSEEN), eb('user_id', '=', actor.userId)])))
              .as('r'),
          )
          .selectAll()
          .where('r.rn', '<=', INLINE_REPLIES)
          .orderBy('r.id')
          .execute()
      : [];
    const presented = await this.presentComments(actor, [...page.items, ...replies], access);
    const byId = new Map(presented.map((p) => [p.id, p]));
    return {
      items: page.items.map((p) => ({
        ...byId.get(p.id)!,
        replies: replies.filter((r) => r.parent_id === p.id).map((r) => byId.get(r.id)!),
      })),
      next_cursor: page.next_cursor,
    };
  }

  async replies(actor: Actor, commentId: number, q: { cursor?: string | undefined; limit: number }) {
    const { comment, access } = await this.loadComment(actor, commentId);
    let query = this.db.selectFrom('central_feed_comments').selectAll().where('parent_id', '=', comment.id);
    if (!this.isModerator(actor, access))
      query = query.where((eb) => eb.or([eb('moderation_state', 'not in', UNSEEN), eb('user_id', '=', actor.userId)]));
    const page = await pageById(query, q, 'asc');
    return { items: await this.presentComments(actor, page.items, access), next_cursor: page.next_cursor };
  }

  private commentByNonce(actor: Actor, nonce: string | undefined) {
    if (!nonce) return Promise.resolve(undefined);
    return this.db
      .selectFrom('central_feed_comments')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .where('nonce', '=', nonce)
      .executeTakeFirst();
  }

  /**
   * Comments take the posting pipeline too: cached facts, the nonce found by the unique key, one
   * group-committed transaction, presented from what was written.
   */
  async comment(
    actor: Actor,
    author: HostUser,
    itemId: number,
    body: { content: string; parent_id?: number | undefined; nonce?: string | undefined },
  ): Promise<FeedComment> {
    const { row, access, community } = await this.load(actor, itemId, { cached: true });
    if (access) assertCan(actor, 'feed.comment', access);
    let parentId: number | null = null;
    if (body.parent_id !== undefined) {
      const parent = await this.db
        .selectFrom('central_feed_comments')
        .select(['id', 'parent_id', 'feed_item_id'])
        .where('id', '=', body.parent_id)
        .executeTakeFirst();
      if (!parent || parent.feed_item_id !== row.id) {
        throw new AppError('validation_failed', 'The request is not valid', {
          issues: [{ path: 'body.parent_id', code: 'unknown_comment', message: 'No such comment on this post' }],
        });
      }
      // Two levels, like Skool and Circle: a reply to a reply joins the top-level thread.
      parentId = parent.parent_id ?? parent.id;
    }
    const checkInput = { content: body.content, userId: actor.userId, communityId: row.community_id, target: 'feed_comment' as const };
    let checked: CheckedContent;
    try {
      checked = await checkContent(this.check, checkInput);
    } catch (err) {
      // A retry the check now refuses (the repeat rule counts the first send): answer with the first.
      const again = err instanceof AppError && err.code === 'content_rejected' ? await this.commentByNonce(actor, body.nonce) : undefined;
      if (again) return (await this.presentComments(actor, [again], access))[0]!;
      throw err;
    }
    const now = this.ctx.clock.now().toISOString();
    const created: Omit<FeedCommentRow, 'id'> = {
      feed_item_id: row.id,
      parent_id: parentId,
      user_id: actor.userId,
      content: checked.content,
      metadata: JSON.stringify({ mentions: extractMentions(checked.content) }),
      edited_at: null,
      deleted_at: null,
      reaction_count: 0,
      reply_count: 0,
      moderation_state: checked.state,
      nonce: body.nonce ?? null,
      created_at: now,
      updated_at: now,
    };
    let written: { id: number; commentCount: number };
    try {
      written = await this.ctx.db.groupCommit.run(async (trx, afterCommit, once) => {
        const out = await this.insertComment(trx, row, created);
        await recordCheck(this.check, trx, afterCommit, checkInput, checked, { id: out.id, created_at: now });
        // The community row every comment shares: once per commit group (see post).
        if (community && activityStale(community.last_activity_at, now))
          once(`community:${community.id}`, (t) => touchCommunityActivity(t, community.id, now, ACTIVITY_RESOLUTION_MS));
        return out;
      });
    } catch (err) {
      // Two sends with one nonce: the unique key kept the first; answer with it.
      const again = await this.commentByNonce(actor, body.nonce);
      if (again) return (await this.presentComments(actor, [again], access))[0]!;
      throw err;
    }
    // Presented from what was just written: the author is the caller, a new comment has no reactions.
    const comment = presentComment(
      { id: written.id, ...created },
      new Map([[author.id, author]]),
      new Map(),
      actor,
      this.mayDeleteAny(actor, access),
    );
    if (!unseen(created.moderation_state) && !unseen(row.moderation_state))
      this.publish.commentCreated(row.community_id, comment, written.commentCount);
    return comment;
  }

  /** The comment, the counters above it and FeedCommentCreated; the post's comment count with it. */
  private async insertComment(trx: Tx, row: FeedItemRow, c: Omit<FeedCommentRow, 'id'>): Promise<{ id: number; commentCount: number }> {
    // The post's row first (its counters), then the parent comment's, then the new row,
    // whose foreign keys point at both: see lockRow.
    await trx
      .updateTable('central_feed_items')
      .set((eb) => ({ comment_count: eb('comment_count', '+', 1), last_activity_at: c.created_at }))
      .where('id', '=', row.id)
      .execute();
    if (c.parent_id !== null)
      await trx
        .updateTable('central_feed_comments')
        .set((eb) => ({ reply_count: eb('reply_count', '+', 1) }))
        .where('id', '=', c.parent_id)
        .execute();
    const id = await insertedId(
      trx,
      trx.insertInto('central_feed_comments').values({
        feed_item_id: c.feed_item_id,
        parent_id: c.parent_id,
        user_id: c.user_id,
        content: c.content,
        metadata: c.metadata,
        moderation_state: c.moderation_state,
        nonce: c.nonce,
        created_at: c.created_at,
        updated_at: c.updated_at,
      }),
    );
    await this.ctx.bus.record(trx, 'FeedCommentCreated', {
      community_id: row.community_id,
      user_id: c.user_id,
      feed_item_id: row.id,
      comment_id: id,
      parent_id: c.parent_id,
      item_author_id: row.user_id,
    });
    // Read under the post's row lock: the count this comment made.
    const post = await trx.selectFrom('central_feed_items').select('comment_count').where('id', '=', row.id).executeTakeFirstOrThrow();
    return { id, commentCount: post.comment_count };
  }

  async updateComment(actor: Actor, commentId: number, content: string) {
    const { comment, row: post, access } = await this.loadComment(actor, commentId);
    const own = access ? canEditOwn(actor, comment.user_id, access) : comment.user_id === actor.userId;
    if (!own || comment.deleted_at) throw new AppError('forbidden', 'Only the author may edit a comment');
    const { row: item } = await this.load(actor, comment.feed_item_id);
    const checkInput = { content, userId: actor.userId, communityId: item.community_id, target: 'feed_comment' as const };
    const checked = await checkContent(this.check, checkInput);
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx, afterCommit) => {
      await trx
        .updateTable('central_feed_comments')
        .set({ content: checked.content, moderation_state: checked.state, edited_at: now, updated_at: now })
        .where('id', '=', comment.id)
        .execute();
      await recordCheck(this.check, trx, afterCommit, checkInput, checked, comment);
    });
    const row = await this.db.selectFrom('central_feed_comments').selectAll().where('id', '=', comment.id).executeTakeFirstOrThrow();
    const edited = (await this.presentComments(actor, [row], access))[0]!;
    if (!unseen(checked.state) && !unseen(post.moderation_state)) this.publish.commentUpdated(post.community_id, edited);
    return edited;
  }

  async removeComment(actor: Actor, commentId: number): Promise<void> {
    const { comment, row, access } = await this.loadComment(actor, commentId);
    if (comment.deleted_at) throw notFound('No such comment');
    await this.assertMayDelete(actor, access, row.community_id, comment.user_id);
    // Soft: the thread keeps its shape ("comment deleted"), the words are gone.
    const now = this.ctx.clock.now().toISOString();
    const deleted = await inTransaction(this.db, async (trx) => {
      const done = await trx
        .updateTable('central_feed_comments')
        .set({ deleted_at: now, updated_at: now })
        .where('id', '=', comment.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) > 0)
        await this.ctx.bus.record(trx, 'FeedCommentDeleted', {
          community_id: row.community_id,
          user_id: actor.userId,
          feed_item_id: row.id,
          comment_id: comment.id,
          author_id: comment.user_id,
        });
      return Number(done.numUpdatedRows) > 0;
    });
    if (deleted) this.publish.commentDeleted(row.community_id, comment.id, row.id);
  }

  async reactComment(actor: Actor, commentId: number, emoji: string) {
    const { comment, row, access } = await this.loadComment(actor, commentId);
    if (comment.deleted_at) throw notFound('No such comment');
    if (access) assertCan(actor, 'feed.react', access);
    const reacted = await this.toggle(
      actor,
      { itemId: row.id, commentId: comment.id, authorId: comment.user_id, communityId: row.community_id },
      emoji,
    );
    const reactions = (await reactionsFor(this.db, 'comment', [comment.id], actor.userId)).get(String(comment.id)) ?? [];
    if (!unseen(row.moderation_state) && !unseen(comment.moderation_state))
      this.publish.reactionChanged(row.community_id, row.id, comment.id, reactions);
    return { reacted, reactions };
  }
}
