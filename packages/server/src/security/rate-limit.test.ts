import { describe, expect, it } from 'vitest';

import { configSchema } from '@communities/contract';

import { AppError } from '../platform/errors';

import { MemoryRateLimiter, RedisRateLimiter } from './rate-limit';

const rules = configSchema.parse({ rate_limits: { messages: { max: 3, window_seconds: 3 } } }).rate_limits;

describe('MemoryRateLimiter', () => {
  it('allows a burst up to max, then answers 429 with the seconds until the next token', async () => {
    let t = 0;
    const limiter = new MemoryRateLimiter(rules, () => t);
    for (let i = 0; i < 3; i++) await limiter.consume('messages', 'u1');
    const error = await limiter.consume('messages', 'u1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(429);
    expect((error as AppError).extra.headers?.['retry-after']).toBe('1');
    // One token per second refills: after 1 s one more message goes through, not two.
    t = 1000;
    await limiter.consume('messages', 'u1');
    await expect(limiter.consume('messages', 'u1')).rejects.toBeInstanceOf(AppError);
  });

  it('keeps users and keys apart', async () => {
    const limiter = new MemoryRateLimiter(rules, () => 0);
    for (let i = 0; i < 3; i++) await limiter.consume('messages', 'u1');
    await limiter.consume('messages', 'u2');
    await limiter.consume('uploads', 'u1');
  });
});

describe('RedisRateLimiter without Redis', () => {
  it('limits per process while Redis is down or does not answer, instead of failing', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? '') };
    const down = { status: 'reconnecting', eval: () => Promise.reject(new Error('MaxRetriesPerRequestError')) };
    const limiter = new RedisRateLimiter(rules, down, () => 0, 'rl:', logger);
    for (let i = 0; i < 3; i++) await limiter.consume('messages', 'u1');
    await expect(limiter.consume('messages', 'u1')).rejects.toMatchObject({ status: 429 });
    expect(warnings).toHaveLength(1);
    const hanging = { status: 'ready', eval: () => new Promise<never>(() => undefined) };
    await new RedisRateLimiter(rules, hanging, () => 0, 'rl:', logger).consume('messages', 'u2');
  });
});
