import { afterEach, describe, expect, it } from 'vitest';

import { seedHistory } from '../src/chat/history-seed';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

describe('communities bench:seed (seedHistory)', () => {
  it('fills a channel with history the API pages through, oldest first, and moves the channel to its newest message', async () => {
    s = await startTestServer();
    const [a, b] = [s.demo.studentIds[0]!, s.demo.studentIds[1]!];
    const c = await makeCommunity(s, { name: 'Deep Channel' });
    await addMember(s, c.id, a);
    await addMember(s, c.id, b);
    const general = (await s.as(a).channels.list({ params: { id: c.slug } })).items.find((ch) => ch.slug === 'general')!;
    const r = await seedHistory(s.ctx.db, { channelId: general.id, messages: 2345, authorIds: [a, b], days: 30, now: new Date() });
    expect(r.messages).toBe(2345);

    const latest = await s.as(a).channels.messages({ params: { channelId: general.id }, query: {} });
    expect(latest.items).toHaveLength(50);
    expect(latest.has_more_before).toBe(true);
    expect(latest.items.at(-1)!.id).toBe(r.lastId);
    expect(latest.items.at(-1)!.content).toBe("Seeded history message 2344: what did everyone make of this week's lesson?");
    // Authors take turns and time runs forward with the ids.
    expect(new Set(latest.items.map((m) => m.author.id))).toEqual(new Set([a, b]));
    const times = latest.items.map((m) => Date.parse(m.created_at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    const deep = await s.as(b).channels.messages({ params: { channelId: general.id }, query: { before: r.firstId + 10 } });
    expect(deep.items.map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => r.firstId + i));
    expect(deep.has_more_before).toBe(false);

    const channel = await s.ctx.db.db
      .selectFrom('channels')
      .select('last_message_id')
      .where('id', '=', general.id)
      .executeTakeFirstOrThrow();
    expect(channel.last_message_id).toBe(r.lastId);
  });

  it('refuses a channel that does not exist', async () => {
    s = await startTestServer();
    await expect(seedHistory(s.ctx.db, { channelId: 999_999, messages: 10, authorIds: [1] })).rejects.toThrow('No channel 999999');
  });
});
