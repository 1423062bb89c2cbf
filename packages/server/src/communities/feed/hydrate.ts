import { extractMentions, type Attachment, type FeedItem } from '@communities/contract';
import { sql } from 'kysely';

import { can, canEditOwn, type AccessContext, type Actor, type MembershipFacts } from '../../access';
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

/** What presenting feed items needs beyond the rows: authors, reactions, attachments, authors' memberships. */
export interface FeedHydration {
  users: Map<number, HostUser>;
  reactions: Reactions;
  /** Attachment rows by feed item id. */
  attachments: Map<number, ChannelAttachmentRow[]>;
  /** Authors' memberships by `community:user`, for the hierarchy rule on deleting others' posts. */
  authorMemberships: Map<string, MembershipFacts>;
}

export interface FeedHydrationDeps {
  db: DbHandle;
  facts: FactsLoader;
  users: (ids: number[]) => Promise<Map<number, HostUser>>;
  attachment: (row: ChannelAttachmentRow) => Attachment;
}

/** One batch of authors, one of reactions, one of attachments, one of the authors' memberships per community. */
export async function hydrateItems(deps: FeedHydrationDeps, actor: Actor, rows: FeedItemRow[]): Promise<FeedHydration> {
  const ids = rows.map((r) => r.id);
  const [users, reactions, attachmentRows] = await Promise.all([
    deps.users(rows.map((r) => r.user_id)),
    reactionsFor(deps.db, 'item', ids, actor.userId),
    deps.db.selectFrom('channel_message_attachments').selectAll().where('feed_item_id', 'in', ids).orderBy('id').execute(),
  ]);
  const attachments = new Map<number, ChannelAttachmentRow[]>();
  for (const a of attachmentRows) attachments.set(a.feed_item_id!, [...(attachments.get(a.feed_item_id!) ?? []), a]);
  const byCommunity = new Map<number, number[]>();
  for (const r of rows)
    if (r.community_id !== null) byCommunity.set(r.community_id, [...(byCommunity.get(r.community_id) ?? []), r.user_id]);
  const authorMemberships = new Map<string, MembershipFacts>();
  for (const [communityId, authors] of byCommunity) {
    const ms = await memberWithRoleQuery(deps.db)
      .where('community_members.community_id', '=', communityId)
      .where('community_members.user_id', 'in', [...new Set(authors)])
      .execute();
    for (const m of ms) authorMemberships.set(`${communityId}:${m.user_id}`, membershipFacts(m, []));
  }
  return { users, reactions, attachments, authorMemberships };
}

/** The rules and the shape: the access engine decides the viewer's rights on one hydrated item. */
export function presentItem(
  actor: Actor,
  r: FeedItemRow,
  h: FeedHydration,
  ctx: AccessContext | null,
  attachment: (row: ChannelAttachmentRow) => Attachment,
): FeedItem {
  const target = { authorId: r.user_id, targetMembership: h.authorMemberships.get(`${r.community_id}:${r.user_id}`) ?? null };
  // One context with the author as target serves every right below.
  const onItem = ctx ? { ...ctx, target } : null;
  const allowed = (a: Parameters<typeof can>[1]) => (onItem ? can(actor, a, onItem).allowed : actor.isAdmin);
  const own = ctx ? canEditOwn(actor, r.user_id, ctx) : actor.userId === r.user_id;
  const metadata = parseMeta(r.metadata);
  return {
    id: r.id,
    community_id: r.community_id,
    type: r.type as FeedItem['type'],
    title: r.title,
    content: r.deleted_at ? null : r.content,
    metadata,
    author: userSummary(r.user_id, h.users),
    // Posting and editing store the mentions; parsing a long post again on every read is waste.
    mentions: Array.isArray(metadata.mentions) ? (metadata.mentions as number[]) : extractMentions(r.content),
    attachments: (h.attachments.get(r.id) ?? []).map(attachment),
    is_pinned: r.is_pinned === 1,
    comment_count: r.comment_count,
    reactions: h.reactions.get(String(r.id)) ?? [],
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
}

/** Skeleton → hydrate → rules → present, for rows read from the database. */
export async function presentItems(
  deps: FeedHydrationDeps,
  actor: Actor,
  rows: FeedItemRow[],
  access: (communityId: number | null) => AccessContext | null,
): Promise<FeedItem[]> {
  if (rows.length === 0) return [];
  const h = await hydrateItems(deps, actor, rows);
  return rows.map((r) => presentItem(actor, r, h, access(r.community_id), deps.attachment));
}

/** Helpful marks for a set of comments: which are marked, and whether the viewer may mark them. */
export interface CommentHelpful {
  marked: Set<number>;
  /** The viewer may mark others' comments on posts with these ids (their own posts, or every post for a moderator). */
  mayMark: (feedItemId: number) => boolean;
}
export const NO_HELPFUL: CommentHelpful = { marked: new Set(), mayMark: () => false };

export function presentComment(
  c: FeedCommentRow,
  users: Map<number, HostUser>,
  reactions: Reactions,
  actor: Actor,
  mayDeleteAny: boolean,
  helpful: CommentHelpful = NO_HELPFUL,
) {
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
    helpful: helpful.marked.has(c.id),
    viewer_can: {
      edit: own && !c.deleted_at,
      delete: !c.deleted_at && (own || mayDeleteAny),
      mark_helpful: !own && !c.deleted_at && helpful.mayMark(c.feed_item_id),
    },
  };
}
