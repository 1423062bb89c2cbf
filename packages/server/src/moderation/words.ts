import type { BadWord, CommunityWords, contentActionBody, Severity, wordEntrySchema, WordList } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, can, type Actor } from '../access';
import { decodeCursor, pageOf } from '../platform/cursor';
import { containsPattern, likeLower } from '../platform/db/like';
import { inTransaction } from '../platform/db/transaction';
import { notFound } from '../platform/errors';

import type { AuditLog } from './audit';
import type { ModerationDeps } from './deps';
import type { WordLists } from './word-lists';

type WordEntry = z.output<typeof wordEntrySchema>;
type ContentAction = z.output<typeof contentActionBody>;

const STATE: Record<ContentAction['action'], string> = {
  hide: 'hidden',
  restore: 'visible',
  approve: 'visible',
  reject: 'hidden',
  delete: 'deleted',
};

/** Word lists (global, per community, the client copy) and moderators' actions on content. */
export class WordService {
  constructor(
    private readonly ctx: Pick<ModerationDeps, 'clock' | 'config' | 'db' | 'facts' | 'logger'>,
    private readonly lists: WordLists,
    private readonly audit: AuditLog,
    private readonly onContentChanged: (type: ContentAction['target_type'], id: number) => Promise<void>,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  async communityWords(actor: Actor, idOrSlug: string): Promise<CommunityWords> {
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'moderation.review', access);
    return this.lists.own(community.id);
  }

  async setCommunityWords(actor: Actor, idOrSlug: string, body: CommunityWords): Promise<CommunityWords> {
    const { community, access } = await this.ctx.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.update', access);
    const now = this.ctx.clock.now().toISOString();
    const values = {
      words: JSON.stringify(body.words),
      allow: JSON.stringify(body.allow),
      actions: JSON.stringify(body.actions),
      updated_at: now,
    };
    await inTransaction(this.db, async (trx) => {
      const res = await trx.updateTable('community_word_lists').set(values).where('community_id', '=', community.id).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0)
        await trx
          .insertInto('community_word_lists')
          .values({ community_id: community.id, ...values })
          .execute();
    });
    this.lists.invalidate(community.id);
    return this.lists.own(community.id);
  }

  async clientList(actor: Actor, communityId: number | undefined): Promise<WordList> {
    if (communityId !== undefined) {
      const { access } = await this.ctx.facts.forCommunity(actor, communityId);
      if (!can(actor, 'community.view', access).allowed) throw notFound();
    }
    return this.lists.clientList(communityId ?? null);
  }

  async badWords(actor: Actor, q: { q?: string | undefined; cursor?: string | undefined; limit: number }) {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    const c = decodeCursor<{ word: string }>(q.cursor, { word: 'string' });
    let query = this.db.selectFrom('bad_words').selectAll();
    if (q.q) query = query.where(likeLower('word', containsPattern(q.q)));
    if (c) query = query.where('word', '>', c.word);
    const rows = await query
      .orderBy('word')
      .limit(q.limit + 1)
      .execute();
    const page = pageOf(rows, q.limit, (r) => ({ word: r.word }));
    return {
      items: page.items.map((r): BadWord => ({
        id: r.id,
        word: r.word,
        severity: r.severity as Severity,
        replacement: r.replacement,
        created_at: r.created_at,
      })),
      next_cursor: page.next_cursor,
    };
  }

  async addBadWords(actor: Actor, words: WordEntry[]): Promise<{ added: number; updated: number }> {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    const now = this.ctx.clock.now().toISOString();
    const unique = [...new Map(words.map((w) => [w.word.toLowerCase(), { ...w, word: w.word.toLowerCase() }])).values()];
    let added = 0;
    let updated = 0;
    await inTransaction(this.db, async (trx) => {
      for (const w of unique) {
        const res = await trx
          .updateTable('bad_words')
          .set({ severity: w.severity, replacement: w.replacement, updated_at: now })
          .where('word', '=', w.word)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) > 0) updated++;
        else {
          await trx
            .insertInto('bad_words')
            .values({ word: w.word, severity: w.severity, replacement: w.replacement, created_at: now, updated_at: now })
            .execute();
          added++;
        }
      }
    });
    this.lists.invalidate();
    return { added, updated };
  }

  async deleteBadWord(actor: Actor, id: number): Promise<void> {
    assertCan(actor, 'admin.global', this.ctx.facts.baseContext());
    const res = await this.db.deleteFrom('bad_words').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound('No such word');
    this.lists.invalidate();
  }

  /** The content's community and author; the caller must moderate there (DMs: site admins only). 404 otherwise. */
  private async contentScope(actor: Actor, type: ContentAction['target_type'], id: number) {
    let communityId: number | null = null;
    let authorId: number;
    if (type === 'channel_message') {
      const row = await this.db.selectFrom('channel_messages').select(['channel_id', 'user_id']).where('id', '=', id).executeTakeFirst();
      const ch = row && (await this.ctx.facts.channel(row.channel_id));
      if (!row || !ch) throw notFound();
      communityId = ch.row.community_id;
      authorId = row.user_id;
    } else if (type === 'dm_message') {
      const row = await this.db.selectFrom('dm_messages').select(['user_id']).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      authorId = row.user_id;
    } else if (type === 'feed_item') {
      const row = await this.db
        .selectFrom('central_feed_items')
        .select(['community_id', 'user_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound();
      communityId = row.community_id;
      authorId = row.user_id;
    } else {
      const row = await this.db
        .selectFrom('central_feed_comments')
        .innerJoin('central_feed_items', 'central_feed_items.id', 'central_feed_comments.feed_item_id')
        .select(['central_feed_items.community_id', 'central_feed_comments.user_id'])
        .where('central_feed_comments.id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound();
      communityId = row.community_id;
      authorId = row.user_id;
    }
    if (actor.isAdmin) return { communityId, authorId };
    if (communityId === null) throw notFound();
    const { access } = await this.ctx.facts.forCommunity(actor, communityId);
    if (!can(actor, 'moderation.review', access).allowed) throw notFound();
    return { communityId, authorId };
  }

  async contentAction(actor: Actor, body: ContentAction): Promise<void> {
    const { communityId, authorId } = await this.contentScope(actor, body.target_type, body.target_id);
    const now = this.ctx.clock.now().toISOString();
    const state = STATE[body.action];
    await inTransaction(this.db, async (trx) => {
      const id = body.target_id;
      if (body.target_type === 'channel_message' || body.target_type === 'dm_message') {
        const table = body.target_type === 'channel_message' ? 'channel_messages' : 'dm_messages';
        await trx
          .updateTable(table as 'channel_messages')
          .set(
            body.action === 'delete'
              ? { is_deleted: 1, deleted_at: now, updated_at: now }
              : { moderation_state: state, ...(body.action === 'restore' ? { is_deleted: 0, deleted_at: null } : {}), updated_at: now },
          )
          .where('id', '=', id)
          .execute();
      } else {
        const table = body.target_type === 'feed_item' ? 'central_feed_items' : 'central_feed_comments';
        await trx
          .updateTable(table as 'central_feed_items')
          .set(
            body.action === 'delete'
              ? { deleted_at: now, updated_at: now }
              : { moderation_state: state, ...(body.action === 'restore' ? { deleted_at: null } : {}), updated_at: now },
          )
          .where('id', '=', id)
          .execute();
      }
      // Acting on content settles the filter's own report of it.
      if (body.action !== 'hide')
        await trx
          .updateTable('moderation_reports')
          .set({
            status: 'resolved',
            resolution_notes: `${body.action}${body.reason ? `: ${body.reason}` : ''}`,
            open_key: null,
            closed_at: now,
            updated_at: now,
          })
          .where('reporter_id', '=', 0)
          .where('target_type', '=', body.target_type)
          .where('target_id', '=', id)
          .where('status', 'in', ['open', 'reviewing'])
          .execute();
      await this.audit.write(trx, {
        action: `content_${body.action}`,
        userId: authorId,
        communityId,
        by: actor.userId,
        reason: body.reason ?? null,
        target: { type: body.target_type, id },
      });
    });
    await this.onContentChanged(body.target_type, body.target_id).catch((err: unknown) =>
      this.ctx.logger.warn({ err }, 'moderation: could not broadcast a content change'),
    );
  }
}
