import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity, recordEvents } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let st: number[];

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { dm_messages: { max: 1000, window_seconds: 1 } }, dm: { max_group_participants: 4 } });
  st = s.demo.studentIds;
  const c = await makeCommunity(s, { name: 'DM Club' });
  for (const u of st.slice(0, 5)) await addMember(s, c.id, u);
});
afterAll(async () => s.close());

const send = (user: number, threadId: number, content: string, extra: Record<string, unknown> = {}) =>
  s.as(user).dm.post({ params: { threadId }, body: { content, ...extra } });

describe('DM threads', () => {
  it('opens one thread per pair, whoever starts it; DMStarted once', async () => {
    const events = recordEvents(s);
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    expect(t).toMatchObject({ type: 'dm', participants: expect.arrayContaining([expect.objectContaining({ id: st[1] })]) });
    const again = await s.as(st[1]!).dm.start({ body: { user_ids: [st[0]!] } });
    expect(again.id).toBe(t.id);
    await s.ctx.bus.idle();
    expect(events.of('DMStarted').length).toBe(1);
    events.off();
  });

  it('sends, lists the inbox with previews and unread counts, marks read', async () => {
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[2]!] } });
    const events = recordEvents(s);
    await send(st[0]!, t.id, 'first');
    const m = await send(st[0]!, t.id, 'second **bold**', { nonce: 'dm-nonce-0001' });
    expect((await send(st[0]!, t.id, 'second **bold**', { nonce: 'dm-nonce-0001' })).id).toBe(m.id);
    const inbox = await s.as(st[2]!).dm.inbox();
    expect(inbox.items[0]).toMatchObject({ id: t.id, unread_count: 2, last_message: { id: m.id, excerpt: 'second bold' } });
    expect(await s.as(st[2]!).dm.unread()).toEqual({ threads: 1, messages: 2 });
    const read = await s.as(st[2]!).dm.read({ params: { threadId: t.id }, body: { message_id: m.id } });
    expect(read.unread_count).toBe(0);
    expect((await s.as(st[0]!).dm.inbox()).items.find((x) => x.id === t.id)!.unread_count).toBe(0);
    await s.ctx.bus.idle();
    expect(events.of('DMMessagePosted').length).toBe(2);
    events.off();
    const history = await s.as(st[2]!).dm.messages({ params: { threadId: t.id } });
    expect(history.items.map((x) => x.content)).toEqual(['first', 'second **bold**']);
  });

  it('is invisible to outsiders, admins included: 404', async () => {
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    for (const outsider of [st[3]!, s.demo.adminId]) {
      await expectStatus(s.as(outsider).dm.thread({ params: { threadId: t.id } }), 404, 'not_found');
      await expectStatus(s.as(outsider).dm.messages({ params: { threadId: t.id } }), 404);
      await expectStatus(send(outsider, t.id, 'hi'), 404);
    }
    await expectStatus(s.as(st[0]!).dm.thread({ params: { threadId: 999999 } }), 404);
  });

  it('edits, deletes and reacts on own messages only', async () => {
    const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    const m = await send(st[0]!, t.id, 'helo');
    expect((await s.as(st[0]!).dm.edit({ params: { messageId: m.id }, body: { content: 'hello' } })).content).toBe('hello');
    await expectStatus(s.as(st[1]!).dm.edit({ params: { messageId: m.id }, body: { content: 'x' } }), 403);
    await expectStatus(s.as(st[1]!).dm.removeMessage({ params: { messageId: m.id } }), 403);
    expect((await s.as(st[1]!).dm.react({ params: { messageId: m.id }, body: { emoji: '❤️' } })).reactions).toEqual([
      { emoji: '❤️', count: 1, me: true },
    ]);
    await s.as(st[0]!).dm.removeMessage({ params: { messageId: m.id } });
    const seen = (await s.as(st[1]!).dm.messages({ params: { threadId: t.id }, query: { around: m.id, limit: 1 } })).items[0]!;
    expect(seen).toMatchObject({ id: m.id, deleted: true, content: null, reactions: [] });
  });

  it('catches up changes to shown messages since as_of; outsiders get 404', async () => {
    const t = await s.as(st[2]!).dm.start({ body: { user_ids: [st[3]!] } });
    const a = await send(st[2]!, t.id, 'first');
    const b = await send(st[2]!, t.id, 'second');
    const real = s.ctx.clock;
    const at = (ms: number) => (s.ctx.clock = { now: () => new Date(real.now().getTime() + ms) });
    try {
      at(60_000);
      const loaded = await s.as(st[3]!).dm.messages({ params: { threadId: t.id } });
      at(120_000);
      await s.as(st[2]!).dm.edit({ params: { messageId: b.id }, body: { content: 'second!' } });
      await s.as(st[3]!).dm.react({ params: { messageId: a.id }, body: { emoji: '🙂' } });
      at(180_000);
      const query = { since: loaded.as_of, from_id: a.id, to_id: b.id };
      const changes = await s.as(st[3]!).dm.changes({ params: { threadId: t.id }, query });
      expect(changes.items.map((m) => [m.id, m.content, m.reactions])).toEqual([
        [b.id, 'second!', []],
        [a.id, 'first', [{ emoji: '🙂', count: 1, me: true }]],
      ]);
      await expectStatus(s.as(st[0]!).dm.changes({ params: { threadId: t.id }, query }), 404, 'not_found');
    } finally {
      s.ctx.clock = real;
    }
  });
});

describe('groups', () => {
  it('members add people and rename; the owner removes; anyone leaves; the size is capped', async () => {
    const g = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!, st[2]!], title: 'Study group' } });
    expect(g).toMatchObject({ type: 'group', title: 'Study group', owner_id: st[0] });
    expect((await s.as(st[1]!).dm.rename({ params: { threadId: g.id }, body: { title: 'Mine now' } })).title).toBe('Mine now');
    expect((await s.as(st[0]!).dm.rename({ params: { threadId: g.id }, body: { title: 'Exam prep' } })).title).toBe('Exam prep');
    // Outsiders do not learn the group exists; a 1:1 thread is no group to rename.
    await expectStatus(s.as(st[3]!).dm.rename({ params: { threadId: g.id }, body: { title: 'Hijack' } }), 404, 'not_found');
    await expectStatus(s.as(st[3]!).dm.invite({ params: { threadId: g.id }, body: { user_ids: [st[3]!] } }), 404, 'not_found');
    const pair = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    await expectStatus(s.as(st[0]!).dm.rename({ params: { threadId: pair.id }, body: { title: 'Us' } }), 403);
    await expectStatus(s.as(st[0]!).dm.invite({ params: { threadId: pair.id }, body: { user_ids: [st[2]!] } }), 403);
    const bigger = await s.as(st[1]!).dm.invite({ params: { threadId: g.id }, body: { user_ids: [st[3]!] } });
    expect(bigger.participants.length).toBe(4);
    expect((await s.as(st[3]!).dm.thread({ params: { threadId: g.id } })).title).toBe('Exam prep');
    const e = await expectStatus(s.as(st[0]!).dm.invite({ params: { threadId: g.id }, body: { user_ids: [st[4]!] } }), 422);
    expect(e.issues[0]!.code).toBe('too_many');
    await expectStatus(s.as(st[1]!).dm.removeParticipant({ params: { threadId: g.id, userId: st[2]! } }), 403);
    await s.as(st[0]!).dm.removeParticipant({ params: { threadId: g.id, userId: st[3]! } });
    await expectStatus(s.as(st[3]!).dm.messages({ params: { threadId: g.id } }), 404);
    await s.as(st[2]!).dm.removeParticipant({ params: { threadId: g.id, userId: st[2]! } });
    await s.as(st[0]!).dm.removeParticipant({ params: { threadId: g.id, userId: st[0]! } });
    const left = await s.as(st[1]!).dm.thread({ params: { threadId: g.id } });
    expect(left).toMatchObject({ owner_id: st[1], participants: [expect.objectContaining({ id: st[1] })] });
  });

  it('refuses groups larger than configured', async () => {
    await expectStatus(s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!, st[2]!, st[3]!, st[4]!] } }), 422);
  });
});

describe('who may message whom', () => {
  it('blocking makes the 1:1 thread read-only both ways and stops new threads', async () => {
    const t = await s.as(st[3]!).dm.start({ body: { user_ids: [st[4]!] } });
    await send(st[3]!, t.id, 'hey');
    await s.as(st[4]!).dm.block({ params: { userId: st[3]! } });
    const denied = await expectStatus(send(st[3]!, t.id, 'are you there?'), 403);
    expect(denied.details.reason).toBe('blocked');
    await expectStatus(send(st[4]!, t.id, 'bye'), 403);
    expect((await s.as(st[3]!).dm.thread({ params: { threadId: t.id } })).read_only).toBe(true);
    expect((await s.as(st[3]!).dm.messages({ params: { threadId: t.id } })).items.length).toBe(1);
    const refused = await expectStatus(s.as(st[3]!).dm.start({ body: { user_ids: [st[4]!, st[0]!] } }), 403);
    expect(refused.details.reason).toBe('blocked');
    expect((await s.as(st[4]!).dm.blocks()).items.map((u) => u.id)).toEqual([st[3]]);
    await s.as(st[4]!).dm.unblock({ params: { userId: st[3]! } });
    await send(st[3]!, t.id, 'hello again');
  });

  it('shared_community (default): strangers cannot start a thread; admins can', async () => {
    const stranger = st[6]!;
    await expectStatus(s.as(st[0]!).dm.start({ body: { user_ids: [stranger] } }), 404, 'not_found');
    await s.as(s.demo.adminId).dm.start({ body: { user_ids: [stranger] } });
    await expectStatus(s.as(st[0]!).dm.start({ body: { user_ids: [987654] } }), 404, 'not_found');
    await expectStatus(s.as(s.demo.adminId).dm.start({ body: { user_ids: [987654] } }), 404, 'not_found');
  });

  it('DM uploads belong to their thread: another thread cannot attach or download them', async () => {
    const t1 = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
    const t2 = await s.as(st[0]!).dm.start({ body: { user_ids: [st[2]!] } });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n'))]), 'a.pdf');
    const res = await fetch(`${s.url}/api/communities/uploads?purpose=dm&thread_id=${t1.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await s.token(st[0]!)}` },
      body: form,
    });
    const up = (await res.json()) as { id: number };
    await expectStatus(send(st[0]!, t2.id, 'wrong thread', { attachment_ids: [up.id] }), 422);
    const m = await send(st[0]!, t1.id, 'file', { attachment_ids: [up.id] });
    expect(m.attachments.map((a) => a.id)).toEqual([up.id]);
    await s.ctx.queue.processAll();
    const get = async (user: number) =>
      (
        await fetch(`${s.url}/api/communities/uploads/dm/${up.id}/download`, {
          headers: { authorization: `Bearer ${await s.token(user)}` },
        })
      ).status;
    expect(await get(st[1]!)).toBe(200);
    expect(await get(st[2]!)).toBe(404);
  });
});

describe('dm.allow_from = nobody', () => {
  it('stops new conversations between members', async () => {
    const s2 = await startTestServer({ dm: { allow_from: 'nobody' } });
    try {
      const off = await expectStatus(s2.as(s2.demo.studentIds[0]!).dm.start({ body: { user_ids: [s2.demo.studentIds[1]!] } }), 403);
      expect(off.details.reason).toBe('dm_off');
      // Clients can hide "New message" beforehand.
      expect((await s2.as(null).system.features()).limits.dm_allow_from).toBe('nobody');
    } finally {
      await s2.close();
    }
  });
});

describe('refusals name only people the caller may see', () => {
  it("a stranger's id does not become their name; someone from a shared community's does", async () => {
    const stranger = (await s.ctx.host.identities.getUser(st[20]!))!;
    // A stranger and an id that is nobody get the same answer: user existence does not leak.
    const answer = async (id: number) => {
      const res = await fetch(`${s.url}/api/communities/dm/threads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await s.token(st[0]!)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_ids: [id] }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      return { status: res.status, body };
    };
    const strangerAnswer = await answer(stranger.id);
    expect(strangerAnswer).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(strangerAnswer).toEqual(await answer(987654));
    expect(JSON.stringify(strangerAnswer)).not.toContain(stranger.name);
    await s.as(stranger.id).dm.block({ params: { userId: st[0]! } });
    const blocked = await expectStatus(s.as(st[0]!).dm.start({ body: { user_ids: [stranger.id] } }), 403);
    expect(blocked.details.reason).toBe('blocked');
    expect(blocked.message).not.toContain(stranger.name);
    // In a community together (one that turns DMs off): the name is no secret to them.
    const quiet = await makeCommunity(s, { name: 'No DMs Here', settings: { dms_between_members: false } });
    const known = (await s.ctx.host.identities.getUser(st[21]!))!;
    for (const u of [st[0]!, known.id]) await addMember(s, quiet.id, u);
    const named = await expectStatus(s.as(st[0]!).dm.start({ body: { user_ids: [known.id] } }), 422);
    expect(named.issues[0]!.message).toContain(known.name);
  });
});
