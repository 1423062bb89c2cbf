import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { FeaturesResponse } from '@communities/contract';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';

/**
 * The addon's admin area as a site admin meets it in Chromium: every section, a settings change
 * that a second server process on the same database picks up without a restart, the communities
 * list with feature, archive, transfer and "open as owner", and nothing of it for students.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
let server: TestServer;
let second: { proc: ChildProcess; url: string };
let browser: Browser;
/** ADMIN_SHOTS_DIR set: a copy of every section at 1440 and 360 px, for review (not committed). */
const SHOTS = process.env.ADMIN_SHOTS_DIR;

/** `communities serve` in its own Node process, API role only, on the first server's SQLite file. */
async function startSecondProcess(dataDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const dir = join(dataDir, 'second');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'communities.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      log_level: 'silent',
      database: { url: `sqlite://${join(dataDir, 'test.sqlite')}` },
      http: { host: '127.0.0.1', port: 0 },
      host: { session_path: join(dir, 'sessions') },
      chat: { app_secret: 'second-process-secret-0123456789abcdef' },
      storage: { path: join(dataDir, 'uploads') },
    }),
  );
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'packages/server/src/cli/main.ts'), '-c', configFile, 'serve', '--roles', 'api,gateway'],
    {
      cwd: ROOT,
      env: { ...process.env, COMMUNITIES_CONFIG: configFile, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`second process did not start:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /is running: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    proc.stdout.on('data', read);
    proc.stderr.on('data', read);
    proc.once('exit', (code) => fail(new Error(`second process exited (${code}):\n${out}`)));
  });
  return { proc, url };
}

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({ admin_settings: { locked: ['features.leaderboard'] } }, { web: true, demoContent: true });
  second = await startSecondProcess(server.dataDir);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  if (second?.proc.exitCode === null) {
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  }
  await server?.close();
});

async function signedInPage(base: string, userId: number, viewport = { width: 1440, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await demoSignIn(page, base, userId);
  return page;
}

/** The shared screenshot, plus the same page at 360 px; both copied to ADMIN_SHOTS_DIR when set. */
async function shootBoth(page: Page, name: string): Promise<void> {
  const take = async (n: string) => {
    // From the top, so the sticky section navigation is drawn where a reader meets it.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, n);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${n}.png`), fullPage: true });
    }
  };
  await take(`admin-${name}-1440`);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(300); // layout settles (not an assertion)
  await take(`admin-${name}-360`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} fits 360 px`).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Admin sections' });

describe('the admin area in Chromium', () => {
  it('an admin turns DMs off in Settings and a second server process on the same database serves the change without a restart', async () => {
    const admin = server.demo.adminId;
    const student = server.demo.studentIds[0]!;
    // The student uses the second process; DMs are on there.
    const onSecond = await signedInPage(second.url, student);
    await onSecond.getByTestId('messages-link').waitFor();

    const page = await signedInPage(server.url, admin);
    await page.getByTestId('admin-link').click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByTestId('health-database').getByText('OK').waitFor();
    await shootBoth(page, 'overview');

    await nav(page).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    // The running chat driver is shown, not editable; a locked key is shown as locked; no secret appears.
    await page.getByTestId('running-chat_driver').getByText('broadcast').waitFor();
    const leaderboard = page.locator('[data-setting="features.leaderboard"]');
    await leaderboard.getByTestId('locked').waitFor();
    expect(await leaderboard.getByRole('checkbox').count()).toBe(0);
    const html = await page.content();
    expect(html).not.toContain('test-jwt-secret');
    expect(html).not.toContain('test-realtime-secret');
    await shootBoth(page, 'settings');

    // A bad value is refused beside its field, and nothing is saved.
    const length = page.getByLabel('Longest message (characters)');
    await length.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[data-setting="chat.max_message_length"]').getByRole('alert').waitFor();
    await expect
      .poll(
        async () => ((await (await fetch(`${server.url}/api/communities/features`)).json()) as FeaturesResponse).limits.max_message_length,
      )
      .toBe(4000);
    await shootBoth(page, 'settings-error');
    await page.getByRole('button', { name: /^Discard/ }).click();

    await page.getByLabel('Direct messages', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Saved.', { exact: false }).waitFor();
    await expect.poll(async () => page.getByTestId('messages-link').count()).toBe(0);

    // The second process was not restarted: it serves the new value once it hears of the change.
    const secondDm = async () => ((await (await fetch(`${second.url}/api/communities/features`)).json()) as FeaturesResponse).features.dm;
    await expect.poll(secondDm, { timeout: 15_000 }).toBe(false);
    await onSecond.reload();
    await onSecond.getByTestId('signed-in').waitFor();
    await expect.poll(async () => onSecond.getByTestId('messages-link').count()).toBe(0);

    // And back on.
    await page.getByLabel('Direct messages', { exact: true }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(secondDm, { timeout: 15_000 }).toBe(true);
    await onSecond.context().close();
    await page.context().close();
  });

  it('an admin lists every community, hidden ones too, features and archives one, and opens one as its owner with a banner', async () => {
    const admin = server.demo.adminId;
    const page = await signedInPage(server.url, admin);
    await page.goto(`${server.url}/communities/admin/communities`);
    await page.getByRole('heading', { name: 'Communities', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Communities' });
    await table.locator('tbody tr').first().waitFor();
    const all = await server.as(admin).admin.communities({ query: { limit: 100 } });
    expect(all.items.some((c) => c.visibility === 'hidden')).toBe(true);
    await shootBoth(page, 'communities');

    // Filter to hidden ones: only hidden rows remain.
    await page.getByLabel('Visibility').selectOption('hidden');
    await expect.poll(async () => table.locator('tbody tr').count()).toBe(all.items.filter((c) => c.visibility === 'hidden').length);
    await page.getByLabel('Visibility').selectOption('');

    // Search, then feature and archive.
    const target = all.items.find((c) => c.visibility === 'public' && !c.is_featured && c.status === 'active')!;
    await page.getByRole('searchbox', { name: 'Search' }).fill(target.name);
    const row = table.locator(`tr[data-community="${target.slug}"]`);
    await row.waitFor();
    await expect.poll(async () => table.locator('tbody tr').count()).toBe(1);
    await row.getByRole('button', { name: 'Feature' }).click();
    await row.getByText('★ Featured').waitFor();
    await row.getByRole('button', { name: 'Archive' }).click();
    await row.getByText('Archived').waitFor();
    const after = await server.as(admin).communities.get({ params: { id: target.slug } });
    expect(after).toMatchObject({ is_featured: true, status: 'archived' });
    await row.getByRole('button', { name: 'Restore' }).click();
    await row.getByRole('button', { name: 'Archive' }).waitFor();

    // Open as owner: a reason, then the community's settings with the banner.
    await row.getByRole('button', { name: 'Open as owner' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (kept in the audit log)').fill('Owner asked for help with channels');
    await screenshot(page, 'admin-open-as-owner-dialog');
    await dialog.getByRole('button', { name: 'Open as owner' }).click();
    await page.waitForURL(`${server.url}/communities/${target.slug}/settings`);
    const banner = page.getByTestId('acting-as-owner');
    await banner.getByText(`You are acting as ${target.owner.name}`, { exact: false }).waitFor();
    await banner.getByText('Reason: Owner asked for help with channels').waitFor();
    await shootBoth(page, 'acting-as-owner');
    await banner.getByRole('button', { name: 'Stop acting as owner' }).click();
    await expect.poll(async () => banner.count()).toBe(0);
    await page.context().close();
  });

  it('an admin hands a community to one of its members, typing its name to confirm', async () => {
    const admin = server.demo.adminId;
    const page = await signedInPage(server.url, admin);
    await page.goto(`${server.url}/communities/admin/communities`);
    const all = await server.as(admin).admin.communities({ query: { limit: 100, sort: 'members' } });
    const target = all.items.find((c) => c.status === 'active' && c.member_count > 2)!;
    const members = await server
      .as(admin)
      .communities.members({ params: { id: String(target.id) }, query: { status: 'active', limit: 50 } });
    const heir = members.items.find((m) => m.user.id !== target.owner.id)!;
    await page.getByRole('searchbox', { name: 'Search' }).fill(target.name);
    const row = page.locator(`tr[data-community="${target.slug}"]`);
    await row.getByRole('button', { name: 'Transfer…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('searchbox').fill(heir.user.name);
    await dialog.getByRole('radio', { name: heir.user.name }).check();
    const confirm = dialog.getByRole('button', { name: 'Transfer ownership' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type “${target.name}” to confirm`).fill(target.name);
    await screenshot(page, 'admin-transfer-dialog');
    await confirm.click();
    await expect.poll(async () => dialog.count()).toBe(0);
    await expect.poll(async () => (await server.as(admin).communities.get({ params: { id: target.slug } })).owner.id).toBe(heir.user.id);
    await page.context().close();
  });

  it('moderation, gamification and analytics live in the area as sections; analytics counts a real community’s message', async () => {
    const page = await signedInPage(server.url, server.demo.adminId);
    await page.goto(`${server.url}/communities/admin`);
    await nav(page).getByRole('link', { name: 'Moderation' }).click();
    await page.getByRole('heading', { name: 'Site moderation' }).waitFor();
    await page.getByRole('tab', { name: 'Global bad words' }).waitFor();
    await shootBoth(page, 'moderation');
    await nav(page).getByRole('link', { name: 'Gamification' }).click();
    await page.getByRole('heading', { name: 'Gamification settings' }).waitFor();
    await shootBoth(page, 'gamification');
    // Analytics: the real site-wide answer. A member posts in a community; its row counts the message.
    const owner = server.demo.instructorIds[0]!;
    const c = await server.as(owner).communities.create({ body: { name: 'Analytics Row Club', visibility: 'public' } });
    const channel = (await server.as(owner).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!;
    await server.as(owner).channels.post({ params: { channelId: channel.id }, body: { content: 'counted' } });
    await server.ctx.bus.idle();
    await nav(page).getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await page.getByRole('group', { name: 'Range' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Analytics Row Club' }) });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    const headers = await page.getByRole('columnheader').allTextContents();
    expect(cells[headers.findIndex((h) => /^messages$/i.test(h.trim()))]).toBe('1');
    expect(cells[headers.findIndex((h) => /active members/i.test(h.trim()))]).toBe('1');
    await page.getByRole('button', { name: /7 days/ }).click();
    await row.waitFor();
    await shootBoth(page, 'analytics');
    await page.context().close();
  });

  it('students see no Admin link, and every admin page is a plain 404 to them', async () => {
    const page = await signedInPage(server.url, server.demo.studentIds[1]!);
    expect(await page.getByTestId('admin-link').count()).toBe(0);
    for (const path of [
      '/communities/admin',
      '/communities/admin/settings',
      '/communities/admin/communities',
      '/communities/admin/moderation',
    ]) {
      await page.goto(`${server.url}${path}`);
      await page.getByTestId('not-found').getByText('This page does not exist.').waitFor();
      expect(await page.getByRole('navigation', { name: 'Admin sections' }).count()).toBe(0);
    }
    await page.setViewportSize({ width: 360, height: 740 });
    await screenshot(page, 'admin-student-404-360');
    await page.context().close();
  });
});
