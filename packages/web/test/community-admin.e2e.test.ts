import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWorker } from '../../server/src/worker';
import { startTestServer, type TestServer } from '../../server/test/support/server';

import { buildWeb, demoSignIn, launchChromium, screenshot, SCREENSHOTS } from './support/browser';
import { sunsetPng } from './support/png';

let server: TestServer;
let browser: Browser;
let stopWorker: (() => Promise<void>) | null = null;

beforeAll(async () => {
  buildWeb();
  server = await startTestServer({}, { web: true, demoContent: true });
  // The worker role scans uploads (icons and covers must be scanned before they are used).
  stopWorker = startWorker(server.ctx);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stopWorker?.();
  await server?.close();
});

const signIn = (page: Page, userId: number) => demoSignIn(page, server.url, userId);
const next = (page: Page) => page.getByRole('button', { name: 'Save and continue' }).click();
const stepHeading = (page: Page, n: number, name: string) =>
  page.getByRole('heading', { level: 2, name: new RegExp(`^Step ${n} of \\d+ · ${name}$`) });
const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('creating and running a community in Chromium', () => {
  it('an instructor creates a private community with the wizard; a student asks to join; the instructor approves, promotes and sets up a moderators channel', async () => {
    const instructor = server.demo.instructorIds[2]!; // Sofia Alvarez teaches Personal Finance 101 and Conversational Spanish
    const spanish = server.demo.courseIds[4]!;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, instructor);
    await page.getByRole('link', { name: '+ Create community' }).click();
    await page.waitForURL(`${server.url}/communities/new`);

    // 1. Basics: a taken address is flagged as it is typed, then a free one.
    await stepHeading(page, 1, 'Basics').waitFor();
    await page.getByLabel('Name').fill('Spanish Conversation Club');
    await page.getByTestId('slug-check').getByText('This address is free').waitFor();
    await page.getByLabel('Address').fill('javascript-guild');
    await page.getByTestId('slug-check').getByText('This address is taken').waitFor();
    await page.getByLabel('Address').fill('spanish-club');
    await page.getByTestId('slug-check').getByText('This address is free').waitFor();
    await page.getByLabel('Description').fill('Practise speaking with classmates every week.');
    await page.getByLabel('Category').fill('Languages');
    await screenshot(page, 'wizard-1-basics-1440');
    await next(page);

    // 2. Icon and cover: uploaded, scanned, previewed.
    await stepHeading(page, 2, 'Icon and cover').waitFor();
    await page.getByLabel('Icon', { exact: true }).setInputFiles({ name: 'club-icon.png', mimeType: 'image/png', buffer: sunsetPng() });
    await page.getByText('club-icon.png is uploaded and checked').waitFor();
    await page.getByRole('img', { name: 'Preview of the Icon' }).waitFor();
    await screenshot(page, 'wizard-2-images-1440');
    await next(page);

    // 3. Visibility: private, so people ask to join.
    await stepHeading(page, 3, 'Visibility').waitFor();
    await page.getByRole('radio', { name: /Private/ }).check();
    await screenshot(page, 'wizard-3-visibility-1440');
    await next(page);

    // 4. Roles: the defaults, editable.
    await stepHeading(page, 4, 'Roles').waitFor();
    const guestsReact = page.getByRole('checkbox', { name: 'Guest: React' });
    expect(await guestsReact.isChecked()).toBe(true);
    await screenshot(page, 'wizard-4-roles-1440');
    await next(page);

    // 5. Channels: #general and #announcements, plus one more; an empty name is refused inline.
    await stepHeading(page, 5, 'Channels').waitFor();
    await page.getByRole('button', { name: 'Add a channel' }).click();
    await next(page);
    await page.locator('.cm-field-error').first().waitFor();
    await page.getByLabel('Channel 3 name').fill('practice');
    await screenshot(page, 'wizard-5-channels-1440');
    await next(page);

    // 6. Pricing when tiers are on, left free. Wait for step 6 itself before asking which it is:
    // counting headings straight after the click can still see step 5.
    const step6 = page.getByRole('heading', { level: 2, name: /^Step 6 of \d+ · (Pricing|Courses)$/ });
    await step6.waitFor();
    const pricing = /Pricing$/.test((await step6.textContent()) ?? '');
    if (pricing) {
      await screenshot(page, 'wizard-6-pricing-1440');
      await next(page);
    }

    // 7. Courses: the picker lists the courses she teaches, not others'; she links her own.
    await stepHeading(page, pricing ? 7 : 6, 'Courses').waitFor();
    const picker = page.getByTestId('course-picker');
    await picker.getByRole('listitem', { name: 'Conversational Spanish' }).waitFor();
    expect(await picker.getByRole('listitem', { name: 'Modern JavaScript from Scratch' }).count()).toBe(0);
    await picker.getByRole('button', { name: 'Link Conversational Spanish' }).click();
    await picker.getByRole('button', { name: 'Link Conversational Spanish' }).getByText('Linked').waitFor();
    const linked = page.getByRole('list', { name: 'Linked courses' });
    // The club is for those who ask: her students are not added automatically.
    await linked.getByRole('listitem', { name: 'Conversational Spanish' }).getByLabel('Students join automatically').uncheck();
    await screenshot(page, 'wizard-7-courses-1440');
    await next(page);

    // The wizard resumes where it was left: a reload lands on the review with everything kept.
    await stepHeading(page, pricing ? 8 : 7, 'Review').waitFor();
    await page.reload();
    await stepHeading(page, pricing ? 8 : 7, 'Review').waitFor();
    await page.getByText('/communities/spanish-club').waitFor();
    await page.getByText('General: # general, 📣 announcements, # practice').waitFor();
    await screenshot(page, 'wizard-8-review-1440');
    await page.getByRole('button', { name: 'Publish community' }).click();
    await page.waitForURL(`${server.url}/communities/spanish-club/settings`);

    const api = server.as(instructor);
    const created = await api.communities.get({ params: { id: 'spanish-club' } });
    expect(created).toMatchObject({ name: 'Spanish Conversation Club', visibility: 'private', status: 'active', category: 'Languages' });
    expect(created.icon_url).not.toBeNull();
    const links = await api.communities.courses({ params: { id: 'spanish-club' } });
    expect(links.items.map((l) => [l.course_id, l.auto_join])).toEqual([[spanish, false]]);

    // 2. A student asks to join.
    const student = server.demo.studentIds[3]!;
    const sp = await browser.newPage({ viewport: { width: 360, height: 780 } });
    await signIn(sp, student);
    await sp.goto(`${server.url}/communities/spanish-club`);
    await sp.getByRole('heading', { name: 'Spanish Conversation Club', level: 1 }).waitFor();
    await sp.getByRole('button', { name: 'Ask to join' }).click();
    await sp.getByLabel('Introduce yourself (optional)').fill('Hola! I took the Spanish course last spring.');
    await sp.getByRole('button', { name: 'Send request' }).click();
    await sp.getByText('Request sent').waitFor();
    await sp.getByRole('button', { name: 'Cancel request' }).waitFor();

    // 3. The instructor sees the badge on Requests (no reload) and approves.
    const requestsTab = page.getByRole('link', { name: /^Requests/ });
    await requestsTab.getByTestId('requests-badge').filter({ hasText: '1' }).waitFor({ timeout: 20_000 });
    await requestsTab.click();
    const studentName = (await api.communities.requests({ params: { id: 'spanish-club' }, query: {} })).items[0]!.user.name;
    const row = page.getByRole('listitem', { name: studentName });
    await row.getByText('“Hola! I took the Spanish course last spring.”').waitFor();
    await row.getByLabel(`Message to ${studentName} (optional)`).fill('Bienvenida!');
    await screenshot(page, 'settings-requests-1440');
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').getByText(`Approved ${studentName}`).waitFor();
    await requestsTab.getByTestId('requests-badge').waitFor({ state: 'detached' });
    // The student's page turns into the member view without a reload.
    await sp.getByRole('status').getByText('Your request was approved: welcome! “Bienvenida!”').waitFor({ timeout: 20_000 });
    await sp.getByRole('button', { name: 'Leave' }).waitFor({ timeout: 20_000 });

    // 4. Make the student a moderator.
    await page.getByRole('link', { name: 'Settings' }).click();
    const members = page.getByTestId('members-admin');
    const member = members.getByRole('listitem', { name: studentName });
    await member.getByRole('button', { name: `Moderate ${studentName}` }).click();
    await member.getByLabel('Role', { exact: true }).selectOption('moderator');
    await member.getByRole('button', { name: 'Role', exact: true }).click();
    await member.locator('.cm-pill').getByText('Moderator', { exact: true }).waitFor();

    // A private channel for moderators, with slow mode.
    await page.getByLabel('New channel or category name').fill('mods');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const modsRow = page.getByTestId('channel-admin').getByRole('listitem').filter({ hasText: '# mods' });
    await modsRow.waitFor();
    await modsRow.getByRole('button', { name: 'Settings mods' }).click();
    const form = page.getByRole('form', { name: 'Settings of #mods' });
    await form.getByLabel('Topic').fill('Moderators only');
    await form.getByLabel('Private channel').check();
    await form.getByLabel('Moderator').check();
    await form.getByLabel('Slow mode').selectOption('30');
    await form.getByRole('button', { name: 'Save channel' }).click();
    await form.getByRole('status').getByText('Channel saved').waitFor();
    await modsRow.getByText('⏱ 30s').waitFor();
    await screenshot(page, 'settings-channel-fields-1440');

    const mods = (await api.channels.list({ params: { id: 'spanish-club' } })).items.find((c) => c.name === 'mods')!;
    expect(mods).toMatchObject({ is_private: true, allowed_role_slugs: ['moderator'], slow_mode_seconds: 30, topic: 'Moderators only' });
    const asStudent = await server.as(student).communities.get({ params: { id: 'spanish-club' } });
    expect(asStudent.viewer_membership).toMatchObject({ status: 'active', role: 'moderator' });
    await page.close();
    await sp.close();
  });

  it('an owner adds, renames, orders (by keyboard) and deletes roles, sets channel overrides per role and member, and manages invite links', async () => {
    const owner = server.demo.instructorIds[0]!;
    const student = server.demo.studentIds[5]!;
    const api = server.as(owner);
    const c = await api.communities.create({ body: { name: 'Role Play Society', slug: 'role-play-society', visibility: 'public' } });
    await server.as(student).communities.join({ params: { id: c.slug }, body: {} });
    const studentName = (await api.communities.members({ params: { id: c.slug }, query: {} })).items.find((m) => m.user.id === student)!
      .user.name;
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, owner);
    await page.goto(`${server.url}/communities/${c.slug}/settings`);
    const rolesCard = page.getByRole('region', { name: 'Roles' });
    const roleList = page.getByTestId('role-list');
    const order = async () =>
      (await api.communities.roles({ params: { id: c.slug } })).items.sort((a, b) => b.rank - a.rank).map((r) => r.name);

    // Create, then rename.
    await rolesCard.getByLabel('New role name').fill('Mentor');
    await rolesCard.getByRole('button', { name: 'Add role' }).click();
    await roleList.getByRole('listitem', { name: 'Mentor' }).waitFor();
    expect(await order()).toEqual(['Owner', 'Moderator', 'Mentor', 'Member', 'Guest']);
    await roleList.getByRole('button', { name: 'Rename Mentor' }).click();
    await roleList.getByLabel('New name for Mentor').fill('Tutor');
    await roleList.getByRole('button', { name: 'Save name' }).click();
    await roleList.getByRole('listitem', { name: 'Tutor' }).waitFor();

    // Order by keyboard: the focus stays on the button, so Enter again keeps moving it.
    await roleList.getByRole('button', { name: 'Move Tutor down' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['Owner', 'Moderator', 'Member', 'Tutor', 'Guest']);
    await roleList.getByRole('button', { name: 'Move Tutor up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['Owner', 'Moderator', 'Tutor', 'Member', 'Guest']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Tutor up');
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['Owner', 'Tutor', 'Moderator', 'Member', 'Guest']);
    await page.getByRole('status').getByText('Tutor is now 1 of 3').waitFor();
    // At the top "up" is disabled: the focus moves to "down" instead of getting lost.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Tutor down');

    // The permission matrix.
    await rolesCard.getByRole('checkbox', { name: 'Tutor: Pin' }).check();
    await expect
      .poll(async () => (await api.communities.roles({ params: { id: c.slug } })).items.find((r) => r.name === 'Tutor')!.permissions)
      .toContain('pin');

    // A role of the community's own can be deleted; the default ones cannot.
    await rolesCard.getByLabel('New role name').fill('Temporary');
    await rolesCard.getByRole('button', { name: 'Add role' }).click();
    await roleList.getByRole('button', { name: 'Delete Temporary' }).click();
    await roleList.getByRole('listitem', { name: 'Temporary' }).waitFor({ state: 'detached' });
    expect(await roleList.getByRole('button', { name: 'Delete Moderator' }).count()).toBe(0);
    await screenshot(page, 'settings-roles-1440');

    // #general: overrides for a role and for one member, then announcement-only and a minimum level.
    const chRow = page.getByTestId('channel-admin').getByRole('listitem').filter({ hasText: '# general' });
    await chRow.getByRole('button', { name: 'Settings general' }).click();
    const form = page.getByRole('form', { name: 'Settings of #general' });
    const general = () => api.channels.list({ params: { id: c.slug } }).then((l) => l.items.find((x) => x.slug === 'general')!);
    const studentCanPost = async () =>
      (await server.as(student).channels.get({ params: { channelId: (await general()).id } })).viewer_can.post;
    expect(await studentCanPost()).toBe(true);

    await page.getByLabel('Override for a role').selectOption({ label: 'Tutor' });
    const editor = page.getByRole('group', { name: 'Override for Tutor' });
    await editor.getByRole('radio', { name: 'Announce: Allow' }).check();
    await editor.getByRole('radio', { name: 'Pin: Deny' }).check();
    await editor.getByRole('button', { name: 'Save override' }).click();
    await page.getByRole('status').getByText('Override for Tutor saved').waitFor();
    await page.getByLabel('Find a member').fill(studentName.split(' ')[0]!);
    const memberPick = page.getByLabel('Override for a member');
    await expect.poll(() => memberPick.locator('option').count()).toBeGreaterThan(1);
    await memberPick.selectOption({ label: studentName });
    const memberEditor = page.getByRole('group', { name: `Override for ${studentName}` });
    await memberEditor.getByRole('radio', { name: 'Send messages: Deny' }).check();
    await memberEditor.getByRole('button', { name: 'Save override' }).click();
    await page.getByRole('status').getByText(`Override for ${studentName} saved`).waitFor();
    const overrides = await api.channels.overrides({ params: { channelId: (await general()).id } });
    expect(overrides.items.map((o) => [o.target, o.role?.name ?? o.user?.id, o.allow, o.deny])).toEqual(
      expect.arrayContaining([
        ['role', 'Tutor', ['announce'], ['pin']],
        ['member', student, [], ['send_messages']],
      ]),
    );
    // The overrides take effect: the student may no longer post in #general.
    expect(await studentCanPost()).toBe(false);
    // Editing an existing override starts from what it holds.
    await page.getByRole('list', { name: 'Overrides in this channel' }).getByRole('button', { name: 'Edit the override of Tutor' }).click();
    expect(await page.getByRole('group', { name: 'Override for Tutor' }).getByRole('radio', { name: 'Pin: Deny' }).isChecked()).toBe(true);
    await screenshot(page, 'settings-channel-overrides-1440');

    await form.getByLabel(/Announcement only/).check();
    await form.getByLabel('Minimum level').fill('3');
    await form.getByRole('button', { name: 'Save channel' }).click();
    await form.getByRole('status').getByText('Channel saved').waitFor();
    expect(await general()).toMatchObject({ type: 'announcement', min_level: 3 });

    // Invites: expiry and a use limit, copy, revoke.
    const invitesCard = page.getByRole('region', { name: 'Invite links' });
    await invitesCard.getByLabel('Expires after').selectOption({ label: '24 hours' });
    await invitesCard.getByLabel('Maximum uses').fill('5');
    await invitesCard.getByRole('button', { name: 'Create link' }).click();
    await invitesCard.getByText('0 of 5 uses').waitFor();
    const invite = (await api.communities.invites({ params: { id: c.slug } })).items[0]!;
    expect(invite).toMatchObject({ max_uses: 5, revoked: false });
    expect(Date.parse(invite.expires_at!) - Date.parse(invite.created_at)).toBe(24 * 3600 * 1000);
    const row = page.getByTestId(`invite-${invite.id}`);
    await row.getByRole('button', { name: 'Copy link' }).click();
    await row.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(invite.url);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('Revoked').waitFor();
    expect((await api.communities.invites({ params: { id: c.slug } })).items[0]!.revoked).toBe(true);
    await screenshot(page, 'settings-invites-1440');

    // The same settings fit a phone.
    await page.setViewportSize({ width: 360, height: 780 });
    await page.reload();
    await page.getByTestId('role-list').waitFor();
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'settings-owner-360');
    await page.getByTestId('channel-admin').getByRole('button', { name: 'Settings general' }).click();
    await page.getByLabel('Override for a role').selectOption({ label: 'Tutor' });
    await page.getByRole('group', { name: 'Override for Tutor' }).waitFor();
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await page.locator('.cm-channel-form').screenshot({ path: `${SCREENSHOTS}/settings-channel-overrides-360.png` });
    await context.close();
  });

  it('a draft started on one device continues on another, from the server', async () => {
    const instructor = server.demo.instructorIds[1]!;
    const api = server.as(instructor);
    const draft = await api.communities.wizardStart({ body: { name: 'Travelling Draft', slug: 'travelling-draft' } });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'visibility' }, body: { visibility: 'hidden' } });
    // A fresh browser: nothing in its storage knows the draft.
    const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
    const page = await context.newPage();
    await signIn(page, instructor);
    await page.goto(`${server.url}/communities/new`);
    const row = page.getByRole('listitem', { name: 'Travelling Draft' });
    await row.getByText(/2 steps done/).waitFor();
    expect(await noOverflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'wizard-drafts-360');
    await row.getByRole('button', { name: 'Continue' }).click();
    // Basics and visibility are saved: it reopens at Channels, with the choices kept.
    await page.getByRole('heading', { level: 2, name: /· Channels$/ }).waitFor();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('heading', { level: 2, name: /· Visibility$/ }).waitFor();
    expect(await page.getByRole('radio', { name: /Hidden/ }).isChecked()).toBe(true);
    // This device now remembers it: a reload goes straight back, no question asked.
    await page.reload();
    await page.getByRole('heading', { level: 2, name: /· Channels$/ }).waitFor();
    await context.close();
  });

  // The roles step once overflowed by 124 px: the wizard (a grid item with auto margins) shrank to
  // fit the roles matrix instead of letting the matrix scroll in its own box.
  it('every wizard step fits a 360 px phone', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 780 } });
    await signIn(page, server.demo.instructorIds[0]!);
    await page.goto(`${server.url}/communities/new`);
    await stepHeading(page, 1, 'Basics').waitFor();
    await page.getByLabel('Name').fill('Phone Photo Walks');
    await page.getByTestId('slug-check').getByText('This address is free').waitFor();
    const shots = ['basics', 'images', 'visibility', 'roles', 'channels', 'pricing', 'courses', 'review'];
    const total = Number((await page.getByRole('heading', { level: 2 }).first().textContent())!.match(/of (\d+)/)![1]);
    for (let n = 1; n <= total; n++) {
      const name = total === 8 ? shots[n - 1]! : shots.filter((s) => s !== 'pricing')[n - 1]!;
      await page.getByRole('heading', { level: 2, name: new RegExp(`^Step ${n} of`) }).waitFor();
      if (name === 'images')
        await page.getByLabel('Cover image').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: sunsetPng() });
      if (name === 'images') await page.getByText('cover.png is uploaded and checked').waitFor();
      expect(await noOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `wizard-${n}-${name}-360`);
      if (n < total) await next(page);
    }
    await page.close();
  });
});
