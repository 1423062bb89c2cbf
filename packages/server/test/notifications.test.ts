import { applyNotificationPrefsPatch } from '@communities/client';
import {
  NOTIFICATION_KINDS,
  NOTIFICATION_LEVELS,
  type Channel,
  type Notification,
  type NotificationPrefsPatch,
} from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;
let st: number[];
let c: { id: number; slug: string };
let general: Channel;

const mention = (id: number) => `@[someone](user:${id})`;
const post = (user: number, channelId: number, content: string, extra: Record<string, unknown> = {}) =>
  s.as(user).channels.post({ params: { channelId }, body: { content, ...extra } });
/** The user's notifications once every committed event has been delivered. */
async function inbox(user: number, srv: TestServer = s): Promise<Notification[]> {
  await srv.ctx.bus.idle();
  return (await srv.as(user).notifications.list({ query: { limit: 100 } })).items;
}
const about = (items: Notification[], messageId: number) => items.filter((n) => n.message_id === messageId);

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { messages: { max: 1000, window_seconds: 1 } } });
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
  c = await makeCommunity(s, { name: 'Bell Town' });
  await addMember(s, c.id, st[0]!);
  await addMember(s, c.id, st[1]!, 'moderator');
  await addMember(s, c.id, st[2]!);
  await addMember(s, c.id, st[3]!);
  await addMember(s, c.id, st[4]!);
  const list = await s.as(st[0]!).channels.list({ params: { id: c.slug } });
  general = list.items.find((ch) => ch.slug === 'general')!;
});
afterAll(async () => s.close());

describe('mentions', () => {
  it('a mention reaches the named member with what a client needs to jump to it; the author hears nothing', async () => {
    const m = await post(st[0]!, general.id, `hello ${mention(st[2]!)} read this`);
    const mine = about(await inbox(st[2]!), m.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      kind: 'mention',
      community_id: c.id,
      channel_id: general.id,
      message_id: m.id,
      read: false,
      count: 1,
      actor: { id: st[0] },
      data: { via: 'user', title_key: 'mention_title' },
    });
    expect(mine[0]!.body).toContain('read this');
    expect(about(await inbox(st[0]!), m.id)).toEqual([]);
  });

  it('unread count, paging by keyset, and marking read by ids and all', async () => {
    const u = st[3]!;
    for (let i = 0; i < 3; i++) await post(st[0]!, general.id, `ping ${i} ${mention(u)}`);
    await s.ctx.bus.idle();
    const first = await s.as(u).notifications.list({ query: { limit: 2 } });
    expect(first.items).toHaveLength(2);
    expect(first.unread_count).toBeGreaterThanOrEqual(3);
    const second = await s.as(u).notifications.list({ query: { limit: 2, cursor: first.next_cursor! } });
    expect(second.items[0]!.id).toBeLessThan(first.items[1]!.id);
    const after = await s.as(u).notifications.markRead({ body: { ids: [first.items[0]!.id] } });
    expect(after.unread_count).toBe(first.unread_count - 1);
    // Someone else's ids change nothing of theirs.
    await s.as(st[4]!).notifications.markRead({ body: { ids: [first.items[1]!.id] } });
    expect((await s.as(u).notifications.list({ query: { limit: 2 } })).unread_count).toBe(first.unread_count - 1);
    expect((await s.as(u).notifications.markRead({ body: { all: true } })).unread_count).toBe(0);
    const unread = await s.as(u).notifications.list({ query: { limit: 10, unread: 'true' } });
    expect(unread.items).toEqual([]);
    await expectStatus(s.as(u).notifications.markRead({ body: {} }), 422);
  });

  it('@everyone from a moderator reaches every member who can read the channel; from a plain member it is plain text', async () => {
    const m = await post(st[1]!, general.id, '@everyone class starts at 9');
    for (const u of [owner, st[0]!, st[2]!, st[4]!]) {
      const mine = about(await inbox(u), m.id);
      expect(mine, `user ${u}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ kind: 'mention', data: { via: 'everyone' } });
    }
    expect(about(await inbox(st[1]!), m.id)).toEqual([]);
    const plain = await post(st[0]!, general.id, '@everyone look');
    expect(about(await inbox(st[2]!), plain.id)).toEqual([]);
  });

  it('@everyone in a community of 2,500 members reaches each of them once (members are judged a thousand at a time)', async () => {
    const big = await makeCommunity(s, { name: 'Big Hall' });
    const role = await s.ctx.db.db
      .selectFrom('community_roles')
      .select('id')
      .where('community_id', '=', big.id)
      .where('slug', '=', 'member')
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const ids = Array.from({ length: 2500 }, (_, i) => 500_000 + i);
    for (let i = 0; i < ids.length; i += 500)
      await s.ctx.db.db
        .insertInto('community_members')
        .values(
          ids.slice(i, i + 500).map((user_id) => ({
            community_id: big.id,
            user_id,
            role_id: role.id,
            joined_at: now,
            status: 'active',
            source: 'join',
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    const hall = (await s.as(owner).channels.list({ params: { id: big.slug } })).items.find((x) => x.slug === 'general')!;
    const m = await post(owner, hall.id, '@everyone welcome to the hall');
    await s.ctx.bus.idle();
    const rows = await s.ctx.db.db.selectFrom('community_notifications').select('user_id').where('message_id', '=', m.id).execute();
    expect(rows).toHaveLength(2500);
    expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set(ids));
  });

  it('a mention in a private channel does not notify a member who cannot read it (nor does @everyone there)', async () => {
    const secret = await s.as(owner).channels.create({
      params: { id: c.slug },
      body: { name: `mods-${Date.now()}`, is_private: true, allowed_role_slugs: ['moderator'] },
    });
    const m = await post(owner, secret.id, `${mention(st[2]!)} ${mention(st[1]!)} @everyone private stuff`);
    expect(about(await inbox(st[2]!), m.id)).toEqual([]);
    expect(about(await inbox(st[1]!), m.id)).toHaveLength(1);
  });

  it('a reply notifies the author of the message replied to, once even when they are also mentioned', async () => {
    const q = await post(st[2]!, general.id, 'how do I submit?');
    const a = await post(st[0]!, general.id, 'like this', { reply_to_id: q.id });
    const both = await post(st[0]!, general.id, `${mention(st[2]!)} see above`, { reply_to_id: q.id });
    const items = await inbox(st[2]!);
    expect(about(items, a.id)).toMatchObject([{ kind: 'reply', actor: { id: st[0] } }]);
    expect(about(items, both.id)).toHaveLength(1);
    expect(about(items, both.id)[0]!.kind).toBe('mention');
  });
});

describe('reactions', () => {
  it('reactions on one post coalesce into one item that counts the reactors (a repeated reactor counts once)', async () => {
    const m = await post(st[4]!, general.id, 'my project is done');
    await s.as(st[0]!).channels.react({ params: { messageId: m.id }, body: { emoji: '🎉' } });
    await s.ctx.bus.idle();
    await s.as(st[2]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
    await s.as(st[0]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
    const items = about(await inbox(st[4]!), m.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'reaction', count: 2 });
    expect(items[0]!.title).toMatch(/and 1 more reacted/);
  });
});

describe('rules', () => {
  it('a recipient who blocked the author hears nothing from them', async () => {
    const u = st[3]!;
    await s.as(u).dm.block({ params: { userId: st[4]! } });
    const m = await post(st[4]!, general.id, `${mention(u)} hey`);
    expect(about(await inbox(u), m.id)).toEqual([]);
    await s.as(u).dm.unblock({ params: { userId: st[4]! } });
    const again = await post(st[4]!, general.id, `${mention(u)} hey again`);
    expect(about(await inbox(u), again.id)).toHaveLength(1);
  });

  it('muting a community or a channel silences it; "only @mentions" drops reactions but keeps mentions', async () => {
    const u = st[0]!;
    await s.as(u).notifications.updatePreferences({ body: { community_id: c.id, muted: true } });
    const m1 = await post(st[2]!, general.id, `${mention(u)} muted?`);
    expect(about(await inbox(u), m1.id)).toEqual([]);
    await s.as(u).notifications.updatePreferences({ body: { community_id: c.id, muted: false } });
    await s.as(u).notifications.updatePreferences({ body: { community_id: c.id, channel_id: general.id, muted: true } });
    const m2 = await post(st[2]!, general.id, `${mention(u)} channel muted?`);
    expect(about(await inbox(u), m2.id)).toEqual([]);
    await s
      .as(u)
      .notifications.updatePreferences({ body: { community_id: c.id, channel_id: general.id, muted: false, level: 'mentions' } });
    const mine = await post(u, general.id, 'react to me');
    await s.as(st[2]!).channels.react({ params: { messageId: mine.id }, body: { emoji: '👍' } });
    const m3 = await post(st[2]!, general.id, `${mention(u)} still heard`);
    const items = await inbox(u);
    expect(about(items, mine.id)).toEqual([]);
    expect(about(items, m3.id)).toHaveLength(1);
    const prefs = await s.as(u).notifications.preferences();
    expect(prefs.scopes).toContainEqual({
      community_id: c.id,
      community_name: 'Bell Town',
      channel_id: general.id,
      channel_name: general.name,
      muted: false,
      level: 'mentions',
    });
    await s.as(u).notifications.updatePreferences({ body: { community_id: c.id, channel_id: general.id, level: null } });
  });

  it('per-kind switches: a kind turned off in the bell is not stored', async () => {
    const u = st[2]!;
    const prefs = await s.as(u).notifications.updatePreferences({ body: { kinds: { reply: { in_app: false, host: false } } } });
    expect(prefs.kinds.reply).toEqual({ in_app: false, host: false });
    const q = await post(u, general.id, 'question');
    const a = await post(st[0]!, general.id, 'answer', { reply_to_id: q.id });
    expect(about(await inbox(u), a.id)).toEqual([]);
    await s.as(u).notifications.updatePreferences({ body: { kinds: { reply: { in_app: true, host: true } } } });
  });

  it('the default level "nothing" silences community chatter but not what concerns the user themself', async () => {
    const u = st[4]!;
    await s.as(u).notifications.updatePreferences({ body: { level: 'nothing' } });
    const m = await post(st[0]!, general.id, `${mention(u)} anyone?`);
    await s.as(owner).moderation.warn({ params: { id: c.slug, userId: u }, body: { reason: 'be kind' } });
    const items = await inbox(u);
    expect(about(items, m.id)).toEqual([]);
    expect(items.find((n) => n.kind === 'sanction')).toMatchObject({ body: 'be kind', data: { action: 'warning' } });
    await s.as(u).notifications.updatePreferences({ body: { level: 'all' } });
  });

  it('content the recipient can no longer see loses its body and links (channel made private, member removed)', async () => {
    const u = st[3]!;
    const ch = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: `later-${Date.now()}` } });
    const m = await post(owner, ch.id, `${mention(u)} the answer is 42`);
    expect(about(await inbox(u), m.id)[0]!.body).toContain('42');
    await s.as(owner).channels.update({ params: { channelId: ch.id }, body: { is_private: true, allowed_role_slugs: ['moderator'] } });
    const items = await inbox(u);
    const hidden = items.find((n) => n.kind === 'mention' && n.body === null && n.data.unavailable === true);
    expect(hidden).toBeDefined();
    expect(hidden!.channel_id).toBeNull();
    expect(hidden!.message_id).toBeNull();
    expect(JSON.stringify(items)).not.toContain('the answer is 42');
  });

  it("a client's preview of a save (applyNotificationPrefsPatch, what the switches show before the answer) is what the server answers", async () => {
    const u = st[3]!;
    const other = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: `preview-${Date.now()}` } });
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    let prefs = await s.as(u).notifications.preferences();
    for (let i = 0; i < 60; i++) {
      const patch: NotificationPrefsPatch =
        rand(2) === 0
          ? {
              ...(rand(2) ? { level: pick(NOTIFICATION_LEVELS) } : {}),
              kinds: { [pick(NOTIFICATION_KINDS)]: rand(2) ? { in_app: rand(2) === 1 } : { in_app: rand(2) === 1, host: rand(2) === 1 } },
            }
          : {
              community_id: c.id,
              ...(rand(2) ? { channel_id: pick([general.id, other.id]) } : {}),
              ...(rand(2) ? { muted: rand(2) === 1 } : {}),
              ...(rand(2) ? { level: pick([null, ...NOTIFICATION_LEVELS]) } : {}),
            };
      const names = {
        community_name: 'Bell Town',
        channel_name: patch.channel_id ? (patch.channel_id === general.id ? general.name : other.name) : null,
      };
      const preview = applyNotificationPrefsPatch(prefs, patch, names);
      prefs = await s.as(u).notifications.updatePreferences({ body: patch });
      expect(preview, JSON.stringify(patch)).toEqual(prefs);
    }
    // Back to the defaults, for the tests after this one.
    for (const sc of prefs.scopes)
      await s.as(u).notifications.updatePreferences({
        body: { community_id: sc.community_id, ...(sc.channel_id ? { channel_id: sc.channel_id } : {}), muted: false, level: null },
      });
    const on = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { in_app: true, host: true }]));
    expect((await s.as(u).notifications.updatePreferences({ body: { level: 'all', kinds: on } })).scopes).toEqual([]);
  });

  it('an override is listed, by name, only while the caller can see its channel', async () => {
    const u = st[4]!;
    const ch = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: `quiet-${Date.now()}` } });
    await s.as(u).notifications.updatePreferences({ body: { community_id: c.id, channel_id: ch.id, muted: true } });
    expect((await s.as(u).notifications.preferences()).scopes).toContainEqual(
      expect.objectContaining({ channel_id: ch.id, channel_name: ch.name, community_name: 'Bell Town', muted: true }),
    );
    await s.as(owner).channels.update({ params: { channelId: ch.id }, body: { is_private: true, allowed_role_slugs: ['moderator'] } });
    const after = await s.as(u).notifications.preferences();
    expect(after.scopes.map((x) => x.channel_id)).not.toContain(ch.id);
    expect(JSON.stringify(after)).not.toContain(ch.name);
  });

  it('preferences for a community or channel the caller cannot see are 404', async () => {
    const hidden = await makeCommunity(s, { visibility: 'hidden' });
    await expectStatus(s.as(st[5]!).notifications.updatePreferences({ body: { community_id: hidden.id, muted: true } }), 404);
    const secret = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: `p-${Date.now()}`, is_private: true } });
    await expectStatus(
      s.as(st[0]!).notifications.updatePreferences({ body: { community_id: c.id, channel_id: secret.id, muted: true } }),
      404,
    );
    await expectStatus(s.as(st[0]!).notifications.updatePreferences({ body: { muted: true } }), 422);
  });
});

describe('other kinds', () => {
  it('a DM notifies a recipient who is not connected', async () => {
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[3]!] } });
    const m = await s.as(st[0]!).dm.post({ params: { threadId: t.id }, body: { content: 'are you there?' } });
    const items = (await inbox(st[3]!)).filter((n) => n.kind === 'dm');
    expect(items).toContainEqual(expect.objectContaining({ thread_id: t.id, message_id: m.id, body: 'are you there?' }));
  });

  it('join requests reach owners and moderators; the decision reaches the requester', async () => {
    const gated = await makeCommunity(s, { settings: { join_approval: true } });
    await addMember(s, gated.id, st[6]!, 'moderator');
    const r = await s.as(st[7]!).communities.join({ params: { id: String(gated.id) }, body: {} });
    expect(r.status).toBe('pending');
    const r2 = await s.as(st[8]!).communities.join({ params: { id: String(gated.id) }, body: {} });
    expect(r2.status).toBe('pending');
    for (const u of [owner, st[6]!]) {
      const reqs = (await inbox(u)).filter((n) => n.kind === 'join_request' && n.community_id === gated.id);
      expect(reqs.map((n) => n.actor?.id)).toEqual(expect.arrayContaining([st[7], st[8]]));
    }
    await s.as(owner).communities.decideRequest({ params: { id: String(gated.id), userId: st[7]!, decision: 'approve' }, body: {} });
    await s
      .as(owner)
      .communities.decideRequest({ params: { id: String(gated.id), userId: st[8]!, decision: 'reject' }, body: { message: 'full' } });
    expect((await inbox(st[7]!)).find((n) => n.kind === 'request_decided')).toMatchObject({ data: { decision: 'approved' } });
    expect((await inbox(st[8]!)).find((n) => n.kind === 'request_decided')).toMatchObject({ data: { decision: 'rejected' }, body: 'full' });
  });

  it('a closed report tells its reporter the outcome', async () => {
    const m = await post(st[4]!, general.id, 'spammy spam');
    const report = await s.as(st[2]!).moderation.report({ body: { target_type: 'channel_message', target_id: m.id, reason: 'spam' } });
    await s.as(owner).moderation.updateReport({ params: { reportId: report.id }, body: { status: 'resolved' } });
    expect((await inbox(st[2]!)).find((n) => n.kind === 'report_outcome')).toMatchObject({
      data: { report_id: report.id, status: 'resolved' },
    });
  });

  it('level-ups and announcements', async () => {
    const u = st[9]!;
    const fresh = await makeCommunity(s);
    await addMember(s, fresh.id, u);
    await s.as(owner).feed.post({ params: { id: String(fresh.id) }, body: { content: 'Exam moved to Friday', type: 'announcement' } });
    const items = await inbox(u);
    expect(items.find((n) => n.kind === 'level_up' && n.community_id === fresh.id)).toMatchObject({ data: { level: 2 } });
    expect(items.find((n) => n.kind === 'announcement' && n.community_id === fresh.id)?.body).toContain('Exam moved');
  });

  it('delivering the same drafts again stores nothing twice (outbox redelivery)', async () => {
    const svc = s.ctx.services.notifications;
    const draft = {
      userId: st[5]!,
      kind: 'mention' as const,
      key: `redeliver:${Date.now()}`,
      actorId: st[0]!,
      communityId: c.id,
      channelId: general.id,
      title: 'mention_title',
    };
    expect(await svc.deliver([draft])).toBe(1);
    expect(await svc.deliver([draft])).toBe(0);
    const rows = await s.ctx.db.db.selectFrom('community_notifications').select('id').where('dedupe_key', '=', draft.key).execute();
    expect(rows).toHaveLength(1);
  });
});

describe("RocketLMS's notification centre", () => {
  it("writes the kinds the school chose, in the recipient's language, and nothing for kinds it left out", async () => {
    const u = st[2]!;
    await s.ctx.hostDb.updateTable('users').set({ language: 'es' }).where('id', '=', u).execute();
    await s.ctx.host.identities.getUser(u);
    const actorName = (await s.ctx.host.identities.getUser(st[0]!))!.name;
    const m = await post(st[0]!, general.id, `${mention(u)} hola`);
    await inbox(u);
    const rows = await s.ctx.hostDb
      .selectFrom('notifications')
      .select(['title', 'message'])
      .where('user_id', '=', u)
      .orderBy('id', 'desc')
      .execute();
    expect(rows).toContainEqual({ title: `${actorName} te mencionó`, message: expect.stringContaining('hola') as string });
    expect(m.id).toBeGreaterThan(0);
    // Reactions are not in notifications.host_kinds by default.
    const before = rows.length;
    await s.as(st[0]!).channels.react({ params: { messageId: (await post(u, general.id, 'mine')).id }, body: { emoji: '🔥' } });
    await inbox(u);
    const after = await s.ctx.hostDb.selectFrom('notifications').select('id').where('user_id', '=', u).execute();
    expect(after).toHaveLength(before);
  });

  it('integration.notification_channel = addon writes nothing there; a user can turn the host copy off per kind', async () => {
    const t = await startTestServer({ integration: { notification_channel: 'addon' } });
    try {
      const cc = await makeCommunity(t);
      const [a, b] = t.demo.studentIds as [number, number];
      await addMember(t, cc.id, a);
      await addMember(t, cc.id, b);
      const ch = (await t.as(a).channels.list({ params: { id: cc.slug } })).items.find((x) => x.slug === 'general')!;
      await t.as(a).channels.post({ params: { channelId: ch.id }, body: { content: `${mention(b)} hi` } });
      expect((await inbox(b, t)).filter((n) => n.kind === 'mention')).toHaveLength(1);
      expect(await t.ctx.hostDb.selectFrom('notifications').select('id').where('user_id', '=', b).execute()).toEqual([]);
      expect((await t.as(b).notifications.preferences()).allowed.mention).toEqual({ in_app: true, host: false });
    } finally {
      await t.close();
    }
    const u = st[0]!;
    await s.as(u).notifications.updatePreferences({ body: { kinds: { mention: { host: false } } } });
    const before = (await s.ctx.hostDb.selectFrom('notifications').select('id').where('user_id', '=', u).execute()).length;
    const m = await post(st[2]!, general.id, `${mention(u)} in the bell only`);
    expect(about(await inbox(u), m.id)).toHaveLength(1);
    expect(await s.ctx.hostDb.selectFrom('notifications').select('id').where('user_id', '=', u).execute()).toHaveLength(before);
  });
});
