import type { CommunitiesConfig } from '@communities/contract';
import type { Redis } from 'ioredis';

import { rateLimited } from '../platform/errors';
import type { Logger } from '../platform/logger';

/** A bucket of config `rate_limits.*`. */
export type RateLimitKey = Exclude<keyof CommunitiesConfig['rate_limits'], 'store'>;

export interface RateLimiter {
  /** Takes one unit for `subject` under `key`; throws a 429 AppError with Retry-After when none is left. */
  consume(key: RateLimitKey, subject: string): Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Token buckets in this process's memory: `max` requests per `window_seconds`, refilled
 * continuously, so a burst up to `max` is allowed and the steady rate is max/window.
 * Several processes need the Redis limiter instead (config rate_limits.store = redis).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweeps = 0;

  constructor(
    private readonly rules: CommunitiesConfig['rate_limits'],
    private readonly now: () => number = Date.now,
  ) {}

  consume(key: RateLimitKey, subject: string): Promise<void> {
    const rule = this.rules[key];
    const rate = rule.max / (rule.window_seconds * 1000);
    const id = `${key}:${subject}`;
    const t = this.now();
    const bucket = this.buckets.get(id) ?? { tokens: rule.max, updatedMs: t };
    bucket.tokens = Math.min(rule.max, bucket.tokens + (t - bucket.updatedMs) * rate);
    bucket.updatedMs = t;
    if (bucket.tokens < 1) {
      this.buckets.set(id, bucket);
      return Promise.reject(rateLimited((1 - bucket.tokens) / rate / 1000));
    }
    bucket.tokens -= 1;
    this.buckets.set(id, bucket);
    if (++this.sweeps % 10_000 === 0) this.sweep(t);
    return Promise.resolve();
  }

  private sweep(t: number): void {
    for (const [id, b] of this.buckets) if (t - b.updatedMs > 3_600_000) this.buckets.delete(id);
  }
}

const BUCKET_LUA = `
local key = KEYS[1]
local max = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local state = redis.call('HMGET', key, 't', 'u')
local tokens = tonumber(state[1]) or max
local updated = tonumber(state[2]) or now
tokens = math.min(max, tokens + (now - updated) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', key, ttl)
return { allowed, tostring(tokens) }
`;

/** How long a limit check waits for Redis before deciding without it. */
const REDIS_TIMEOUT_MS = 300;

/**
 * The same token buckets, kept in Redis and updated atomically, so several processes share them.
 * While Redis is unreachable or slow, this process's own buckets decide instead (limits hold per
 * process, with a logged warning): a Redis outage must not turn every request into a slow 500.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly fallback: MemoryRateLimiter;
  private warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly rules: CommunitiesConfig['rate_limits'],
    private readonly redis: Pick<Redis, 'eval'> & { readonly status?: string },
    private readonly now: () => number = Date.now,
    private readonly prefix = 'communities:rl:',
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {
    this.fallback = new MemoryRateLimiter(rules, now);
  }

  async consume(key: RateLimitKey, subject: string): Promise<void> {
    const rule = this.rules[key];
    const rate = rule.max / (rule.window_seconds * 1000);
    // Known to be down: decide at once. Still connecting: the timeout below bounds the wait.
    if (this.redis.status === 'reconnecting' || this.redis.status === 'close' || this.redis.status === 'end')
      return this.degraded(key, subject, new Error(`Redis connection is ${this.redis.status}`));
    let result: [number, string];
    try {
      const call = this.redis.eval(
        BUCKET_LUA,
        1,
        `${this.prefix}${key}:${subject}`,
        rule.max,
        rate,
        this.now(),
        rule.window_seconds * 2000,
      );
      result = (await withTimeout(call, REDIS_TIMEOUT_MS)) as [number, string];
    } catch (error) {
      return this.degraded(key, subject, error);
    }
    if (Number(result[0]) === 1) return;
    throw rateLimited((1 - Number(result[1])) / rate / 1000);
  }

  private degraded(key: RateLimitKey, subject: string, error: unknown): Promise<void> {
    const t = Date.now();
    if (t - this.warnedAt > 10_000) {
      this.warnedAt = t;
      this.logger?.warn({ err: error }, 'rate limits: Redis unavailable, limiting per process until it is back');
    }
    return this.fallback.consume(key, subject);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // The late answer (or failure) of a call given up on is dropped, not left unhandled.
  p.catch(() => undefined);
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createRateLimiter(
  rules: CommunitiesConfig['rate_limits'],
  redis: Redis | null,
  now: () => number = Date.now,
  logger?: Pick<Logger, 'warn'>,
): RateLimiter {
  if (rules.store === 'redis') {
    if (!redis) throw new Error('rate_limits.store is redis but redis.url is not set');
    return new RedisRateLimiter(rules, redis, now, undefined, logger);
  }
  return new MemoryRateLimiter(rules, now);
}
