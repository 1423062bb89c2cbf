import type { SearchResult } from '@communities/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rebuildSearchIndex } from '../src/search';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;
let st: number[];
let pub: { id: number; slug: string };
let hidden: { id: number; slug: string };
let general: number;
let staff: number;
let gated: number;

const find = (user: number, query: Record<string, string | number>) => s.as(user).search.search({ query: query as { q: string } });
const ids = (items: SearchResult[], kind?: SearchResult['kind']) => items.filter((i) => !kind || i.kind === kind).map((i) => i.id);
const marked = (r: SearchResult) => r.highlights.map(([a, b]) => r.text.slice(a, b).toLowerCase());

let publicMsg: number;
let staffMsg: number;
let gatedMsg: number;
let hiddenMsg: number;
let dmMsg: number;

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { search: { max: 1000, window_seconds: 1 } } });
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
  pub = await makeCommunity(s, { name: 'Zoology Circle' });
  for (const u of st.slice(0, 3)) await addMember(s, pub.id, u);
  const chans = await s.as(owner).channels.list({ params: { id: pub.slug } });
  general = chans.items.find((c) => c.type === 'text')!.id;
  staff = (await s.as(owner).channels.create({ params: { id: pub.slug }, body: { name: 'staff', is_private: true } })).id;
  gated = (await s.as(owner).channels.create({ params: { id: pub.slug }, body: { name: 'veterans', min_level: 5 } })).id;
  const post = (user: number, channelId: number, content: string) =>
    s
      .as(user)
      .channels.post({ params: { channelId }, body: { content } })
      .then((m) => m.id);
  publicMsg = await post(st[0]!, general, 'The **zebra** migration starts tomorrow at dawn');
  staffMsg = await post(owner, staff, 'zebra migration grading plans, staff only');
  gatedMsg = await post(owner, gated, 'zebra migration secrets for veterans');
  hidden = await makeCommunity(s, { name: 'Hidden Herd', visibility: 'hidden' });
  const hiddenChannel = (await s.as(owner).channels.list({ params: { id: hidden.slug } })).items.find((c) => c.type === 'text')!.id;
  hiddenMsg = await post(owner, hiddenChannel, 'zebra migration in the hidden herd');
  const thread = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
  dmMsg = (await s.as(st[0]!).dm.post({ params: { threadId: thread.id }, body: { content: 'private zebra migration gossip' } })).id;
});
afterAll(async () => s.close());

describe('search: access', () => {
  it('a member finds public channel messages and their own DMs, never a private, gated or hidden channel', async () => {
    const r = await find(st[0]!, { q: 'zebra migration' });
    expect(ids(r.items, 'message')).toEqual([publicMsg]);
    expect(ids(r.items, 'dm')).toEqual([dmMsg]);
    for (const id of [staffMsg, gatedMsg, hiddenMsg]) expect(ids(r.items)).not.toContain(id);
    const hit = r.items.find((i) => i.kind === 'message' && i.id === publicMsg)!;
    expect(hit).toMatchObject({ community: { id: pub.id }, channel: { id: general }, author: { id: st[0] } });
    expect(hit.text).toBe('The zebra migration starts tomorrow at dawn');
    expect(marked(hit)).toEqual(['zebra', 'migration']);
  });

  it('the owner finds the private and gated channels; the DM between two students stays theirs', async () => {
    const r = await find(owner, { q: 'zebra migration', type: 'message' });
    expect(ids(r.items, 'message').sort()).toEqual([publicMsg, staffMsg, gatedMsg, hiddenMsg].sort());
    expect(ids((await find(st[2]!, { q: 'gossip' })).items)).toEqual([]);
    expect(ids((await find(st[1]!, { q: 'gossip' })).items)).toEqual([dmMsg]);
  });

  it('an outsider reads a public community only through community_id, and gets 404 for a hidden one', async () => {
    const outsider = st[5]!;
    expect(ids((await find(outsider, { q: 'zebra migration', type: 'message' })).items)).toEqual([]);
    expect(ids((await find(outsider, { q: 'zebra migration', community_id: pub.id })).items, 'message')).toEqual([publicMsg]);
    await expectStatus(find(outsider, { q: 'zebra', community_id: hidden.id }), 404, 'not_found');
    await expectStatus(find(st[0]!, { q: 'zebra', channel_id: staff }), 404, 'not_found');
    await expectStatus(find(outsider, { q: 'zebra', channel_id: staff }), 404, 'not_found');
    expect(ids((await find(owner, { q: 'zebra', channel_id: staff })).items)).toEqual([staffMsg]);
  });

  it('communities: public ones by name for anyone, a hidden one only for its members', async () => {
    expect(ids((await find(st[5]!, { q: 'zoology', type: 'community' })).items)).toEqual([pub.id]);
    expect(ids((await find(st[5]!, { q: 'herd', type: 'community' })).items)).toEqual([]);
    expect(ids((await find(owner, { q: 'herd', type: 'community' })).items)).toEqual([hidden.id]);
  });
});

describe('search: index upkeep, filters, ranking, paging', () => {
  it('edits and deletes reach the index at once', async () => {
    const m = await s.as(st[1]!).channels.post({ params: { channelId: general }, body: { content: 'quokka sighting' } });
    expect(ids((await find(st[0]!, { q: 'quokka' })).items)).toEqual([m.id]);
    await s.as(st[1]!).channels.edit({ params: { messageId: m.id }, body: { content: 'wombat sighting' } });
    expect(ids((await find(st[0]!, { q: 'quokka' })).items)).toEqual([]);
    expect(ids((await find(st[0]!, { q: 'wombat' })).items)).toEqual([m.id]);
    await s.as(st[1]!).channels.removeMessage({ params: { messageId: m.id } });
    expect(ids((await find(st[0]!, { q: 'wombat' })).items)).toEqual([]);
  });

  it('filters by author, link, date, type; ranks more matched words first, then newest', async () => {
    const post = (user: number, content: string) =>
      s
        .as(user)
        .channels.post({ params: { channelId: general }, body: { content } })
        .then((m) => m.id);
    const a = await post(st[0]!, 'otter facts');
    const b = await post(st[1]!, 'otter river facts https://example.org/x');
    const c = await post(st[2]!, 'otter river');
    expect(ids((await find(st[0]!, { q: 'otter' })).items)).toEqual([c, b, a]);
    expect(ids((await find(st[0]!, { q: 'otter', from_user: st[1]! })).items)).toEqual([b]);
    expect(ids((await find(st[0]!, { q: 'otter', has: 'link' })).items)).toEqual([b]);
    expect(ids((await find(st[0]!, { q: 'otter', before: '2000-01-01' })).items)).toEqual([]);
    expect(ids((await find(st[0]!, { q: 'otter', after: '2000-01-01', type: 'post' })).items)).toEqual([]);
    // "otter river": the two with both words, newest first.
    expect(ids((await find(st[0]!, { q: 'otter river' })).items)).toEqual([c, b]);
    const first = await find(st[0]!, { q: 'otter', limit: 2 });
    expect(ids(first.items)).toEqual([c, b]);
    const second = await find(st[0]!, { q: 'otter', limit: 2, cursor: first.next_cursor! });
    expect(ids(second.items)).toEqual([a]);
    expect(second.next_cursor).toBeNull();
  });

  it('finds feed posts and comments, and members by name', async () => {
    const p = await s.as(st[0]!).feed.post({ params: { id: pub.slug }, body: { title: 'Pangolin week', content: 'Who has seen one?' } });
    const cm = await s.as(st[1]!).feed.comment({ params: { itemId: p.id }, body: { content: 'A pangolin at the zoo!' } });
    const r = await find(st[2]!, { q: 'pangolin', type: 'post' });
    expect(r.items.map((i) => [i.kind, i.id])).toEqual(
      expect.arrayContaining([
        ['post', p.id],
        ['comment', cm.id],
      ]),
    );
    expect(r.items.find((i) => i.kind === 'comment')!.post_id).toBe(p.id);
    const someone = (await s.ctx.host.identities.getUser(st[1]!))!;
    const word = someone.name.split(' ')[0]!;
    const members = await find(st[0]!, { q: word, type: 'member' });
    expect(ids(members.items)).toContain(st[1]);
    expect(ids((await find(st[5]!, { q: word, type: 'member' })).items)).not.toContain(st[1]);
  });

  it('refuses bad input with 422, never 500', async () => {
    await expectStatus(find(st[0]!, { q: 'a' }), 422, 'validation_failed');
    await expectStatus(find(st[0]!, { q: 'zebra', has: 'gif' }), 422, 'validation_failed');
    await expectStatus(find(st[0]!, { q: 'zebra', before: 'yesterday' }), 422, 'validation_failed');
    await expectStatus(find(st[0]!, { q: 'zebra', cursor: 'xx' }), 422, 'validation_failed');
    // Query syntax of any dialect is just words.
    expect(ids((await find(st[0]!, { q: `"zebra* (migration) -- ' %` })).items, 'message')).toEqual([publicMsg]);
    expect(ids((await find(st[0]!, { q: 'zebra NEAR migration' })).items)).toEqual([]);
  });

  it('search:rebuild indexes every row again', async () => {
    await sql`insert into search_fts_channel_messages(search_fts_channel_messages) values ('delete-all')`.execute(s.ctx.db.db);
    expect(ids((await find(st[0]!, { q: 'zebra migration', type: 'message' })).items, 'message')).toEqual([]);
    const report = await rebuildSearchIndex(s.ctx.db, 'simple');
    expect(report.sources.find((x) => x.table === 'channel_messages')!.rows).toBeGreaterThan(5);
    expect(ids((await find(st[0]!, { q: 'zebra migration', type: 'message' })).items, 'message')).toEqual([publicMsg]);
  });
});
