import type { FeedComment, FeedItem } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import {
  addOwnComment,
  applyCommentReactions,
  applyPostReactions,
  mergeReactions,
  applyCommentUpdate,
  applyPostUpdate,
  markCommentDeleted,
  postIds,
  prependPost,
  removePost,
  setCommentCount,
  setReactions,
  type CommentsPage,
  type FeedPages,
} from './feed-cache';

const author = { id: 7, name: 'Ana', avatar_url: null };
const post = (id: number, over: Partial<FeedItem> = {}): FeedItem => ({
  id,
  community_id: 1,
  type: 'post',
  title: null,
  content: `post ${id}`,
  metadata: {},
  author,
  mentions: [],
  attachments: [],
  is_pinned: false,
  comment_count: 0,
  reactions: [{ emoji: '👍', count: 2, me: true }],
  created_at: '2026-01-01T00:00:00.000Z',
  edited_at: null,
  viewer_can: { edit: true, delete: true, pin: true, comment: true, react: true },
  ...over,
});
const { viewer_can: _v, reactions: _r, ...shared } = post(0);
const pushed = (id: number, over: Partial<typeof shared> = {}) => ({ ...shared, id, content: `post ${id}`, ...over });
const pages = (pinned: FeedItem[], ...lists: FeedItem[][]): FeedPages => ({
  pages: lists.map((items, n) => ({ items, pinned: n === 0 ? pinned : [], next_cursor: null })),
  pageParams: lists.map(() => undefined),
});
const ids = (d: FeedPages) => d.pages.map((p) => ({ pinned: p.pinned.map((i) => i.id), items: p.items.map((i) => i.id) }));

describe('feed pages from pushes', () => {
  it('edits in place and keeps the viewer’s rights and reaction marks', () => {
    const d = applyPostUpdate(
      pages([], [post(3), post(2)], [post(1)]),
      pushed(1, { content: 'edited', edited_at: '2026-01-02T00:00:00.000Z' }),
    );
    const p1 = d.pages[1]!.items[0]!;
    expect(p1.content).toBe('edited');
    expect(p1.viewer_can.pin).toBe(true);
    expect(p1.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect(ids(d)).toEqual([
      { pinned: [], items: [3, 2] },
      { pinned: [], items: [1] },
    ]);
  });

  it('moves a pinned post to the pinned list and an unpinned one back among the latest, in order', () => {
    const pinnedNow = applyPostUpdate(pages([post(9, { is_pinned: true })], [post(3), post(2)], [post(1)]), pushed(2, { is_pinned: true }));
    expect(ids(pinnedNow)).toEqual([
      { pinned: [2, 9], items: [3] },
      { pinned: [], items: [1] },
    ]);
    const unpinned = applyPostUpdate(pinnedNow, pushed(9, { is_pinned: false }));
    expect(ids(unpinned)[0]).toEqual({ pinned: [2], items: [9, 3] });
  });

  it('ignores an update of a post not on screen, removes deleted posts, prepends the viewer’s own once', () => {
    const d = pages([], [post(2), post(1)]);
    expect(applyPostUpdate(d, pushed(5))).toBe(d);
    expect(ids(removePost(d, 2))).toEqual([{ pinned: [], items: [1] }]);
    const mine = prependPost(d, post(3));
    expect(ids(prependPost(mine, post(3)))).toEqual([{ pinned: [], items: [3, 2, 1] }]);
    expect([...postIds(mine)].sort()).toEqual([1, 2, 3]);
    expect(setCommentCount(d, 1, 4).pages[0]!.items[1]!.comment_count).toBe(4);
    expect(setReactions(d, 2, [{ emoji: '🎉', count: 1, me: true }]).pages[0]!.items[0]!.reactions).toEqual([
      { emoji: '🎉', count: 1, me: true },
    ]);
  });
});

const comment = (id: number, parent_id: number | null, over: Partial<FeedComment> = {}): FeedComment => ({
  id,
  feed_item_id: 1,
  parent_id,
  content: `c${id}`,
  author,
  reactions: [],
  reply_count: 0,
  created_at: '2026-01-01T00:00:00.000Z',
  edited_at: null,
  deleted: false,
  helpful: false,
  viewer_can: { edit: true, delete: true, mark_helpful: false },
  ...over,
});

describe('comment threads from pushes', () => {
  const threads = (): CommentsPage => ({ items: [{ ...comment(10, null), replies: [comment(11, 10)] }], next_cursor: null });

  it('adds the viewer’s comment or reply once, in its thread', () => {
    const withReply = addOwnComment(threads(), comment(12, 10));
    expect(withReply.items[0]!.replies.map((r) => r.id)).toEqual([11, 12]);
    expect(withReply.items[0]!.reply_count).toBe(1);
    expect(addOwnComment(withReply, comment(12, 10))).toBe(withReply);
    expect(addOwnComment(threads(), comment(13, null)).items.map((t) => t.id)).toEqual([10, 13]);
  });

  it('edits and deletes top-level comments and replies in place', () => {
    const { viewer_can: _vc, reactions: _rc, ...edited } = comment(11, 10, { content: 'changed' });
    expect(applyCommentUpdate(threads(), edited).items[0]!.replies[0]).toMatchObject({ content: 'changed', viewer_can: { edit: true } });
    const gone = markCommentDeleted(threads(), 10).items[0]!;
    expect(gone).toMatchObject({ deleted: true, content: null, viewer_can: { edit: false, delete: false } });
    expect(gone.replies).toHaveLength(1);
  });
});

describe('reactions from pushes', () => {
  it('takes the counts everyone sees and keeps the viewer’s own marks while their emoji stays', () => {
    const cached = [
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: false },
    ];
    expect(
      mergeReactions(cached, [
        { emoji: '👍', count: 3 },
        { emoji: '❤️', count: 1 },
      ]),
    ).toEqual([
      { emoji: '👍', count: 3, me: true },
      { emoji: '❤️', count: 1, me: false },
    ]);
    // Gone and back (someone else added it again): the viewer's mark went with it.
    expect(mergeReactions(mergeReactions(cached, []), [{ emoji: '👍', count: 1 }])).toEqual([{ emoji: '👍', count: 1, me: false }]);
  });

  it('patches the post or the comment the push names, nothing else', () => {
    const feed = pages([], [post(3), post(2)]);
    const onPost = applyPostReactions(feed, { feed_item_id: 2, comment_id: null, reactions: [{ emoji: '👍', count: 5 }] });
    expect(onPost.pages[0]!.items.map((i) => i.reactions)).toEqual([
      [{ emoji: '👍', count: 2, me: true }],
      [{ emoji: '👍', count: 5, me: true }],
    ]);
    const onComment = { feed_item_id: 2, comment_id: 11, reactions: [{ emoji: '🎉', count: 1 }] };
    expect(applyPostReactions(feed, onComment)).toBe(feed);
    const threads: CommentsPage = { items: [{ ...comment(10, null), replies: [comment(11, 10)] }], next_cursor: null };
    const patched = applyCommentReactions(threads, onComment);
    expect(patched.items[0]!.replies[0]!.reactions).toEqual([{ emoji: '🎉', count: 1, me: false }]);
    expect(patched.items[0]!.reactions).toEqual(threads.items[0]!.reactions);
    expect(applyCommentReactions(threads, { ...onComment, comment_id: null })).toBe(threads);
  });
});
