import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot } from './support/browser';
import { sunsetPng } from './support/png';

let server: TestServer;
let browser: Browser;
const SLUG = 'photography-circle';

beforeAll(async () => {
  buildWeb();
  // The long thread for the jump check is posted faster than people type.
  server = await startTestServer({ rate_limits: { dm_messages: { max: 500, window_seconds: 10 } } }, { web: true, demoContent: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedInPage(userId: number, viewport = { width: 1280, height: 820 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await demoSignIn(page, server.url, userId);
  return page;
}

const nameOf = async (id: number) => (await server.as(id).system.me()).name;
const log = (page: Page) => page.getByRole('log');

describe('direct messages in Chromium', () => {
  it('starts a DM from a member card; the other student answers live in a second browser', async () => {
    // Three members of the Photography Circle (the demo puts every other student in it).
    const [a, b, c] = [server.demo.studentIds[2]!, server.demo.studentIds[4]!, server.demo.studentIds[6]!];
    const [nameA, nameB, nameC] = await Promise.all([nameOf(a), nameOf(b), nameOf(c)]);
    const pa = await signedInPage(a);
    const pb = await signedInPage(b);

    // A opens the Members tab and messages B from B's card.
    await pa.goto(`${server.url}/communities/${SLUG}/members`);
    await pa.getByRole('button', { name: `Send ${nameB} a message` }).click();
    await pa.waitForURL(/\/dm\/\d+$/);
    await pa.getByRole('heading', { name: nameB, level: 1 }).waitFor();
    const composerA = pa.getByLabel(`Message ${nameB}`);
    await composerA.fill('Hey! Want to swap critiques this week?');
    await composerA.press('Enter');
    await log(pa).getByText('Want to swap critiques').waitFor();

    // B, elsewhere in the app, sees the Messages badge light up, then the thread in the inbox.
    await pb.getByTestId('messages-link').getByText('1').waitFor();
    await pb.getByTestId('messages-link').click();
    await pb.waitForURL(`${server.url}/dm`);
    const thread = pb.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: new RegExp(nameA) });
    await thread.getByText('Want to swap critiques').waitFor();
    await thread.getByText('1', { exact: true }).waitFor();
    await screenshot(pb, 'dm-inbox');
    await thread.click();
    await log(pb).getByText('Want to swap critiques').waitFor();
    // Both are in the conversation: each sees the other online.
    await pa.getByTestId('dm-online').waitFor();
    const composerB = pb.getByLabel(`Message ${nameA}`);
    await composerB.fill('Sure! Send me your best three shots.');
    await composerB.press('Enter');

    // A sees the answer without reloading, and reacts; B sees the reaction.
    const answer = log(pa).getByRole('article', { name: new RegExp(`^${nameB}, .*best three`) });
    await answer.waitFor();
    await answer.hover();
    await answer.getByRole('button', { name: 'Add a reaction' }).click();
    await pa.getByRole('menuitem', { name: '👍' }).click();
    await log(pb).getByRole('button', { name: '👍 1' }).waitFor();
    await expect.poll(() => pb.getByTestId('messages-link').locator('.cm-badge').count()).toBe(0);
    await screenshot(pa, 'dm-thread');

    // A sends a photo in the DM: B sees it scanned, then shown.
    await pa.getByTestId('composer-file').setInputFiles({ name: 'portfolio-1.png', mimeType: 'image/png', buffer: sunsetPng() });
    await pa.locator('.cm-compose-file--done').getByText('portfolio-1.png').waitFor();
    await composerA.fill('Here is the first one');
    await composerA.press('Enter');
    await log(pb).getByTestId('attachment-pending').waitFor();
    await server.ctx.queue.processAll();
    await log(pb).getByRole('img', { name: 'portfolio-1.png' }).waitFor({ timeout: 15_000 });

    // A blocks B: both sides become read-only, live; unblocking gives the composer back.
    await pa.getByRole('button', { name: 'Block' }).click();
    await pa.getByRole('note').getByText(`You blocked ${nameB}`).waitFor();
    await pb.getByRole('note').getByText(`You can no longer message ${nameA} in this conversation.`).waitFor();
    expect(await pb.getByLabel(`Message ${nameA}`).count()).toBe(0);
    // The blocked side has no Block button on a thread it cannot use.
    expect(await pb.getByRole('button', { name: 'Block', exact: true }).count()).toBe(0);
    await screenshot(pb, 'dm-blocked');
    await pa.getByRole('note').getByRole('button', { name: 'Unblock' }).click();
    await pa.getByLabel(`Message ${nameB}`).waitFor();
    await pb.getByLabel(`Message ${nameA}`).waitFor();

    // A starts a named group from member cards.
    await pa.goto(`${server.url}/communities/${SLUG}/members`);
    await pa.getByRole('button', { name: `Add ${nameB} to a group` }).click();
    await pa.getByRole('button', { name: `Add ${nameC} to a group` }).click();
    await pa.getByLabel('Group name (optional)').fill('Critique crew');
    await screenshot(pa, 'community-members-group');
    await pa.getByRole('button', { name: 'Start group' }).click();
    await pa.getByRole('heading', { name: 'Critique crew', level: 1 }).waitFor();
    await pa.getByLabel('Message Critique crew').fill('Welcome to the crew 📷');
    await pa.getByLabel('Message Critique crew').press('Enter');
    await pb
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Critique crew/ })
      .waitFor();

    // The API holds what the browsers did.
    const inbox = await server.as(b).dm.inbox();
    const group = inbox.items.find((t) => t.title === 'Critique crew')!;
    expect(group).toMatchObject({ type: 'group', last_message: { excerpt: 'Welcome to the crew 📷' } });
    expect(group.participants.map((p) => p.id).sort()).toEqual([a, b, c].sort());
    const dm = inbox.items.find((t) => t.type === 'dm')!;
    const history = await server.as(b).dm.messages({ params: { threadId: dm.id } });
    expect(history.items.map((m) => m.content)).toEqual([
      'Hey! Want to swap critiques this week?',
      'Sure! Send me your best three shots.',
      'Here is the first one',
    ]);
    expect(history.items[2]!.attachments).toMatchObject([{ original_name: 'portfolio-1.png', scan_status: 'unscanned', kind: 'dm' }]);
    expect(history.items[1]!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);

    // On a 360 px phone: the inbox, then one conversation at a time.
    const phone = await signedInPage(b, { width: 360, height: 740 });
    await phone.goto(`${server.url}/dm`);
    await phone
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: new RegExp(nameA) })
      .click();
    await log(phone).getByText('best three').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'dm-phone');
    await phone.getByRole('link', { name: 'All conversations' }).click();
    await phone.getByRole('list', { name: 'Conversations' }).waitFor();
    await screenshot(phone, 'dm-phone-inbox');
    await Promise.all([pa.context().close(), pb.context().close(), phone.context().close()]);
  });

  it('New message starts a group from picked people; members rename it and add people; a block hides online status', async () => {
    const [a, b, c, d] = [12, 14, 16, 18].map((i) => server.demo.studentIds[i]!) as [number, number, number, number];
    const [nameA, nameB, nameC, nameD] = (await Promise.all([a, b, c, d].map(nameOf))) as [string, string, string, string];
    const pa = await signedInPage(a);
    const pb = await signedInPage(b);
    const pick = async (page: Page, name: string) => {
      await page.getByLabel('Search people by name').fill(name);
      await page.getByRole('checkbox', { name: new RegExp(name) }).check();
    };

    // A: New message, pick B and C, name the group.
    await pa.goto(`${server.url}/dm`);
    await pa.getByRole('button', { name: 'New message' }).click();
    const dialog = pa.getByRole('dialog', { name: 'New message' });
    await pick(pa, nameB);
    await pick(pa, nameC);
    await dialog.getByLabel('Group name (optional)').fill('Darkroom');
    await dialog.getByRole('list', { name: 'Selected people' }).getByText(nameC).waitFor();
    await screenshot(pa, 'dm-new-message');
    await dialog.getByRole('button', { name: 'Start group' }).click();
    await pa.waitForURL(/\/dm\/\d+$/);
    await pa.getByRole('heading', { name: 'Darkroom', level: 1 }).waitFor();

    // B, a member but not the owner, renames it and adds D.
    await pb.goto(`${server.url}/dm`);
    await pb
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Darkroom/ })
      .click();
    await pb.getByRole('button', { name: 'Group settings' }).click();
    const settings = pb.getByRole('dialog', { name: 'Group settings' });
    await settings.getByLabel('Group name', { exact: true }).fill('Darkroom club');
    await settings.getByRole('button', { name: 'Rename' }).click();
    await pb.getByRole('heading', { name: 'Darkroom club', level: 1 }).waitFor();
    await pick(pb, nameD);
    await settings.getByRole('button', { name: 'Add 1 person' }).click();
    await settings.getByRole('list', { name: 'People in this group' }).getByText(nameD).waitFor();
    await screenshot(pb, 'dm-group-settings');
    // A sees both changes live.
    await pa.getByRole('heading', { name: 'Darkroom club', level: 1 }).waitFor();
    await pa.getByText('Group · 4 people').waitFor();
    const group = await server.as(d).dm.inbox();
    expect(
      group.items
        .find((t) => t.title === 'Darkroom club')
        ?.participants.map((p) => p.id)
        .sort(),
    ).toEqual([a, b, c, d].sort());

    // A and B in a 1:1: each sees the other online, until B blocks A.
    await pa.getByRole('button', { name: 'New message' }).click();
    await pick(pa, nameB);
    await pa.getByRole('dialog', { name: 'New message' }).getByRole('button', { name: 'Start conversation' }).click();
    await pa.getByRole('heading', { name: nameB, level: 1 }).waitFor();
    const pair = Number(/\/dm\/(\d+)$/.exec(pa.url())![1]);
    await pb.goto(`${server.url}/dm/${pair}`);
    await pb.getByRole('heading', { name: nameA, level: 1 }).waitFor();
    await pa.getByTestId('dm-online').waitFor();
    await pb.getByTestId('dm-online').waitFor();
    await pb.getByRole('button', { name: 'Block', exact: true }).click();
    await pb.getByRole('note').getByText(`You blocked ${nameA}`).waitFor();
    // A: no online status, a clear notice, no composer and no Block button.
    await pa.getByTestId('dm-closed').waitFor();
    await pa.getByTestId('dm-online').waitFor({ state: 'detached' });
    expect(await pa.getByLabel(`Message ${nameB}`).count()).toBe(0);
    expect(await pa.getByRole('button', { name: 'Block', exact: true }).count()).toBe(0);
    // Still hidden after A reloads (a fresh presence subscription): B is online all along.
    await pa.reload();
    await pa.getByTestId('dm-closed').waitFor();
    await pa.getByRole('log').waitFor();
    expect(await pa.getByTestId('dm-online').count()).toBe(0);
    expect(await pb.getByTestId('dm-online').count()).toBe(0);

    // In a community channel too: C sees all three online; A and B each see C but not the other.
    const pc = await signedInPage(c);
    const onlineIn = (page: Page) =>
      page.locator('.cm-chat-members').getByRole('region', { name: 'Members online' }).locator('li > span:last-child');
    for (const page of [pa, pb, pc]) await page.goto(`${server.url}/communities/${SLUG}/channels/general`);
    await expect.poll(() => onlineIn(pc).allTextContents()).toEqual(expect.arrayContaining([nameA, nameB, nameC]));
    await expect.poll(async () => (await onlineIn(pa).allTextContents()).sort()).toEqual([nameA, nameC].sort());
    await expect.poll(async () => (await onlineIn(pb).allTextContents()).sort()).toEqual([nameB, nameC].sort());
    await screenshot(pa, 'dm-block-channel-online');
    await pc.context().close();

    // On a 360 px phone: the New message dialog and the group's settings fit the screen.
    const phone = await signedInPage(c, { width: 360, height: 740 });
    await phone.goto(`${server.url}/dm`);
    await phone.getByRole('button', { name: 'New message' }).click();
    await pick(phone, nameA);
    await pick(phone, nameD);
    await screenshot(phone, 'dm-new-message-phone');
    await phone.getByRole('button', { name: 'Cancel' }).click();
    await phone
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Darkroom club/ })
      .click();
    await phone.getByRole('button', { name: 'Group settings' }).click();
    await phone.getByRole('dialog', { name: 'Group settings' }).getByText(nameD).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(phone, 'dm-group-settings-phone');
    await Promise.all([pa.context().close(), pb.context().close(), phone.context().close()]);
  });

  it('jumps to a replied-to DM older than what is loaded, then back to the present', async () => {
    const [d, e] = [server.demo.studentIds[8]!, server.demo.studentIds[10]!];
    const thread = await server.as(d).dm.start({ body: { user_ids: [e] } });
    const post = (as: number, content: string, reply_to_id?: number) =>
      server.as(as).dm.post({ params: { threadId: thread.id }, body: { content, ...(reply_to_id ? { reply_to_id } : {}) } });
    const first = await post(d, 'Before anything else: the meetup is on the 14th');
    for (let i = 2; i <= 80; i++) await post(i % 2 ? d : e, `Message ${i} about lenses`);
    await post(e, 'Back to the meetup: count me in', first.id);

    const page = await signedInPage(e);
    await page.goto(`${server.url}/dm/${thread.id}`);
    const reply = log(page).getByRole('article', { name: /count me in/ });
    await reply.waitFor();
    const original = log(page).getByRole('article', { name: /the meetup is on the 14th/ });
    expect(await original.count()).toBe(0);
    await reply.getByRole('button', { name: `Reply to ${await nameOf(d)}` }).click();
    await original.waitFor();
    await expect.poll(() => original.getAttribute('class')).toContain('cm-msg--flash');
    await screenshot(page, 'dm-jump-to-reply');
    await page.getByRole('button', { name: 'Jump to present' }).click();
    await reply.waitFor();
    await page.getByRole('button', { name: 'Jump to present' }).waitFor({ state: 'detached' });
    await page.context().close();
  });
});
