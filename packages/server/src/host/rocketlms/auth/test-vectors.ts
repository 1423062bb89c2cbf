import { randomBytes } from 'node:crypto';

import { encryptString } from './laravel-encrypter';
import { cookieValuePrefix, loginKey } from './laravel-session';

/** Builds cookies, session payloads and XSRF headers exactly as Laravel 9 does (tests, demo). */
export function makeLaravelCookie(opts: { key: Buffer; cookieName: string; sessionId: string; iv?: Buffer }): string {
  return encryptString(cookieValuePrefix(opts.cookieName, opts.key) + opts.sessionId, opts.key, opts.iv);
}

const phpString = (s: string) => `s:${Buffer.byteLength(s, 'utf8')}:"${s}";`;

/** PHP serialize() of the array Laravel keeps in a session after login. */
export function makeSessionPayload(opts: { userId: number; token: string; guard?: string; previousUrl?: string }): string {
  const entries: string[] = [
    phpString('_token') + phpString(opts.token),
    phpString('_previous') + `a:1:{${phpString('url')}${phpString(opts.previousUrl ?? 'http://localhost/panel')}}`,
    phpString('_flash') + `a:2:{${phpString('old')}a:0:{}${phpString('new')}a:0:{}}`,
    phpString(loginKey(opts.guard)) + `i:${opts.userId};`,
  ];
  return `a:${entries.length}:{${entries.join('')}}`;
}

/** The X-XSRF-TOKEN header a browser sends: the encrypted XSRF-TOKEN cookie value. */
export function makeXsrfHeader(opts: { key: Buffer; token: string; iv?: Buffer }): string {
  return encryptString(cookieValuePrefix('XSRF-TOKEN', opts.key) + opts.token, opts.key, opts.iv);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const randomSessionId = (): string => [...randomBytes(40)].map((b) => ALNUM[b % ALNUM.length]).join('');
export const randomToken = randomSessionId;
