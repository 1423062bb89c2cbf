import { extractMentions, plainText, REALTIME_EVENTS, type DmMessage, type DmThread, type dm as dmEndpoints } from '@communities/contract';
import { sql } from 'kysely';
import type { z } from 'zod';

import { assertCan, type AccessContext, type Actor, type DmFacts } from '../access';
import { userSummary } from '../communities/presenters';
import type { FactsLoader } from '../communities/facts';
import type { HostUser } from '../host/ports';
import { decodeCursor, pageOf } from '../platform/cursor';
import { insertedId } from '../platform/db/insert';
import { lockRow } from '../platform/db/lock';
import type { DmMessageRow, DmThreadRow } from '../platform/db/schema';
import { inTransaction, type DbHandle } from '../platform/db/transaction';
import { AppError, forbidden, invalid, notFound } from '../platform/errors';
import type { Revoker } from '../realtime/revoke';

import { toggleReaction, UNSEEN } from './channel-messages';
import type { ContentCheck } from './content-check';
import type { ChatDeps } from './deps';
import { asOf, changesPage, historyPage, rangeOnMysql, type ChangesQuery, type HistoryQuery } from './history';
import { hydrateMessages, hydrationDeps, presentBase, touchMessage, type Hydrated } from './hydrate';
import { bindAttachments, checkContent, checkLimits, checkText, recordCheck } from './pipeline';
import type { ChatPublisher } from './publish';

type PostBody = z.output<(typeof dmEndpoints)['post']['body']>;
type StartBody = z.output<(typeof dmEndpoints)['start']['body']>;

interface LoadedThread {
  row: DmThreadRow;
  facts: DmFacts;
  access: AccessContext;
  me: { last_read_message_id: number };
}

/**
 * Direct messages: 1:1 threads (one per pair), groups with an owner, blocks, the inbox with
 * previews and unread counts. DMs are private even from admins: only participants see them.
 */
export class DmService {
  constructor(
    private readonly ctx: Pick<ChatDeps, 'bus' | 'clock' | 'config' | 'db' | 'host' | 'services'>,
    private readonly facts: FactsLoader,
    private readonly publish: ChatPublisher,
    private readonly contentCheck: () => ContentCheck,
    private readonly revoker: Revoker,
  ) {}

  private get db(): DbHandle {
    return this.ctx.db.db;
  }

  private async isBlockedBetween(a: number, b: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('dm_blocks')
      .select('id')
      .where((eb) =>
        eb.or([eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]), eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)])]),
      )
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The thread with the caller's access: 404 unless they currently take part. */
  private async load(actor: Actor, threadId: number): Promise<LoadedThread> {
    const row = await this.db.selectFrom('dm_threads').selectAll().where('id', '=', threadId).executeTakeFirst();
    if (!row) throw notFound('No such conversation');
    const parts = await this.db
      .selectFrom('dm_participants')
      .select(['user_id', 'last_read_message_id'])
      .where('thread_id', '=', threadId)
      .where('left_at', 'is', null)
      .execute();
    const mine = parts.find((p) => p.user_id === actor.userId);
    const others = parts.filter((p) => p.user_id !== actor.userId).map((p) => p.user_id);
    const facts: DmFacts = {
      participantUserIds: parts.map((p) => p.user_id),
      ownerUserId: row.created_by,
      type: row.type as DmFacts['type'],
      blockedBetween: row.type === 'dm' && others.length === 1 && (await this.isBlockedBetween(actor.userId, others[0]!)),
    };
    const access = { ...this.facts.baseContext(), dm: facts };
    assertCan(actor, 'dm.read', access);
    return { row, facts, access, me: { last_read_message_id: mine?.last_read_message_id ?? 0 } };
  }

  /** Whether the caller may open a conversation with someone, under dm.allow_from and blocks. */
  private async assertMayContact(actor: Actor, others: HostUser[], path: string): Promise<void> {
    const mode = this.ctx.config.dm.allow_from;
    // A refusal names the person only to those who may see them anyway: an id alone must not
    // turn into a name.
    const who = async (u: HostUser) =>
      actor.isAdmin || (await this.shareCommunity(actor.userId, u.id, { anyCommunity: true })) ? u.name : 'this person';
    for (const [i, u] of others.entries()) {
      if (await this.isBlockedBetween(actor.userId, u.id)) throw forbidden(`You cannot message ${await who(u)}`, 'blocked');
      if (actor.isAdmin || u.isAdmin) continue;
      if (mode === 'nobody') throw forbidden('Direct messages are turned off', 'dm_off');
      if (mode === 'shared_community' && !(await this.shareCommunity(actor.userId, u.id))) {
        // Someone the caller shares no community with answers as an unknown id does: whether
        // an id is a user is not for strangers to learn.
        if (!(await this.shareCommunity(actor.userId, u.id, { anyCommunity: true }))) throw noSuchPerson();
        throw invalid(`${path}.${i}`, `You can message ${u.name} once you share a community`, 'no_shared_community');
      }
    }
  }

  /** Both are taking part in a community that allows DMs between members (or in any community, with `anyCommunity`). */
  private async shareCommunity(a: number, b: number, opts: { anyCommunity?: boolean } = {}): Promise<boolean> {
    const rows = await this.db
      .selectFrom('community_members as ma')
      .innerJoin('community_members as mb', 'mb.community_id', 'ma.community_id')
      .innerJoin('communities', 'communities.id', 'ma.community_id')
      .select(['communities.settings'])
      .where('ma.user_id', '=', a)
      .where('mb.user_id', '=', b)
      .where('ma.status', 'in', ['active', 'muted'])
      .where('mb.status', 'in', ['active', 'muted'])
      .where('communities.status', '=', 'active')
      .execute();
    if (opts.anyCommunity) return rows.length > 0;
    return rows.some((r) => (JSON.parse(r.settings || '{}') as { dms_between_members?: boolean }).dms_between_members !== false);
  }

  private async users(ids: number[]): Promise<HostUser[]> {
    const found = await this.ctx.host.identities.getUsers(ids);
    return ids.map((id) => {
      const u = found.get(id);
      if (!u || u.state !== 'active') throw noSuchPerson();
      return u;
    });
  }

  /** Group titles go through the word filter like DM text (moderation.filter_dms). */
  private checkTitle(actor: Actor, title: string): Promise<string> {
    return checkText(this.contentCheck(), { content: title, userId: actor.userId, communityId: null, target: 'dm_thread', field: 'title' });
  }

  async start(actor: Actor, body: StartBody): Promise<DmThread> {
    if (body.title) body = { ...body, title: await this.checkTitle(actor, body.title) };
    const ids = [...new Set(body.user_ids)].filter((id) => id !== actor.userId);
    if (ids.length === 0) throw invalid('body.user_ids', 'Name at least one other person', 'no_one');
    const group = body.group || ids.length > 1;
    const max = this.ctx.config.dm.max_group_participants;
    if (group && ids.length + 1 > max) throw invalid('body.user_ids', `Groups hold at most ${max} people`, 'too_many');
    const others = await this.users(ids);
    await this.assertMayContact(actor, others, 'body.user_ids');
    const now = this.ctx.clock.now().toISOString();
    const pairKey = group ? null : `${Math.min(actor.userId, ids[0]!)}:${Math.max(actor.userId, ids[0]!)}`;
    if (pairKey) {
      const existing = await this.db.selectFrom('dm_threads').select('id').where('pair_key', '=', pairKey).executeTakeFirst();
      if (existing) return this.thread(actor, existing.id);
    }
    let threadId: number;
    try {
      threadId = await inTransaction(this.db, async (trx, afterCommit) => {
        const id = await insertedId(
          trx,
          trx.insertInto('dm_threads').values({
            created_by: actor.userId,
            type: group ? 'group' : 'dm',
            title: group ? (body.title ?? null) : null,
            last_message_at: now,
            pair_key: pairKey,
            created_at: now,
            updated_at: now,
          }),
        );
        await trx
          .insertInto('dm_participants')
          .values(
            [actor.userId, ...ids].map((user_id) => ({
              thread_id: id,
              user_id,
              role: user_id === actor.userId ? 'owner' : 'member',
              joined_at: now,
            })),
          )
          .execute();
        await this.ctx.bus.record(trx, 'DMStarted', {
          community_id: null,
          user_id: actor.userId,
          thread_id: id,
          participant_ids: [actor.userId, ...ids],
          type: group ? 'group' : 'dm',
        });
        afterCommit(() => {
          this.publish.toUsers([actor.userId, ...ids], REALTIME_EVENTS.dmThreadUpdated, { thread_id: id, reason: 'created' });
        });
        return id;
      });
    } catch (err) {
      // Both sides opened the thread at once: the pair key kept one.
      const existing = pairKey
        ? await this.db.selectFrom('dm_threads').select('id').where('pair_key', '=', pairKey).executeTakeFirst()
        : null;
      if (!existing) throw err;
      threadId = existing.id;
    }
    return this.thread(actor, threadId);
  }

  /** Threads with participants, last message and the caller's unread count, in a fixed number of queries. */
  private async presentThreads(actor: Actor, rows: DmThreadRow[]): Promise<DmThread[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const lastIds = rows.map((r) => r.last_message_id).filter((id): id is number => id !== null);
    const [parts, lasts, unread, blocks] = await Promise.all([
      this.db
        .selectFrom('dm_participants')
        .select(['thread_id', 'user_id', 'last_read_message_id'])
        .where('thread_id', 'in', ids)
        .where('left_at', 'is', null)
        .orderBy('id')
        .execute(),
      lastIds.length
        ? this.db
            .selectFrom('dm_messages')
            .select(['id', 'user_id', 'content', 'is_deleted', 'created_at'])
            .where('id', 'in', lastIds)
            .execute()
        : Promise.resolve([]),
      this.db
        .selectFrom('dm_messages')
        .innerJoin('dm_participants', (j) =>
          j.onRef('dm_participants.thread_id', '=', 'dm_messages.thread_id').on('dm_participants.user_id', '=', actor.userId),
        )
        .select(['dm_messages.thread_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('dm_messages.thread_id', 'in', ids)
        .where('dm_messages.id', '>', sql.ref<number>('dm_participants.last_read_message_id'))
        .where('dm_messages.user_id', '!=', actor.userId)
        .where('dm_messages.is_deleted', '=', 0)
        .groupBy('dm_messages.thread_id')
        .execute(),
      this.db
        .selectFrom('dm_blocks')
        .select(['blocker_id', 'blocked_id'])
        .where((eb) => eb.or([eb('blocker_id', '=', actor.userId), eb('blocked_id', '=', actor.userId)]))
        .execute(),
    ]);
    const users = await this.ctx.host.identities.getUsers(parts.map((p) => p.user_id));
    const blockedWith = new Set(blocks.map((b) => (b.blocker_id === actor.userId ? b.blocked_id : b.blocker_id)));
    const lastById = new Map(lasts.map((m) => [m.id, m]));
    const unreadBy = new Map(unread.map((u) => [u.thread_id, Number(u.n)]));
    return rows.map((r) => {
      const members = parts.filter((p) => p.thread_id === r.id);
      const last = r.last_message_id !== null ? lastById.get(r.last_message_id) : undefined;
      const others = members.filter((p) => p.user_id !== actor.userId);
      return {
        id: r.id,
        type: r.type as DmThread['type'],
        title: r.title,
        owner_id: r.created_by,
        participants: members.map((p) => userSummary(p.user_id, users)),
        last_message: last
          ? {
              id: last.id,
              author_id: last.user_id,
              excerpt: last.is_deleted ? null : plainText(last.content, 120),
              created_at: last.created_at,
            }
          : null,
        last_message_at: r.last_message_at,
        unread_count: unreadBy.get(r.id) ?? 0,
        last_read_message_id: members.find((p) => p.user_id === actor.userId)?.last_read_message_id ?? 0,
        read_only: r.type === 'dm' && others.length === 1 && blockedWith.has(others[0]!.user_id),
        created_at: r.created_at,
      };
    });
  }

  async thread(actor: Actor, threadId: number): Promise<DmThread> {
    const { row } = await this.load(actor, threadId);
    return (await this.presentThreads(actor, [row]))[0]!;
  }

  async inbox(actor: Actor, q: { cursor?: string | undefined; limit: number }) {
    const c = decodeCursor<{ at: string; id: number }>(q.cursor, { at: 'string', id: 'number' });
    let query = this.db
      .selectFrom('dm_threads')
      .innerJoin('dm_participants', 'dm_participants.thread_id', 'dm_threads.id')
      .selectAll('dm_threads')
      .where('dm_participants.user_id', '=', actor.userId)
      .where('dm_participants.left_at', 'is', null);
    if (c)
      query = query.where((eb) =>
        eb.or([
          eb('dm_threads.last_message_at', '<', c.at),
          eb.and([eb('dm_threads.last_message_at', '=', c.at), eb('dm_threads.id', '<', c.id)]),
        ]),
      );
    const rows = await query
      .orderBy('dm_threads.last_message_at', 'desc')
      .orderBy('dm_threads.id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = pageOf(rows, q.limit, (r) => ({ at: r.last_message_at ?? r.created_at, id: r.id }));
    return { items: await this.presentThreads(actor, page.items), next_cursor: page.next_cursor };
  }

  async unread(actor: Actor): Promise<{ threads: number; messages: number }> {
    const rows = await this.db
      .selectFrom('dm_messages')
      .innerJoin('dm_participants', 'dm_participants.thread_id', 'dm_messages.thread_id')
      .select(['dm_messages.thread_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('dm_participants.user_id', '=', actor.userId)
      .where('dm_participants.left_at', 'is', null)
      .where('dm_messages.id', '>', sql.ref<number>('dm_participants.last_read_message_id'))
      .where('dm_messages.user_id', '!=', actor.userId)
      .where('dm_messages.is_deleted', '=', 0)
      .groupBy('dm_messages.thread_id')
      .execute();
    return { threads: rows.length, messages: rows.reduce((s, r) => s + Number(r.n), 0) };
  }

  async rename(actor: Actor, threadId: number, title: string | null): Promise<DmThread> {
    const { row, access, facts } = await this.load(actor, threadId);
    assertCan(actor, 'dm.edit_group', access);
    if (title) title = await this.checkTitle(actor, title);
    await this.db
      .updateTable('dm_threads')
      .set({ title, updated_at: this.ctx.clock.now().toISOString() })
      .where('id', '=', row.id)
      .execute();
    this.publish.toUsers(facts.participantUserIds, REALTIME_EVENTS.dmThreadUpdated, { thread_id: row.id, reason: 'renamed' });
    return this.thread(actor, threadId);
  }

  async invite(actor: Actor, threadId: number, userIds: number[]): Promise<DmThread> {
    const { row, access, facts } = await this.load(actor, threadId);
    assertCan(actor, 'dm.edit_group', access);
    const ids = [...new Set(userIds)].filter((id) => !facts.participantUserIds.includes(id));
    const max = this.ctx.config.dm.max_group_participants;
    const tooMany = () => invalid('body.user_ids', `Groups hold at most ${max} people`, 'too_many');
    if (facts.participantUserIds.length + ids.length > max) throw tooMany();
    const others = await this.users(ids);
    await this.assertMayContact(actor, others, 'body.user_ids');
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      // Members adding people at once queue here, so the cap holds and nobody is added twice.
      await lockRow(trx, 'dm_threads', row.id);
      const present = await trx
        .selectFrom('dm_participants')
        .select('user_id')
        .where('thread_id', '=', row.id)
        .where('left_at', 'is', null)
        .execute();
      const fresh = ids.filter((id) => !present.some((p) => p.user_id === id));
      if (present.length + fresh.length > max) throw tooMany();
      for (const id of fresh) {
        const had = await trx
          .selectFrom('dm_participants')
          .select('id')
          .where('thread_id', '=', row.id)
          .where('user_id', '=', id)
          .executeTakeFirst();
        if (had) await trx.updateTable('dm_participants').set({ left_at: null, joined_at: now }).where('id', '=', had.id).execute();
        else await trx.insertInto('dm_participants').values({ thread_id: row.id, user_id: id, role: 'member', joined_at: now }).execute();
      }
    });
    this.publish.toUsers([...facts.participantUserIds, ...ids], REALTIME_EVENTS.dmThreadUpdated, {
      thread_id: row.id,
      reason: 'participants',
    });
    return this.thread(actor, threadId);
  }

  /** The owner removes someone; anyone removes themselves (leaves). 1:1 threads cannot be left. */
  async removeParticipant(actor: Actor, threadId: number, userId: number): Promise<void> {
    const { row, access, facts } = await this.load(actor, threadId);
    if (row.type !== 'group') throw forbidden('A one-to-one conversation cannot be left; block the person instead');
    if (userId !== actor.userId) assertCan(actor, 'dm.manage', access);
    if (!facts.participantUserIds.includes(userId)) throw notFound('Not in this conversation');
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('dm_participants')
        .set({ left_at: now })
        .where('thread_id', '=', row.id)
        .where('user_id', '=', userId)
        .execute();
      // The owner leaving hands the group to the longest-standing participant.
      const remaining = facts.participantUserIds.filter((id) => id !== userId);
      if (userId === row.created_by && remaining.length > 0) {
        const next = await trx
          .selectFrom('dm_participants')
          .select('user_id')
          .where('thread_id', '=', row.id)
          .where('left_at', 'is', null)
          .orderBy('joined_at')
          .orderBy('id')
          .executeTakeFirst();
        if (next) await trx.updateTable('dm_threads').set({ created_by: next.user_id }).where('id', '=', row.id).execute();
      }
    });
    this.publish.toUsers(facts.participantUserIds, REALTIME_EVENTS.dmThreadUpdated, { thread_id: row.id, reason: 'participants' });
    this.revoker.revoke({ scope: { dm: row.id }, userId });
  }

  private hydrate(rows: DmMessageRow[], me: number, known?: Map<number, HostUser>): Promise<Hydrated> {
    return hydrateMessages(
      {
        db: this.db,
        ...hydrationDeps(this.ctx, known),
      },
      'dm',
      rows,
      me,
    );
  }

  private present(actor: Actor, r: DmMessageRow, h: Hydrated, access: AccessContext): DmMessage {
    const deleted = r.is_deleted === 1;
    const own = r.user_id === actor.userId;
    return {
      ...shared(r, h),
      nonce: own ? r.nonce : null,
      viewer_can: { edit: own && !deleted, delete: own && !deleted, react: !deleted && (access.dm ? !access.dm.blockedBetween : true) },
    };
  }

  async history(actor: Actor, threadId: number, q: HistoryQuery) {
    const now = this.ctx.clock.now();
    const { row, access } = await this.load(actor, threadId);
    const page = await historyPage<DmMessageRow>(q, (cmp, id, n) => {
      let query = this.db.selectFrom('dm_messages').selectAll();
      query = (
        rangeOnMysql(this.ctx.db.dialect)
          ? query.where('thread_id', '>=', row.id).where('thread_id', '<=', row.id)
          : query.where('thread_id', '=', row.id)
      )
        // Held and hidden messages: their author only.
        .where((eb) => eb.or([eb('moderation_state', 'not in', UNSEEN), eb('user_id', '=', actor.userId)]));
      if (cmp) query = query.where('id', cmp, id);
      return query
        .orderBy('id', cmp === '>' || cmp === '>=' ? 'asc' : 'desc')
        .limit(n)
        .execute();
    });
    const h = await this.hydrate(page.items, actor.userId);
    return { ...page, items: page.items.map((r) => this.present(actor, r, h, access)), as_of: asOf(now) };
  }

  /** Messages the caller shows that changed since `since` (catch-up after a reconnect). */
  async changes(actor: Actor, threadId: number, q: ChangesQuery) {
    const now = this.ctx.clock.now();
    const { row, access } = await this.load(actor, threadId);
    const page = await changesPage<DmMessageRow>(this.db, 'dm_messages', { column: 'thread_id', id: row.id }, q, now);
    const seen = page.items.filter((r) => !UNSEEN.includes(r.moderation_state) || r.user_id === actor.userId);
    const h = await this.hydrate(seen, actor.userId);
    return { ...page, items: seen.map((r) => this.present(actor, r, h, access)) };
  }

  private byNonce(userId: number, nonce: string) {
    return this.db.selectFrom('dm_messages').selectAll().where('user_id', '=', userId).where('nonce', '=', nonce).executeTakeFirst();
  }

  private async replay(actor: Actor, threadId: number, access: AccessContext, row: DmMessageRow): Promise<DmMessage> {
    if (row.thread_id !== threadId)
      throw new AppError('conflict', 'This nonce was already used for another message', { details: { field: 'nonce' } });
    return this.present(actor, row, await this.hydrate([row], actor.userId), access);
  }

  async post(actor: Actor, author: HostUser, threadId: number, body: PostBody): Promise<DmMessage> {
    checkLimits(this.ctx.config, body);
    const { row: thread, access, facts } = await this.load(actor, threadId);
    assertCan(actor, 'dm.post', { ...access, siteSanction: await this.facts.siteSanction(actor.userId) });
    // A retried nonce is found by the unique key when the insert fails (see the catch below).
    if (body.reply_to_id !== undefined) {
      const parent = await this.db.selectFrom('dm_messages').select('thread_id').where('id', '=', body.reply_to_id).executeTakeFirst();
      if (parent?.thread_id !== thread.id) throw invalid('body.reply_to_id', 'Reply to a message of this conversation', 'unknown_message');
    }
    const checkInput = { content: body.content, userId: actor.userId, communityId: null, target: 'dm_message' as const };
    const checked = await checkContent(this.contentCheck(), checkInput);
    const mentions = extractMentions(checked.content).filter((id) => facts.participantUserIds.includes(id) && id !== actor.userId);
    const now = this.ctx.clock.now().toISOString();
    const metadata = JSON.stringify({ mentions, mention_roles: [] });
    let id: number;
    try {
      id = await this.ctx.db.groupCommit.run(async (trx, afterCommit, once) => {
        const messageId = await insertedId(
          trx,
          trx.insertInto('dm_messages').values({
            thread_id: thread.id,
            user_id: actor.userId,
            content: checked.content,
            metadata,
            reply_to_id: body.reply_to_id ?? null,
            nonce: body.nonce ?? null,
            moderation_state: checked.state,
            created_at: now,
            updated_at: now,
          }),
        );
        await bindAttachments(trx, 'dm', actor, messageId, body.attachment_ids, thread.id);
        await recordCheck(this.contentCheck(), trx, afterCommit, checkInput, checked, { id: messageId, created_at: now });
        // Bookkeeping once per commit (group), only ever forward: posts commit in any order.
        once(`dm_thread:${thread.id}`, (t) =>
          t
            .updateTable('dm_threads')
            .set({ last_message_id: messageId, last_message_at: now })
            .where('id', '=', thread.id)
            .where((eb) => eb.or([eb('last_message_id', 'is', null), eb('last_message_id', '<', messageId)]))
            .execute(),
        );
        // Writing is reading: the sender's own marker moves with their message.
        once(`dm_read:${thread.id}:${actor.userId}`, (t) =>
          t
            .updateTable('dm_participants')
            .set({ last_read_message_id: messageId })
            .where('thread_id', '=', thread.id)
            .where('user_id', '=', actor.userId)
            .where('last_read_message_id', '<', messageId)
            .execute(),
        );
        await this.ctx.bus.record(trx, 'DMMessagePosted', {
          community_id: null,
          user_id: actor.userId,
          thread_id: thread.id,
          message_id: messageId,
        });
        return messageId;
      });
    } catch (err) {
      const again = body.nonce ? await this.byNonce(actor.userId, body.nonce) : undefined;
      if (again) return this.replay(actor, thread.id, access, again);
      throw err;
    }
    const row: DmMessageRow = {
      id,
      thread_id: thread.id,
      user_id: actor.userId,
      content: checked.content,
      metadata,
      reply_to_id: body.reply_to_id ?? null,
      nonce: body.nonce ?? null,
      is_deleted: 0,
      deleted_at: null,
      edited_at: null,
      moderation_state: checked.state,
      created_at: now,
      updated_at: now,
    };
    const known = new Map([[author.id, author]]);
    const h =
      body.reply_to_id !== undefined || body.attachment_ids.length
        ? await this.hydrate([row], actor.userId, known)
        : { users: known, reactions: new Map(), attachments: new Map(), replies: new Map() };
    const message = this.present(actor, row, h, access);
    // Held: only its author sees it until a moderator approves it.
    if (checked.state === 'held') return message;
    this.publish.message(REALTIME_EVENTS.messageCreated, message);
    this.publish.toUsers(facts.participantUserIds, REALTIME_EVENTS.dmThreadUpdated, {
      thread_id: thread.id,
      reason: 'message',
      last_message: { id, author_id: actor.userId, excerpt: plainText(checked.content, 120), created_at: now },
    });
    return message;
  }

  private async loadMessage(actor: Actor, messageId: number) {
    const row = await this.db.selectFrom('dm_messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    if (!row) throw notFound('No such message');
    const thread = await this.load(actor, row.thread_id);
    return { row, thread: thread.row, access: thread.access };
  }

  async edit(actor: Actor, messageId: number, content: string): Promise<DmMessage> {
    const { row, access } = await this.loadMessage(actor, messageId);
    if (row.user_id !== actor.userId || row.is_deleted) throw forbidden('Only the author can edit this message');
    assertCan(actor, 'dm.post', { ...access, siteSanction: await this.facts.siteSanction(actor.userId) });
    checkLimits(this.ctx.config, { content, attachment_ids: [] });
    const checkInput = { content, userId: actor.userId, communityId: null, target: 'dm_message' as const };
    const checked = await checkContent(this.contentCheck(), checkInput);
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx, afterCommit) => {
      await trx
        .updateTable('dm_messages')
        .set({ content: checked.content, moderation_state: checked.state, edited_at: now, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await recordCheck(this.contentCheck(), trx, afterCommit, checkInput, checked, row);
    });
    const fresh = await this.db.selectFrom('dm_messages').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    const message = this.present(actor, fresh, await this.hydrate([fresh], actor.userId), access);
    if (checked.state !== 'held') this.publish.messageUpdated(message);
    return message;
  }

  /** A message changed without anyone editing it (an attachment's scan finished); see ChannelMessageService.touched. */
  async touched(messageId: number): Promise<void> {
    await touchMessage(this.db, 'dm_messages', messageId, this.ctx.clock.now());
    const row = await this.db.selectFrom('dm_messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    if (row && !row.is_deleted) this.publish.messageUpdated(shared(row, await this.hydrate([row], 0)));
  }

  async remove(actor: Actor, messageId: number): Promise<void> {
    const { row } = await this.loadMessage(actor, messageId);
    if (row.user_id !== actor.userId) throw forbidden('Only the author can delete this message');
    if (row.is_deleted) return;
    const now = this.ctx.clock.now().toISOString();
    await this.db.updateTable('dm_messages').set({ is_deleted: 1, deleted_at: now, updated_at: now }).where('id', '=', row.id).execute();
    this.publish.toThread(row.thread_id, REALTIME_EVENTS.messageDeleted, { id: row.id, thread_id: row.thread_id });
  }

  async react(actor: Actor, messageId: number, emoji: string) {
    const { row, access } = await this.loadMessage(actor, messageId);
    assertCan(actor, 'dm.post', { ...access, siteSanction: await this.facts.siteSanction(actor.userId) });
    if (row.is_deleted) throw notFound('No such message');
    const reacted = await toggleReaction(this.db, 'dm_message_reactions', row.id, actor.userId, emoji, this.ctx.clock.now());
    const reactions = (await this.hydrate([row], actor.userId)).reactions.get(row.id) ?? [];
    this.publish.toThread(row.thread_id, REALTIME_EVENTS.reactionChanged, {
      message_id: row.id,
      thread_id: row.thread_id,
      user_id: actor.userId,
      emoji,
      reacted,
      counts: reactions.map((r) => ({ emoji: r.emoji, count: r.count })),
    });
    return { reacted, reactions };
  }

  async markRead(actor: Actor, threadId: number, messageId: number) {
    const { row } = await this.load(actor, threadId);
    const upTo = Math.min(messageId, row.last_message_id ?? 0);
    await this.db
      .updateTable('dm_participants')
      .set({ last_read_message_id: upTo })
      .where('thread_id', '=', row.id)
      .where('user_id', '=', actor.userId)
      .where('last_read_message_id', '<', upTo)
      .execute();
    // The row's last message is what it was; participants and markers are read afresh.
    const t = (await this.presentThreads(actor, [row]))[0]!;
    const info = { last_read_message_id: t.last_read_message_id, unread_count: t.unread_count, mention_count: 0 };
    this.publish.toUsers([actor.userId], REALTIME_EVENTS.readStateUpdated, { thread_id: row.id, ...info });
    return info;
  }

  async blocks(actor: Actor) {
    const rows = await this.db.selectFrom('dm_blocks').select('blocked_id').where('blocker_id', '=', actor.userId).orderBy('id').execute();
    const users = await this.ctx.host.identities.getUsers(rows.map((r) => r.blocked_id));
    return { items: rows.map((r) => userSummary(r.blocked_id, users)) };
  }

  async block(actor: Actor, userId: number): Promise<void> {
    if (userId === actor.userId) throw invalid('params.userId', 'You cannot block yourself', 'self');
    if (!(await this.ctx.host.identities.getUser(userId))) throw notFound('No such user');
    const exists = await this.db
      .selectFrom('dm_blocks')
      .select('id')
      .where('blocker_id', '=', actor.userId)
      .where('blocked_id', '=', userId)
      .executeTakeFirst();
    if (exists) return;
    await this.db
      .insertInto('dm_blocks')
      .values({ blocker_id: actor.userId, blocked_id: userId, created_at: this.ctx.clock.now().toISOString() })
      .execute()
      .catch(() => undefined); // a concurrent block of the same person already holds the unique key
    this.publish.toUsers([actor.userId, userId], REALTIME_EVENTS.dmThreadUpdated, { reason: 'blocked' });
    this.rehidePresence(actor.userId, userId);
  }

  async unblock(actor: Actor, userId: number): Promise<void> {
    await this.db.deleteFrom('dm_blocks').where('blocker_id', '=', actor.userId).where('blocked_id', '=', userId).execute();
    this.publish.toUsers([actor.userId, userId], REALTIME_EVENTS.dmThreadUpdated, { reason: 'unblocked' });
    this.rehidePresence(actor.userId, userId);
  }

  /** Neither sees the other online from now on (or again, after an unblock), on every presence channel. */
  private rehidePresence(a: number, b: number): void {
    for (const userId of [a, b]) this.revoker.revoke({ scope: { presence: true }, userId });
  }
}

/** One answer for an unknown id and for a stranger, so the two cannot be told apart. */
const noSuchPerson = () => notFound('No such person to message');

type Shared = Omit<DmMessage, 'nonce' | 'viewer_can'>;

/** A DM as every participant sees it: all but the nonce and the viewer's rights. */
function shared(r: DmMessageRow, h: Hydrated): Shared {
  return { ...presentBase(r, h, { showDeleted: false }), thread_id: r.thread_id };
}
