import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seedDemoCommunities } from '../src/communities/demo-seed';

import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({}, { demoContent: true });
});
afterAll(async () => s.close());

describe('the demo content', () => {
  it('has four communities a student discovers as a student should', async () => {
    const student = s.demo.studentIds[0]!;
    const seen = await s.as(student).communities.list({ query: { sort: 'members' } });
    expect(seen.items.map((c) => c.name).sort()).toEqual(['JavaScript Guild', 'Photography Circle', 'Watercolor Studio']);
    expect(seen.items.find((c) => c.name === 'Photography Circle')!.viewer_membership).toEqual({
      status: 'active',
      role: 'moderator',
      muted_until: null,
      sanction_reason: null,
    });
    const staff = await s.as(s.demo.instructorIds[0]!).communities.list({ query: {} });
    expect(staff.items.map((c) => c.name)).toContain("Instructors' Lounge");
    const links = await s.as(student).communities.courses({ params: { id: 'photography-circle' } });
    expect(links.items.map((l) => l.link_type).sort()).toEqual(['live_classroom', 'primary']);
  });

  it('has conversations: a pinned welcome, replies and reactions in #general, and a DM', async () => {
    const ana = s.demo.studentIds[0]!;
    const general = (await s.as(ana).channels.list({ params: { id: 'photography-circle' } })).items.find((c) => c.slug === 'general')!;
    const history = await s.as(ana).channels.messages({ params: { channelId: general.id } });
    expect(history.items.length).toBeGreaterThanOrEqual(5);
    expect(history.items.some((m) => m.reply_to !== null && m.reactions.length > 0)).toBe(true);
    expect((await s.as(ana).channels.pins({ params: { channelId: general.id } })).items.length).toBe(1);
    const inbox = await s.as(ana).dm.inbox();
    expect(inbox.items[0]).toMatchObject({ type: 'dm', last_message: { excerpt: expect.stringContaining('Early morning') } });
    expect((await s.as(ana).feed.communityFeed({ params: { id: 'photography-circle' } })).items.length).toBeGreaterThanOrEqual(2);
  });

  it('auto-joins course buyers through the host sync, and seeding again changes nothing', async () => {
    const before =
      (await s
        .as(null)
        .communities.get({ params: { id: 'photography-circle' } })
        .catch(() => null)) ?? null;
    expect(before).toBeNull(); // anonymous callers cannot open community pages
    const r = await s.ctx.hostSync.runOnce();
    expect(r.joined).toBeGreaterThan(0);
    const count = await s.ctx.db.db.selectFrom('communities').select('id').execute();
    await seedDemoCommunities(s.ctx, s.demo);
    expect((await s.ctx.db.db.selectFrom('communities').select('id').execute()).length).toBe(count.length);
  });
});
