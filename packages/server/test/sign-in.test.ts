import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseAppKey } from '../src/host/rocketlms/auth/laravel-encrypter';
import {
  makeLaravelCookie,
  makeSessionPayload,
  makeXsrfHeader,
  randomSessionId,
  randomToken,
} from '../src/host/rocketlms/auth/test-vectors';
import { defaultPrv, signRocketJwt } from '../src/host/rocketlms/auth/jwt';

import { startTestServer, TEST_APP_KEY, TEST_JWT_SECRET, type TestServer } from './support/server';

let s: TestServer;
const key = parseAppKey(TEST_APP_KEY);

beforeAll(async () => {
  // No identity cache, so host-side bans show on the very next request.
  s = await startTestServer({ host: { identity_cache_seconds: 0 } });
});
afterAll(async () => s.close());

async function me(headers: Record<string, string>) {
  const res = await fetch(`${s.url}/api/communities/me`, { headers });
  return {
    status: res.status,
    body: (await res.json()) as { id?: number; auth_method?: string; error?: { code: string; details?: { reason?: string } } },
  };
}

function session(userId: number) {
  const sessionId = randomSessionId();
  const token = randomToken();
  const dir = s.ctx.config.host.session_path;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, sessionId), makeSessionPayload({ userId, token }));
  return {
    cookie: `rocketlms_session=${encodeURIComponent(makeLaravelCookie({ key, cookieName: 'rocketlms_session', sessionId }))}`,
    token,
  };
}

describe('sign-in with the RocketLMS JWT', () => {
  it('accepts a valid token', async () => {
    const r = await me({ authorization: `Bearer ${await s.token(s.demo.studentIds[0]!)}` });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: s.demo.studentIds[0], auth_method: 'jwt' });
  });

  it('refuses an expired token, a foreign signature and garbage with 401', async () => {
    const expired = await s.token(s.demo.studentIds[0]!, { ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) });
    const r1 = await me({ authorization: `Bearer ${expired}` });
    expect(r1.status).toBe(401);
    expect(r1.body.error?.details?.reason).toBe('expired');
    const foreign = await signRocketJwt(s.demo.studentIds[0]!, { secret: `${TEST_JWT_SECRET}-other` });
    expect((await me({ authorization: `Bearer ${foreign}` })).body.error?.details?.reason).toBe('bad_signature');
    expect((await me({ authorization: 'Bearer nonsense' })).status).toBe(401);
  });

  it('refuses a token without exp (it would never expire), as tymon/jwt-auth requires exp', async () => {
    const t = Math.floor(Date.now() / 1000);
    const forever = await new SignJWT({ prv: defaultPrv() })
      .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
      .setIssuedAt(t)
      .setNotBefore(t)
      .setSubject(String(s.demo.studentIds[0]))
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const r = await me({ authorization: `Bearer ${forever}` });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 'unauthenticated', details: { reason: 'missing_exp' } });
  });

  it('the demo token issuer sets exp', async () => {
    const res = await fetch(`${s.url}/api/communities/demo/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: s.demo.studentIds[0] }),
    });
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp?: number; iat: number };
    expect(claims.exp).toBeGreaterThan(claims.iat);
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('refuses banned, inactive and deleted host users on every request', async () => {
    const banned = await me({ authorization: `Bearer ${await s.token(s.demo.bannedUserId)}` });
    expect(banned.status).toBe(403);
    expect(banned.body.error?.details?.reason).toBe('account_banned');
    const inactive = await me({ authorization: `Bearer ${await s.token(s.demo.inactiveUserId)}` });
    expect(inactive.body.error?.details?.reason).toBe('account_inactive');

    const victim = s.demo.studentIds[3]!;
    const token = await s.token(victim);
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
    const nowS = Math.floor(Date.now() / 1000);
    await s.ctx.hostDb
      .updateTable('users')
      .set({ ban: 1, ban_start_at: nowS - 10, ban_end_at: nowS + 3600 })
      .where('id', '=', victim)
      .execute();
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(403);
    await s.ctx.hostDb.updateTable('users').set({ ban: 0, deleted_at: nowS }).where('id', '=', victim).execute();
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

describe('sign-in with the Laravel session cookie', () => {
  it('reads the user from the session file named by the encrypted cookie', async () => {
    const { cookie } = session(s.demo.instructorIds[0]!);
    const r = await me({ cookie });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: s.demo.instructorIds[0], auth_method: 'session' });
  });

  it('refuses a cookie whose MAC does not match (401 bad_mac)', async () => {
    const { cookie } = session(s.demo.instructorIds[0]!);
    const raw = decodeURIComponent(cookie.split('=').slice(1).join('='));
    const json = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, string>;
    json.mac = json.mac!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const tampered = Buffer.from(JSON.stringify(json)).toString('base64');
    const r = await me({ cookie: `rocketlms_session=${encodeURIComponent(tampered)}` });
    expect(r.status).toBe(401);
    expect(r.body.error?.details?.reason).toBe('bad_mac');
  });

  it('ends with the session: a cookie whose session file is gone is refused', async () => {
    const c = makeLaravelCookie({ key, cookieName: 'rocketlms_session', sessionId: randomSessionId() });
    expect((await me({ cookie: `rocketlms_session=${encodeURIComponent(c)}` })).status).toBe(401);
  });

  it('requires the XSRF token on unsafe methods (419 without it)', async () => {
    const { cookie, token } = session(s.demo.studentIds[1]!);
    const post = (headers: Record<string, string>) =>
      fetch(`${s.url}/api/communities/demo/token`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ user_id: s.demo.studentIds[1] }),
      });
    const missing = await post({});
    expect(missing.status).toBe(419);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('csrf_token_mismatch');
    expect((await post({ 'x-xsrf-token': makeXsrfHeader({ key, token: randomToken() }) })).status).toBe(419);
    expect((await post({ 'x-xsrf-token': makeXsrfHeader({ key, token }) })).status).toBe(200);
    expect((await post({ 'x-csrf-token': token })).status).toBe(200);
  });
});
