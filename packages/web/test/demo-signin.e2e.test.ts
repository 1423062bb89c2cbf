import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot } from './support/browser';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({}, { web: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo sign-in in Chromium', () => {
  it('signs a student in with one click and shows who is signed in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The pages' Content-Security-Policy must not block anything the app itself needs.
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(`${server.url}/communities`);
    await expect.poll(() => page.getByText('Try the demo school').count()).toBe(1);
    await screenshot(page, 'demo-signed-out');
    const studentId = server.demo.studentIds[0]!;
    await page.goto(`${server.url}/communities/demo/sign-in/${studentId}`);
    await page.waitForURL(`${server.url}/communities`);
    const signedIn = page.getByTestId('signed-in');
    await signedIn.waitFor();
    const me = await server.as(studentId).system.me();
    expect(await signedIn.textContent()).toContain(me.name);
    await screenshot(page, 'demo-signed-in');
    expect(refused).toEqual([]);
    await page.close();
  });
});
