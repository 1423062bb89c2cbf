import {
  SEARCH_MAX_RESULTS,
  SEARCH_RESULT_KINDS,
  type CommunitiesConfig,
  type SearchResult,
  type searchQuerySchema,
} from '@communities/contract';
import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';

import { assertCan, can, type AccessContext, type Actor } from '../access';
import { channelFacts, type FactsLoader } from '../communities/facts';
import { userSummary } from '../communities/presenters';
import type { HostPorts } from '../host/ports';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import type { CommunityRow } from '../platform/db/schema';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import { notFound } from '../platform/errors';

import { fullText, type Source } from './dialect';
import type { SearchIndexer } from './indexer';
import { queryTerms, relevance, snippet } from './text';

export type SearchQuery = z.output<typeof searchQuerySchema>;

/** Moderation states only the author and the moderators see (as history and the feed). */
const UNSEEN = ['held', 'hidden'];
/** Communities a search without `community_id` looks in (the caller's own, most recently joined first). */
const MAX_COMMUNITIES = 100;

export interface SearchDeps {
  config: Pick<CommunitiesConfig, 'features' | 'search'>;
  db: Db;
  host: Pick<HostPorts, 'identities'>;
  clock: Clock;
  /** SQLite's batch indexer (migration 0015): caught up before each search reads. */
  index?: Pick<SearchIndexer, 'catchUp'> | null;
}

/** What the caller reads in one community, decided by the access engine. */
interface Scope {
  community: CommunityRow;
  access: AccessContext;
  moderator: boolean;
  channels: Array<{ id: number; slug: string; name: string }>;
  feed: boolean;
  members: boolean;
}

interface Hit {
  kind: SearchResult['kind'];
  id: number;
  communityId: number | null;
  channelId: number | null;
  threadId: number | null;
  postId: number | null;
  userId: number | null;
  source: string;
  markdown: boolean;
  createdAt: string | null;
}

const num = (v: unknown) => Number(v);
/** The order of hits equal in everything else. */
const KIND_ORDER: readonly SearchResult['kind'][] = SEARCH_RESULT_KINDS;

/**
 * Full-text search, access-filtered: every community, channel, thread and row it looks at is one
 * the access engine lets the caller read (channels by `channel.view`, posts by `feed.read`,
 * members by `members.browse`, so not where the owner hid the member list), with deleted rows
 * left out and held or hidden ones shown to their author and the moderators only, as history and
 * the feed show them. Each source gives at most SEARCH_MAX_RESULTS candidates (see `fullText`);
 * those are ranked together by matched words,
 * then hits, then recency, and paged (bounded paging: offset cursors up to 200 results).
 * Recency is `created_at`, the time a result shows and `before`/`after` filter by, then the
 * higher id. On MariaDB and PostgreSQL concurrent writes stamp their time before their own
 * transaction takes an id, so among rows written at once a higher id may carry an earlier time.
 */
export class SearchService {
  constructor(
    private readonly ctx: SearchDeps,
    private readonly facts: FactsLoader,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  private async scope(actor: Actor, community: CommunityRow, access: AccessContext): Promise<Scope> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('community_id', '=', community.id)
      .where('archived_at', 'is', null)
      .where('type', '!=', 'category')
      .execute();
    const channels = rows
      .filter((r) => can(actor, 'channel.view', { ...access, channel: channelFacts(r) }).allowed)
      .map((r) => ({ id: r.id, slug: r.slug, name: r.name }));
    return {
      community,
      access,
      moderator: can(actor, 'moderation.review', access).allowed,
      channels,
      feed: this.ctx.config.features.central_feed && can(actor, 'feed.read', access).allowed,
      // People found by name are a roster (paged): none where the owner hid the member list from the caller.
      members: can(actor, 'members.browse', access).allowed,
    };
  }

  /** The communities searched: the one asked for (404 when the caller may not see it), or the caller's own. */
  private async scopes(actor: Actor, q: SearchQuery): Promise<Scope[]> {
    if (q.community_id !== undefined) {
      const { community, access } = await this.facts.forCommunity(actor, q.community_id);
      assertCan(actor, 'community.view', access);
      return [await this.scope(actor, community, access)];
    }
    const mine = await this.db
      .selectFrom('community_members')
      .select('community_id')
      .where('user_id', '=', actor.userId)
      .where('status', 'in', ['active', 'muted'])
      .orderBy('id', 'desc')
      .limit(MAX_COMMUNITIES)
      .execute();
    const out: Scope[] = [];
    for (const m of mine) {
      const { community, access } = await this.facts.forCommunity(actor, m.community_id).catch(() => ({ community: null, access: null }));
      if (community && access && can(actor, 'community.view', access).allowed) out.push(await this.scope(actor, community, access));
    }
    return out;
  }

  async search(actor: Actor, q: SearchQuery): Promise<{ items: SearchResult[]; next_cursor: string | null }> {
    const terms = queryTerms(q.q);
    const offset = decodeCursor<{ o: number }>(q.cursor, { o: 'number' })?.o ?? 0;
    if (terms.length === 0 || offset >= SEARCH_MAX_RESULTS) return { items: [], next_cursor: null };
    const scopes = await this.scopes(actor, q);
    await this.ctx.index?.catchUp();
    let channelIds = scopes.flatMap((s) => s.channels.map((c) => c.id));
    if (q.channel_id !== undefined) {
      // A channel the caller cannot read is one that does not exist.
      if (!channelIds.includes(q.channel_id)) {
        const row = await this.db.selectFrom('channels').select('community_id').where('id', '=', q.channel_id).executeTakeFirst();
        const other = row && q.community_id === undefined ? await this.facts.forCommunity(actor, row.community_id).catch(() => null) : null;
        const scope =
          other && can(actor, 'community.view', other.access).allowed ? await this.scope(actor, other.community, other.access) : null;
        if (!scope?.channels.some((c) => c.id === q.channel_id)) throw notFound('No such channel');
        scopes.push(scope);
      }
      channelIds = [q.channel_id];
    }
    const want = (t: NonNullable<SearchQuery['type']>) => q.type === undefined || q.type === t;
    const fts = fullText(this.ctx.db, this.ctx.config.search.language, terms);
    const me = actor.userId;
    const common = (alias: string, userCol = 'user_id') => {
      const w: RawBuilder<unknown>[] = [];
      if (q.from_user !== undefined) w.push(sql`${sql.ref(`${alias}.${userCol}`)} = ${q.from_user}`);
      if (q.after) w.push(sql`${sql.ref(`${alias}.created_at`)} >= ${isoFloor(q.after)}`);
      if (q.before) w.push(sql`${sql.ref(`${alias}.created_at`)} < ${isoFloor(q.before)}`);
      return w;
    };
    const seen = (alias: string, modIds: number[], idCol: string) =>
      sql`(${sql.ref(`${alias}.moderation_state`)} not in (${sql.join(UNSEEN)}) or ${sql.ref(`${alias}.user_id`)} = ${me}${
        modIds.length ? sql` or ${sql.ref(`${alias}.${idCol}`)} in (${sql.join(modIds)})` : sql``
      })`;
    const link = (alias: string, col = 'content') =>
      sql`(${sql.ref(`${alias}.${col}`)} like ${'%http://%'} or ${sql.ref(`${alias}.${col}`)} like ${'%https://%'})`;
    const hits: Hit[] = [];
    const tasks: Array<Promise<void>> = [];

    // Channel messages.
    if (want('message') && channelIds.length > 0) {
      const modChannels = scopes.filter((s) => s.moderator).flatMap((s) => s.channels.map((c) => c.id));
      const where = [
        sql`m.channel_id in (${sql.join(channelIds)})`,
        sql`m.is_deleted = 0`,
        seen(
          'm',
          modChannels.filter((id) => channelIds.includes(id)),
          'channel_id',
        ),
        ...common('m'),
      ];
      if (q.has === 'file') where.push(sql`exists (select 1 from ${sql.table('channel_message_attachments')} a where a.message_id = m.id)`);
      if (q.has === 'link') where.push(link('m'));
      tasks.push(
        fts
          .candidates<{ id: number; channel_id: number; user_id: number; content: string; created_at: string }>(
            CHANNEL_MESSAGES,
            sql`m.id, m.channel_id, m.user_id, m.content, m.created_at`,
            where,
          )
          .then((rows) => {
            const communityOf = new Map(scopes.flatMap((s) => s.channels.map((c) => [c.id, s.community.id] as const)));
            for (const r of rows)
              hits.push({
                kind: 'message',
                id: num(r.id),
                communityId: communityOf.get(num(r.channel_id)) ?? null,
                channelId: num(r.channel_id),
                threadId: null,
                postId: null,
                userId: num(r.user_id),
                source: r.content,
                markdown: true,
                createdAt: r.created_at,
              });
          }),
      );
    }

    // Direct messages: only threads the caller takes part in, never in a community or channel search.
    if (want('message') && q.community_id === undefined && q.channel_id === undefined) {
      const where = [
        sql`m.thread_id in (select p.thread_id from ${sql.table('dm_participants')} p where p.user_id = ${me} and p.left_at is null)`,
        sql`m.is_deleted = 0`,
        seen('m', [], 'thread_id'),
        ...common('m'),
      ];
      if (q.has === 'file') where.push(sql`exists (select 1 from ${sql.table('dm_message_attachments')} a where a.message_id = m.id)`);
      if (q.has === 'link') where.push(link('m'));
      tasks.push(
        fts
          .candidates<{ id: number; thread_id: number; user_id: number; content: string; created_at: string }>(
            DM_MESSAGES,
            sql`m.id, m.thread_id, m.user_id, m.content, m.created_at`,
            where,
          )
          .then((rows) => {
            for (const r of rows)
              hits.push({
                kind: 'dm',
                id: num(r.id),
                communityId: null,
                channelId: null,
                threadId: num(r.thread_id),
                postId: null,
                userId: num(r.user_id),
                source: r.content,
                markdown: true,
                createdAt: r.created_at,
              });
          }),
      );
    }

    // Feed posts and comments.
    const feedScopes = q.channel_id === undefined ? scopes.filter((s) => s.feed) : [];
    if (want('post') && feedScopes.length > 0) {
      const ids = feedScopes.map((s) => s.community.id);
      const mods = feedScopes.filter((s) => s.moderator).map((s) => s.community.id);
      const where = [sql`m.community_id in (${sql.join(ids)})`, sql`m.deleted_at is null`, seen('m', mods, 'community_id'), ...common('m')];
      if (q.has === 'file')
        where.push(sql`exists (select 1 from ${sql.table('channel_message_attachments')} a where a.feed_item_id = m.id)`);
      if (q.has === 'link') where.push(link('m'));
      tasks.push(
        fts
          .candidates<{ id: number; community_id: number; user_id: number; title: string | null; content: string; created_at: string }>(
            FEED_ITEMS,
            sql`m.id, m.community_id, m.user_id, m.title, m.content, m.created_at`,
            where,
          )
          .then((rows) => {
            for (const r of rows)
              hits.push({
                kind: 'post',
                id: num(r.id),
                communityId: num(r.community_id),
                channelId: null,
                threadId: null,
                postId: num(r.id),
                userId: num(r.user_id),
                source: r.title ? `**${r.title}** ${r.content}` : r.content,
                markdown: true,
                createdAt: r.created_at,
              });
          }),
      );
      if (q.has === undefined) {
        const cw = [
          sql`m.feed_item_id in (select i.id from ${sql.table('central_feed_items')} i where i.community_id in (${sql.join(ids)}) and i.deleted_at is null and ${seen('i', mods, 'community_id')})`,
          sql`m.deleted_at is null`,
          sql`(m.moderation_state not in (${sql.join(UNSEEN)}) or m.user_id = ${me}${mods.length ? sql` or m.feed_item_id in (select i.id from ${sql.table('central_feed_items')} i where i.community_id in (${sql.join(mods)}))` : sql``})`,
          ...common('m'),
        ];
        tasks.push(
          fts
            .candidates<{ id: number; feed_item_id: number; user_id: number; content: string; created_at: string; community_id: number }>(
              FEED_COMMENTS,
              sql`m.id, m.feed_item_id, m.user_id, m.content, m.created_at, (select i.community_id from ${sql.table('central_feed_items')} i where i.id = m.feed_item_id) as community_id`,
              cw,
            )
            .then((rows) => {
              for (const r of rows)
                hits.push({
                  kind: 'comment',
                  id: num(r.id),
                  communityId: num(r.community_id),
                  channelId: null,
                  threadId: null,
                  postId: num(r.feed_item_id),
                  userId: num(r.user_id),
                  source: r.content,
                  markdown: true,
                  createdAt: r.created_at,
                });
            }),
        );
      }
    }

    const plain = q.channel_id === undefined && q.has === undefined && q.from_user === undefined && !q.before && !q.after;

    // Members: the host's users by name, among the members of communities whose member list the caller reads.
    const memberScopes = scopes.filter((s) => s.members);
    if (want('member') && plain && memberScopes.length > 0) {
      tasks.push(
        (async () => {
          const found = await this.ctx.host.identities.searchUsers(q.q, 500);
          if (found.length === 0) return;
          const rows = await this.db
            .selectFrom('community_members')
            .select(['user_id', 'community_id', 'joined_at'])
            .where(
              'community_id',
              'in',
              memberScopes.map((s) => s.community.id),
            )
            .where('status', 'in', ['active', 'muted'])
            .where(
              'user_id',
              'in',
              found.map((u) => u.id),
            )
            .orderBy('id', 'desc')
            .execute();
          const byId = new Map(found.map((u) => [u.id, u]));
          const done = new Set<number>();
          for (const r of rows) {
            if (done.has(r.user_id)) continue;
            done.add(r.user_id);
            hits.push({
              kind: 'member',
              id: r.user_id,
              communityId: r.community_id,
              channelId: null,
              threadId: null,
              postId: null,
              userId: r.user_id,
              source: byId.get(r.user_id)?.name ?? '',
              markdown: false,
              createdAt: r.joined_at,
            });
          }
        })(),
      );
    }

    // Communities: active ones the caller may see (public and private cards; hidden ones only to their members).
    if (want('community') && plain) {
      const known = scopes.map((s) => s.community.id);
      const where = [
        sql`m.status = 'active'`,
        known.length
          ? sql`(m.visibility in ('public', 'private') or m.id in (${sql.join(known)}))`
          : sql`m.visibility in ('public', 'private')`,
      ];
      if (q.community_id !== undefined) where.push(sql`m.id = ${q.community_id}`);
      tasks.push(
        fts
          .candidates<{ id: number; name: string; description: string | null; created_at: string }>(
            COMMUNITIES,
            sql`m.id, m.name, m.description, m.created_at`,
            where,
          )
          .then((rows) => {
            for (const r of rows)
              hits.push({
                kind: 'community',
                id: num(r.id),
                communityId: num(r.id),
                channelId: null,
                threadId: null,
                postId: null,
                userId: null,
                source: r.description ? `${r.name} — ${r.description}` : r.name,
                markdown: false,
                createdAt: r.created_at,
              });
          }),
      );
    }
    await Promise.all(tasks);

    // Relevance (distinct words matched, then hits), then newest (created_at, then the higher id),
    // then kind: the sources answer in whatever order their queries finish, and ids of different
    // tables can be equal, so without the kind two such hits would swap between the pages of one search.
    const ranked = hits
      .map((h) => ({ h, r: relevance(h.source, terms) }))
      .sort(
        (a, b) =>
          b.r.matched - a.r.matched ||
          b.r.hits - a.r.hits ||
          (b.h.createdAt ?? '').localeCompare(a.h.createdAt ?? '') ||
          b.h.id - a.h.id ||
          KIND_ORDER.indexOf(a.h.kind) - KIND_ORDER.indexOf(b.h.kind),
      )
      .slice(0, SEARCH_MAX_RESULTS);
    // Snippets (Markdown parsed, highlights) for the page only.
    const pageRows = ranked.slice(offset, offset + q.limit).map(({ h }) => ({ h, s: snippet(h.source, terms, h.markdown) }));
    const next = offset + q.limit < ranked.length ? encodeCursor({ o: offset + q.limit }) : null;
    return { items: await this.present(pageRows, scopes), next_cursor: next };
  }

  private async present(rows: Array<{ h: Hit; s: ReturnType<typeof snippet> }>, scopes: Scope[]): Promise<SearchResult[]> {
    const users = await this.ctx.host.identities.getUsers([...new Set(rows.flatMap((r) => (r.h.userId === null ? [] : [r.h.userId])))]);
    const communities = new Map(scopes.map((s) => [s.community.id, s.community]));
    const missing = [...new Set(rows.map((r) => r.h.communityId).filter((id): id is number => id !== null && !communities.has(id)))];
    if (missing.length)
      for (const c of await this.db.selectFrom('communities').selectAll().where('id', 'in', missing).execute()) communities.set(c.id, c);
    const channels = new Map(scopes.flatMap((s) => s.channels.map((c) => [c.id, c] as const)));
    return rows.map(({ h, s }) => {
      const c = h.communityId === null ? undefined : communities.get(h.communityId);
      const ch = h.channelId === null ? undefined : channels.get(h.channelId);
      return {
        kind: h.kind,
        id: h.id,
        community: c ? { id: c.id, slug: c.slug, name: c.name } : null,
        channel: ch ? { id: ch.id, slug: ch.slug, name: ch.name } : null,
        thread_id: h.threadId,
        post_id: h.kind === 'comment' ? h.postId : null,
        author: h.userId === null || h.kind === 'community' ? null : userSummary(h.userId, users),
        text: s.text,
        highlights: s.highlights,
        created_at: h.createdAt,
      };
    });
  }
}

/** A date (YYYY-MM-DD) or timestamp as the ISO string our tables store, for string comparison. */
function isoFloor(v: string): string {
  const t = Date.parse(/T/.test(v) ? v : `${v}T00:00:00Z`);
  return Number.isNaN(t) ? v : new Date(t).toISOString();
}

const CHANNEL_MESSAGES: Source = { table: 'channel_messages', columns: ['content'] };
const DM_MESSAGES: Source = { table: 'dm_messages', columns: ['content'] };
const FEED_ITEMS: Source = { table: 'central_feed_items', columns: ['title', 'content'] };
const FEED_COMMENTS: Source = { table: 'central_feed_comments', columns: ['content'] };
const COMMUNITIES: Source = { table: 'communities', columns: ['name', 'description'] };
