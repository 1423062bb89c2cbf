import type { CommunitiesConfig } from '@communities/contract';

import type { RateLimitKey } from '../http/route';
import { rateLimited } from '../platform/errors';

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
