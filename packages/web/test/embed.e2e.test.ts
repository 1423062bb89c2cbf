import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot } from './support/browser';

let server: TestServer;
let browser: Browser;
let rocket: Server;
let rocketUrl: string;

/** A RocketLMS course page as the platform renders it: its own CSS, the add-to-cart form with the course id. */
const coursePage = (courseId: number, embed: boolean, form = true) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Modern JavaScript from Scratch</title>
<style>
  body { font-family: Georgia, serif; color: rgb(10, 20, 30); margin: 0; background: rgb(250, 248, 240); }
  header.navbar { display: flex; justify-content: space-between; padding: 16px 24px; background: rgb(30, 40, 90); color: #fff; }
  main { padding: 24px; max-width: 880px; }
  h1 { color: rgb(200, 0, 0); font-size: 40px; margin: 0 0 8px; }
  a { color: rgb(0, 128, 0); }
  button, .btn { background: rgb(255, 200, 0); border: 2px solid rgb(0, 0, 0); padding: 10px 18px; font-size: 18px; }
  div { line-height: 2; }
</style></head>
<body>
  <header class="navbar"><strong>Rocket School</strong><nav><a href="/classes">Courses</a></nav></header>
  <main>
    <h1>Modern JavaScript from Scratch</h1>
    <p class="lead">From first loops to production apps.</p>
    ${
      form
        ? `<form action="/cart/store" method="post">
      <input type="hidden" name="item_id" value="${courseId}">
      <input type="hidden" name="item_name" value="webinar_id">
      <button type="submit" class="btn">Add to cart</button>
    </form>`
        : '<a class="btn" href="/panel/webinars/purchases">Go to your course</a>'
    }
    <div class="description">Twelve chapters, quizzes and a certificate.</div>
  </main>
  ${embed ? '<script src="/communities/embed.js"></script>' : ''}
</body></html>`;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({}, { web: true, demoContent: true });
  browser = await launchChromium();
  // RocketLMS and the addon share one domain: course pages are RocketLMS's, everything else the addon's.
  const target = new URL(server.url);
  rocket = createServer((req, res) => {
    const course = /^\/course\/([a-z0-9-]+)(\?.*)?$/.exec(req.url ?? '');
    if (course) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(coursePage(server.demo.courseIds[1]!, !req.url!.includes('noembed'), !req.url!.includes('noform')));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => rocket.listen(0, '127.0.0.1', resolve));
  rocketUrl = `http://127.0.0.1:${(rocket.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => rocket?.close(resolve));
  await server?.close();
});

/** What the host page looks like: computed styles of its own elements and its stylesheets. */
const hostLook = (page: Page) =>
  page.evaluate(() => {
    const pick = (sel: string) => {
      const s = getComputedStyle(document.querySelector(sel)!);
      return [s.color, s.fontFamily, s.fontSize, s.backgroundColor, s.margin, s.padding, s.lineHeight].join('|');
    };
    return {
      body: pick('body'),
      h1: pick('h1'),
      button: pick('.btn'),
      link: pick('nav a'),
      description: pick('.description'),
      sheets: document.styleSheets.length,
      headChildren: document.head.children.length,
    };
  });

describe('the RocketLMS embed in Chromium', () => {
  it('adds the course community buttons and the Messages badge without touching the host page', async () => {
    const student = server.demo.studentIds[0]!;
    const friend = server.demo.studentIds[3]!;
    // Someone wrote to the student: one unread message.
    const thread = await server.as(friend).dm.start({ body: { user_ids: [student] } });
    await server.as(friend).dm.post({ params: { threadId: thread.id }, body: { content: 'Did you finish chapter 3?' } });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${rocketUrl}/communities/demo/sign-in/${student}`);
    await page.waitForURL(`${rocketUrl}/communities`);

    await page.goto(`${rocketUrl}/course/modern-javascript-from-scratch?noembed`);
    const before = await hostLook(page);
    await page.goto(`${rocketUrl}/course/modern-javascript-from-scratch`);
    const go = page.getByRole('link', { name: 'Go to community' });
    await go.waitFor();
    expect(await go.getAttribute('href')).toBe('/communities/javascript-guild');
    expect(await page.getByRole('link', { name: 'Course chat' }).getAttribute('href')).toBe('/communities/javascript-guild/channels');
    const messages = page.getByRole('link', { name: /^Messages/ });
    await messages.getByText('1', { exact: true }).waitFor();
    expect(await messages.getAttribute('aria-label')).toBe('Messages — 1 unread message');
    expect(await messages.getAttribute('href')).toBe('/dm');

    // The host page is as it was: same computed styles, no stylesheet added; ours live in shadow roots.
    expect(await hostLook(page)).toEqual(before);
    const hosts = await page.evaluate(() =>
      [...document.querySelectorAll('[data-communities-embed]')].map((h) => ({ shadow: h.shadowRoot !== null, text: h.textContent })),
    );
    // The course buttons, the Messages badge and the notifications bell: each in its own shadow root.
    expect(hosts).toEqual([
      { shadow: true, text: '' },
      { shadow: true, text: '' },
      { shadow: true, text: '' },
    ]);
    // The buttons sit under the course title, in the page's flow.
    const [titleBox, buttonBox] = [await page.locator('h1').boundingBox(), await go.boundingBox()];
    expect(buttonBox!.y).toBeGreaterThan(titleBox!.y + titleBox!.height - 1);
    expect(errors).toEqual([]);
    await screenshot(page, 'embed-course-page');

    // The badge leads to the DM inbox of the addon.
    await messages.click();
    await page.waitForURL(`${rocketUrl}/dm`);
    await page.getByRole('list', { name: 'Conversations' }).getByText('Did you finish chapter 3?').waitFor();

    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${rocketUrl}/course/modern-javascript-from-scratch`);
    await page.getByRole('link', { name: 'Go to community' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(page, 'embed-course-phone');

    // A course page without the add-to-cart form (the student owns the course): found by its slug.
    await page.goto(`${rocketUrl}/course/modern-javascript-from-scratch?noform`);
    expect(await page.getByRole('link', { name: 'Go to community' }).getAttribute('href')).toBe('/communities/javascript-guild');
    await context.close();
  });

  it('does nothing for a signed-out visitor', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${rocketUrl}/course/modern-javascript-from-scratch?noembed`);
    const before = await hostLook(page);
    const me = page.waitForResponse((r) => r.url().endsWith('/api/communities/me'));
    await page.goto(`${rocketUrl}/course/modern-javascript-from-scratch`);
    expect((await me).status()).toBe(401);
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-communities-embed]').count()).toBe(0);
    expect(await hostLook(page)).toEqual(before);
    expect(errors).toEqual([]);
    await context.close();
  });
});
