import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { unserialize } from 'php-serialize';

import { decryptString, LaravelDecryptError } from './laravel-encrypter';

/** Illuminate\Cookie\CookieValuePrefix::create: hex HMAC-SHA1(key, name . 'v2') . '|' */
export function cookieValuePrefix(cookieName: string, key: Buffer): string {
  return `${createHmac('sha1', key).update(`${cookieName}v2`).digest('hex')}|`;
}

const SESSION_ID = /^[A-Za-z0-9]{40}$/;

/** Decrypts the session cookie and returns the session id it carries. */
export function sessionIdFromCookie(cookieValue: string, cookieName: string, key: Buffer): string {
  let value = cookieValue;
  if (value.includes('%')) {
    try {
      value = decodeURIComponent(value);
    } catch {
      throw new LaravelDecryptError('malformed');
    }
  }
  const plain = decryptString(value, key);
  const prefix = cookieValuePrefix(cookieName, key);
  if (!plain.startsWith(prefix)) throw new LaravelDecryptError('bad_prefix');
  const id = plain.slice(prefix.length);
  if (!SESSION_ID.test(id)) throw new LaravelDecryptError('malformed');
  return id;
}

export interface SessionStore {
  /** The PHP-serialized session payload, or null when there is none. */
  read(sessionId: string): Promise<string | null>;
}

/** Laravel's file driver: storage/framework/sessions/<id>. */
export class FileSessionStore implements SessionStore {
  constructor(private readonly path: string) {}

  async read(sessionId: string): Promise<string | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    try {
      return await readFile(join(this.path, sessionId), 'utf8');
    } catch {
      return null;
    }
  }
}

/** Laravel's redis driver: the cache store serializes the payload string once more. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: { get(key: string): Promise<string | null> },
    private readonly prefix: string,
  ) {}

  async read(sessionId: string): Promise<string | null> {
    if (!SESSION_ID.test(sessionId)) return null;
    const raw = await this.redis.get(this.prefix + sessionId);
    if (raw === null) return null;
    if (/^s:\d+:"/.test(raw)) {
      try {
        const inner: unknown = unserialize(raw);
        return typeof inner === 'string' ? inner : null;
      } catch {
        return null;
      }
    }
    return raw;
  }
}

/** SessionGuard::getName(): 'login_' . guard . '_' . sha1(SessionGuard::class) */
export const loginKey = (guard = 'web'): string =>
  `login_${guard}_${createHash('sha1').update('Illuminate\\Auth\\SessionGuard').digest('hex')}`;

function parsePayload(payload: string): Record<string, unknown> | null {
  try {
    // No classes are passed, so serialized objects cannot be instantiated from the payload.
    const data: unknown = unserialize(payload, {}, { strict: true });
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function userIdFromSessionPayload(payload: string, guard = 'web'): number | null {
  const data = parsePayload(payload);
  if (!data || !Object.hasOwn(data, loginKey(guard))) return null;
  const id = data[loginKey(guard)];
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function csrfTokenFromSessionPayload(payload: string): string | null {
  const data = parsePayload(payload);
  const token = data && Object.hasOwn(data, '_token') ? data._token : null;
  return typeof token === 'string' && token.length > 0 ? token : null;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Laravel's VerifyCsrfToken: X-CSRF-TOKEN is the plain token; X-XSRF-TOKEN is the encrypted
 * XSRF-TOKEN cookie (prefixed like every encrypted cookie). Either must equal the session's.
 */
export function verifyXsrf(
  headers: { xsrf?: string | undefined; csrf?: string | undefined },
  sessionToken: string | null,
  key: Buffer,
): boolean {
  if (!sessionToken) return false;
  if (headers.csrf && sameSecret(headers.csrf, sessionToken)) return true;
  if (!headers.xsrf) return false;
  try {
    let plain = decryptString(decodeURIComponent(headers.xsrf), key);
    const prefix = cookieValuePrefix('XSRF-TOKEN', key);
    if (plain.startsWith(prefix)) plain = plain.slice(prefix.length);
    return sameSecret(plain, sessionToken);
  } catch {
    return false;
  }
}
