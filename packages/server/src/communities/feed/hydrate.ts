import { extractMentions, type Attachment, type FeedItem } from '@communities/contract';
import { sql } from 'kysely';

import { can, canEditOwn, type AccessContext, type Actor } from '../../access';
import type { HostUser } from '../../host/ports';
import type { ChannelAttachmentRow, FeedCommentRow, FeedItemRow } from '../../platform/db/schema';
import type { DbHandle } from '../../platform/db/transaction';
import type { FactsLoader } from '../facts';
import { memberWithRoleQuery, membershipFacts } from '../facts';
import { userSummary } from '../presenters';

export type Reactions = Map<string, Array<{ emoji: string; count: number; me: boolean }>>;

/** Reaction counts and "me" for many posts or comments, in one query. */
export async function reactionsFor(db: DbHandle, target: 'item' | 'comment', ids: number[], me: number): Promise<Reactions> {
  const out: Reactions = new Map();
  if (ids.length === 0) return out;
  const col = target === 'item' ? 'feed_item_id' : 'comment_id';
  let q = db
    .selectFrom('central_feed_reactions')
    .select([
      col,
      'reaction',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`sum(case when user_id = ${me} then 1 else 0 end)`.as('mine'),
      (eb) => eb.fn.min('id').as('first'),
    ])
    .where(col, 'in', ids)
    .groupBy([col, 'reaction']);
  if (target === 'item') q = q.where('comment_id', '=', 0);
  const rows = await q.orderBy('first').execute();
  for (const r of rows) {
    const key = String((r as Record<string, unknown>)[col]);
    const list = out.get(key) ?? [];
    list.push({ emoji: r.reaction, count: Number(r.n), me: Number(r.mine) > 0 });
    out.set(key, list);
  }
  return out;
}

export const parseMeta = (json: string): Record<string, unknown> => {
  try {
    return (JSON.parse(json) as Record<string, unknown>) ?? {};
  } catch {
    return {};
  }
};

/**
 * Skeleton → hydrate → rules → present: one batch of authors, one of reactions, one of the
 * authors' memberships (for "may I delete this"), then the access engine per item.
 */
export async function presentItems(
  deps: {
    db: DbHandle;
    facts: FactsLoader;
    users: (ids: number[]) => Promise<Map<number, HostUser>>;
    attachment: (row: ChannelAttachmentRow) => Attachment;
  },
  actor: Actor,
  rows: FeedItemRow[],
  access: (communityId: number | null) => AccessContext | null,
): Promise<FeedItem[]> {
  if (rows.length === 0) return [];
  const [users, reactions, attachments] = await Promise.all([
    deps.users(rows.map((r) => r.user_id)),
    reactionsFor(
      deps.db,
      'item',
      rows.map((r) => r.id),
      actor.userId,
    ),
    deps.db
      .selectFrom('channel_message_attachments')
      .selectAll()
      .where(
        'feed_item_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('id')
      .execute(),
  ]);
  const byCommunity = new Map<number, number[]>();
  for (const r of rows)
    if (r.community_id !== null) byCommunity.set(r.community_id, [...(byCommunity.get(r.community_id) ?? []), r.user_id]);
  const authorMemberships = new Map<string, ReturnType<typeof membershipFacts>>();
  for (const [communityId, authors] of byCommunity) {
    const ms = await memberWithRoleQuery(deps.db)
      .where('community_members.community_id', '=', communityId)
      .where('community_members.user_id', 'in', [...new Set(authors)])
      .execute();
    for (const m of ms) authorMemberships.set(`${communityId}:${m.user_id}`, membershipFacts(m, []));
  }
  return rows.map((r) => {
    const ctx = access(r.community_id);
    const target = { authorId: r.user_id, targetMembership: authorMemberships.get(`${r.community_id}:${r.user_id}`) ?? null };
    const allowed = (a: Parameters<typeof can>[1]) => (ctx ? can(actor, a, { ...ctx, target }).allowed : actor.isAdmin);
    const own = ctx ? canEditOwn(actor, r.user_id, ctx) : actor.userId === r.user_id;
    const metadata = parseMeta(r.metadata);
    return {
      id: r.id,
      community_id: r.community_id,
      type: r.type as FeedItem['type'],
      title: r.title,
      content: r.deleted_at ? null : r.content,
      metadata,
      author: userSummary(r.user_id, users),
      // Posting and editing store the mentions; parsing a long post again on every read is waste.
      mentions: Array.isArray(metadata.mentions) ? (metadata.mentions as number[]) : extractMentions(r.content),
      attachments: attachments.filter((a) => a.feed_item_id === r.id).map(deps.attachment),
      is_pinned: r.is_pinned === 1,
      comment_count: r.comment_count,
      reactions: reactions.get(String(r.id)) ?? [],
      created_at: r.created_at,
      edited_at: r.edited_at,
      viewer_can: {
        edit: own && (r.type === 'post' || r.type === 'announcement'),
        delete: own || allowed('feed.delete_any'),
        pin: r.community_id !== null && allowed('feed.pin'),
        comment: ctx ? allowed('feed.comment') : true,
        react: ctx ? allowed('feed.react') : true,
      },
    };
  });
}

export function presentComment(c: FeedCommentRow, users: Map<number, HostUser>, reactions: Reactions, actor: Actor, mayDeleteAny: boolean) {
  const own = c.user_id === actor.userId;
  return {
    id: c.id,
    feed_item_id: c.feed_item_id,
    parent_id: c.parent_id,
    content: c.deleted_at ? null : c.content,
    author: userSummary(c.user_id, users),
    reactions: reactions.get(String(c.id)) ?? [],
    reply_count: c.reply_count,
    created_at: c.created_at,
    edited_at: c.edited_at,
    deleted: c.deleted_at !== null,
    viewer_can: { edit: own && !c.deleted_at, delete: !c.deleted_at && (own || mayDeleteAny) },
  };
}
