/**
 * Pure updates of the feed's cached pages from realtime pushes (kept apart from React to test
 * them). A push carries a post as everyone sees it; the viewer's own rights and reaction marks
 * stay as the cache has them.
 */
import type { FeedComment, FeedCommentPush, FeedItem, FeedPostPush, FeedReactionPush } from '@communities/contract';

export interface FeedPage {
  items: FeedItem[];
  pinned: FeedItem[];
  next_cursor: string | null;
}
export interface FeedPages {
  pages: FeedPage[];
  pageParams: unknown[];
}
export type CommentThread = FeedComment & { replies: FeedComment[] };
export interface CommentsPage {
  items: CommentThread[];
  next_cursor: string | null;
}

export const postIds = (data: FeedPages | undefined): Set<number> =>
  new Set((data?.pages ?? []).flatMap((p) => [...p.pinned, ...p.items].map((i) => i.id)));

/** The pushed post over the cached one: its content, pin and files; the viewer's rights and reaction marks kept. */
export const mergePost = (cached: FeedItem, pushed: FeedPostPush): FeedItem => ({
  ...pushed,
  viewer_can: cached.viewer_can,
  reactions: cached.reactions,
});

const byNewest = (a: FeedItem, b: FeedItem) => b.id - a.id;

/** Applies an edit, a pin or unpin, or a scan result; a post pinned or unpinned moves between the lists. */
export function applyPostUpdate(data: FeedPages, pushed: FeedPostPush): FeedPages {
  let cached: FeedItem | undefined;
  for (const p of data.pages) cached ??= [...p.pinned, ...p.items].find((i) => i.id === pushed.id);
  if (!cached) return data;
  const next = mergePost(cached, pushed);
  const moved = cached.is_pinned !== next.is_pinned;
  const pages = data.pages.map((p, n) => {
    let pinned = p.pinned.filter((i) => i.id !== next.id);
    let items = p.items.filter((i) => i.id !== next.id);
    const here = [...p.pinned, ...p.items].some((i) => i.id === next.id);
    if (!moved) {
      if (!here) return p;
      pinned = p.pinned.map((i) => (i.id === next.id ? next : i));
      items = p.items.map((i) => (i.id === next.id ? next : i));
    } else if (n === 0) {
      // Pinned ones lead the first page, newest pin first; an unpinned one rejoins the latest posts.
      if (next.is_pinned) pinned = [next, ...pinned];
      else items = [...items, next].sort(byNewest);
    }
    return { ...p, pinned, items };
  });
  return { ...data, pages };
}

export function removePost(data: FeedPages, id: number): FeedPages {
  return {
    ...data,
    pages: data.pages.map((p) => ({ ...p, pinned: p.pinned.filter((i) => i.id !== id), items: p.items.filter((i) => i.id !== id) })),
  };
}

/** The viewer's own new post, at the top of the latest posts at once (once, however often it arrives). */
export function prependPost(data: FeedPages, item: FeedItem): FeedPages {
  if (postIds(data).has(item.id) || data.pages.length === 0) return data;
  const [first, ...rest] = data.pages;
  return { ...data, pages: [{ ...first!, items: [item, ...first!.items] }, ...rest] };
}

function patchPost(data: FeedPages, itemId: number, fn: (i: FeedItem) => FeedItem): FeedPages {
  const patch = (i: FeedItem) => (i.id === itemId ? fn(i) : i);
  return { ...data, pages: data.pages.map((p) => ({ ...p, pinned: p.pinned.map(patch), items: p.items.map(patch) })) };
}

export const setCommentCount = (data: FeedPages, itemId: number, count: number): FeedPages =>
  patchPost(data, itemId, (i) => ({ ...i, comment_count: count }));

export const setReactions = (data: FeedPages, itemId: number, reactions: FeedItem['reactions']): FeedPages =>
  patchPost(data, itemId, (i) => ({ ...i, reactions }));

function patchComment(data: CommentsPage, id: number, fn: (c: FeedComment) => FeedComment): CommentsPage {
  return {
    ...data,
    items: data.items.map((t) => ({
      ...(t.id === id ? { ...fn(t), replies: t.replies } : t),
      replies: t.replies.map((r) => (r.id === id ? fn(r) : r)),
    })),
  };
}

/** The viewer's own new comment or reply, in place at once (the server's answer, with its rights). */
export function addOwnComment(data: CommentsPage, c: FeedComment): CommentsPage {
  const known = data.items.some((t) => t.id === c.id || t.replies.some((r) => r.id === c.id));
  if (known) return data;
  if (c.parent_id === null) return { ...data, items: [...data.items, { ...c, replies: [] }] };
  return {
    ...data,
    items: data.items.map((t) => (t.id === c.parent_id ? { ...t, reply_count: t.reply_count + 1, replies: [...t.replies, c] } : t)),
  };
}

export const applyCommentUpdate = (data: CommentsPage, pushed: FeedCommentPush): CommentsPage =>
  patchComment(data, pushed.id, (c) => ({ ...pushed, viewer_can: c.viewer_can, reactions: c.reactions }));

/** A comment marked helpful or unmarked (the server agreed). */
export const setCommentHelpful = (data: CommentsPage, id: number, helpful: boolean): CommentsPage =>
  patchComment(data, id, (c) => ({ ...c, helpful }));

/** "Comment deleted": the thread keeps its shape, the words and the rights are gone. */
export const markCommentDeleted = (data: CommentsPage, id: number): CommentsPage =>
  patchComment(data, id, (c) => ({ ...c, content: null, deleted: true, viewer_can: { edit: false, delete: false, mark_helpful: false } }));

/**
 * Reactions as everyone sees them (a push) with the viewer's own marks kept: `me` stays true
 * only while the emoji is still there; the order is the push's (first reacted first).
 */
export function mergeReactions(cached: FeedItem['reactions'], pushed: FeedReactionPush['reactions']): FeedItem['reactions'] {
  const mine = new Set(cached.filter((r) => r.me).map((r) => r.emoji));
  return pushed.map((r) => ({ emoji: r.emoji, count: r.count, me: mine.has(r.emoji) }));
}

/** A post's new reaction counts (a comment's go to its thread: see {@link applyCommentReactions}). */
export const applyPostReactions = (data: FeedPages, pushed: FeedReactionPush): FeedPages =>
  pushed.comment_id !== null
    ? data
    : patchPost(data, pushed.feed_item_id, (i) => ({ ...i, reactions: mergeReactions(i.reactions, pushed.reactions) }));

export const applyCommentReactions = (data: CommentsPage, pushed: FeedReactionPush): CommentsPage =>
  pushed.comment_id === null
    ? data
    : patchComment(data, pushed.comment_id, (c) => ({ ...c, reactions: mergeReactions(c.reactions, pushed.reactions) }));
