import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({
    rate_limits: { messages: { max: 2, window_seconds: 60 }, dm_messages: { max: 2, window_seconds: 60 } },
    chat: { max_message_length: 50, max_attachments_per_message: 1 },
  });
});
afterAll(async () => s.close());

describe('chat limits', () => {
  it('rate-limits channel messages and DMs per user with 429 and Retry-After', async () => {
    const [a, b] = s.demo.studentIds;
    const c = await makeCommunity(s, { name: 'Busy Room' });
    await addMember(s, c.id, a!);
    await addMember(s, c.id, b!);
    const general = (await s.as(a!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
    await s.as(a!).channels.post({ params: { channelId: general.id }, body: { content: 'one' } });
    await s.as(a!).channels.post({ params: { channelId: general.id }, body: { content: 'two' } });
    const e = await expectStatus(
      s.as(a!).channels.post({ params: { channelId: general.id }, body: { content: 'three' } }),
      429,
      'rate_limited',
    );
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    // Another user has their own budget.
    await s.as(b!).channels.post({ params: { channelId: general.id }, body: { content: 'mine' } });

    const t = await s.as(b!).dm.start({ body: { user_ids: [a!] } });
    await s.as(b!).dm.post({ params: { threadId: t.id }, body: { content: 'hi' } });
    await expectStatus(s.as(b!).dm.post({ params: { threadId: t.id }, body: { content: 'hi again' } }), 429, 'rate_limited');
  });

  it('takes the message length and attachment count from config', async () => {
    const a = s.demo.studentIds[2]!;
    const c = await makeCommunity(s, { name: 'Short Talk' });
    await addMember(s, c.id, a);
    const general = (await s.as(a).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
    const long = await expectStatus(s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'x'.repeat(51) } }), 422);
    expect(long.issues[0]).toMatchObject({ path: 'body.content', code: 'too_long' });
    const many = await expectStatus(
      s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'files', attachment_ids: [1, 2] } }),
      422,
    );
    expect(many.issues[0]).toMatchObject({ path: 'body.attachment_ids', code: 'too_many' });
    expect((await s.as(null).system.features()).limits).toMatchObject({ max_message_length: 50, max_attachments_per_message: 1 });
  });
});
