import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

import type { AppContext } from '../context';

import { isDemoSignInEnabled } from './routes/system';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * The pages' Content-Security-Policy: scripts from our origin only (an inline one only by its
 * hash), inline styles only by hash, no plugins, no foreign <base>, and framing only by
 * ourselves, the RocketLMS site and `http.frame_ancestors`. Avatars and course images come from
 * the host, so images may come from anywhere over https.
 */
export function contentSecurityPolicy(ctx: AppContext, html: string, extraScriptHashes: string[] = []): string {
  const inline = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => hash(m[1]!));
  const host = origin(ctx.config.host.base_url);
  const ancestors = [...new Set(["'self'", ...(host ? [host] : []), ...ctx.config.http.frame_ancestors.map((o) => origin(o) ?? o)])];
  const chat = ctx.config.chat;
  const externalWs =
    chat.driver === 'pusher' && chat.pusher_host
      ? [`${chat.pusher_use_tls ? 'wss' : 'ws'}://${chat.pusher_host}${chat.pusher_port ? `:${chat.pusher_port}` : ''}`]
      : chat.driver === 'pusher'
        ? ['wss://*.pusher.com']
        : [];
  const scripts = [...inline('script'), ...extraScriptHashes];
  return [
    "default-src 'self'",
    `script-src ${scripts.length ? scripts.join(' ') : "'self'"}`,
    `style-src 'self' ${inline('style').join(' ')}`.trim(),
    `img-src 'self' data: blob: https:${host?.startsWith('http:') ? ` ${host}` : ''}`,
    "font-src 'self' data:",
    `connect-src 'self' ${externalWs.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${ancestors.join(' ')}`,
  ].join('; ');
}

/**
 * Serves the built web app under `web_path` (and /dm), falling back to index.html for the
 * app's own client-side routes. Without a build, a short page says how to make one.
 */
export async function registerWeb(app: FastifyInstance, ctx: AppContext, dist = WEB_DIST): Promise<void> {
  const base = ctx.config.http.base_path;
  const webPath = base + ctx.config.http.web_path;
  const indexFile = join(dist, 'index.html');
  const hasBuild = existsSync(indexFile);
  if (hasBuild) {
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: `${webPath}/assets/`,
      // Source maps stay private even if a build left some behind.
      allowedPath: (path) => !path.endsWith('.map'),
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
    });
  }
  const shell = () =>
    hasBuild
      ? readFileSync(indexFile, 'utf8')
      : '<!doctype html><meta charset="utf-8"><title>Communities</title><p>The web app is not built. Run <code>npm run build:web</code>.</p>';
  const serveShell = (_req: unknown, reply: FastifyReply) => {
    const html = shell();
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', contentSecurityPolicy(ctx, html))
      .send(html);
  };
  // The RocketLMS embed: a classic script under a stable name, so cached briefly, not forever.
  const embedFile = join(dist, 'embed.js');
  app.get(`${webPath}/embed.js`, (_req, reply) =>
    existsSync(embedFile)
      ? reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(readFileSync(embedFile))
      : reply.code(404).type('text/javascript; charset=utf-8').send('/* The embed is not built. Run npm run build:web. */\n'),
  );
  for (const path of [webPath, `${webPath}/`, `${webPath}/*`, `${base}/dm`, `${base}/dm/*`]) {
    app.get(path, serveShell);
  }
  if (base !== '' || webPath !== '/') app.get(base || '/', (_req, reply) => reply.redirect(webPath));

  if (isDemoSignInEnabled(ctx)) {
    // One-click demo sign-in: the page asks the API for a token exactly as a client would.
    app.get(`${webPath}/demo/sign-in/:userId`, (req, reply) => {
      const userId = Number((req.params as { userId: string }).userId);
      const html = `<!doctype html><meta charset="utf-8"><title>Signing in…</title><script>
fetch(${JSON.stringify(`${base}/api/communities/demo/token`)},{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({user_id:${Number.isFinite(userId) ? userId : 0}})})
.then(r=>r.ok?r.json():Promise.reject(r.status)).then(b=>{localStorage.setItem('communities.token',b.token);location.replace(${JSON.stringify(webPath)});})
.catch(e=>{document.body.textContent='Demo sign-in failed ('+e+')';});</script><body>Signing in…</body>`;
      return reply.type('text/html; charset=utf-8').header('content-security-policy', contentSecurityPolicy(ctx, html)).send(html);
    });
  }
}
