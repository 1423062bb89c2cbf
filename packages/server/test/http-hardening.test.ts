import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createFastify } from '../src/http/app';
import { registerWeb } from '../src/http/web';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    http: { frame_ancestors: ['https://partner.example.com'] },
    host: { base_url: 'https://school.example.com/' },
  });
});
afterAll(async () => s.close());

const INLINE_STYLE = '\n      body {\n        margin: 0;\n      }\n    ';
const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** A built web app as vite makes it: an inline style, a module script, and a source map beside it. */
function fakeDist(): string {
  const dist = mkdtempSync(join(tmpdir(), 'communities-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'index.html'),
    `<!doctype html><html><head><style>${INLINE_STYLE}</style><script type="module" crossorigin src="/communities/assets/index-x.js"></script></head><body><div id="cm-root"></div></body></html>`,
  );
  writeFileSync(join(dist, 'assets', 'index-x.js'), 'console.log(1)\n//# sourceMappingURL=index-x.js.map\n');
  writeFileSync(join(dist, 'assets', 'index-x.js.map'), '{"version":3,"sources":["../../src/secret.ts"]}');
  return dist;
}

async function webApp() {
  const dist = fakeDist();
  const app = createFastify(s.ctx);
  await registerWeb(app, s.ctx, dist);
  return {
    app,
    async close() {
      await app.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

function directives(csp: string | undefined): Map<string, string[]> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('the app page', () => {
  it("has a CSP: scripts from 'self' only, the inline style by its hash, frames only from 'self', the host and configured embedders", async () => {
    const web = await webApp();
    try {
      const res = await web.app.inject({ method: 'GET', url: '/communities/feed' });
      expect(res.statusCode).toBe(200);
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toContain(sha(INLINE_STYLE));
      expect(csp.get('style-src')).not.toContain("'unsafe-inline'");
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'self'", 'https://school.example.com', 'https://partner.example.com']);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await web.close();
    }
  });

  it('serves the bundle but never a source map', async () => {
    const web = await webApp();
    try {
      expect((await web.app.inject({ method: 'GET', url: '/communities/assets/index-x.js' })).statusCode).toBe(200);
      const map = await web.app.inject({ method: 'GET', url: '/communities/assets/index-x.js.map' });
      expect(map.statusCode).toBe(404);
      expect(map.body).not.toContain('secret.ts');
    } finally {
      await web.close();
    }
  });

  it('the demo sign-in page allows exactly its own inline script by hash', async () => {
    const web = await webApp();
    try {
      const res = await web.app.inject({ method: 'GET', url: `/communities/demo/sign-in/${s.demo.studentIds[0]}` });
      expect(res.statusCode).toBe(200);
      const script = /<script>([\s\S]*?)<\/script>/.exec(res.body)![1]!;
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('script-src')).toEqual([sha(script)]);
    } finally {
      await web.close();
    }
  });
});

describe('API responses', () => {
  it('carry X-Content-Type-Options: nosniff, errors included', async () => {
    for (const path of ['/api/communities/health', '/api/communities/me', '/api/nothing']) {
      const res = await fetch(s.url + path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('keep a short safe x-request-id from the client, and replace anything else', async () => {
    const safe = await fetch(`${s.url}/api/communities/health`, { headers: { 'x-request-id': 'lb-7f3a.9_c-01' } });
    expect(safe.headers.get('x-request-id')).toBe('lb-7f3a.9_c-01');
    for (const bad of ['<script>alert(1)</script>', 'a'.repeat(200), 'two words', '"quoted"']) {
      const res = await fetch(`${s.url}/api/communities/health`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('refuse url-encoded, multipart and text bodies on JSON routes with 415 and a code', async () => {
    const token = await s.token(s.demo.studentIds[0]!);
    const community = await s.as(s.demo.instructorIds[0]!).communities.create({ body: { name: 'Form Fans' } });
    const url = `${s.url}/api/communities/${community.id}/join`;
    const form = new FormData();
    form.append('invite_token', 'x');
    const bodies: Array<[string | FormData, Record<string, string>]> = [
      ['invite_token=abcdefghijkl', { 'content-type': 'application/x-www-form-urlencoded' }],
      [form, {}],
      ['{}', { 'content-type': 'text/plain' }],
    ];
    for (const [body, headers] of bodies) {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
    // Nothing was written: the caller is still not a member.
    expect((await s.as(s.demo.studentIds[0]!).communities.get({ params: { id: String(community.id) } })).viewer_membership).toBeNull();
    // pusher-js posts channel authorisation as a form: that route still takes one.
    const auth = await fetch(`${s.url}/api/communities/broadcasting/auth`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `socket_id=1234.5678&channel_name=private-${s.ctx.config.chat.broadcast_channel_prefix}user.${s.demo.studentIds[0]}`,
    });
    expect(auth.status).toBe(200);
  });

  it('answer malformed URLs, over-long path segments and oversized headers with the error shape', async () => {
    for (const path of ['/api/communities/%ZZ', '/api/communities/%C0%AF/join', `/api/communities/${'a'.repeat(5000)}`]) {
      const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${await s.token(s.demo.adminId)}` } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(s.url);
      const req = httpRequest({ host: u.hostname, port: u.port, path: `/api/communities?q=${'x'.repeat(70_000)}` }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect((JSON.parse(body) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
