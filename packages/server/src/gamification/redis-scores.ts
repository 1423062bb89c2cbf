import type { Redis } from 'ioredis';

/** Wide enough for any user id we store (bigint ids below 10^15). */
const SPAN = 1_000_000_000_000_000;
const WIDTH = 16;

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

  async top(communityId: number, period: string, limit: number): Promise<Array<{ user_id: number; points: number }>> {
    const flat = await this.redis.zrevrangebyscore(this.key(communityId, period), '+inf', '(0', 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ user_id: number; points: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ user_id: RedisScores.userOf(flat[i]!), points: Number(flat[i + 1]) });
    return out;
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
