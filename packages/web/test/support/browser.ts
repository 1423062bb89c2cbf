import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = process.env.SCREENSHOTS_DIR ?? resolve(import.meta.dirname, '../../../../.artifacts/screenshots');

/**
 * Debian's Chromium, never a downloaded browser; the flags keep it off the closed network.
 * Playwright gives each launch a fresh temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function buildWeb(): void {
  const root = resolve(import.meta.dirname, '../../../..');
  const result = spawnSync(process.execPath, [join(root, 'scripts/build-web-if-stale.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('web build failed');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs `page` in through the demo sign-in link and waits until the app shows who is signed in. */
export async function demoSignIn(page: Page, serverUrl: string, userId: number): Promise<void> {
  await page.goto(`${serverUrl}/communities/demo/sign-in/${userId}`);
  await page.waitForURL(`${serverUrl}/communities`);
  await page.getByTestId('signed-in').waitFor();
}

/**
 * Waits until the page's own realtime channel is subscribed: an event the server publishes before
 * that is not pushed (the page reads it from the server's counts instead), so a test that wants to
 * see something arrive live waits for this first.
 */
export async function realtimeLive(page: Page): Promise<void> {
  await page.locator('html[data-realtime="live"]').waitFor({ state: 'attached', timeout: 30_000 });
}

/** A fresh browser context at `viewport`, signed in as `userId` through the demo sign-in. */
export async function signedInPage(
  browser: Browser,
  serverUrl: string,
  userId: number,
  viewport = { width: 1280, height: 820 },
): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await demoSignIn(page, serverUrl, userId);
  return page;
}
