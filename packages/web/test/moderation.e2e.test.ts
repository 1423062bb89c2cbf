import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { CommunitiesConfig } from '@communities/contract';

import { EXPIRE_JOB } from '../../server/src/moderation';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, launchChromium, screenshot, signedInPage as openSignedIn } from './support/browser';

/** The word filter, reports arriving live, a timed mute and its end, as students and moderators meet them. */
let server: TestServer;
let browser: Browser;
let defaults: CommunitiesConfig['moderation'];
const SLUG = 'photography-circle';

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({ moderation: { bad_words: ['shit', 'darn'] } }, { web: true, demoContent: true });
  defaults = structuredClone(server.ctx.config.moderation);
  // Thresholds would mute the students of these tests on their own; the tests are about the rest.
  Object.assign(defaults.actions, { auto_mute_threshold: 0, auto_ban_threshold: 0 });
  server.ctx.config.moderation = structuredClone(defaults);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(() => {
  server.ctx.config.moderation = structuredClone(defaults);
});

const signedInPage = (userId: number, viewport?: { width: number; height: number }): Promise<Page> =>
  openSignedIn(browser, server.url, userId, viewport);

const owner = () => server.demo.instructorIds[0]!;
const general = async () => (await server.as(owner()).channels.list({ params: { id: SLUG } })).items.find((c) => c.slug === 'general')!.id;
const contents = async () =>
  (await server.as(owner()).channels.messages({ params: { channelId: await general() }, query: { limit: 100 } })).items.map(
    (m) => m.content,
  );

async function send(page: Page, text: string) {
  const composer = page.getByLabel('Message #general');
  await composer.fill(text);
  await composer.press('Enter');
}

describe('moderation in Chromium', () => {
  it('a disguised bad word is censored, rejected or held, as configured', async () => {
    // The demo puts every other student in the Photography Circle.
    const student = server.demo.studentIds[2]!;
    const page = await signedInPage(student);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);

    // Default: censor. Leetspeak and a Cyrillic "ѕ" do not get past it.
    await send(page, 'what a $h1t day');
    await page.getByRole('log').getByText('what a **** day').waitFor();
    await send(page, 'ѕhit happens');
    await page.getByRole('log').getByText('**** happens').waitFor();

    // Reject: nothing is written.
    server.ctx.config.moderation.actions.on_detect = 'reject';
    await send(page, 'you d4rn fool');
    await page.getByText('Not sent').first().waitFor();
    // The refused message shows which word the filter matched, and why.
    const rejected = page.getByTestId('rejected-text');
    expect(await rejected.locator('mark').textContent()).toBe('d4rn');
    await rejected.getByText('Your message was not sent: the highlighted words are not allowed here.').waitFor();
    await screenshot(page, 'moderation-rejected');
    expect((await contents()).some((c) => c?.includes('fool'))).toBe(false);

    // Hold: it waits for a moderator, who finds it in the moderation centre's Held list.
    server.ctx.config.moderation.actions.on_detect = 'hold';
    await send(page, 'sh!t, held for review');
    await expect
      .poll(async () => (await server.as(owner()).moderation.held({ params: { id: SLUG } })).items.map((h) => h.content))
      .toContainEqual(expect.stringContaining('held for review'));
    const mod = await signedInPage(owner());
    await mod.goto(`${server.url}/communities/${SLUG}/moderation`);
    await mod.getByRole('tab', { name: 'Held' }).click();
    const held = mod.getByRole('article').filter({ hasText: 'held for review' });
    await held.waitFor();
    await screenshot(mod, 'moderation-held');
    await held.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(async () => (await server.as(owner()).moderation.held({ params: { id: SLUG } })).items.length).toBe(0);
    await page.context().close();
    await mod.context().close();
  });

  it('a report reaches the queue live; a 10-minute mute shows its reason and end to the author, and lifts by itself', async () => {
    const author = server.demo.studentIds[4]!;
    const reporter = server.demo.studentIds[6]!;
    const channelId = await general();
    await server.as(author).channels.post({ params: { channelId }, body: { content: 'buy cheap followers at spam dot example' } });

    const mod = await signedInPage(owner());
    await mod.goto(`${server.url}/communities/${SLUG}/moderation`);
    await mod.getByRole('tab', { name: 'Queue', selected: true }).waitFor();

    const authorPage = await signedInPage(author);
    await authorPage.goto(`${server.url}/communities/${SLUG}/channels/general`);
    await authorPage.getByLabel('Message #general').waitFor();

    // The reporter reports the message from its action bar, with a reason and a note.
    const page = await signedInPage(reporter);
    await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    const message = page.getByRole('log').getByRole('article').filter({ hasText: 'buy cheap followers' });
    await message.hover();
    await message.getByRole('button', { name: 'Report this message' }).click();
    const dialog = page.getByRole('dialog', { name: 'Report this message' });
    await dialog.getByLabel('Spam').check();
    await dialog.getByLabel('Anything moderators should know (optional)').fill('posted in every channel');
    await screenshot(page, 'moderation-report-dialog');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByText('Thanks: moderators will review it.').waitFor();

    // It arrives in the moderator's open queue without a reload, with the content inline.
    await mod.getByTestId('live-report').getByText('New report: Spam').waitFor();
    const card = mod.getByRole('article').filter({ hasText: 'buy cheap followers' });
    await card.getByText('Note: posted in every channel').waitFor();
    await screenshot(mod, 'moderation-queue');

    // One click: mute the author for 10 minutes (the default duration), with the report's reason.
    expect(await card.getByLabel('Duration').inputValue()).toBe('10');
    await card.getByRole('button', { name: /^Mute/ }).click();
    const note = authorPage.getByTestId('muted-note');
    await note.waitFor();
    const member = (await server.as(owner()).communities.members({ params: { id: SLUG }, query: { q: '' } })).items.find(
      (m) => m.user.id === author,
    )!;
    expect(member.status).toBe('muted');
    const until = new Date(member.status_expires_at!);
    expect(until.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(until.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const when = await authorPage.evaluate(
      (iso) => new Date(iso).toLocaleString('en', { hour: '2-digit', minute: '2-digit' }),
      until.toISOString(),
    );
    expect(await note.textContent()).toBe(`You are muted until ${when}: Spam`);
    expect(await authorPage.getByLabel('Message #general').count()).toBe(0);
    await screenshot(authorPage, 'moderation-muted-author');

    // The report is resolved and the mute is in the sanctions list and the audit log.
    await mod.getByRole('tab', { name: 'Mutes and bans' }).click();
    await mod.getByRole('listitem').filter({ hasText: 'Muted' }).first().waitFor();
    await screenshot(mod, 'moderation-sanctions');
    await mod.getByRole('tab', { name: 'Audit log' }).click();
    await mod.getByRole('cell', { name: 'mute', exact: true }).first().waitFor();
    await screenshot(mod, 'moderation-audit');

    // Eleven minutes later the expiry job lifts it, and the author's composer comes back by itself.
    const real = server.ctx.clock;
    server.ctx.clock = { now: () => new Date(real.now().getTime() + 11 * 60_000) };
    try {
      await server.ctx.queue.enqueue('moderation', EXPIRE_JOB, {});
      await server.ctx.queue.processAll();
    } finally {
      server.ctx.clock = real;
    }
    await authorPage.getByLabel('Message #general').waitFor();
    expect(await authorPage.getByTestId('muted-note').count()).toBe(0);
    for (const p of [mod, authorPage, page]) await p.context().close();
  });

  it('the moderation centre fits a 360 px phone, queue to word lists', async () => {
    const mod = await signedInPage(owner(), { width: 360, height: 740 });
    await mod.goto(`${server.url}/communities/${SLUG}/moderation`);
    for (const [tab, name] of [
      ['Queue', 'queue'],
      ['Held', 'held'],
      ['Mutes and bans', 'sanctions'],
      ['Word lists', 'words'],
      ['Audit log', 'audit'],
    ] as const) {
      await mod.getByRole('tab', { name: tab }).click();
      await mod.getByRole('tabpanel').waitFor();
      await mod.waitForLoadState('networkidle');
      await screenshot(mod, `moderation-${name}-phone`);
      expect(await mod.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    }
    const words = await signedInPage(owner());
    await words.goto(`${server.url}/communities/${SLUG}/moderation`);
    await words.getByRole('tab', { name: 'Word lists' }).click();
    await words.getByLabel(/^Community words/).fill('frogspawn:high');
    await words.getByLabel('Action for high severity').selectOption('reject');
    await words.getByRole('button', { name: 'Save' }).click();
    await words.getByText('Saved.').waitFor();
    await screenshot(words, 'moderation-words');
    const saved = await server.as(owner()).moderation.words({ params: { id: SLUG } });
    expect(saved).toMatchObject({ words: [{ word: 'frogspawn', severity: 'high' }], actions: { high: 'reject' } });
    await mod.context().close();
    await words.context().close();
  });

  it("site admins reach global bad words through the admin area's Moderation section: add one, import a list, see all sanctions", async () => {
    const admin = await signedInPage(server.demo.adminId);
    await admin.getByTestId('admin-link').click();
    await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Moderation' }).click();
    await admin.getByRole('heading', { name: 'Site moderation' }).waitFor();
    await admin.getByRole('tab', { name: 'Global bad words' }).click();
    await admin.getByLabel('Word', { exact: true }).fill('gorram');
    await admin.getByLabel('Severity').selectOption('high');
    await admin.getByLabel('Replacement (optional)').fill('gosh');
    await admin.getByRole('button', { name: 'Add word' }).click();
    await admin.getByText('1 added, 0 updated').waitFor();
    await admin.getByLabel('Import a list (one word per line)').fill('frak:low\nsmeg\ngorram:medium');
    await admin.getByRole('button', { name: 'Import' }).click();
    await admin.getByText('2 added, 1 updated').waitFor();
    await admin.getByRole('cell', { name: 'smeg', exact: true }).waitFor();
    await screenshot(admin, 'moderation-admin-bad-words');
    const words = (await server.as(server.demo.adminId).moderation.badWords({ query: {} })).items;
    expect(words.find((w) => w.word === 'gorram')).toMatchObject({ severity: 'medium', replacement: null }); // an import line carries no replacement;
    expect(words.find((w) => w.word === 'frak')).toMatchObject({ severity: 'low' });
    await admin.getByRole('tab', { name: 'Mutes and bans' }).click();
    await admin.getByRole('tabpanel').waitFor();
    await admin.getByRole('tab', { name: 'Queue' }).click();
    await admin.getByText(/^Keys: j\/k move/).waitFor();
    await admin.waitForLoadState('networkidle');
    await screenshot(admin, 'moderation-admin-queue');
    // Students never see the link, and the area is not theirs.
    const student = await signedInPage(server.demo.studentIds[0]!);
    expect(await student.getByTestId('admin-link').count()).toBe(0);
    await admin.context().close();
    await student.context().close();
  });
});
