import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

import { defaultPrv, type JwtError, signRocketJwt, verifyRocketJwt } from './jwt';
import { decryptString, encryptString, type LaravelDecryptError, parseAppKey } from './laravel-encrypter';
import {
  csrfTokenFromSessionPayload,
  FileSessionStore,
  loginKey,
  RedisSessionStore,
  sessionIdFromCookie,
  userIdFromSessionPayload,
  verifyXsrf,
} from './laravel-session';
import { makeLaravelCookie, makeSessionPayload, makeXsrfHeader, randomSessionId } from './test-vectors';

const vector = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/laravel-vector.json'), 'utf8')) as Record<
  string,
  string | number
>;
const key = parseAppKey(String(vector.app_key));

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as LaravelDecryptError).reason;
  }
  return 'no error';
};

describe('the committed Laravel vector', () => {
  it('decrypts the cookie to the session id, and the session file to user 7', () => {
    const id = sessionIdFromCookie(String(vector.cookie), String(vector.cookie_name), key);
    expect(id).toBe(vector.session_id);
    expect(userIdFromSessionPayload(String(vector.session_file))).toBe(vector.expected_user_id);
    expect(csrfTokenFromSessionPayload(String(vector.session_file))).toBe(vector.csrf_token);
  });

  it('re-encrypting with the same IV reproduces the cookie byte for byte', () => {
    const again = makeLaravelCookie({
      key,
      cookieName: String(vector.cookie_name),
      sessionId: String(vector.session_id),
      iv: Buffer.from(String(vector.iv_hex), 'hex'),
    });
    expect(again).toBe(vector.cookie);
    // PHP's json_encode escapes "/" in the base64: the JSON must carry "\/" where base64 has "/".
    const json = Buffer.from(again, 'base64').toString('utf8');
    expect(json).toMatch(/^\{"iv":"[^"]+","value":"[^"]+","mac":"[0-9a-f]{64}","tag":""\}$/);
    expect(json).not.toMatch(/[^\\]\//);
  });

  it('verifies the committed JWT to user 7', async () => {
    const { userId, claims } = await verifyRocketJwt(String(vector.jwt), {
      secret: String(vector.jwt_secret),
      leewaySeconds: 30,
      prv: defaultPrv(),
    });
    expect(userId).toBe(vector.jwt_expected_user_id);
    expect(claims.iss).toBeTypeOf('string');
  });

  it('uses the session guard key Laravel uses for the web guard', () => {
    expect(loginKey('web')).toBe('login_web_59ba36addc2b2f9401580f014c7f58ea4e30989d');
  });
});

describe('Laravel encrypter', () => {
  it('round-trips and refuses tampering, wrong keys and garbage', () => {
    const c = encryptString('hello', key);
    expect(decryptString(c, key)).toBe('hello');
    const json = JSON.parse(Buffer.from(c, 'base64').toString('utf8')) as Record<string, string>;
    const flipped = { ...json, value: (json.value!.startsWith('A') ? 'B' : 'A') + json.value!.slice(1) };
    expect(reasonOf(() => decryptString(Buffer.from(JSON.stringify(flipped)).toString('base64'), key))).toBe('bad_mac');
    const badMac = { ...json, mac: json.mac!.replace(/^./, (ch) => (ch === '0' ? '1' : '0')) };
    expect(reasonOf(() => decryptString(Buffer.from(JSON.stringify(badMac)).toString('base64'), key))).toBe('bad_mac');
    expect(reasonOf(() => decryptString(c, parseAppKey(`base64:${Buffer.alloc(32, 7).toString('base64')}`)))).toBe('bad_mac');
    expect(reasonOf(() => decryptString('not-base64-json', key))).toBe('malformed');
    expect(reasonOf(() => decryptString(Buffer.from('{"iv":1}').toString('base64'), key))).toBe('malformed');
    expect(() => parseAppKey('base64:c2hvcnQ=')).toThrow(/32 bytes/);
  });
});

describe('Laravel session cookie', () => {
  const sessionId = randomSessionId();

  it('refuses a cookie minted for another cookie name', () => {
    const other = makeLaravelCookie({ key, cookieName: 'other_session', sessionId });
    expect(reasonOf(() => sessionIdFromCookie(other, 'rocketlms_session', key))).toBe('bad_prefix');
  });

  it('accepts the URL-encoded form browsers send', () => {
    const c = makeLaravelCookie({ key, cookieName: 'rocketlms_session', sessionId });
    expect(sessionIdFromCookie(encodeURIComponent(c), 'rocketlms_session', key)).toBe(sessionId);
  });

  it('reads session files and never walks out of the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-'));
    writeFileSync(join(dir, sessionId), makeSessionPayload({ userId: 12, token: 't'.repeat(40) }));
    const store = new FileSessionStore(dir);
    expect(userIdFromSessionPayload((await store.read(sessionId))!)).toBe(12);
    expect(await store.read(randomSessionId())).toBeNull();
    expect(await store.read('../../../etc/passwd')).toBeNull();
  });

  it('reads Redis sessions, unwrapping the cache serialization', async () => {
    const payload = makeSessionPayload({ userId: 9, token: 'x'.repeat(40) });
    const wrapped = `s:${Buffer.byteLength(payload)}:"${payload}";`;
    const data = new Map([[`laravel_cache:${sessionId}`, wrapped]]);
    const store = new RedisSessionStore({ get: (k) => Promise.resolve(data.get(k) ?? null) }, 'laravel_cache:');
    expect(userIdFromSessionPayload((await store.read(sessionId))!)).toBe(9);
  });

  it('finds no user in a guest session, in objects, or in garbage, and is not polluted by __proto__', () => {
    expect(userIdFromSessionPayload('a:1:{s:6:"_token";s:3:"abc";}')).toBeNull();
    expect(userIdFromSessionPayload('O:8:"stdClass":1:{s:1:"a";i:1;}')).toBeNull();
    expect(userIdFromSessionPayload('not php')).toBeNull();
    userIdFromSessionPayload('a:1:{s:9:"__proto__";a:1:{s:8:"polluted";b:1;}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks the XSRF header against the session token', () => {
    const token = 'a'.repeat(40);
    expect(verifyXsrf({ xsrf: makeXsrfHeader({ key, token }) }, token, key)).toBe(true);
    expect(verifyXsrf({ csrf: token }, token, key)).toBe(true);
    expect(verifyXsrf({ xsrf: makeXsrfHeader({ key, token: 'b'.repeat(40) }) }, token, key)).toBe(false);
    expect(verifyXsrf({}, token, key)).toBe(false);
    expect(verifyXsrf({ xsrf: 'garbage' }, token, key)).toBe(false);
    expect(verifyXsrf({ csrf: token }, null, key)).toBe(false);
  });
});

describe('RocketLMS JWT', () => {
  const secret = 'unit-secret-0123456789abcdef0123456789';
  const now = new Date('2026-11-24T12:00:00Z');
  const reason = async (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e as JwtError).reason,
    );

  it('accepts a fresh token and refuses one expired beyond the leeway', async () => {
    const token = await signRocketJwt(5, { secret, ttlSeconds: 60, now });
    expect((await verifyRocketJwt(token, { secret, leewaySeconds: 30, now })).userId).toBe(5);
    expect(await reason(verifyRocketJwt(token, { secret, leewaySeconds: 30, now: new Date(now.getTime() + 80_000) }))).toBe('accepted');
    expect(await reason(verifyRocketJwt(token, { secret, leewaySeconds: 30, now: new Date(now.getTime() + 100_000) }))).toBe('expired');
  });

  it('refuses not-yet-valid tokens, wrong secrets, other algorithms and alg none', async () => {
    const future = await signRocketJwt(5, { secret, now: new Date(now.getTime() + 3_600_000) });
    expect(await reason(verifyRocketJwt(future, { secret, leewaySeconds: 30, now }))).toBe('not_yet_valid');
    const token = await signRocketJwt(5, { secret, now });
    expect(await reason(verifyRocketJwt(token, { secret: 'other-secret-0123456789abcdef', leewaySeconds: 30, now }))).toBe('bad_signature');
    const hs512 = await new SignJWT({ sub: '5' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuedAt(now)
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await reason(verifyRocketJwt(hs512, { secret, leewaySeconds: 30, now }))).toBe('bad_signature');
    const [, body] = token.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
    expect(await reason(verifyRocketJwt(none, { secret, leewaySeconds: 30, now }))).not.toBe('accepted');
    expect(await reason(verifyRocketJwt('abc.def', { secret, leewaySeconds: 30, now }))).toBe('malformed');
  });

  it('checks prv when configured and wants a numeric subject', async () => {
    const token = await signRocketJwt(5, { secret, now, prv: defaultPrv('App\\Models\\User') });
    expect(await reason(verifyRocketJwt(token, { secret, leewaySeconds: 30, now, prv: defaultPrv() }))).toBe('bad_prv');
    const t = Math.floor(now.getTime() / 1000);
    const weird = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuedAt(t)
      .setExpirationTime(t + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await reason(verifyRocketJwt(weird, { secret, leewaySeconds: 30, now }))).toBe('bad_subject');
  });
});
