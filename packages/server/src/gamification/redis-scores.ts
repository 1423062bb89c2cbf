import type { Redis } from 'ioredis';

/** Wide enough for any user id we store (bigint ids below 10^15). */
const SPAN = 1_000_000_000_000_000;
const WIDTH = 16;
/** The sentinel member that marks a loaded board; never a user (members are 16 digits). */
const READY = 'ready';
const ADD_IF_PRESENT = `
for i, k in ipairs(KEYS) do
  if redis.call('ZSCORE', k, ARGV[1]) then redis.call('ZINCRBY', k, ARGV[2 * i], ARGV[2 * i + 1]) end
end
return 0`;

/**
 * Leaderboards in Redis sorted sets (one per community and period), for installations with
 * Redis. Redis orders equal scores by member, so the member is the user id's complement,
 * zero-padded: reverse order then puts the lower user id first, the documented tie-break
 * (LEADERBOARD_TIE_BREAK) the SQL store uses too.
 */
export class RedisScores {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(communityId: number, period: string): string {
    return `${this.prefix}lb:${communityId}:${period}`;
  }

  static member(userId: number): string {
    return String(SPAN - userId).padStart(WIDTH, '0');
  }

  static userOf(member: string): number {
    return SPAN - Number(member);
  }

  async add(communityId: number, period: string, userId: number, delta: number): Promise<number> {
    return Number(await this.redis.zincrby(this.key(communityId, period), delta, RedisScores.member(userId)));
  }

  /** Many updates in one round trip. */
  async addMany(updates: ReadonlyArray<{ communityId: number; period: string; userId: number; delta: number }>): Promise<void> {
    const p = this.redis.pipeline();
    for (const u of updates) p.zincrby(this.key(u.communityId, u.period), u.delta, RedisScores.member(u.userId));
    await p.exec();
  }

  /** Members `offset`..`offset + limit` (0-based) with points, best first. */
  async range(communityId: number, period: string, offset: number, limit: number): Promise<Array<{ user_id: number; points: number }>> {
    const flat = await this.redis.zrevrangebyscore(this.key(communityId, period), '+inf', '(0', 'WITHSCORES', 'LIMIT', offset, limit);
    const out: Array<{ user_id: number; points: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ user_id: RedisScores.userOf(flat[i]!), points: Number(flat[i + 1]) });
    return out;
  }

  async set(communityId: number, period: string, userId: number, points: number): Promise<void> {
    await this.redis.zadd(this.key(communityId, period), points, RedisScores.member(userId));
  }

  /** Whether the board was loaded: a sentinel member (score 0, never shown) marks it, even when empty. */
  async loaded(communityId: number, period: string): Promise<boolean> {
    return (await this.redis.zscore(this.key(communityId, period), READY)) !== null;
  }

  /** Replaces a board with these totals at once (built aside, then renamed over it). */
  async load(communityId: number, period: string, rows: ReadonlyArray<{ user_id: number; points: number }>): Promise<void> {
    const key = this.key(communityId, period);
    const tmp = `${key}:loading:${process.pid}:${Math.random().toString(36).slice(2)}`;
    await this.redis.zadd(tmp, 0, READY);
    for (let i = 0; i < rows.length; i += 10_000) {
      const p = this.redis.pipeline();
      for (const r of rows.slice(i, i + 10_000)) p.zadd(tmp, r.points, RedisScores.member(r.user_id));
      await p.exec();
    }
    await this.redis.rename(tmp, key);
  }

  /** Applies deltas to the boards already loaded (a board not loaded yet is read from SQL when it is). */
  async addIfPresent(updates: ReadonlyArray<{ communityId: number; period: string; userId: number; delta: number }>): Promise<void> {
    const keys = updates.map((u) => this.key(u.communityId, u.period));
    const args = updates.flatMap((u) => [String(u.delta), RedisScores.member(u.userId)]);
    await this.redis.eval(ADD_IF_PRESENT, keys.length, ...keys, READY, ...args);
  }

  /** 1-based rank and points, or null without points. */
  async rank(communityId: number, period: string, userId: number): Promise<{ rank: number; points: number } | null> {
    const k = this.key(communityId, period);
    const m = RedisScores.member(userId);
    const [[, r], [, s]] = (await this.redis.multi().zrevrank(k, m).zscore(k, m).exec()) as [[null, number | null], [null, string | null]];
    if (r === null || s === null || Number(s) <= 0) return null;
    return { rank: r + 1, points: Number(s) };
  }
}
