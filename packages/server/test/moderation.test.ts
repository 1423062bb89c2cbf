import type { CommunitiesConfig } from '@communities/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { EXPIRE_JOB } from '../src/moderation';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;
let st: number[];
let admin: number;
let c: { id: number; slug: string };
let general: number;
let defaults: CommunitiesConfig['moderation'];

beforeAll(async () => {
  s = await startTestServer({ moderation: { bad_words: ['shit', 'darn', 'cunt', 'cock', 'ass'] } });
  owner = s.demo.instructorIds[0]!;
  admin = s.demo.adminId;
  st = s.demo.studentIds;
  c = await makeCommunity(s, { name: 'Moderated' });
  for (const u of st.slice(0, 9)) await addMember(s, c.id, u);
  general = (await s.as(owner).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
  defaults = structuredClone(s.ctx.config.moderation);
});
afterAll(async () => s.close());
afterEach(() => {
  // Tests below change moderation.* on the running server to show each key's effect; put them back.
  s.ctx.config.moderation = structuredClone(defaults);
});

const post = (u: number, content: string, channelId = general) => s.as(u).channels.post({ params: { channelId }, body: { content } });
const mod = () => s.ctx.config.moderation;
/** Puts moderation.actions thresholds out of the way of tests about other keys. */
const noThresholds = () => Object.assign(mod().actions, { auto_mute_threshold: 0, auto_ban_threshold: 0 });

describe('word filter', () => {
  it('censors a disguised word by default (leetspeak, confusables, spacing) and lets innocent words through', async () => {
    noThresholds();
    const m = await post(st[0]!, 'what a $h1t day, ѕ h i t');
    expect(m.content).toBe('what a **** day, *******');
    const innocent = 'The class will assess the Scunthorpe cocktail with shitake';
    expect((await post(st[0]!, innocent)).content).toBe(innocent);
  });

  it('replace_char and a word replacement from the bad_words table decide what replaces the match', async () => {
    noThresholds();
    mod().replace_char = '#';
    expect((await post(st[0]!, 'darn it')).content).toBe('#### it');
    await s.as(admin).moderation.addBadWords({ body: { words: [{ word: 'frak', severity: 'low', replacement: 'frell' }] } });
    expect((await post(st[0]!, 'what the frak')).content).toBe('what the frell');
  });

  it('on_detect = reject answers 422 content_rejected with the offending span, and nothing is written', async () => {
    noThresholds();
    mod().actions.on_detect = 'reject';
    const before = await s.as(owner).channels.messages({ params: { channelId: general }, query: { limit: 100 } });
    const e = await expectStatus(post(st[1]!, 'you sh1t'), 422, 'content_rejected');
    expect(e.details).toEqual({ field: 'content', rule: 'word', spans: [{ start: 4, end: 8, severity: 'medium' }] });
    const after = await s.as(owner).channels.messages({ params: { channelId: general }, query: { limit: 100 } });
    expect(after.items.length).toBe(before.items.length);
  });

  it('on_detect = hold shows the message to its author and moderators only, until approved', async () => {
    noThresholds();
    mod().actions.on_detect = 'hold';
    const m = await post(st[1]!, 'hold this sh1t');
    expect(m.content).toBe('hold this sh1t');
    const seen = async (u: number) =>
      (await s.as(u).channels.messages({ params: { channelId: general }, query: { limit: 100 } })).items.some((x) => x.id === m.id);
    expect([await seen(st[1]!), await seen(owner), await seen(st[2]!)]).toEqual([true, true, false]);
    const held = await s.as(owner).moderation.held({ params: { id: c.slug } });
    expect(held.items[0]).toMatchObject({ type: 'channel_message', id: m.id, moderation_state: 'held' });
    await expectStatus(s.as(st[2]!).moderation.held({ params: { id: c.slug } }), 403, 'forbidden');
    await s.as(owner).moderation.contentAction({ body: { target_type: 'channel_message', target_id: m.id, action: 'approve' } });
    expect(await seen(st[2]!)).toBe(true);
    const log = await s.as(owner).moderation.actions({ params: { id: c.slug }, query: { action: 'content_approve' } });
    expect(log.items[0]).toMatchObject({ action: 'content_approve', target_id: m.id, user: { id: st[1] }, moderator: { id: owner } });
  });

  it('on_detect = flag posts it as written and queues a filter report', async () => {
    noThresholds();
    mod().actions.on_detect = 'flag';
    const m = await post(st[2]!, 'flag this sh1t');
    expect(m.content).toBe('flag this sh1t');
    const q = await s.as(owner).moderation.queue({ params: { id: c.slug } });
    expect(q.items.find((r) => r.target.id === m.id)).toMatchObject({ source: 'filter', reporter: null, status: 'open' });
  });

  it('by_severity overrides on_detect, and a community overrides both; its allow-list lets a word through', async () => {
    noThresholds();
    await s.as(admin).moderation.addBadWords({ body: { words: [{ word: 'bloody', severity: 'high', replacement: null }] } });
    mod().actions.by_severity.high = 'reject';
    await expectStatus(post(st[0]!, 'bloody hell'), 422, 'content_rejected');
    expect((await post(st[0]!, 'darn')).content).toBe('****');
    const words = {
      words: [{ word: 'zorp', severity: 'low' as const, replacement: null }],
      allow: ['darn'],
      actions: { high: 'censor' as const },
    };
    await expectStatus(s.as(st[0]!).moderation.setWords({ params: { id: c.slug }, body: words }), 403, 'forbidden');
    expect(await s.as(owner).moderation.setWords({ params: { id: c.slug }, body: words })).toEqual(words);
    expect((await post(st[0]!, 'bloody zorp darn')).content).toBe('****** **** darn');
    expect(await s.as(owner).moderation.words({ params: { id: c.slug } })).toEqual(words);
    const list = await s.as(st[0]!).moderation.wordList({ query: { community_id: c.id } });
    expect(list.words.map((w) => w.word)).toEqual(expect.arrayContaining(['zorp', 'bloody', 'shit']));
    expect(list.words.map((w) => w.word)).not.toContain('darn');
    await s.as(owner).moderation.setWords({ params: { id: c.slug }, body: { words: [], allow: [], actions: {} } });
  });

  it('filter_dms = false leaves DMs alone; by default they are filtered too, and group titles are censored', async () => {
    noThresholds();
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    const dm = (content: string) => s.as(st[0]!).dm.post({ params: { threadId: t.id }, body: { content } });
    expect((await dm('darn')).content).toBe('****');
    mod().filter_dms = false;
    expect((await dm('darn')).content).toBe('darn');
  });

  it('filters uploaded file names, channel names and topics, and refuses them under reject', async () => {
    noThresholds();
    const up = async (name: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(Buffer.from('notes'))], { type: 'text/plain' }), name);
      const res = await fetch(`${s.url}/api/communities/uploads?purpose=channel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(st[0]!)}` },
        body: form,
      });
      return { status: res.status, body: (await res.json()) as { original_name?: string; error?: { code: string } } };
    };
    expect((await up('darn-notes.txt')).body.original_name).toBe('****-notes.txt');
    const ch = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'darn-chat', topic: 'sh1t talk' } });
    expect([ch.name, ch.topic]).toEqual(['****-chat', '**** talk']);
    mod().actions.on_detect = 'reject';
    expect(await up('darn.txt')).toMatchObject({ status: 422, body: { error: { code: 'content_rejected' } } });
    await expectStatus(s.as(owner).communities.update({ params: { id: c.slug }, body: { description: 'darn' } }), 422, 'content_rejected');
  });

  it('a held feed post and comment are seen by their authors and the moderators only', async () => {
    noThresholds();
    mod().actions.on_detect = 'hold';
    const p = await s.as(st[0]!).feed.post({ params: { id: c.slug }, body: { content: 'held sh1t post' } });
    const ok = await s.as(owner).feed.post({ params: { id: c.slug }, body: { content: 'a clean post' } });
    const cm = await s.as(st[0]!).feed.comment({ params: { itemId: ok.id }, body: { content: 'held sh1t comment' } });
    const feedOf = async (u: number) => (await s.as(u).feed.communityFeed({ params: { id: c.slug } })).items.map((x) => x.id);
    const commentsOf = async (u: number) => (await s.as(u).feed.comments({ params: { itemId: ok.id } })).items.map((x) => x.id);
    expect((await feedOf(st[0]!)).includes(p.id)).toBe(true);
    expect((await feedOf(owner)).includes(p.id)).toBe(true);
    expect((await feedOf(st[1]!)).includes(p.id)).toBe(false);
    expect([
      (await commentsOf(st[0]!)).includes(cm.id),
      (await commentsOf(owner)).includes(cm.id),
      (await commentsOf(st[1]!)).includes(cm.id),
    ]).toEqual([true, true, false]);
  });

  it('also filters feed posts and comments', async () => {
    noThresholds();
    const p = await s.as(st[0]!).feed.post({ params: { id: c.slug }, body: { content: 'feed sh1t' } });
    expect(p.content).toBe('feed ****');
    const cm = await s.as(st[1]!).feed.comment({ params: { itemId: p.id }, body: { content: 'c0ck' } });
    expect(cm.content).toBe('****');
  });
});

describe('spam rules', () => {
  it('repeat_count within repeat_window_seconds, with spam.action', async () => {
    noThresholds();
    Object.assign(mod().spam, { repeat_count: 3, repeat_window_seconds: 60, action: 'reject' });
    await post(st[3]!, 'buy my course');
    await post(st[3]!, 'buy my course');
    const e = await expectStatus(post(st[3]!, 'buy my course'), 422, 'content_rejected');
    expect(e.details).toMatchObject({ rule: 'spam_repeat' });
    mod().spam.repeat_window_seconds = 1;
    const real = s.ctx.clock;
    s.ctx.clock = { now: () => new Date(real.now().getTime() + 5000) };
    try {
      await post(st[3]!, 'buy my course');
    } finally {
      s.ctx.clock = real;
    }
  });

  it('repeats count what is stored: a nonce retried is one post, an edited post counts with its new text', async () => {
    noThresholds();
    Object.assign(mod().spam, { repeat_count: 3, repeat_window_seconds: 60, action: 'reject' });
    const send = (content: string, nonce?: string) =>
      s.as(st[8]!).channels.post({ params: { channelId: general }, body: { content, ...(nonce ? { nonce } : {}) } });
    // A send retried with its nonce answers the stored message: still one post.
    const first = await send('join my server', 'retry-nonce-1');
    expect((await send('join my server', 'retry-nonce-1')).id).toBe(first.id);
    await send('join my server');
    await expectStatus(send('join my server'), 422, 'content_rejected');
    // The second copy edited to other words no longer counts as a copy.
    const other = await send('ask me anything');
    await send('ask me anything');
    await s.as(st[8]!).channels.edit({ params: { messageId: other.id }, body: { content: 'something else' } });
    await send('ask me anything');
    await expectStatus(send('ask me anything'), 422, 'content_rejected');
  });

  it('max_mentions, and new_member_link_days (flag puts it in the queue)', async () => {
    noThresholds();
    mod().spam.max_mentions = 2;
    const mentions = st
      .slice(0, 3)
      .map((u) => `@[x](user:${u})`)
      .join(' ');
    await expectStatus(post(st[4]!, mentions), 422, 'content_rejected');
    mod().spam.max_mentions = 10;
    await post(st[4]!, mentions);
    Object.assign(mod().spam, { new_member_link_days: 3, action: 'flag' });
    const m = await post(st[4]!, 'see https://spam.example');
    const q = await s.as(owner).moderation.queue({ params: { id: c.slug } });
    expect(q.items.find((r) => r.target.id === m.id)).toMatchObject({ source: 'spam', reason: 'flagged: spam_links' });
    mod().spam.new_member_link_days = 0;
    await post(st[4]!, 'see https://fine.example');
  });
});

describe('automatic thresholds', () => {
  it('auto_mute_threshold mutes for auto_mute_minutes with a reason; the 403 says why and until when; the job lifts it', async () => {
    const victim = st[5]!;
    Object.assign(mod().actions, { auto_mute_threshold: 2, auto_ban_threshold: 0, auto_mute_minutes: 10, window_days: 30 });
    await post(victim, 'darn');
    await post(victim, 'darn');
    await s.ctx.bus.idle();
    const e = await expectStatus(post(victim, 'hello'), 403, 'forbidden');
    expect(e.details).toMatchObject({ reason: 'muted', scope: 'community', sanction_reason: 'automatic: 2 violations in 30 days' });
    const until = Date.parse(e.details.until as string);
    expect(until - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const active = await s.as(owner).moderation.sanctions({ params: { id: c.slug } });
    expect(active.items.find((x) => x.user.id === victim)).toMatchObject({ action: 'mute', source: 'auto', moderator: null });

    // Eleven minutes later the expiry job lifts it.
    const real = s.ctx.clock;
    s.ctx.clock = { now: () => new Date(real.now().getTime() + 11 * 60_000) };
    try {
      await s.ctx.queue.enqueue('moderation', EXPIRE_JOB, {});
      await s.ctx.queue.processAll();
      const m = await s.ctx.db.db
        .selectFrom('community_members')
        .select(['status', 'mute_expires_at'])
        .where('community_id', '=', c.id)
        .where('user_id', '=', victim)
        .executeTakeFirstOrThrow();
      expect(m).toEqual({ status: 'active', mute_expires_at: null });
      const log = await s.as(owner).moderation.actions({ params: { id: c.slug }, query: { user_id: victim, action: 'unmute' } });
      expect(log.items[0]).toMatchObject({ source: 'job', reason: 'expired', moderator: null });
    } finally {
      s.ctx.clock = real;
    }
  });

  it('window_days: violations older than the window do not count; auto_ban_threshold bans for auto_ban_minutes', async () => {
    const victim = st[6]!;
    Object.assign(mod().actions, { auto_mute_threshold: 0, auto_ban_threshold: 2, auto_ban_minutes: 60, window_days: 1 });
    const real = s.ctx.clock;
    s.ctx.clock = { now: () => new Date(real.now().getTime() - 2 * 86_400_000) };
    try {
      await post(victim, 'darn');
    } finally {
      s.ctx.clock = real;
    }
    await s.ctx.bus.idle();
    await post(victim, 'darn');
    await s.ctx.bus.idle();
    await post(victim, 'fine'); // one violation in the window: not banned yet
    await post(victim, 'darn');
    await s.ctx.bus.idle();
    // Banned from a public community: its channels answer 404, its feed says why (403).
    await expectStatus(post(victim, 'hello'), 404);
    const e = await expectStatus(s.as(victim).feed.post({ params: { id: c.slug }, body: { content: 'hello' } }), 403, 'forbidden');
    expect(e.details).toMatchObject({ reason: 'banned', sanction_reason: 'automatic: 2 violations in 1 days' });
    expect(Date.parse(e.details.until as string) - Date.now()).toBeGreaterThan(59 * 60_000);
  });
});

describe('reports', () => {
  it('anyone who can see it reports it once; a second open report is 409; what they cannot see is 404', async () => {
    noThresholds();
    const m = await post(st[0]!, 'a perfectly rude message');
    const r = await s
      .as(st[1]!)
      .moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'harassment', note: 'rude' } });
    expect(r).toMatchObject({ status: 'open', reason: 'harassment', note: 'rude', outcome: null });
    const dup = await expectStatus(
      s.as(st[1]!).moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'spam' } }),
      409,
      'conflict',
    );
    expect(dup.details).toEqual({ reason: 'already_reported', report_id: r.id });
    await s.as(st[2]!).moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'spam' } });
    const secret = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'staff-only', is_private: true } });
    const hidden = await post(owner, 'staff talk', secret.id);
    await expectStatus(
      s.as(st[1]!).moderation.report({ body: { target_type: 'channel_message', target_id: hidden.id, reason: 'spam' } }),
      404,
      'not_found',
    );
    await expectStatus(
      s.as(st[1]!).moderation.report({ body: { target_type: 'channel_message', target_id: 999_999, reason: 'spam' } }),
      404,
    );
    await expectStatus(
      s.as(st[1]!).moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'nope' as 'spam' } }),
      422,
      'validation_failed',
    );

    // The queue: moderators only, with the content inline and how many reported it.
    await expectStatus(s.as(st[1]!).moderation.queue({ params: { id: c.slug } }), 403, 'forbidden');
    const q = await s.as(owner).moderation.queue({ params: { id: c.slug } });
    const mine = q.items.find((x) => x.id === r.id)!;
    expect(mine).toMatchObject({
      reporter: { id: st[1] },
      target: { type: 'channel_message', id: m.id, content: 'a perfectly rude message', author: { id: st[0] } },
      open_reports_on_target: 2,
    });
    await expectStatus(s.as(st[2]!).moderation.updateReport({ params: { reportId: r.id }, body: { status: 'resolved' } }), 404);
    const reviewing = await s.as(owner).moderation.updateReport({ params: { reportId: r.id }, body: { status: 'reviewing' } });
    expect(reviewing.assigned_to).toMatchObject({ id: owner });
    await s
      .as(owner)
      .moderation.updateReport({ params: { reportId: r.id }, body: { status: 'resolved', resolution_notes: 'Warned the author' } });
    // The reporter sees the outcome, and may report again now that it is closed.
    const back = await s.as(st[1]!).moderation.myReports();
    expect(back.items.find((x) => x.id === r.id)).toMatchObject({ status: 'resolved', outcome: 'Warned the author' });
    expect(Object.keys(back.items[0]!)).not.toContain('reporter');
    await s.as(st[1]!).moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'spam' } });
  });

  it('DM reports reach the global queue only; an admin sees a bounded window (dm_context_messages), audit-logged', async () => {
    noThresholds();
    mod().dm_context_messages = 2;
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await s.as(st[0]!).dm.post({ params: { threadId: t.id }, body: { content: `m${i}` } })).id);
    await expectStatus(s.as(st[2]!).moderation.report({ body: { target_type: 'dm_message', target_id: ids[3]!, reason: 'spam' } }), 404);
    const r = await s.as(st[1]!).moderation.report({ body: { target_type: 'dm_message', target_id: ids[3]!, reason: 'harassment' } });
    await expectStatus(s.as(owner).moderation.getReport({ params: { reportId: r.id } }), 404);
    await expectStatus(s.as(owner).moderation.globalQueue(), 403);
    const g = await s.as(admin).moderation.globalQueue({ query: { target_type: 'dm_message' } });
    expect(g.items.map((x) => x.id)).toContain(r.id);
    const d = await s.as(admin).moderation.getReport({ params: { reportId: r.id } });
    expect(d.context.map((x) => x.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(d.context.find((x) => x.is_target)?.id).toBe(ids[3]);
    const log = await s.as(admin).moderation.globalActions({ query: { action: 'dm_view', moderator_id: admin } });
    expect(log.items[0]).toMatchObject({ action: 'dm_view', target_type: 'dm_message', target_id: ids[3], user: { id: st[0] } });
  });
});

describe('sanctions', () => {
  it('a moderator mutes for 10 minutes with a reason; the member sees why and until when; a warning and a kick are logged', async () => {
    noThresholds();
    const u = st[7]!;
    await s
      .as(owner)
      .communities.updateMember({ params: { id: c.slug, userId: u }, body: { status: 'muted', reason: 'spam', duration_minutes: 10 } });
    const e = await expectStatus(post(u, 'hi'), 403, 'forbidden');
    expect(e.details).toMatchObject({ reason: 'muted', sanction_reason: 'spam', scope: 'community' });
    expect(Date.parse(e.details.until as string)).toBeGreaterThan(Date.now() + 9 * 60_000);
    await expectStatus(s.as(st[0]!).moderation.warn({ params: { id: c.slug, userId: u }, body: { reason: 'be nice' } }), 403);
    await s.as(owner).moderation.warn({ params: { id: c.slug, userId: u }, body: { reason: 'be nice' } });
    await s.as(owner).communities.removeMember({ params: { id: c.slug, userId: u }, query: { reason: 'trolling' } });
    const log = await s.as(owner).moderation.actions({ params: { id: c.slug }, query: { user_id: u } });
    expect(log.items.map((x) => [x.action, x.reason])).toEqual([
      ['kick', 'trolling'],
      ['warning', 'be nice'],
      ['mute', 'spam'],
    ]);
    // The CSV export carries the same rows, filtered the same way.
    const res = await fetch(`${s.url}/api/communities/${c.slug}/moderation/actions/export?user_id=${u}`, {
      headers: { authorization: `Bearer ${await s.token(owner)}` },
    });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('"kick"');
    const outsider = await fetch(`${s.url}/api/communities/${c.slug}/moderation/actions/export`, {
      headers: { authorization: `Bearer ${await s.token(st[0]!)}` },
    });
    expect(outsider.status).toBe(403);
    await addMember(s, c.id, u);
  });

  it('a banned member cannot come back through an invite or a course auto-join', async () => {
    const course = s.demo.courseIds[0]!;
    let u = 0;
    for (const x of st) if (!u && (await s.ctx.host.access.hasCourse(x, course))) u = x;
    expect(u).toBeGreaterThan(0);
    const priv = await makeCommunity(s, { visibility: 'private', name: 'Private Mod' });
    const inv = await s.as(owner).communities.createInvite({ params: { id: priv.slug }, body: {} });
    await s.as(u).communities.join({ params: { id: priv.slug }, body: { invite_token: inv.token } });
    await s.as(owner).communities.updateMember({ params: { id: priv.slug, userId: u }, body: { status: 'banned', reason: 'abuse' } });
    await expectStatus(s.as(u).communities.join({ params: { id: priv.slug }, body: { invite_token: inv.token } }), 404);
    await s.as(owner).communities.linkCourse({
      params: { id: priv.slug },
      body: { course_id: course, course_type: 'course', link_type: 'primary', auto_join: true },
    });
    await s.ctx.hostSync.runOnce();
    const row = await s.ctx.db.db
      .selectFrom('community_members')
      .select('status')
      .where('community_id', '=', priv.id)
      .where('user_id', '=', u)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('banned');
    // The sync did run the auto-join: the course's other students came in.
    const joined = await s.ctx.db.db
      .selectFrom('community_members')
      .select('user_id')
      .where('community_id', '=', priv.id)
      .where('source', '=', 'course')
      .execute();
    expect(joined.length).toBeGreaterThan(0);
  });

  it('site admins warn, mute and ban site-wide, list and lift; others get 403', async () => {
    const u = st[0]!;
    await expectStatus(s.as(owner).moderation.sanctionSite({ body: { user_id: u, action: 'ban', reason: 'x' } }), 403);
    const ban = await s.as(admin).moderation.sanctionSite({ body: { user_id: u, action: 'ban', reason: 'fraud', duration_minutes: 60 } });
    expect(ban).toMatchObject({ action: 'ban', community_id: null, reason: 'fraud', user: { id: u } });
    const e = await expectStatus(s.as(u).feed.post({ params: { id: c.slug }, body: { content: 'hi' } }), 403, 'forbidden');
    expect(e.details).toMatchObject({ reason: 'banned', scope: 'site', sanction_reason: 'fraud' });
    const list = await s.as(admin).moderation.siteSanctions();
    expect(list.items.map((x) => x.id)).toContain(ban.id);
    await s.as(admin).moderation.liftSiteSanction({ params: { sanctionId: ban.id } });
    await post(u, 'back again');
    await expectStatus(s.as(admin).moderation.liftSiteSanction({ params: { sanctionId: ban.id } }), 404);
  });
});

describe('bad words (site admins)', () => {
  it('add (import), list, search, delete; the filter follows at once', async () => {
    noThresholds();
    await expectStatus(s.as(owner).moderation.badWords(), 403);
    const r = await s.as(admin).moderation.addBadWords({
      body: {
        words: [
          { word: 'Grok', severity: 'low', replacement: null },
          { word: 'blarg', severity: 'high', replacement: 'b***g' },
        ],
      },
    });
    expect(r).toEqual({ added: 2, updated: 0 });
    expect(
      await s.as(admin).moderation.addBadWords({ body: { words: [{ word: 'grok', severity: 'medium', replacement: null }] } }),
    ).toEqual({
      added: 0,
      updated: 1,
    });
    const found = await s.as(admin).moderation.badWords({ query: { q: 'gro' } });
    expect(found.items.map((w) => [w.word, w.severity])).toEqual([['grok', 'medium']]);
    expect((await post(st[1]!, 'gr0k blarg')).content).toBe('**** b***g');
    await s.as(admin).moderation.deleteBadWord({ params: { wordId: found.items[0]!.id } });
    expect((await post(st[1]!, 'grok')).content).toBe('grok');
    await expectStatus(s.as(admin).moderation.deleteBadWord({ params: { wordId: found.items[0]!.id } }), 404);
  });
});
