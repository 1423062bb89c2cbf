import { describe, expect, it } from 'vitest';

import { RankList } from './rank-list';

/** The naive order: points descending, then user id ascending. */
function naive(points: Map<number, number>) {
  return [...points]
    .filter(([, p]) => p > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([user_id, p]) => ({ user_id, points: p }));
}

describe('RankList', () => {
  it('orders by points descending, ties by the lower user id, and leaves out members without points', () => {
    const l = RankList.from([
      { user_id: 5, points: 10 },
      { user_id: 2, points: 10 },
      { user_id: 9, points: 30 },
      { user_id: 4, points: 0 },
    ]);
    expect(l.slice(0, 10)).toEqual([
      { user_id: 9, points: 30 },
      { user_id: 2, points: 10 },
      { user_id: 5, points: 10 },
    ]);
    expect([l.rank(9), l.rank(2), l.rank(5), l.rank(4)]).toEqual([1, 2, 3, null]);
  });

  it('agrees with a sorted array through thousands of random updates, across block splits and merges', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const model = new Map<number, number>();
    const rows = Array.from({ length: 3000 }, (_, i) => ({ user_id: i + 1, points: rnd(50) }));
    for (const r of rows) model.set(r.user_id, r.points);
    const l = RankList.from(rows);
    for (let step = 0; step < 20_000; step++) {
      const u = 1 + rnd(6000);
      const delta = rnd(7) - 3;
      model.set(u, (model.get(u) ?? 0) + delta);
      l.add(u, delta);
      if (step % 2500 === 0) {
        const want = naive(model);
        expect(l.size).toBe(want.length);
        expect(l.slice(0, 50)).toEqual(want.slice(0, 50));
        expect(l.slice(1234, 20)).toEqual(want.slice(1234, 1254));
        for (let k = 0; k < 50; k++) {
          const i = rnd(want.length);
          expect(l.rank(want[i]!.user_id)).toBe(i + 1);
        }
      }
    }
  });

  it('refuses keys it cannot hold exactly, without changing the board', () => {
    const l = RankList.from([{ user_id: 1, points: 5 }]);
    expect(() => l.set(1, 2 ** 40)).toThrow(RangeError);
    expect(() => l.set(2 ** 30, 5)).toThrow(RangeError);
    expect(l.rank(1)).toBe(1);
  });
});
