import { endpoints, type Endpoint } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { forVisibility, POLICIES, type Policy, type Req, type Want } from './support/access-policy';
import { startTestServer, type TestServer } from './support/server';
import { buildWorld, call, tinyPng, ROLES, type Role, type Visibility, type World } from './support/world';

/**
 * Route × role matrix: every contract endpoint, called through HTTP by every role, in a
 * public, a private and a hidden community, must answer the status class its policy says.
 * A new endpoint without a policy fails the suite.
 */
let s: TestServer;
const worlds = new Map<Visibility, World>();
const mismatches: string[] = [];
let cells = 0;

const flat = Object.entries(POLICIES).flatMap(([group, eps]) => Object.entries(eps).map(([name, p]) => ({ key: `${group}.${name}`, p })));

function endpointOf(key: string): Endpoint {
  const [group, name] = key.split('.') as [string, string];
  const base = name.split('@')[0]!;
  return (endpoints as unknown as Record<string, Record<string, Endpoint>>)[group]![base]!;
}

async function send(ep: Endpoint, req: Req, caller: number | null) {
  let path = ep.path.replace(/:(\w+)/g, (_m, k: string) => encodeURIComponent(String(req.params?.[k] ?? '')));
  if (req.query)
    path += `?${new URLSearchParams(Object.entries(req.query).map(([k, v]) => [k, String(v)] as [string, string])).toString()}`;
  if (req.upload) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await tinyPng())], { type: 'image/png' }), req.upload);
    const res = await fetch(s.url + path, {
      method: ep.method,
      headers: caller === null ? {} : { authorization: `Bearer ${await s.token(caller)}` },
      body: form,
    });
    await res.arrayBuffer();
    return res.status;
  }
  // DELETE carries a body only where its endpoint takes one (deleting a community confirms its name).
  const body = ep.method === 'GET' ? undefined : ep.method === 'DELETE' ? req.body : (req.body ?? {});
  return (await call(s, caller, ep.method, path, body)).status;
}

const matches = (got: number, want: Want) => (want === 2 ? got >= 200 && got < 300 : got === want);

async function runCell(key: string, p: Policy, vis: Visibility, role: Role, want: Want) {
  const ep = endpointOf(key);
  let w = worlds.get(vis)!;
  if (p.mutates === 'world' && want === 2) w = await buildWorld(s, vis);
  const req = await p.req(w, role, s);
  const caller = 'as' in req ? (req.as ?? null) : role === 'anon' ? null : w.users[role];
  const got = await send(ep, req, caller);
  cells++;
  const cell = `${vis} ${key} ${role}`;
  if (!matches(got, want)) mismatches.push(`${cell}: got ${got}, want ${want === 2 ? '2xx' : want}`);
}

beforeAll(async () => {
  const many = { max: 1_000_000, window_seconds: 1 };
  s = await startTestServer({
    rate_limits: { messages: many, dm_messages: many, feed_posts: many, uploads: many, reports: many, search: many },
    // The matrix calls as users it makes on the fly: no identity cache to miss them.
    host: { identity_cache_seconds: 0 },
  });
  for (const vis of ['public', 'private', 'hidden'] as const) worlds.set(vis, await buildWorld(s, vis));
  for (const { key, p } of flat) {
    for (const vis of p.scope === 'global' ? (['public'] as const) : (['public', 'private', 'hidden'] as const)) {
      const table = forVisibility(p, vis);
      for (const role of ROLES) await runCell(key, p, vis, role, table[role]);
    }
  }
  console.log(`access matrix: ${cells} cells over ${flat.length} policies, ${mismatches.length} mismatches`);
}, 600_000);
afterAll(async () => s?.close());

describe('route × role access matrix', () => {
  it('has a policy for every contract endpoint (a new route without one fails here)', () => {
    const all = Object.entries(endpoints).flatMap(([g, eps]) => Object.keys(eps as Record<string, Endpoint>).map((k) => `${g}.${k}`));
    const covered = new Set(flat.map((f) => f.key.split('@')[0]));
    expect(all.filter((k) => !covered.has(k))).toEqual([]);
    expect([...covered].filter((k) => !all.includes(k!))).toEqual([]);
  });

  it('answers every cell with the expected status class', () => {
    expect(mismatches).toEqual([]);
    expect(cells).toBeGreaterThan(1500);
  });

  it('a course page leaves out hidden communities the caller is not in', async () => {
    for (const vis of ['hidden'] as const) {
      const w = worlds.get(vis)!;
      for (const role of ['outsider', 'kicked', 'otherOwner', 'banned'] as const) {
        const r = await call(s, w.users[role], 'GET', `/api/courses/${w.courseId}/communities`);
        expect((r.json as { items: Array<{ id: number }> }).items.map((c) => c.id)).not.toContain(w.communityId);
      }
    }
  });
});
