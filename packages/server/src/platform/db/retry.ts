import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Errors after which the whole transaction was (or must be) rolled back and running it again
 * may succeed: MariaDB/MySQL deadlock (1213) and lock wait timeout (1205), PostgreSQL
 * serialization failure (40001) and deadlock (40P01).
 */
export function isTransientConflict(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { errno?: unknown; code?: unknown };
  if (e.errno === 1213 || e.errno === 1205) return true;
  return e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === '40001' || e.code === '40P01';
}

export interface RetryOptions {
  /** Runs at most this many times in all. */
  attempts?: number;
  /** The first wait's ceiling; each later ceiling doubles, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `fn` again after a transient lock conflict, waiting a random time under an
 * exponentially growing ceiling ("full jitter") so the writers that collided do not collide
 * again. `fn` must be a whole transaction (or one statement): the database has already
 * undone everything the failed attempt wrote. Anything else fails at once.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  const base = options.baseDelayMs ?? 4;
  const max = options.maxDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) throw error;
      await sleep(Math.random() * Math.min(max, base * 2 ** attempt));
    }
  }
}
