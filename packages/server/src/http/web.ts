import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

import type { AppContext } from '../context';

import { isDemoSignInEnabled } from './routes/system';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

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
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
    });
  }
  const shell = () =>
    hasBuild
      ? readFileSync(indexFile, 'utf8')
      : '<!doctype html><meta charset="utf-8"><title>Communities</title><p>The web app is not built. Run <code>npm run build:web</code>.</p>';
  const serveShell = (_req: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell());
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
      return reply.type('text/html; charset=utf-8').send(html);
    });
  }
}
