import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from '../../server/test/support/factories';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';
import { sunsetPng } from './support/png';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({ rate_limits: { feed_posts: { max: 100, window_seconds: 10 } } }, { web: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedInPage(userId: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await demoSignIn(page, server.url, userId);
  return page;
}

/** Both at desktop width and on a 360 px phone (the RocketLMS app's WebView). */
async function shots(page: Page, name: string): Promise<void> {
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize({ width: 360, height: 760 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, `${name}-360`);
  await page.setViewportSize({ width: 1280, height: 860 });
}

describe('the community feed in two browsers', () => {
  it('posts with a photo and a mention, and both sides see posts, comments, edits, pins and deletes live', async () => {
    const [author, moderator] = [server.demo.studentIds[0]!, server.demo.studentIds[1]!];
    const c = await makeCommunity(server, { visibility: 'private', name: 'Darkroom Club' });
    await addMember(server, c.id, author);
    await addMember(server, c.id, moderator, 'moderator');
    const modName = (await server.as(moderator).system.me()).name;

    const [pa, pm] = [await signedInPage(author), await signedInPage(moderator)];
    // The moderator's realtime socket goes through the test, so it can be cut.
    const sockets: WebSocketRoute[] = [];
    let cut = false;
    await pm.routeWebSocket(/\/app\//, (ws) => {
      if (cut) return void ws.close();
      sockets.push(ws);
      ws.connectToServer();
    });
    for (const p of [pa, pm]) {
      await p.goto(`${server.url}/communities/${c.slug}`);
      await p.getByRole('heading', { name: 'Darkroom Club', level: 1 }).waitFor();
    }
    // The moderator's page is live before anything is posted.
    await pm.waitForFunction(() => document.querySelector('.cm-empty') !== null);

    // The author attaches a photo: it is scanned before anyone may download it.
    const composer = pa.getByRole('form', { name: 'New post' });
    await composer.getByTestId('feed-file').setInputFiles({ name: 'darkroom.png', mimeType: 'image/png', buffer: sunsetPng() });
    await composer.getByText('Scanning file…').waitFor();
    await composer.getByLabel('Title (optional)').fill('First prints');
    const body = composer.getByLabel('Write something…');
    await body.fill('Developed my first roll! Thanks ');
    await body.press('End');
    await body.pressSequentially(`@${modName.slice(0, 3)}`);
    const picker = pa.getByRole('listbox', { name: 'People to mention' });
    await picker.getByRole('option', { name: modName }).waitFor();
    await server.ctx.queue.processAll();
    await composer.getByText('Ready').waitFor();
    await shots(pa, 'feed-composer');
    await body.press('Enter');
    await picker.waitFor({ state: 'detached' });
    expect(await body.inputValue()).toBe(`Developed my first roll! Thanks @[${modName}](user:${moderator}) `);
    await body.pressSequentially('for the tips.');
    await composer.getByRole('button', { name: 'Post' }).click();

    // The author's own post shows at once; the moderator gets a pill instead of a jump.
    const mine = pa.getByRole('article').filter({ hasText: 'Developed my first roll' });
    await mine.getByRole('img', { name: 'darkroom.png' }).waitFor();
    await mine.getByText(`@${modName}`).waitFor();
    const pill = pm.getByRole('button', { name: '↑ 1 new post' });
    await pill.waitFor();
    expect(await pm.getByRole('article').count()).toBe(0);
    await shots(pm, 'feed-new-post-pill');
    await pill.click();
    const seen = pm.getByRole('article').filter({ hasText: 'Developed my first roll' });
    await seen.getByRole('heading', { name: 'First prints' }).waitFor();
    await seen.getByRole('img', { name: 'darkroom.png' }).waitFor();
    await pill.waitFor({ state: 'detached' });

    // A comment appears live under the open post, and the count follows.
    await mine.getByRole('button', { name: /0 comments/ }).click();
    await seen.getByRole('button', { name: /0 comments/ }).click();
    const commentBox = seen.getByLabel('Write a comment…');
    await commentBox.fill('Lovely grain!');
    await commentBox.press('Enter');
    await mine.getByText('Lovely grain!').waitFor();
    await mine.getByRole('button', { name: /1 comment/ }).waitFor();

    // The author edits: the moderator sees the new words in place.
    await mine.getByRole('button', { name: 'Edit', exact: true }).first().click();
    const edit = mine.getByLabel('Edit the post');
    await edit.fill('Developed my first roll! (edited: shot on HP5)');
    await mine.getByRole('button', { name: 'Save' }).click();
    await seen.getByText('edited: shot on HP5').waitFor();
    await seen.getByText('edited', { exact: false }).first().waitFor();

    // The author cannot pin; the moderator pins and the author sees it pinned.
    expect(await mine.getByRole('button', { name: 'Pin' }).count()).toBe(0);
    await seen.getByRole('button', { name: 'Pin', exact: true }).click();
    await mine.getByText('📌 Pinned').waitFor();
    await screenshot(pa, 'feed-pinned-desktop');

    // Reactions are live too: counts as everyone sees them, each side's own mark its own.
    const postId = (await server.as(author).feed.communityFeed({ params: { id: c.slug }, query: {} })).pinned[0]!.id;
    await server.as(moderator).feed.react({ params: { itemId: postId }, body: { emoji: '🎉' } });
    const party = mine.getByRole('button', { name: '🎉 1', exact: true }).first();
    await party.waitFor();
    expect(await party.getAttribute('aria-pressed')).toBe('false');
    const commentId = (await server.as(author).feed.comments({ params: { itemId: postId }, query: {} })).items[0]!.id;
    await server.as(moderator).feed.reactComment({ params: { commentId }, body: { emoji: '👏' } });
    await mine.locator('.cm-comment').filter({ hasText: 'Lovely grain!' }).getByRole('button', { name: '👏 1' }).waitFor();

    // The moderator deletes the comment, then the post: both go for the author too.
    const theirComment = seen.locator('.cm-comment').filter({ hasText: 'Lovely grain!' });
    await theirComment.getByRole('button', { name: 'Delete' }).click();
    await theirComment.getByRole('button', { name: 'Yes, delete' }).click();
    await mine.getByText('This comment was deleted.').waitFor();
    await seen.getByRole('button', { name: 'Delete', exact: true }).first().click();
    await seen.getByRole('button', { name: 'Yes, delete' }).click();
    await mine.waitFor({ state: 'detached' });
    await pa.getByText('Nothing here yet. Start the conversation!').waitFor();

    // What the browsers did is what the API holds.
    const feed = await server.as(author).feed.communityFeed({ params: { id: c.slug }, query: {} });
    expect(feed.items.length + feed.pinned.length).toBe(0);

    // The moderator's socket drops (the browser stays online) and stays away while the author
    // posts: once pusher-js is back, the feed fetches what it missed.
    cut = true;
    await sockets.at(-1)!.close();
    await server.as(author).feed.post({ params: { id: c.slug }, body: { content: 'Posted while your socket was down' } });
    cut = false;
    await pm.getByRole('article').filter({ hasText: 'Posted while your socket was down' }).waitFor({ timeout: 30_000 });
  });
});
