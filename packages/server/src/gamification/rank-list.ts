/** User ids below 2^27 and totals below 2^26 fit one exact double key (2^53). */
const UID_SPAN = 2 ** 27;
const MAX_POINTS = 2 ** 26;
/** Block size: a split happens past twice this; ranks sum block lengths (members / BLOCK adds). */
const BLOCK = 1024;

/**
 * One leaderboard in memory: members with points, ordered by points descending then user id
 * ascending (LEADERBOARD_TIE_BREAK), as sorted blocks of numeric keys (a sqrt-decomposed sorted
 * list). Insert, remove and rank cost a binary search plus one block's move and a sum over block
 * lengths: a few microseconds at a million members, 8 bytes a member plus the id → points map.
 * Keys outside the exact range throw a RangeError; the caller falls back to SQL.
 */
export class RankList {
  private blocks: number[][] = [];
  /** Last (largest) key of each block, for the binary search that finds a key's block. */
  private maxes: number[] = [];
  /** Every member's non-zero total (those at or below 0 are not on the board). */
  private readonly points = new Map<number, number>();
  private ranked = 0;

  static key(points: number, userId: number): number {
    if (!(userId > 0 && userId < UID_SPAN && points > 0 && points < MAX_POINTS) || !Number.isInteger(points))
      throw new RangeError(`leaderboard key out of range: ${points}/${userId}`);
    return -points * UID_SPAN + userId;
  }

  static decode(key: number): { userId: number; points: number } {
    const points = Math.ceil(-key / UID_SPAN);
    return { points, userId: key + points * UID_SPAN };
  }

  /** Builds from unordered (user, points) pairs. */
  static from(rows: Iterable<{ user_id: number; points: number }>): RankList {
    const list = new RankList();
    const keys: number[] = [];
    for (const r of rows) {
      if (r.points > 0) keys.push(RankList.key(r.points, r.user_id));
      if (r.points !== 0) list.points.set(r.user_id, r.points);
    }
    list.ranked = keys.length;
    const sorted = Float64Array.from(keys).sort();
    for (let i = 0; i < sorted.length; i += BLOCK) {
      const b = Array.from(sorted.subarray(i, i + BLOCK));
      list.blocks.push(b);
      list.maxes.push(b[b.length - 1]!);
    }
    return list;
  }

  /** Members with points (on the board). */
  get size(): number {
    return this.ranked;
  }

  pointsOf(userId: number): number {
    return this.points.get(userId) ?? 0;
  }

  /** Sets a member's total; only totals above 0 are on the board, others are remembered for `add`. */
  set(userId: number, points: number): void {
    const old = this.points.get(userId) ?? 0;
    if (old === points) return;
    if (points > 0) RankList.key(points, userId); // validate before changing anything
    if (old > 0) {
      this.remove(RankList.key(old, userId));
      this.ranked--;
    }
    if (points > 0) {
      this.insert(RankList.key(points, userId));
      this.ranked++;
    }
    if (points === 0) this.points.delete(userId);
    else this.points.set(userId, points);
  }

  add(userId: number, delta: number): number {
    const next = this.pointsOf(userId) + delta;
    this.set(userId, next);
    return next;
  }

  /** 1-based rank, or null when the member has no points. */
  rank(userId: number): number | null {
    const p = this.points.get(userId);
    if (p === undefined || p <= 0) return null;
    const key = RankList.key(p, userId);
    const b = this.blockOf(key);
    let before = 0;
    for (let i = 0; i < b; i++) before += this.blocks[i]!.length;
    return before + lowerBound(this.blocks[b]!, key) + 1;
  }

  /** `limit` members from the 0-based position `offset`, best first. */
  slice(offset: number, limit: number): Array<{ user_id: number; points: number }> {
    const out: Array<{ user_id: number; points: number }> = [];
    let skip = offset;
    for (const block of this.blocks) {
      if (skip >= block.length) {
        skip -= block.length;
        continue;
      }
      for (let i = skip; i < block.length && out.length < limit; i++) {
        const d = RankList.decode(block[i]!);
        out.push({ user_id: d.userId, points: d.points });
      }
      skip = 0;
      if (out.length >= limit) break;
    }
    return out;
  }

  private blockOf(key: number): number {
    let lo = 0;
    let hi = this.maxes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.maxes[mid]! >= key) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private insert(key: number): void {
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      this.maxes.push(key);
      return;
    }
    const b = this.blockOf(key);
    const block = this.blocks[b]!;
    block.splice(lowerBound(block, key), 0, key);
    this.maxes[b] = block[block.length - 1]!;
    if (block.length > 2 * BLOCK) {
      const tail = block.splice(BLOCK);
      this.blocks.splice(b + 1, 0, tail);
      this.maxes[b] = block[block.length - 1]!;
      this.maxes.splice(b + 1, 0, tail[tail.length - 1]!);
    }
  }

  private remove(key: number): void {
    const b = this.blockOf(key);
    const block = this.blocks[b]!;
    const i = lowerBound(block, key);
    if (block[i] !== key) return;
    block.splice(i, 1);
    if (block.length === 0) {
      this.blocks.splice(b, 1);
      this.maxes.splice(b, 1);
    } else this.maxes[b] = block[block.length - 1]!;
  }
}

function lowerBound(a: readonly number[], key: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
