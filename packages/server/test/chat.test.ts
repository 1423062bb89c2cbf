import type { Channel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity, recordEvents } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;
let st: number[];
let c: { id: number; slug: string };
let general: Channel;
let announcements: Channel;

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { messages: { max: 1000, window_seconds: 1 } } });
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
  c = await makeCommunity(s, { name: 'Chat Town' });
  await addMember(s, c.id, st[0]!);
  await addMember(s, c.id, st[1]!, 'moderator');
  await addMember(s, c.id, st[2]!);
  const list = await s.as(st[0]!).channels.list({ params: { id: c.slug } });
  general = list.items.find((ch) => ch.slug === 'general')!;
  announcements = list.items.find((ch) => ch.slug === 'announcements')!;
});
afterAll(async () => s.close());

const post = (user: number, channelId: number, content: string, extra: Record<string, unknown> = {}) =>
  s.as(user).channels.post({ params: { channelId }, body: { content, ...extra } });

describe('channels', () => {
  it('lists categories then their channels, with what the caller may do', async () => {
    const list = await s.as(st[0]!).channels.list({ params: { id: c.slug } });
    expect(list.items.map((ch) => [ch.type, ch.slug])).toEqual([
      ['category', expect.stringContaining('category')],
      ['text', 'general'],
      ['announcement', 'announcements'],
    ]);
    expect(general.viewer_can).toMatchObject({ post: true, manage: false });
    expect(announcements.viewer_can.post).toBe(false);
    const mine = await s.as(owner).channels.list({ params: { id: c.slug } });
    expect(mine.items.find((ch) => ch.id === announcements.id)!.viewer_can).toMatchObject({ post: true, manage: true });
  });

  it('creates, moves, reorders and deletes channels (manage_channels only)', async () => {
    await expectStatus(s.as(st[0]!).channels.create({ params: { id: c.slug }, body: { name: 'nope' } }), 403, 'forbidden');
    const cat = await s.as(owner).channels.create({ params: { id: c.slug }, body: { type: 'category', name: 'Study' } });
    // An empty category shows to those who manage channels (to drop channels into), not to members.
    expect((await s.as(owner).channels.list({ params: { id: c.slug } })).items.map((x) => x.id)).toContain(cat.id);
    expect((await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.map((x) => x.id)).not.toContain(cat.id);
    const ch = await s
      .as(owner)
      .channels.create({ params: { id: c.slug }, body: { name: 'Homework Help', parent_id: cat.id, topic: 'Ask away' } });
    expect(ch).toMatchObject({ slug: 'homework-help', parent_id: cat.id, topic: 'Ask away', type: 'text' });
    const dup = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'Homework help' } });
    expect(dup.slug).toBe('homework-help-2');
    await expectStatus(s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'x', parent_id: general.id } }), 422);
    const order = await s.as(owner).channels.reorder({
      params: { id: c.slug },
      body: {
        items: [
          { id: dup.id, parent_id: cat.id, position: 0 },
          { id: ch.id, parent_id: cat.id, position: 1 },
        ],
      },
    });
    const inCat = order.items.filter((x) => x.parent_id === cat.id).map((x) => x.id);
    expect(inCat).toEqual([dup.id, ch.id]);
    const renamed = await s.as(owner).channels.update({ params: { channelId: ch.id }, body: { name: 'Homework', slow_mode_seconds: 5 } });
    expect(renamed).toMatchObject({ slug: 'homework', slow_mode_seconds: 5 });
    await s.as(owner).channels.remove({ params: { channelId: dup.id } });
    await expectStatus(s.as(owner).channels.get({ params: { channelId: dup.id } }), 404);
  });

  it('a moderator cannot move a channel they may not see (tier-gated): unknown, as a missing one', async () => {
    const gated = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'backstage' } });
    await s.ctx.db.db
      .updateTable('channels')
      .set({ settings: JSON.stringify({ required_tier_ids: [424242] }) })
      .where('id', '=', gated.id)
      .execute();
    const move = (id: number) =>
      s.as(st[1]!).channels.reorder({ params: { id: c.slug }, body: { items: [{ id, parent_id: null, position: 7 }] } });
    const hidden = await expectStatus(move(gated.id), 422, 'validation_failed');
    const missing = await expectStatus(move(99_999_999), 422, 'validation_failed');
    expect([hidden.message, hidden.issues]).toEqual([missing.message, missing.issues]);
    const row = await s.ctx.db.db.selectFrom('channels').select('position').where('id', '=', gated.id).executeTakeFirstOrThrow();
    expect(row.position).toBe(gated.position);
    await s.as(st[1]!).channels.reorder({
      params: { id: c.slug },
      body: { items: [{ id: general.id, parent_id: general.parent_id, position: general.position }] },
    });
  });

  it('hides private channels from those not allowed: 404, and absent from the list', async () => {
    const secret = await s.as(owner).channels.create({
      params: { id: c.slug },
      body: { name: 'mods-only', is_private: true, allowed_role_slugs: ['moderator'] },
    });
    await expectStatus(s.as(st[0]!).channels.get({ params: { channelId: secret.id } }), 404, 'not_found');
    await expectStatus(s.as(st[0]!).channels.messages({ params: { channelId: secret.id } }), 404);
    await expectStatus(post(st[0]!, secret.id, 'sneaky'), 404);
    expect((await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.map((x) => x.id)).not.toContain(secret.id);
    expect((await s.as(st[1]!).channels.get({ params: { channelId: secret.id } })).name).toBe('mods-only');
    await expectStatus(s.as(st[5]!).channels.get({ params: { channelId: secret.id } }), 404);
  });

  it('slow mode makes members wait (429 with Retry-After); managers are exempt', async () => {
    const slow = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'slow', slow_mode_seconds: 60 } });
    await post(st[0]!, slow.id, 'first');
    const e = await expectStatus(post(st[0]!, slow.id, 'second'), 429, 'rate_limited');
    expect(e.retryAfterSeconds).toBeGreaterThan(50);
    await post(owner, slow.id, 'one');
    await post(owner, slow.id, 'two');
  });
});

describe('messages', () => {
  it('posts with mentions and a reply; MessagePosted after commit; the same nonce returns the same message', async () => {
    const events = recordEvents(s);
    const first = await post(st[0]!, general.id, 'Hello **all**');
    const body = { content: 'Hi @[Marcus](user:' + st[2] + ')', reply_to_id: first.id, nonce: 'chat-nonce-0001' };
    const m = await post(st[1]!, general.id, body.content, body);
    expect(m).toMatchObject({
      channel_id: general.id,
      mentions: [st[2]],
      reply_to: { id: first.id, author: { id: st[0] }, excerpt: 'Hello all' },
      nonce: 'chat-nonce-0001',
      viewer_can: { edit: true, delete: true },
    });
    const again = await post(st[1]!, general.id, body.content, body);
    expect(again.id).toBe(m.id);
    const racing = await Promise.all([1, 2, 3].map(() => post(st[1]!, general.id, 'race', { nonce: 'chat-nonce-race' })));
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    await s.ctx.bus.idle();
    expect(events.of('MessagePosted').filter((e) => e.payload.channel_id === general.id).length).toBe(3);
    events.off();
  });

  it('enforces length, announcement and mute rules; writes nothing on refusal', async () => {
    const long = 'x'.repeat(s.ctx.config.chat.max_message_length + 1);
    const e = await expectStatus(post(st[0]!, general.id, long), 422, 'validation_failed');
    expect(e.issues[0]!.path).toBe('body.content');
    await expectStatus(post(st[0]!, general.id, '', {}), 422);
    await expectStatus(post(st[0]!, general.id, 'with bad reply', { reply_to_id: 999999 }), 422);
    await expectStatus(post(st[0]!, general.id, 'with foreign file', { attachment_ids: [987654] }), 422);
    await expectStatus(post(st[0]!, announcements.id, 'not mine to announce'), 403, 'forbidden');
    await post(owner, announcements.id, 'Welcome everyone');
    await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: st[2]! }, body: { status: 'muted', duration_minutes: 60 } });
    const muted = await expectStatus(post(st[2]!, general.id, 'let me speak'), 403);
    expect(muted.details.reason).toBe('muted');
    const rows = await s.ctx.db.db
      .selectFrom('channel_messages')
      .select('id')
      .where('content', 'in', ['with bad reply', 'with foreign file', 'not mine to announce', 'let me speak'])
      .execute();
    expect(rows).toEqual([]);
    await s.as(owner).communities.updateMember({ params: { id: c.slug, userId: st[2]! }, body: { status: 'active' } });
  });

  it('pages history before, after and around a message, oldest first, with no gaps', async () => {
    const ch = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'history' } });
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) ids.push((await post(st[0]!, ch.id, `m${i}`)).id);
    const latest = await s.as(st[0]!).channels.messages({ params: { channelId: ch.id }, query: { limit: 10 } });
    expect(latest.items.map((m) => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => `m${15 + i}`));
    expect(latest).toMatchObject({ has_more_before: true, has_more_after: false });
    const older = await s.as(st[0]!).channels.messages({ params: { channelId: ch.id }, query: { before: latest.items[0]!.id, limit: 10 } });
    expect(older.items.map((m) => m.content)).toEqual(Array.from({ length: 10 }, (_, i) => `m${5 + i}`));
    const after = await s.as(st[0]!).channels.messages({ params: { channelId: ch.id }, query: { after: ids[20], limit: 10 } });
    expect(after.items.map((m) => m.content)).toEqual(['m21', 'm22', 'm23', 'm24']);
    expect(after.has_more_after).toBe(false);
    const around = await s.as(st[0]!).channels.messages({ params: { channelId: ch.id }, query: { around: ids[12], limit: 6 } });
    expect(around.items.map((m) => m.content)).toEqual(['m9', 'm10', 'm11', 'm12', 'm13', 'm14']);
    await expectStatus(s.as(st[0]!).channels.messages({ params: { channelId: ch.id }, query: { before: 1, after: 2 } }), 422);
  });

  it('edits (author), deletes (author or a moderator above them), hides deleted content from members', async () => {
    const m = await post(st[0]!, general.id, 'typo hree');
    const edited = await s.as(st[0]!).channels.edit({ params: { messageId: m.id }, body: { content: 'typo here' } });
    expect(edited.edited_at).not.toBeNull();
    await expectStatus(s.as(st[2]!).channels.edit({ params: { messageId: m.id }, body: { content: 'hijack' } }), 403);
    await expectStatus(s.as(st[2]!).channels.removeMessage({ params: { messageId: m.id } }), 403);
    const modMsg = await post(st[1]!, general.id, 'mod says');
    await expectStatus(s.as(st[0]!).channels.removeMessage({ params: { messageId: modMsg.id } }), 403);
    await s.as(st[1]!).channels.removeMessage({ params: { messageId: m.id } });
    const seenByMember = (
      await s.as(st[2]!).channels.messages({ params: { channelId: general.id }, query: { around: m.id, limit: 2 } })
    ).items.find((x) => x.id === m.id)!;
    expect(seenByMember).toMatchObject({ deleted: true, content: null });
    const seenByMod = (
      await s.as(st[1]!).channels.messages({ params: { channelId: general.id }, query: { around: m.id, limit: 2 } })
    ).items.find((x) => x.id === m.id)!;
    expect(seenByMod).toMatchObject({ deleted: true, content: 'typo here' });
  });

  it('toggles reactions with per-emoji counts and "me"; pins for those allowed', async () => {
    const m = await post(st[0]!, general.id, 'react to me');
    await s.as(st[0]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
    const r = await s.as(st[2]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
    expect(r).toEqual({ reacted: true, reactions: [{ emoji: '👍', count: 2, me: true }] });
    const off = await s.as(st[2]!).channels.react({ params: { messageId: m.id }, body: { emoji: '👍' } });
    expect(off.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    await expectStatus(s.as(st[0]!).channels.react({ params: { messageId: m.id }, body: { emoji: 'not-an-emoji' } }), 422);
    await expectStatus(s.as(st[0]!).channels.pin({ params: { messageId: m.id } }), 403);
    const pinned = await s.as(st[1]!).channels.pin({ params: { messageId: m.id } });
    expect(pinned.is_pinned).toBe(true);
    expect((await s.as(st[0]!).channels.pins({ params: { channelId: general.id } })).items.map((x) => x.id)).toContain(m.id);
    const page = await s.as(st[0]!).channels.messages({ params: { channelId: general.id }, query: { around: m.id, limit: 3 } });
    expect(page.items.find((x) => x.id === m.id)).toMatchObject({ is_pinned: true, reactions: [{ emoji: '👍', count: 1, me: true }] });
  });

  it('counts unread messages and mentions until read; the marker never moves back', async () => {
    const ch = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'unread' } });
    await post(st[0]!, ch.id, 'one');
    await post(st[0]!, ch.id, `hey @[Sam](user:${st[2]})`);
    const last = await post(owner, ch.id, '@everyone meeting now');
    await post(st[0]!, ch.id, '@everyone (no permission: plain text)');
    const before = (await s.as(st[2]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.id === ch.id)!;
    expect(before).toMatchObject({ unread_count: 4, mention_count: 2 });
    const read = await s.as(st[2]!).channels.read({ params: { channelId: ch.id }, body: { message_id: last.id } });
    expect(read).toEqual({ last_read_message_id: last.id, unread_count: 1, mention_count: 0 });
    const back = await s.as(st[2]!).channels.read({ params: { channelId: ch.id }, body: { message_id: 1 } });
    expect(back.last_read_message_id).toBe(last.id);
  });

  it('binds uploads to a message; an infected one shows with its status and is never downloadable', async () => {
    const upload = async (user: number, bytes: Uint8Array, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), name);
      const res = await fetch(`${s.url}/api/communities/uploads?purpose=channel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(user)}` },
        body: form,
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: number };
    };
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const a = await upload(st[0]!, pdf, 'notes.pdf');
    const m = await post(st[0]!, general.id, 'my notes', { attachment_ids: [a.id] });
    expect(m.attachments).toMatchObject([{ id: a.id, scan_status: 'pending', download_url: null }]);
    await expectStatus(post(st[0]!, general.id, 'again', { attachment_ids: [a.id] }), 422);
    await s.ctx.db.db.updateTable('channel_message_attachments').set({ scan_status: 'infected' }).where('id', '=', a.id).execute();
    const seen = (await s.as(st[2]!).channels.messages({ params: { channelId: general.id }, query: { around: m.id, limit: 1 } })).items[0]!;
    expect(seen.attachments).toMatchObject([{ id: a.id, scan_status: 'infected', download_url: null }]);
    const res = await fetch(`${s.url}/api/communities/uploads/channel/${a.id}/download`, {
      headers: { authorization: `Bearer ${await s.token(st[2]!)}` },
    });
    expect(res.status).toBe(404);
  });
});

describe('changes catch-up', () => {
  /** Runs `fn` with the server's clock moved forward by `ms`. */
  async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    const real = s.ctx.clock;
    s.ctx.clock = { now: () => new Date(real.now().getTime() + ms) };
    try {
      return await fn();
    } finally {
      s.ctx.clock = real;
    }
  }

  it('returns the shown messages edited, reacted to, pinned or deleted since as_of, whole and as the caller sees them', async () => {
    const room = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'changes-room' } });
    const [m1, m2, m3, m4] = [
      await post(st[0]!, room.id, 'one'),
      await post(st[0]!, room.id, 'two'),
      await post(st[0]!, room.id, 'three'),
      await post(st[0]!, room.id, 'four'),
    ];
    // A client loads the room a minute later, then comes back after five more.
    const loaded = await later(60_000, () => s.as(st[2]!).channels.messages({ params: { channelId: room.id }, query: {} }));
    expect(loaded.items.map((m) => m.id)).toEqual([m1.id, m2.id, m3.id, m4.id]);
    await later(120_000, async () => {
      await s.as(st[0]!).channels.edit({ params: { messageId: m3.id }, body: { content: 'three, edited' } });
      await s.as(st[2]!).channels.react({ params: { messageId: m1.id }, body: { emoji: '👍' } });
      await s.as(owner).channels.pin({ params: { messageId: m2.id } });
      await s.as(st[0]!).channels.removeMessage({ params: { messageId: m4.id } });
      await post(st[0]!, room.id, 'five'); // new: `after` brings it, not changes
    });
    const changes = await later(360_000, () =>
      s.as(st[2]!).channels.changes({
        params: { channelId: room.id },
        query: { since: loaded.as_of, from_id: m1.id, to_id: m4.id },
      }),
    );
    expect(changes.items.map((m) => m.id)).toEqual([m3.id, m1.id, m2.id, m4.id]);
    const [edited, reacted, pinned, deleted] = changes.items;
    expect(edited).toMatchObject({ content: 'three, edited', edited_at: expect.any(String) });
    expect(reacted!.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    expect(pinned!.is_pinned).toBe(true);
    expect(deleted).toMatchObject({ deleted: true, content: null });
    expect(changes.next).toBeNull();
    // Nothing changed since: an empty answer, and as_of moves on.
    const again = await later(400_000, () =>
      s.as(st[2]!).channels.changes({ params: { channelId: room.id }, query: { since: changes.as_of, from_id: m1.id, to_id: m4.id } }),
    );
    expect(again.items).toEqual([]);
    expect(again.as_of > changes.as_of).toBe(true);
  });

  it('pages through many changes with the same timestamp without losing or repeating one', async () => {
    const room = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'busy-room' } });
    const ids: number[] = [];
    for (let i = 0; i < 130; i++) ids.push((await post(st[0]!, room.id, `m${i}`)).id);
    const since = new Date(Date.now() - 1000).toISOString();
    const stamp = new Date(Date.now() + 5000).toISOString();
    await s.ctx.db.db.updateTable('channel_messages').set({ updated_at: stamp }).where('channel_id', '=', room.id).execute();
    const got: number[] = [];
    let q: { since: string; after_id?: number; from_id: number; to_id: number } = { since, from_id: ids[0]!, to_id: ids.at(-1)! };
    for (let pages = 0; pages < 5; pages++) {
      const page = await s.as(st[2]!).channels.changes({ params: { channelId: room.id }, query: q });
      got.push(...page.items.map((m) => m.id));
      if (!page.next) break;
      q = { ...q, since: page.next.since, after_id: page.next.after_id };
    }
    expect(got).toEqual(ids);
    // 130 posts one after another: well within the default timeout alone, not always beside CI's other suites.
  }, 60_000);

  it('validates the range and hides private channels from outsiders (404)', async () => {
    const since = new Date().toISOString();
    await expectStatus(
      s.as(st[0]!).channels.changes({ params: { channelId: general.id }, query: { since, from_id: 9, to_id: 3 } }),
      422,
      'validation_failed',
    );
    await expectStatus(
      s.as(st[0]!).channels.changes({ params: { channelId: general.id }, query: { since: 'yesterday', from_id: 1, to_id: 3 } }),
      422,
      'validation_failed',
    );
    const hidden = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'hidden-changes', is_private: true } });
    await expectStatus(
      s.as(st[0]!).channels.changes({ params: { channelId: hidden.id }, query: { since, from_id: 1, to_id: 3 } }),
      404,
      'not_found',
    );
  });
});
