import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseAppKey } from '../src/host/rocketlms/auth/laravel-encrypter';
import { makeLaravelCookie, makeSessionPayload, randomSessionId, randomToken } from '../src/host/rocketlms/auth/test-vectors';

import { startTestServer, TEST_APP_KEY, type TestServer } from './support/server';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test_laravel_${Date.now()}:`;
let s: TestServer;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS, { maxRetriesPerRequest: 1 });
  await redis.ping().catch((e: Error) => {
    throw new Error(`Redis at ${REDIS} is not reachable: ${e.message}`);
  });
  s = await startTestServer({ host: { session_driver: 'redis', session_redis_url: REDIS, session_redis_prefix: PREFIX } });
});
afterAll(async () => {
  await s?.close();
  redis?.disconnect();
});

describe('Laravel sessions in Redis', () => {
  it('signs in from a session Laravel stored in Redis (serialized once more by its cache store)', async () => {
    const sessionId = randomSessionId();
    const payload = makeSessionPayload({ userId: s.demo.studentIds[0]!, token: randomToken() });
    await redis.set(`${PREFIX}${sessionId}`, `s:${Buffer.byteLength(payload)}:"${payload}";`, 'EX', 120);
    const cookie = makeLaravelCookie({ key: parseAppKey(TEST_APP_KEY), cookieName: 'rocketlms_session', sessionId });
    const res = await fetch(`${s.url}/api/communities/me`, { headers: { cookie: `rocketlms_session=${encodeURIComponent(cookie)}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: s.demo.studentIds[0], auth_method: 'session' });
    await redis.del(`${PREFIX}${sessionId}`);
    const after = await fetch(`${s.url}/api/communities/me`, { headers: { cookie: `rocketlms_session=${encodeURIComponent(cookie)}` } });
    expect(after.status).toBe(401);
  });
});
