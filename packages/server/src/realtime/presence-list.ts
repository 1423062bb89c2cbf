/**
 * A big presence channel (more members than `chat.presence_member_limit`) does not tell everyone
 * of every join and leave: 1,000 joins in a room of 10,000 would be 10 million member frames.
 * Everyone is told of the same capped list instead, the `limit` members with the smallest user
 * ids (so every node works out the same list from the same members, with no state of its own),
 * and of the count, throttled. Below the limit the list is everyone, as Pusher has it.
 */

/** User ids in a stable order: numbers by value (before any other id), the rest as strings. */
export function compareIds(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `k` smallest ids, in order: one comparison for most ids once `k` are held. */
export function smallestIds(ids: Iterable<string>, k: number): string[] {
  const out: string[] = [];
  if (k <= 0) return out;
  for (const id of ids) {
    if (out.length === k && compareIds(id, out[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareIds(out[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, id);
    if (out.length > k) out.pop();
  }
  return out;
}

/** Who joins or leaves the listed members when membership changes: member_added / member_removed for everyone. */
export interface ListChange {
  added: string[];
  removed: string[];
  /** The channel is (or was, just before) over the limit: its count goes out as a count frame. */
  big: boolean;
}

/**
 * `userId` joined: `after` is every member now, the joiner among them. Up to the limit the
 * joiner is announced (as always); past it, only when its id is among the `limit` smallest,
 * and then the one it pushes off the list is taken off.
 */
export function onJoin(after: Iterable<string>, size: number, userId: string, limit: number): ListChange {
  if (size <= limit) return { added: [userId], removed: [], big: false };
  const top = smallestIds(after, limit + 1);
  const at = top.indexOf(userId);
  if (at < 0 || at >= limit) return { added: [], removed: [], big: true };
  return { added: [userId], removed: [top[limit]!], big: true };
}

/**
 * `userId` left: `after` is every member still here. Up to the limit (counting the leaver) it
 * is taken off, as always; past it, only if it was listed, and the next id takes its place.
 */
export function onLeave(after: Iterable<string>, size: number, userId: string, limit: number): ListChange {
  if (size + 1 <= limit) return { added: [], removed: [userId], big: false };
  const top = smallestIds(after, limit);
  const next = top[limit - 1]!;
  if (compareIds(userId, next) > 0) return { added: [], removed: [], big: true };
  return { added: [next], removed: [userId], big: true };
}
