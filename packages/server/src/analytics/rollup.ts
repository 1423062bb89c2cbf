import type { DialectName } from '../platform/db/connect';
import type { DbHandle, Tx } from '../platform/db/transaction';
import { upsertRows, type UpsertRow } from '../platform/db/upsert';

import { addDays, addToYear, dayOfYear, decodeQuarters, encodeCum, encodeQuarters, quarterOf, utcDate, weekday } from './tz';

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

  /**
   * Counts `a`, `n` times (n > 1: that many equal activities in the same quarter-hour, as a bulk
   * load that grouped them first passes; the same rows as n calls).
   */
  add(a: Activity, n = 1): void {
    const date = utcDate(a.at);
    const q = quarterOf(a.at);
    const c = a.kind === 'dm' ? 0 : a.communityId;
    this.bump(this.counts, `${a.userId}|${c}|${date}|${a.kind}`, q, n);
    if (c > 0) this.bump(this.counts, `0|${c}|${date}|${a.kind}`, q, n);
    if (HEATMAP_KINDS.includes(a.kind)) {
      this.bump(this.counts, `${a.userId}|${c}|${date}|${ALL}`, q, n);
      if (c > 0) this.bump(this.counts, `0|${c}|${date}|${ALL}`, q, n);
    }
    if (c > 0 && ACTIVE_KINDS.includes(a.kind)) {
      for (const [period, start] of periodStarts(date)) {
        const k = `${c}|${period}|${start}|${a.userId}`;
        this.memberPeriods.set(k, (this.memberPeriods.get(k) ?? 0) + n);
      }
      this.bump(this.memberYears, `${c}|${date.slice(0, 4)}|${a.userId}`, dayOfYear(date), n);
    }
    if (a.kind === 'message' && a.channelId) this.bump(this.channels, `${a.channelId}|${c}|${date}`, q, n);
    const uc = USER_COL[a.kind];
    if (uc) inc(this.userStats, `${a.userId}|${c}|${date}`, uc, n);
    if (a.kind === 'reaction' && a.receiverId && a.receiverId !== a.userId)
      inc(this.userStats, `${a.receiverId}|${c}|${date}`, 'reactions_received', n);
    const cc = COMMUNITY_COL[a.kind];
    if (cc && c > 0) inc(this.communityStats, `${c}|${date}`, cc, n);
  }

  private bump(map: Map<string, Map<number, number>>, key: string, q: number, n = 1): void {
    let m = map.get(key);
    if (!m) map.set(key, (m = new Map<number, number>()));
    m.set(q, (m.get(q) ?? 0) + n);
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
/**
 * Sorted by `order` first: a chunk's `IN` lists are read as their cross product (every user ×
 * every date × every kind of the chunk), so keys of a few dates per chunk keep that near the
 * chunk's size (a month of keys in one batch unsorted made it ~60× larger).
 */
function chunks<T>(xs: T[], order?: (x: T) => string, n = CHUNK): T[][] {
  if (order) {
    const keyed = xs.map((x) => [order(x), x] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    xs = keyed.map(([, x]) => x);
  }
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

type Row = UpsertRow;

/**
 * One multi-row upsert (`upsertRows`, compiled once per shape), its rows sorted by key first:
 * concurrent writers (there are none under the lease, but a rebuild may run) lock in one order.
 */
async function upsert(
  trx: Tx | DbHandle,
  dialect: DialectName,
  table: string,
  key: readonly string[],
  rows: Row[],
  set: readonly string[],
  add: readonly string[] = [],
): Promise<void> {
  rows.sort((a, b) => {
    for (const k of key) if (a[k] !== b[k]) return a[k]! < b[k]! ? -1 : 1;
    return 0;
  });
  await upsertRows(trx, dialect, table, key, rows, set, add);
}

/**
 * Member-period rows (`member_activity_periods`) this process saw committed. Whether a member is
 * active for the first time in a week or month needs to know if their row exists; once it does it
 * exists until the period is over (rows are only deleted by `stats:rebuild`, which runs with the
 * workers stopped and writes them again from the same activity), so a remembered key needs no
 * query: a busy community's batches stop probing rows they wrote minutes ago. Keys are remembered
 * only after their transaction committed (`afterCommit`), never for a rolled-back attempt, and
 * all forgotten past `max` (a cache only: forgetting costs a query, never a wrong count).
 */
export class KnownPeriods {
  private readonly keys = new Set<string>();

  constructor(private readonly max = 200_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  remember(keys: readonly string[]): void {
    if (this.keys.size + keys.length > this.max) this.keys.clear();
    for (const k of keys) this.keys.add(k);
  }
}

/** What a batch wrote that a caller may remember once it committed (KnownPeriods.remember). */
export interface Applied {
  periods: string[];
}

/**
 * Writes a batch into the rollup tables inside `trx`: reads the rows whose encoded counts it
 * merges (a few queries), then one multi-row upsert per table and chunk; plain counters are
 * added by the upsert itself, unread. The subscriber is the one writer of these counters (the
 * outbox lease), so read-modify-write in its transaction is safe.
 */
export async function applyBatch(
  trx: Tx | DbHandle,
  batch: RollupBatch,
  now: string,
  dialect: DialectName,
  known?: KnownPeriods,
): Promise<Applied> {
  // activity_counts
  const keys = [...batch.counts.keys()].map((k) => {
    const [u, c, date, kind] = k.split('|');
    return { key: k, user_id: Number(u), community_id: Number(c), date: date!, kind: kind! };
  });
  const newlyActive: string[] = [];
  for (const part of chunks(keys, (k) => `${k.date}|${k.kind}|${k.community_id}`)) {
    const existing = await trx
      .selectFrom('activity_counts')
      .select(['user_id', 'community_id', 'date', 'kind', 'quarters', 'total'])
      .where('user_id', 'in', [...new Set(part.map((k) => k.user_id))])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('date', 'in', [...new Set(part.map((k) => k.date))])
      .where('kind', 'in', [...new Set(part.map((k) => k.kind))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.user_id)}|${Number(r.community_id)}|${r.date}|${r.kind}`, r]));
    const rows: Row[] = [];
    for (const k of part) {
      const add = batch.counts.get(k.key)!;
      const added = [...add.values()].reduce((s, n) => s + n, 0);
      const row = byKey.get(k.key);
      const merged = row ? decodeQuarters(row.quarters) : add;
      if (row) for (const [q, n] of add) merged.set(q, (merged.get(q) ?? 0) + n);
      rows.push({
        user_id: k.user_id,
        community_id: k.community_id,
        date: k.date,
        kind: k.kind,
        quarters: encodeQuarters(merged),
        cum: encodeCum(merged),
        total: (row ? Number(row.total) : 0) + added,
        updated_at: now,
      });
      // A member's first activity in a community that day: one more active member.
      if (!row && k.kind === ALL && k.user_id > 0 && k.community_id > 0 && !batch.dropped.has(k.community_id))
        newlyActive.push(`${k.community_id}|${k.date}`);
    }
    await upsert(trx, dialect, 'activity_counts', ['user_id', 'community_id', 'date', 'kind'], rows, [
      'quarters',
      'cum',
      'total',
      'updated_at',
    ]);
  }
  for (const key of newlyActive) inc(batch.communityStats, key, 'active_members');

  // channel_activity_counts
  const chkeys = [...batch.channels.keys()].map((k) => {
    const [ch, c, date] = k.split('|');
    return { key: k, channel_id: Number(ch), community_id: Number(c), date: date! };
  });
  for (const part of chunks(chkeys, (k) => k.date)) {
    const existing = await trx
      .selectFrom('channel_activity_counts')
      .select(['channel_id', 'date', 'quarters', 'total'])
      .where('channel_id', 'in', [...new Set(part.map((k) => k.channel_id))])
      .where('date', 'in', [...new Set(part.map((k) => k.date))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.channel_id)}|${r.date}`, r]));
    const rows: Row[] = [];
    for (const k of part) {
      const add = batch.channels.get(k.key)!;
      const added = [...add.values()].reduce((s, n) => s + n, 0);
      const row = byKey.get(`${k.channel_id}|${k.date}`);
      const merged = row ? decodeQuarters(row.quarters) : add;
      if (row) for (const [q, n] of add) merged.set(q, (merged.get(q) ?? 0) + n);
      rows.push({
        channel_id: k.channel_id,
        community_id: k.community_id,
        date: k.date,
        quarters: encodeQuarters(merged),
        cum: encodeCum(merged),
        total: (row ? Number(row.total) : 0) + added,
        updated_at: now,
      });
    }
    await upsert(trx, dialect, 'channel_activity_counts', ['channel_id', 'date'], rows, ['quarters', 'cum', 'total', 'updated_at']);
  }

  // member_activity_periods (and a member's first activity in a week or month: one more active member there)
  const pkeys = [...batch.memberPeriods.keys()].map((k) => {
    const [c, period, start, u] = k.split('|');
    return { key: k, community_id: Number(c), period: period!, starts_on: start!, user_id: Number(u) };
  });
  const periodActives = new Map<string, number>();
  const applied: Applied = { periods: [] };
  for (const part of chunks(pkeys, (k) => `${k.period}|${k.starts_on}|${k.community_id}`)) {
    // Rows known to exist are not looked up; the others by (period, start): one IN list of
    // members each, where four IN lists at once probed their cross product (weeks × months × …).
    const seen = new Set<string>();
    const unknown = new Map<string, typeof part>();
    for (const k of part) {
      if (known?.has(k.key)) seen.add(k.key);
      else {
        const g = `${k.period}|${k.starts_on}`;
        const group = unknown.get(g);
        if (group) group.push(k);
        else unknown.set(g, [k]);
      }
    }
    for (const group of unknown.values()) {
      const existing = await trx
        .selectFrom('member_activity_periods')
        .select(['community_id', 'user_id'])
        .where('community_id', 'in', [...new Set(group.map((k) => k.community_id))])
        .where('period', '=', group[0]!.period)
        .where('starts_on', '=', group[0]!.starts_on)
        .where('user_id', 'in', [...new Set(group.map((k) => k.user_id))])
        .execute();
      for (const r of existing) seen.add(`${Number(r.community_id)}|${group[0]!.period}|${group[0]!.starts_on}|${Number(r.user_id)}`);
    }
    const rows: Row[] = [];
    for (const k of part) {
      rows.push({
        community_id: k.community_id,
        period: k.period,
        starts_on: k.starts_on,
        user_id: k.user_id,
        total: batch.memberPeriods.get(k.key)!,
        updated_at: now,
      });
      if (batch.dropped.has(k.community_id)) continue;
      applied.periods.push(k.key);
      if (!seen.has(k.key)) {
        const pk = `${k.community_id}|${k.period}|${k.starts_on}`;
        periodActives.set(pk, (periodActives.get(pk) ?? 0) + 1);
      }
    }
    await upsert(
      trx,
      dialect,
      'member_activity_periods',
      ['community_id', 'period', 'starts_on', 'user_id'],
      rows,
      ['updated_at'],
      ['total'],
    );
  }
  // member_activity_years
  const ykeys = [...batch.memberYears.keys()].map((k) => {
    const [c, year, u] = k.split('|');
    return { key: k, community_id: Number(c), year: Number(year), user_id: Number(u) };
  });
  for (const part of chunks(ykeys, (k) => `${k.year}|${k.community_id}`)) {
    const existing = await trx
      .selectFrom('member_activity_years')
      .select(['community_id', 'year', 'user_id', 'cum'])
      .where('community_id', 'in', [...new Set(part.map((k) => k.community_id))])
      .where('year', 'in', [...new Set(part.map((k) => k.year))])
      .where('user_id', 'in', [...new Set(part.map((k) => k.user_id))])
      .execute();
    const byKey = new Map(existing.map((r) => [`${Number(r.community_id)}|${Number(r.year)}|${Number(r.user_id)}`, r.cum]));
    const rows: Row[] = [];
    for (const k of part) {
      const cum = addToYear(byKey.get(k.key) ?? '', batch.memberYears.get(k.key)!);
      rows.push({ community_id: k.community_id, year: k.year, user_id: k.user_id, cum, updated_at: now });
    }
    await upsert(trx, dialect, 'member_activity_years', ['community_id', 'year', 'user_id'], rows, ['cum', 'updated_at']);
  }

  const cprows: Row[] = [...periodActives].map(([k, added]) => {
    const [c, period, start] = k.split('|');
    return { community_id: Number(c), period: period!, starts_on: start!, active_members: added, updated_at: now };
  });
  for (const part of chunks(cprows))
    await upsert(
      trx,
      dialect,
      'community_activity_periods',
      ['community_id', 'period', 'starts_on'],
      part,
      ['updated_at'],
      ['active_members'],
    );

  // user_activity_stats and community_activity_stats: plain counters, added by the upsert.
  const urows: Row[] = [...batch.userStats].map(([k, add]) => {
    const [u, c, date] = k.split('|');
    return {
      user_id: Number(u),
      community_id: Number(c),
      date: date!,
      ...Object.fromEntries(USER_COLS.map((col) => [col, add[col] ?? 0])),
      created_at: now,
      updated_at: now,
    };
  });
  for (const part of chunks(urows))
    await upsert(trx, dialect, 'user_activity_stats', ['user_id', 'community_id', 'date'], part, ['updated_at'], USER_COLS);
  const crows: Row[] = [...batch.communityStats].map(([k, add]) => {
    const [c, date] = k.split('|');
    return {
      community_id: Number(c),
      date: date!,
      ...Object.fromEntries(COMMUNITY_COLS.map((col) => [col, add[col] ?? 0])),
      created_at: now,
      updated_at: now,
    };
  });
  for (const part of chunks(crows))
    await upsert(trx, dialect, 'community_activity_stats', ['community_id', 'date'], part, ['updated_at'], COMMUNITY_COLS);
  return applied;
}
