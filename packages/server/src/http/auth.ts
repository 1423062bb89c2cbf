import type { CommunitiesConfig } from '@communities/contract';
import type { FastifyRequest } from 'fastify';

import type { Actor } from '../access';
import type { Authenticator } from '../host/authenticator';
import type { HostUser, IdentityPort } from '../host/ports';
import { verifyRocketJwt, JwtError } from '../host/rocketlms/auth/jwt';
import { LaravelDecryptError, parseAppKey } from '../host/rocketlms/auth/laravel-encrypter';
import {
  csrfTokenFromSessionPayload,
  sessionIdFromCookie,
  userIdFromSessionPayload,
  verifyXsrf,
  type SessionStore,
} from '../host/rocketlms/auth/laravel-session';
import type { Viewer } from '../host/viewer';
import { AppError } from '../platform/errors';

export type { Authenticator } from '../host/authenticator';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Laravel's Str::slug($name, '_') . '_session', the default session cookie name. */
export function laravelSessionCookieName(appName: string): string {
  const slug = appName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${slug}_session`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value; decryption will reject it
    }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

export function actorOf(user: HostUser): Actor {
  return { userId: user.id, globalRole: user.globalRole, isAdmin: user.isAdmin, hostRole: user.roleName };
}

/**
 * Signs callers in the two ways RocketLMS does: the API's Bearer JWT (mobile, WebView) and
 * the Laravel session cookie (web pages on the same domain). Either way the host user is
 * re-read (cached at most `identity_cache_seconds`) so bans and deletions apply at once.
 */
export class HostAuthenticator implements Authenticator {
  private readonly cache = new Map<number, { user: HostUser | null; at: number }>();
  /** Tokens whose signature and claims were verified: the HMAC is not redone on every call. */
  private readonly verified = new Map<string, { userId: number; exp: number }>();
  private readonly cookieName: string;
  private readonly appKey: Buffer | null;

  constructor(
    private readonly config: CommunitiesConfig['host'],
    private readonly identities: IdentityPort,
    private readonly sessions: SessionStore | null,
    private readonly now: () => number = Date.now,
  ) {
    this.cookieName = config.session_cookie ?? laravelSessionCookieName(config.app_name);
    this.appKey = config.app_key ? parseAppKey(config.app_key) : null;
  }

  forget(userId: number): void {
    this.cache.delete(userId);
  }

  async authenticate(request: FastifyRequest): Promise<Viewer | null> {
    const header = request.headers.authorization;
    if (header?.toLowerCase().startsWith('bearer ')) return this.fromJwt(header.slice(7).trim(), request);
    const cookies = parseCookies(request.headers.cookie);
    const cookie = cookies.get(this.cookieName);
    if (cookie && this.appKey && this.sessions) return this.fromSession(cookie, request);
    return null;
  }

  private async fromJwt(token: string, request: FastifyRequest): Promise<Viewer> {
    if (!this.config.jwt_secret) throw new AppError('unauthenticated', 'Token sign-in is not configured');
    if (this.config.api_key && request.headers['x-api-key'] !== this.config.api_key) {
      throw new AppError('unauthenticated', 'Missing or wrong x-api-key');
    }
    const seen = this.verified.get(token);
    if (seen) {
      if (this.now() / 1000 <= seen.exp + this.config.jwt_leeway_seconds) return this.viewerFor(seen.userId, 'jwt');
      this.verified.delete(token);
    }
    let userId: number;
    let exp: number;
    try {
      let claims: { exp?: number };
      ({ userId, claims } = await verifyRocketJwt(token, {
        secret: this.config.jwt_secret,
        leewaySeconds: this.config.jwt_leeway_seconds,
        ...(this.config.jwt_prv ? { prv: this.config.jwt_prv } : {}),
        now: new Date(this.now()),
      }));
      exp = claims.exp!; // verifyRocketJwt refuses tokens without exp
    } catch (error) {
      if (error instanceof JwtError) {
        throw new AppError('unauthenticated', error.reason === 'expired' ? 'Your session has expired; sign in again' : 'Invalid token', {
          details: { reason: error.reason },
        });
      }
      throw error;
    }
    if (this.verified.size >= 20_000) this.verified.clear();
    this.verified.set(token, { userId, exp });
    return this.viewerFor(userId, 'jwt');
  }

  private async fromSession(cookie: string, request: FastifyRequest): Promise<Viewer> {
    const key = this.appKey!;
    let sessionId: string;
    try {
      sessionId = sessionIdFromCookie(cookie, this.cookieName, key);
    } catch (error) {
      if (error instanceof LaravelDecryptError)
        throw new AppError('unauthenticated', 'Invalid session', { details: { reason: error.reason } });
      throw error;
    }
    const payload = await this.sessions!.read(sessionId);
    const userId = payload ? userIdFromSessionPayload(payload) : null;
    if (!payload || userId === null) throw new AppError('unauthenticated', 'Your session has ended; sign in again');
    if (UNSAFE.has(request.method)) {
      const ok = verifyXsrf(
        {
          xsrf: headerValue(request.headers['x-xsrf-token']),
          csrf: headerValue(request.headers['x-csrf-token']),
        },
        csrfTokenFromSessionPayload(payload),
        key,
      );
      if (!ok) throw new AppError('csrf_token_mismatch', 'CSRF token mismatch; reload the page');
    }
    return this.viewerFor(userId, 'session');
  }

  private async viewerFor(userId: number, authMethod: Viewer['authMethod']): Promise<Viewer> {
    const user = await this.lookup(userId);
    if (!user || user.state === 'deleted') throw new AppError('unauthenticated', 'This account no longer exists');
    if (user.state !== 'active') {
      throw new AppError('forbidden', user.state === 'banned' ? 'This account is banned' : 'This account is not active', {
        details: { reason: `account_${user.state}` },
      });
    }
    return { user, actor: actorOf(user), authMethod };
  }

  private async lookup(userId: number): Promise<HostUser | null> {
    const ttl = this.config.identity_cache_seconds * 1000;
    const hit = this.cache.get(userId);
    const t = this.now();
    if (hit && t - hit.at < ttl) return hit.user;
    const user = await this.identities.getUser(userId);
    if (ttl > 0) {
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(userId, { user, at: t });
    }
    return user;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
