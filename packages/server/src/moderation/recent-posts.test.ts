import { describe, expect, it } from 'vitest';

import { RecentPosts, type RecentPost } from './recent-posts';

const p = (id: number, content = `text ${id}`): RecentPost => ({
  id,
  content,
  created_at: `2026-12-02T10:00:${String(id).padStart(2, '0')}.000Z`,
});
const ids = (posts: readonly RecentPost[] | undefined) => posts?.map((x) => x.id);

describe('RecentPosts (the spam repeat rule’s memory of authors’ latest posts)', () => {
  it('is empty until seeded, then answers newest first at the depth asked', () => {
    const r = new RecentPosts();
    expect(r.get('k', 4)).toBeUndefined();
    expect(ids(r.seed('k', 4, [p(1), p(3), p(2)]))).toEqual([3, 2, 1]);
    expect(ids(r.get('k', 4))).toEqual([3, 2, 1]);
    expect(ids(r.get('k', 2))).toEqual([3, 2]);
  });

  it('follows commits: new posts push the oldest out, edits change the text they hold', () => {
    const r = new RecentPosts();
    r.seed('k', 3, [p(1), p(2), p(3)]);
    r.posted('k', p(4));
    expect(ids(r.get('k', 3))).toEqual([4, 3, 2]);
    r.posted('k', { ...p(3), content: 'edited' });
    expect(r.get('k', 3)![1]).toEqual({ ...p(3), content: 'edited' });
    // An edit of a post older than those held changes nothing.
    r.posted('k', { ...p(1), content: 'old edit' });
    expect(ids(r.get('k', 3))).toEqual([4, 3, 2]);
  });

  it('keeps commits that land while the seed is read, and the newer text of an edit', () => {
    const r = new RecentPosts();
    r.posted('k', p(5));
    r.posted('k', p(6));
    r.posted('k', { ...p(2), content: 'edited meanwhile' });
    expect(r.get('k', 4)).toBeUndefined(); // not seeded: the database is asked
    // The seed was read before 5 and 6 committed, and holds 2's text from before its edit.
    const seeded = r.seed('k', 6, [p(4), p(3), p(2), p(1)]);
    expect(ids(seeded)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(seeded.find((x) => x.id === 2)?.content).toBe('edited meanwhile');
    expect(ids(r.get('k', 3))).toEqual([6, 5, 4]);
  });

  it('seeds again when asked deeper than it was seeded (the rule’s count raised at runtime)', () => {
    const r = new RecentPosts();
    r.seed('k', 2, [p(9), p(8)]);
    expect(r.get('k', 4)).toBeUndefined();
    r.seed('k', 4, [p(9), p(8), p(7), p(6)]);
    expect(ids(r.get('k', 4))).toEqual([9, 8, 7, 6]);
  });

  it('forgets the least recently used key past its bound', () => {
    const r = new RecentPosts(2);
    r.seed('a', 2, [p(1)]);
    r.seed('b', 2, [p(2)]);
    r.get('a', 2);
    r.seed('c', 2, [p(3)]);
    expect(r.get('b', 2)).toBeUndefined();
    expect(ids(r.get('a', 2))).toEqual([1]);
    expect(ids(r.get('c', 2))).toEqual([3]);
  });
});
