import type { DialectName } from '../platform/db/connect';
import type { DbHandle, Tx } from '../platform/db/transaction';

import { decodeQuarters, encodeQuarters, quarterOf, utcDate } from './tz';

/**
 * What the rollups count. The first six are activity (heatmaps); the membership kinds feed the
 * analytics (new members, leavers, join requests, retention) and are never in a heatmap.
 */
export const ROLLUP_KINDS = ['message', 'dm', 'post', 'comment', 'reaction', 'course_completion', 'join', 'leave', 'join_request'] as const;
export type RollupKind = (typeof ROLLUP_KINDS)[number];
export const MEMBERSHIP_KINDS: readonly RollupKind[] = ['join', 'leave', 'join_request'];
/** Kinds that make a member "active" (DMs are never counted per community). */
export const ACTIVE_KINDS: readonly RollupKind[] = ['message', 'post', 'comment', 'reaction', 'course_completion'];

/** One counted thing: who, where (0: no community), when, and for reactions whose content it was. */
export interface Activity {
  kind: RollupKind;
  userId: number;
  communityId: number;
  at: number;
  /** Reactions: the author of what was reacted to (reactions_received). */
  receiverId?: number | null;
}

type UserStatCol = 'messages' | 'feed_posts' | 'comments' | 'reactions_given' | 'reactions_received' | 'dms';
type CommunityStatCol =
  'messages' | 'feed_posts' | 'comments' | 'reactions' | 'course_completions' | 'new_members' | 'left_members' | 'join_requests';

const USER_COL: Partial<Record<RollupKind, UserStatCol>> = {
  message: 'messages',
  dm: 'dms',
  post: 'feed_posts',
  comment: 'comments',
  reaction: 'reactions_given',
};
const COMMUNITY_COL: Partial<Record<RollupKind, CommunityStatCol>> = {
  message: 'messages',
  post: 'feed_posts',
  comment: 'comments',
  reaction: 'reactions',
  course_completion: 'course_completions',
  join: 'new_members',
  leave: 'left_members',
  join_request: 'join_requests',
};
const USER_COLS: readonly UserStatCol[] = ['messages', 'feed_posts', 'comments', 'reactions_given', 'reactions_received', 'dms'];
const COMMUNITY_COLS: readonly CommunityStatCol[] = [
  'messages',
  'feed_posts',
  'comments',
  'reactions',
  'course_completions',
  'new_members',
  'left_members',
  'join_requests',
];

/**
 * A batch of activity aggregated in memory: one entry per row it touches, so writing it is one
 * statement per row however many events fell into that row (a busy channel's day row is written
 * once per batch, not once per message).
 */
export class RollupBatch {
  /** `${user}|${community}|${date}|${kind}` → quarter → count. user 0: the community's totals. */
  readonly counts = new Map<string, Map<number, number>>();
  readonly userStats = new Map<string, Partial<Record<UserStatCol, number>>>();
  readonly communityStats = new Map<string, Partial<Record<CommunityStatCol, number>>>();

  get size(): number {
    return this.counts.size + this.userStats.size + this.communityStats.size;
  }

  add(a: Activity): void {
    const date = utcDate(a.at);
    const q = quarterOf(a.at);
    const c = a.kind === 'dm' ? 0 : a.communityId;
    this.bump(`${a.userId}|${c}|${date}|${a.kind}`, q);
    if (c > 0) this.bump(`0|${c}|${date}|${a.kind}`, q);
    const uc = USER_COL[a.kind];
    if (uc) inc(this.userStats, `${a.userId}|${c}|${date}`, uc);
    if (a.kind === 'reaction' && a.receiverId && a.receiverId !== a.userId)
      inc(this.userStats, `${a.receiverId}|${c}|${date}`, 'reactions_received');
    const cc = COMMUNITY_COL[a.kind];
    if (cc && c > 0) inc(this.communityStats, `${c}|${date}`, cc);
  }

  private bump(key: string, q: number): void {
    let m = this.counts.get(key);
    if (!m) this.counts.set(key, (m = new Map<number, number>()));
    m.set(q, (m.get(q) ?? 0) + 1);
  }

  /** Drops everything of communities that no longer exist (their stats rows would break the foreign key). */
  keepCommunities(exists: Set<number>): void {
    for (const k of this.communityStats.keys()) if (!exists.has(Number(k.split('|')[0]))) this.communityStats.delete(k);
  }

  communityIds(): number[] {
    return [...new Set([...this.communityStats.keys()].map((k) => Number(k.split('|')[0])))];
  }
}

function inc<C extends string>(map: Map<string, Partial<Record<C, number>>>, key: string, col: C, n = 1): void {
  let row = map.get(key);
  if (!row) map.set(key, (row = {}));
  row[col] = (row[col] ?? 0) + n;
}

const CHUNK = 100;
function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * Writes a batch into the rollup tables inside `trx`: reads the rows it touches (a few queries),
 * then one update per existing row and multi-row inserts for new ones. The subscriber is the
 * one writer of these counters (the outbox lease), so read-modify-write in its transaction is safe.
 */
export async function applyBatch(trx: Tx | DbHandle, batch: RollupBatch, now: string, _dialect: DialectName): Promise<void> {
  // activity_counts
  const keys = [...batch.counts.keys()].map((k) => {
    const [u, c, date, kind] = k.split('|');
    return { key: k, user_id: Number(u), community_id: Number(c), date: date!, kind: kind! };
  });
  for (const part of chunks(keys)) {
    const existing = await trx
      .selectFrom('activity_counts')
      .select(['id', 'user_id', 'community_id', 'date', 'kind', 'quarters', 'total'])
      .where('user_id', 'in', [...new Set(part.map((k) => k.user_id))])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('date', 'in', [...new Set(part.map((k) => k.date))])
      .where('kind', 'in', [...new Set(part.map((k) => k.kind))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.user_id)}|${Number(r.community_id)}|${r.date}|${r.kind}`, r]));
    const inserts = [];
    for (const k of part) {
      const add = batch.counts.get(k.key)!;
      const added = [...add.values()].reduce((s, n) => s + n, 0);
      const row = byKey.get(k.key);
      if (row) {
        const merged = decodeQuarters(row.quarters);
        for (const [q, n] of add) merged.set(q, (merged.get(q) ?? 0) + n);
        await trx
          .updateTable('activity_counts')
          .set({ quarters: encodeQuarters(merged), total: Number(row.total) + added, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      } else
        inserts.push({
          user_id: k.user_id,
          community_id: k.community_id,
          date: k.date,
          kind: k.kind,
          quarters: encodeQuarters(add),
          total: added,
          updated_at: now,
        });
    }
    if (inserts.length) await trx.insertInto('activity_counts').values(inserts).execute();
  }

  // user_activity_stats
  const ukeys = [...batch.userStats.keys()].map((k) => {
    const [u, c, date] = k.split('|');
    return { key: k, user_id: Number(u), community_id: Number(c), date: date! };
  });
  for (const part of chunks(ukeys)) {
    const existing = await trx
      .selectFrom('user_activity_stats')
      .selectAll()
      .where('user_id', 'in', [...new Set(part.map((k) => k.user_id))])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('date', 'in', [...new Set(part.map((k) => k.date))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.user_id)}|${Number(r.community_id)}|${r.date}`, r]));
    const inserts = [];
    for (const k of part) {
      const add = batch.userStats.get(k.key)!;
      const row = byKey.get(k.key);
      if (row) {
        const set: Partial<Record<UserStatCol, number>> = {};
        for (const col of USER_COLS) if (add[col]) set[col] = Number(row[col]) + add[col];
        await trx
          .updateTable('user_activity_stats')
          .set({ ...set, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      } else
        inserts.push({
          user_id: k.user_id,
          community_id: k.community_id,
          date: k.date,
          ...Object.fromEntries(USER_COLS.map((c) => [c, add[c] ?? 0])),
          created_at: now,
          updated_at: now,
        });
    }
    if (inserts.length) await trx.insertInto('user_activity_stats').values(inserts).execute();
  }

  // community_activity_stats
  const ckeys = [...batch.communityStats.keys()].map((k) => {
    const [c, date] = k.split('|');
    return { key: k, community_id: Number(c), date: date! };
  });
  for (const part of chunks(ckeys)) {
    const existing = await trx
      .selectFrom('community_activity_stats')
      .selectAll()
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('date', 'in', [...new Set(part.map((k) => k.date))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.community_id)}|${r.date}`, r]));
    const inserts = [];
    for (const k of part) {
      const add = batch.communityStats.get(k.key)!;
      const row = byKey.get(k.key);
      if (row) {
        const set: Partial<Record<CommunityStatCol, number>> = {};
        for (const col of COMMUNITY_COLS) if (add[col]) set[col] = Number(row[col]) + add[col];
        await trx
          .updateTable('community_activity_stats')
          .set({ ...set, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      } else
        inserts.push({
          community_id: k.community_id,
          date: k.date,
          ...Object.fromEntries(COMMUNITY_COLS.map((c) => [c, add[c] ?? 0])),
          created_at: now,
          updated_at: now,
        });
    }
    if (inserts.length) await trx.insertInto('community_activity_stats').values(inserts).execute();
  }
}
