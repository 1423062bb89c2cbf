import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { expectStatus, recordEvents } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;

beforeAll(async () => {
  s = await startTestServer({ pricing: { enable_per_community_subscriptions: true } });
  owner = s.demo.instructorIds[1]!;
});
afterAll(async () => s.close());

const steps = {
  visibility: {
    visibility: 'private',
    settings: { join_approval: true },
    roles: [{ slug: 'member', permissions: ['view', 'comment', 'react'] }],
  },
  channels: {
    category: 'Start here',
    channels: [{ name: 'Welcome', type: 'announcement' }, { name: 'Questions' }, { name: 'Show and tell' }],
  },
  pricing: { tiers: [{ name: 'Pro', price_minor: 1500, billing_interval: 'monthly', is_default: true }] },
};

describe('the setup wizard', () => {
  it('saves steps one by one, validates each alone, and stays private to its owner', async () => {
    const api = s.as(owner);
    const draft = await api.communities.wizardStart({ body: { name: 'JS Study Group', category: 'programming' } });
    expect(draft).toMatchObject({ status: 'draft', completed: ['basics'], missing: ['visibility', 'channels'] });
    const e = await expectStatus(
      api.communities.wizardStep({ params: { draftId: draft.id, step: 'channels' }, body: { channels: [] } }),
      422,
    );
    expect(e.issues[0]!.path).toBe('body.channels');
    const bad = await expectStatus(
      api.communities.wizardStep({ params: { draftId: draft.id, step: 'courses' }, body: { links: [{ course_id: 424242 }] } }),
      422,
    );
    expect(bad.issues[0]!.path).toBe('body.links.0.course_id');
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'visibility' }, body: steps.visibility });
    const resumed = await api.communities.wizardGet({ params: { draftId: draft.id } });
    expect(resumed.completed).toEqual(['basics', 'visibility']);
    // Drafts are invisible to everyone else, in discovery too.
    await expectStatus(s.as(s.demo.instructorIds[2]!).communities.wizardGet({ params: { draftId: draft.id } }), 404);
    await expectStatus(s.as(s.demo.studentIds[0]!).communities.get({ params: { id: String(draft.id) } }), 404);
    expect((await s.as(s.demo.adminId).communities.list({ query: { q: 'JS Study Group' } })).items).toEqual([]);
    await expectStatus(api.communities.wizardPublish({ params: { draftId: draft.id } }), 422, 'validation_failed');
  });

  it('publishes roles, channels, tiers and course links in one go, with events after commit', async () => {
    const api = s.as(owner);
    const draft = await api.communities.wizardStart({ body: { name: 'Spanish Circle' } });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'visibility' }, body: steps.visibility });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'channels' }, body: steps.channels });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'pricing' }, body: steps.pricing });
    await api.communities.wizardStep({
      params: { draftId: draft.id, step: 'courses' },
      body: { links: [{ course_id: s.demo.courseIds[1]!, auto_join: true }] },
    });
    const events = recordEvents(s);
    const c = await api.communities.wizardPublish({ params: { draftId: draft.id } });
    expect(c).toMatchObject({
      status: 'active',
      visibility: 'private',
      member_count: 1,
      settings: { join_approval: true },
      price: { amount_minor: 1500, currency: 'USD' },
    });
    const channels = await s.ctx.db.db
      .selectFrom('channels')
      .select(['name', 'type'])
      .where('community_id', '=', c.id)
      .orderBy('id')
      .execute();
    expect(channels.map((ch) => ch.name)).toEqual(['Start here', 'Welcome', 'Questions', 'Show and tell']);
    const member = (await api.communities.roles({ params: { id: c.slug } })).items.find((r) => r.slug === 'member')!;
    expect(member.permissions).toEqual(['view', 'comment', 'react']);
    expect((await api.communities.courses({ params: { id: c.slug } })).items.map((l) => l.course_id)).toEqual([s.demo.courseIds[1]]);
    expect((await api.communities.tiers({ params: { id: c.slug } })).items.map((t) => t.name)).toEqual(['Pro']);
    expect(events.of('CommunityCreated').length).toBe(1);
    expect(events.of('CourseLinked').length).toBe(1);
    await expectStatus(api.communities.wizardGet({ params: { draftId: draft.id } }), 404);
    events.off();
  });

  it('is all-or-nothing: a failure late in publishing leaves the draft as it was, and no events', async () => {
    const api = s.as(owner);
    const draft = await api.communities.wizardStart({ body: { name: 'Doomed Draft' } });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'visibility' }, body: steps.visibility });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'channels' }, body: steps.channels });
    // Sabotage: a role row that makes the roles insert (after the community row changed) fail.
    const now = new Date().toISOString();
    await s.ctx.db.db
      .insertInto('community_roles')
      .values({ community_id: draft.id, name: 'Squatter', slug: 'guest', permissions: '[]', created_at: now, updated_at: now })
      .execute();
    const events = recordEvents(s);
    await expectStatus(api.communities.wizardPublish({ params: { draftId: draft.id } }), 500, 'internal');
    const row = await s.ctx.db.db.selectFrom('communities').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('draft');
    expect(row.wizard_state).not.toBeNull();
    expect(await s.ctx.db.db.selectFrom('channels').select('id').where('community_id', '=', draft.id).execute()).toEqual([]);
    expect(await s.ctx.db.db.selectFrom('community_members').select('id').where('community_id', '=', draft.id).execute()).toEqual([]);
    expect(
      (await s.ctx.db.db.selectFrom('community_roles').select('slug').where('community_id', '=', draft.id).execute()).map((r) => r.slug),
    ).toEqual(['guest']);
    await s.ctx.bus.idle();
    expect(events.seen).toEqual([]);
    events.off();
  });

  it('a draft holds its slug: nobody else can take it meanwhile (409)', async () => {
    const draft = await s.as(owner).communities.wizardStart({ body: { name: 'Held Slug', slug: 'held-slug' } });
    await expectStatus(
      s.as(s.demo.instructorIds[0]!).communities.create({ body: { name: 'Held Slug', slug: 'held-slug' } }),
      409,
      'conflict',
    );
    expect((await s.as(s.demo.instructorIds[0]!).communities.create({ body: { name: 'Held Slug' } })).slug).toBe('held-slug-2');
    expect((await s.as(owner).communities.wizardGet({ params: { draftId: draft.id } })).slug).toBe('held-slug');
  });
});

describe('paid tiers', () => {
  it('a community with only paid tiers needs one to join and read; a granted tier opens it', async () => {
    const c = await s.as(owner).communities.create({ body: { name: 'Premium Lounge' } });
    await s.as(owner).communities.createTier({ params: { id: c.slug }, body: { name: 'Gold', price_minor: 2500, is_default: true } });
    const card = (await s.as(s.demo.studentIds[0]!).communities.list({ query: { q: 'premium lounge', price: 'paid' } })).items[0]!;
    expect(card.price).toEqual({ amount_minor: 2500, currency: 'USD', interval: 'monthly' });
    expect((await s.as(s.demo.studentIds[0]!).communities.list({ query: { q: 'premium lounge', price: 'free' } })).items).toEqual([]);
    const e = await expectStatus(s.as(s.demo.studentIds[0]!).communities.join({ params: { id: c.slug }, body: {} }), 403);
    expect(e.details.reason).toBe('tier_required');
    const tier = (await s.as(owner).communities.tiers({ params: { id: c.slug } })).items[0]!;
    await expectStatus(
      s
        .as(s.demo.studentIds[0]!)
        .communities.grantTier({ params: { id: c.slug, tierId: tier.id }, body: { user_id: s.demo.studentIds[0]! } }),
      403,
    );
    await s.as(owner).communities.grantTier({ params: { id: c.slug, tierId: tier.id }, body: { user_id: s.demo.studentIds[0]! } });
    expect((await s.as(s.demo.studentIds[0]!).communities.join({ params: { id: c.slug }, body: {} })).status).toBe('active');
    expect((await s.as(s.demo.studentIds[0]!).communities.members({ params: { id: c.slug } })).items.length).toBe(2);
    const updated = await s.as(owner).communities.updateTier({ params: { id: c.slug, tierId: tier.id }, body: { price_minor: 3000 } });
    expect(updated.price_minor).toBe(3000);
  });

  it('tier routes are not registered when paid tiers are off', async () => {
    const off = await startTestServer({ features: { pricing_tiers: false } });
    try {
      const c = await off.as(off.demo.instructorIds[0]!).communities.create({ body: { name: 'No Tiers' } });
      await expectStatus(off.as(off.demo.instructorIds[0]!).communities.tiers({ params: { id: c.slug } }), 404, 'not_found');
      expect((await off.as(null).system.features()).features.pricing_tiers).toBe(false);
    } finally {
      await off.close();
    }
  });
});
