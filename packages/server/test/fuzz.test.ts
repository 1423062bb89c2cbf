import { endpoints, ERROR_CODES, errorBodySchema, type Endpoint } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { POLICIES, type Req } from './support/access-policy';
import { startTestServer, type TestServer } from './support/server';
import { buildWorld, type World } from './support/world';

/**
 * Schema fuzzing: every contract endpoint, as an admin and as a member, gets requests built
 * from its zod schemas and then broken: wrong types, missing and extra fields, odd and huge
 * strings (NUL, RTL override, lone surrogates, 1 MB), odd numbers, bad cursors and bad path
 * parameters. Nothing may answer 5xx, and every error must carry the machine-readable shape.
 * Seeded: the same cases every run; bounded per endpoint.
 */
const SEED = 20261201;
/** Cases per endpoint and caller; FUZZ_CASES=200 for a deeper local run. */
const CASES_PER_ENDPOINT = Number(process.env.FUZZ_CASES ?? 14);

function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
/** A marker replaced by raw JSON text that JSON.stringify cannot produce. */
const RAW = (text: string) => `\u0001RAW:${text}\u0001`;

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202Egnp.exe',
  '\u200F\u200E\u2066rtl',
  '\uD800',
  '𝕳𝖊𝖑𝖑𝖔 🙂🏳️‍🌈 ' + 'é'.repeat(300),
  'x'.repeat(100_001),
  '<img src=x onerror=alert(1)>',
  "'; DROP TABLE users; --",
  '../../../etc/passwd',
  '%00%2e%2e',
  '{{7*7}}${7*7}',
  'null',
  '-1',
  '1e309',
];
const ODD_NUMBERS: unknown[] = [-1, 0, 1.5, -0.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, RAW('1e309'), RAW('-1e309'), '12'];
const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  {},
  [],
  [[[[]]]],
  { a: { b: { c: { d: {} } } } },
  Array.from({ length: 2000 }, (_, i) => i),
];
const PATH_VALUES = [
  '-1',
  '0',
  '1e309',
  '0x10',
  '1.5',
  '99999999999999999999',
  'NaN',
  '%20%31',
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%00',
  '%E2%80%AE',
  '%C0%AF',
  '%ZZ',
  'a'.repeat(5000),
  '1;DROP',
  '😀',
];
const CURSOR_VALUES = [
  '',
  'x',
  '!!!',
  b64('{"id":-1}'),
  b64('{"id":"x"}'),
  b64('[]'),
  b64('{"t":"9999-99-99","id":1}'),
  b64('{"score":1e309,"id":1}'),
  'a'.repeat(200),
  'a'.repeat(201),
  '%00',
  '-1',
  '1e309',
  '2026-13-45T99:99:99Z',
];
const ONE_MB = 'x'.repeat(1_048_600);

type Json = Record<string, unknown>;
interface Case {
  label: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** A JSON value, or raw text (for broken JSON and 1 MB bodies). */
  body?: unknown;
  rawBody?: string;
  /** Content type to send instead of application/json. */
  contentType?: string;
}

function properties(schema: z.ZodType): Record<string, { type?: string | string[] }> {
  try {
    const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { type?: string }> };
    return js.properties ?? {};
  } catch {
    return {};
  }
}

/** A value of the wrong kind for a JSON Schema type. */
function wrongFor(type: string | string[] | undefined, pick: <T>(xs: readonly T[]) => T): unknown {
  const t = Array.isArray(type) ? type[0] : type;
  if (t === 'string') return pick([123, true, null, [], {}, pick(ODD_STRINGS)]);
  if (t === 'integer' || t === 'number') return pick(ODD_NUMBERS);
  if (t === 'boolean') return pick(['yes', 1, null, 'true']);
  if (t === 'array') return pick(['x', {}, 7, Array.from({ length: 10_001 }, () => 1), [null, '', -1, {}]]);
  return pick(ODD_VALUES);
}

function casesFor(ep: Endpoint, base: Req, rand: () => number): Case[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const params = Object.fromEntries(Object.entries(base.params ?? {}).map(([k, v]) => [k, encodeURIComponent(String(v))]));
  const query = Object.fromEntries(Object.entries(base.query ?? {}).map(([k, v]) => [k, String(v)]));
  const body = (base.body ?? {}) as Json;
  const out: Case[] = [];
  const add = (label: string, c: Partial<Case>) => out.push({ label, params, query, body, ...c });

  for (const p of Object.keys(params)) for (const v of PATH_VALUES) add(`params.${p}=${v.slice(0, 20)}`, { params: { ...params, [p]: v } });
  const queryKeys = [...new Set([...Object.keys(properties(ep.query)), ...Object.keys(query)])];
  for (const k of queryKeys) {
    const values = /cursor|before|after|around|since|_id$/.test(k) ? CURSOR_VALUES : [...ODD_STRINGS.slice(0, 14), '-1', '1e309', '0x10'];
    for (const v of values) add(`query.${k}=${v.slice(0, 20)}`, { query: { ...query, [k]: v } });
  }
  add('query.extra', { query: { ...query, zzz: '1', __proto__: 'x', constructor: 'y' } });
  add('query.array', { query: { ...query, ...Object.fromEntries(queryKeys.map((k) => [k, '1'])) }, label: 'query.array' });
  if (ep.raw?.request === 'multipart') {
    add('multipart: a JSON body', { rawBody: '{}' });
    add('multipart: a form', { rawBody: 'file=x', contentType: 'application/x-www-form-urlencoded' });
    add('multipart: text', { rawBody: 'x', contentType: 'text/plain' });
    add('multipart: no boundary', { rawBody: 'garbage', contentType: 'multipart/form-data' });
    add('multipart: empty', { rawBody: '--x--\r\n', contentType: 'multipart/form-data; boundary=x' });
    add('multipart: no body', { body: undefined, rawBody: undefined, contentType: 'none' });
  }
  if (ep.method !== 'GET' && ep.raw?.request !== 'multipart') {
    const props = properties(ep.body);
    for (const [k, spec] of Object.entries(props)) {
      add(`body.${k} wrong type`, { body: { ...body, [k]: wrongFor(spec.type, pick) } });
      add(`body.${k} odd string`, { body: { ...body, [k]: pick(ODD_STRINGS) } });
      add(`body.${k} odd number`, { body: { ...body, [k]: pick(ODD_NUMBERS) } });
      add(`body.${k} odd value`, { body: { ...body, [k]: pick(ODD_VALUES) } });
      const { [k]: _gone, ...rest } = body;
      add(`body without ${k}`, { body: rest });
    }
    add('body extra field', { body: { ...body, zzz: 1, __proto__: { admin: true }, constructor: { prototype: {} } } });
    for (const v of [null, [], 'text', 42, true]) add(`body ${JSON.stringify(v)}`, { body: v });
    add('body broken JSON', { rawBody: '{"a":' });
    add('body 1 MB', { rawBody: JSON.stringify({ content: ONE_MB }) });
    add('body deep', { rawBody: '['.repeat(5000) + ']'.repeat(5000) });
  }
  return out;
}

function dec(v: string): string | null {
  try {
    return decodeURIComponent(v);
  } catch {
    return null;
  }
}

/** A case the schemas accept as a whole is no fuzz: on a writing endpoint it would just do the thing (delete the world). */
function acceptedWhole(ep: Endpoint, c: Case): boolean {
  const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, dec(v)]));
  return (
    c.rawBody === undefined &&
    c.contentType === undefined &&
    ep.params.safeParse(params).success &&
    ep.query.safeParse(c.query).success &&
    (ep.method === 'GET' || ep.raw?.request === 'multipart' || ep.body.safeParse(c.body ?? {}).success)
  );
}

/** Keeps every case for small endpoints; a seeded sample of the rest, always mixing params, query and body. */
function sample(cases: Case[], n: number, rand: () => number): Case[] {
  const shuffled = [...cases];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return shuffled.slice(0, n);
}

/** Percent-encodes, sending a lone surrogate as the invalid UTF-8 bytes it would be. */
function enc(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return `${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, ''))}%ED%A0%80`;
  }
}

function encodeBody(c: Case): string | undefined {
  if (c.rawBody !== undefined) return c.rawBody;
  if (c.body === undefined) return undefined;
  return JSON.stringify(c.body).replace(/"\\u0001RAW:([^"\\]*)\\u0001"/g, '$1');
}

let s: TestServer;
let w: World;
const flat = Object.entries(endpoints).flatMap(([g, eps]) =>
  Object.entries(eps as Record<string, Endpoint>).map(([name, ep]) => ({ key: `${g}.${name}`, ep })),
);
const results = { requests: 0, fiveHundreds: [] as string[], badShapes: [] as string[] };

async function fire(ep: Endpoint, c: Case, userId: number) {
  let path = ep.path.replace(/:(\w+)/g, (_m, k: string) => c.params[k] ?? '1');
  const qs = Object.entries(c.query)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
  if (qs) path += `?${qs}`;
  const body = ep.method === 'GET' || c.contentType === 'none' ? undefined : encodeBody(c);
  const res = await fetch(s.url + path, {
    method: ep.method,
    headers: {
      authorization: `Bearer ${await s.token(userId)}`,
      ...(body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  results.requests++;
  const where = `${ep.method} ${ep.path} as ${userId === s.demo.adminId ? 'admin' : 'member'} [${c.label}]`;
  if (res.status >= 500) results.fiveHundreds.push(`${where}: ${res.status} ${text.slice(0, 200)}`);
  if (res.status >= 400) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // reported below
    }
    const shape = errorBodySchema.safeParse(parsed);
    if (!shape.success || !(ERROR_CODES as string[]).includes(shape.data.error.code))
      results.badShapes.push(`${where}: ${res.status} ${text.slice(0, 120)}`);
  }
}

beforeAll(async () => {
  const many = { max: 1_000_000, window_seconds: 1 };
  s = await startTestServer({ rate_limits: { messages: many, dm_messages: many, feed_posts: many, uploads: many, reports: many } });
  w = await buildWorld(s, 'public');
  const rand = prng(SEED);
  for (const { key, ep } of flat) {
    const [group, name] = key.split('.') as [string, string];
    const policy = POLICIES[group]![name]!;
    for (const role of ['member', 'admin'] as const) {
      const base = await policy.req(w, role, s);
      const userId = role === 'admin' ? s.demo.adminId : w.users.member;
      const cases = casesFor(ep, base, rand).filter((c) => ep.method === 'GET' || !acceptedWhole(ep, c));
      for (const c of ep.raw?.request === 'multipart' ? cases : sample(cases, CASES_PER_ENDPOINT, rand)) await fire(ep, c, userId);
    }
  }
  console.log(
    `schema fuzz: ${results.requests} requests over ${flat.length} endpoints, ${results.fiveHundreds.length} answered 5xx, ${results.badShapes.length} without the error shape`,
  );
}, 300_000);
afterAll(async () => s?.close());

describe('schema fuzzing of every endpoint', () => {
  it('never answers 5xx', () => {
    expect(results.fiveHundreds).toEqual([]);
    expect(results.requests).toBeGreaterThan(1500);
  });

  it('answers every refusal with { error: { code, message } } and a known code', () => {
    expect(results.badShapes).toEqual([]);
  });

  it('is still alive and healthy afterwards', async () => {
    const r = await fetch(`${s.url}/api/communities/health`);
    expect(r.status).toBe(200);
  });
});
