import type { DialectName } from '../platform/db/connect';
import type { DbHandle, Tx } from '../platform/db/transaction';

import { addDays, dayOfYear, decodeQuarters, decodeYear, encodeCum, encodeQuarters, encodeYear, quarterOf, utcDate, weekday } from './tz';

/**
 * What the rollups count. The first six are activity (heatmaps); the membership kinds feed the
 * analytics (new members, leavers, join requests, retention) and are never in a heatmap.
 */
export const ROLLUP_KINDS = ['message', 'dm', 'post', 'comment', 'reaction', 'course_completion', 'join', 'leave', 'join_request'] as const;
export type RollupKind = (typeof ROLLUP_KINDS)[number];
export const MEMBERSHIP_KINDS: readonly RollupKind[] = ['join', 'leave', 'join_request'];
/** Kinds that make a member "active" (DMs are never counted per community). */
export const ACTIVE_KINDS: readonly RollupKind[] = ['message', 'post', 'comment', 'reaction', 'course_completion'];
/** The heatmap kinds; `activity_counts` rows of kind ALL sum them per user, community and date. */
export const HEATMAP_KINDS: readonly RollupKind[] = ['message', 'dm', 'post', 'comment', 'reaction', 'course_completion'];
export const ALL = '*';
/** The Monday week and the month a UTC date falls in (member_activity_periods). */
export const periodStarts = (date: string): Array<['week' | 'month', string]> => [
  ['week', addDays(date, -weekday(date))],
  ['month', `${date.slice(0, 7)}-01`],
];

/** One counted thing: who, where (0: no community), when, and for reactions whose content it was. */
export interface Activity {
  kind: RollupKind;
  userId: number;
  communityId: number;
  at: number;
  /** Reactions: the author of what was reacted to (reactions_received). */
  receiverId?: number | null;
  /** Messages: their channel (channel_activity_counts). */
  channelId?: number;
}

type UserStatCol = 'messages' | 'feed_posts' | 'comments' | 'reactions_given' | 'reactions_received' | 'dms';
type CommunityStatCol =
  | 'active_members'
  | 'messages'
  | 'feed_posts'
  | 'comments'
  | 'reactions'
  | 'course_completions'
  | 'new_members'
  | 'left_members'
  | 'join_requests';

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
  'active_members',
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
  /** `${channel}|${community}|${date}` → quarter → messages. */
  readonly channels = new Map<string, Map<number, number>>();
  /** `${community}|${period}|${starts_on}|${user}` → activity (active kinds). */
  readonly memberPeriods = new Map<string, number>();
  /** `${community}|${year}|${user}` → day of year → activity (active kinds). */
  readonly memberYears = new Map<string, Map<number, number>>();
  /** Communities that no longer exist: nothing of theirs is written to tables keyed to them. */
  readonly dropped = new Set<number>();

  get size(): number {
    return (
      this.counts.size +
      this.userStats.size +
      this.communityStats.size +
      this.channels.size +
      this.memberPeriods.size +
      this.memberYears.size
    );
  }

  add(a: Activity): void {
    const date = utcDate(a.at);
    const q = quarterOf(a.at);
    const c = a.kind === 'dm' ? 0 : a.communityId;
    this.bump(this.counts, `${a.userId}|${c}|${date}|${a.kind}`, q);
    if (c > 0) this.bump(this.counts, `0|${c}|${date}|${a.kind}`, q);
    if (HEATMAP_KINDS.includes(a.kind)) {
      this.bump(this.counts, `${a.userId}|${c}|${date}|${ALL}`, q);
      if (c > 0) this.bump(this.counts, `0|${c}|${date}|${ALL}`, q);
    }
    if (c > 0 && ACTIVE_KINDS.includes(a.kind)) {
      for (const [period, start] of periodStarts(date)) {
        const k = `${c}|${period}|${start}|${a.userId}`;
        this.memberPeriods.set(k, (this.memberPeriods.get(k) ?? 0) + 1);
      }
      this.bump(this.memberYears, `${c}|${date.slice(0, 4)}|${a.userId}`, dayOfYear(date));
    }
    if (a.kind === 'message' && a.channelId) this.bump(this.channels, `${a.channelId}|${c}|${date}`, q);
    const uc = USER_COL[a.kind];
    if (uc) inc(this.userStats, `${a.userId}|${c}|${date}`, uc);
    if (a.kind === 'reaction' && a.receiverId && a.receiverId !== a.userId)
      inc(this.userStats, `${a.receiverId}|${c}|${date}`, 'reactions_received');
    const cc = COMMUNITY_COL[a.kind];
    if (cc && c > 0) inc(this.communityStats, `${c}|${date}`, cc);
  }

  private bump(map: Map<string, Map<number, number>>, key: string, q: number): void {
    let m = map.get(key);
    if (!m) map.set(key, (m = new Map<number, number>()));
    m.set(q, (m.get(q) ?? 0) + 1);
  }

  /** Drops everything of communities that no longer exist (their stats rows would break the foreign key). */
  keepCommunities(exists: Set<number>): void {
    for (const k of this.communityStats.keys()) {
      const c = Number(k.split('|')[0]);
      if (!exists.has(c)) {
        this.communityStats.delete(k);
        this.dropped.add(c);
      }
    }
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
  const newlyActive: string[] = [];
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
          .set({ quarters: encodeQuarters(merged), cum: encodeCum(merged), total: Number(row.total) + added, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      } else {
        inserts.push({
          user_id: k.user_id,
          community_id: k.community_id,
          date: k.date,
          kind: k.kind,
          quarters: encodeQuarters(add),
          cum: encodeCum(add),
          total: added,
          updated_at: now,
        });
        // A member's first activity in a community that day: one more active member.
        if (k.kind === ALL && k.user_id > 0 && k.community_id > 0 && !batch.dropped.has(k.community_id))
          newlyActive.push(`${k.community_id}|${k.date}`);
      }
    }
    if (inserts.length) await trx.insertInto('activity_counts').values(inserts).execute();
  }
  for (const key of newlyActive) inc(batch.communityStats, key, 'active_members');

  // channel_activity_counts
  const chkeys = [...batch.channels.keys()].map((k) => {
    const [ch, c, date] = k.split('|');
    return { key: k, channel_id: Number(ch), community_id: Number(c), date: date! };
  });
  for (const part of chunks(chkeys)) {
    const existing = await trx
      .selectFrom('channel_activity_counts')
      .select(['id', 'channel_id', 'date', 'quarters', 'total'])
      .where('channel_id', 'in', [...new Set(part.map((k) => k.channel_id))])
      .where('date', 'in', [...new Set(part.map((k) => k.date))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.channel_id)}|${r.date}`, r]));
    const inserts = [];
    for (const k of part) {
      const add = batch.channels.get(k.key)!;
      const added = [...add.values()].reduce((s, n) => s + n, 0);
      const row = byKey.get(`${k.channel_id}|${k.date}`);
      if (row) {
        const merged = decodeQuarters(row.quarters);
        for (const [q, n] of add) merged.set(q, (merged.get(q) ?? 0) + n);
        await trx
          .updateTable('channel_activity_counts')
          .set({ quarters: encodeQuarters(merged), cum: encodeCum(merged), total: Number(row.total) + added, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      } else
        inserts.push({
          channel_id: k.channel_id,
          community_id: k.community_id,
          date: k.date,
          quarters: encodeQuarters(add),
          cum: encodeCum(add),
          total: added,
          updated_at: now,
        });
    }
    if (inserts.length) await trx.insertInto('channel_activity_counts').values(inserts).execute();
  }

  // member_activity_periods (and a member's first activity in a week or month: one more active member there)
  const pkeys = [...batch.memberPeriods.keys()].map((k) => {
    const [c, period, start, u] = k.split('|');
    return { key: k, community_id: Number(c), period: period!, starts_on: start!, user_id: Number(u) };
  });
  const periodActives = new Map<string, number>();
  for (const part of chunks(pkeys)) {
    const existing = await trx
      .selectFrom('member_activity_periods')
      .select(['id', 'community_id', 'period', 'starts_on', 'user_id', 'total'])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('period', 'in', [...new Set(part.map((k) => k.period))])
      .where('starts_on', 'in', [...new Set(part.map((k) => k.starts_on))])
      .where('user_id', 'in', [...new Set(part.map((k) => k.user_id))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.community_id)}|${r.period}|${r.starts_on}|${Number(r.user_id)}`, r]));
    const inserts = [];
    for (const k of part) {
      const added = batch.memberPeriods.get(k.key)!;
      const row = byKey.get(k.key);
      if (row)
        await trx
          .updateTable('member_activity_periods')
          .set({ total: Number(row.total) + added, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      else {
        inserts.push({
          community_id: k.community_id,
          period: k.period,
          starts_on: k.starts_on,
          user_id: k.user_id,
          total: added,
          updated_at: now,
        });
        if (!batch.dropped.has(k.community_id)) {
          const pk = `${k.community_id}|${k.period}|${k.starts_on}`;
          periodActives.set(pk, (periodActives.get(pk) ?? 0) + 1);
        }
      }
    }
    if (inserts.length) await trx.insertInto('member_activity_periods').values(inserts).execute();
  }
  // member_activity_years
  const ykeys = [...batch.memberYears.keys()].map((k) => {
    const [c, year, u] = k.split('|');
    return { key: k, community_id: Number(c), year: Number(year), user_id: Number(u) };
  });
  for (const part of chunks(ykeys)) {
    const existing = await trx
      .selectFrom('member_activity_years')
      .select(['id', 'community_id', 'year', 'user_id', 'cum'])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('year', 'in', [...new Set(part.map((k) => k.year))])
      .where('user_id', 'in', [...new Set(part.map((k) => k.user_id))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.community_id)}|${Number(r.year)}|${Number(r.user_id)}`, r]));
    const inserts = [];
    for (const k of part) {
      const row = byKey.get(k.key);
      const days = decodeYear(row?.cum ?? '');
      for (const [d, n] of batch.memberYears.get(k.key)!) days[d]! += n;
      if (row)
        await trx
          .updateTable('member_activity_years')
          .set({ cum: encodeYear(days), updated_at: now })
          .where('id', '=', row.id)
          .execute();
      else inserts.push({ community_id: k.community_id, year: k.year, user_id: k.user_id, cum: encodeYear(days), updated_at: now });
    }
    if (inserts.length) await trx.insertInto('member_activity_years').values(inserts).execute();
  }

  const cpkeys = [...periodActives.keys()].map((k) => {
    const [c, period, start] = k.split('|');
    return { key: k, community_id: Number(c), period: period!, starts_on: start! };
  });
  for (const part of chunks(cpkeys)) {
    const existing = await trx
      .selectFrom('community_activity_periods')
      .select(['id', 'community_id', 'period', 'starts_on', 'active_members'])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('period', 'in', [...new Set(part.map((k) => k.period))])
      .where('starts_on', 'in', [...new Set(part.map((k) => k.starts_on))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.community_id)}|${r.period}|${r.starts_on}`, r]));
    const inserts = [];
    for (const k of part) {
      const added = periodActives.get(k.key)!;
      const row = byKey.get(k.key);
      if (row)
        await trx
          .updateTable('community_activity_periods')
          .set({ active_members: Number(row.active_members) + added, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      else inserts.push({ community_id: k.community_id, period: k.period, starts_on: k.starts_on, active_members: added, updated_at: now });
    }
    if (inserts.length) await trx.insertInto('community_activity_periods').values(inserts).execute();
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
