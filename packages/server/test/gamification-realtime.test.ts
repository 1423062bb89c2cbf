import { createRealtime, type Realtime } from '@communities/client';
import { GAMIFICATION_REALTIME_EVENTS, levelUpEventSchema, realtimeChannel, type LevelUpEvent } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let rt: Realtime | null = null;

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { messages: { max: 1000, window_seconds: 1 } } });
});
afterAll(async () => {
  rt?.disconnect();
  await s.close();
});

describe('level-up on the user channel', () => {
  it('reaches a real pusher-js client as a gamification.level_up matching its zod schema', async () => {
    const u = s.demo.studentIds[0]!;
    const features = await s.as(null).system.features();
    rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(u) });
    const channel = realtimeChannel.user(features.realtime.channel_prefix, u);
    await rt.subscribed(channel);
    const got: LevelUpEvent[] = [];
    rt.on(channel, GAMIFICATION_REALTIME_EVENTS.levelUp, (d) => got.push(levelUpEventSchema.parse(d)));
    // Joining earns 5 (join_community) and, as one of the first members, 10 more (early_member):
    // both are awarded in one outbox round, which announces its level change once, with the total.
    const c = await makeCommunity(s);
    await addMember(s, c.id, u);
    await s.ctx.bus.idle();
    await expect.poll(() => got.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(got.find((e) => e.community_id === c.id)).toEqual({
      community_id: c.id,
      previous_level: 1,
      level: 2,
      points: 15,
      next_level_at: 20,
    });
    expect(got.find((e) => e.community_id === null)).toMatchObject({ previous_level: 1, level: 2 });
  });
});

describe('gamification config keys', () => {
  it('timezone, leaderboard_size and notify_host_on_level_up take effect', async () => {
    const t = await startTestServer({
      gamification: { timezone: 'Asia/Tokyo', leaderboard_size: 1, notify_host_on_level_up: true },
      integration: { notification_channel: 'both' },
    });
    try {
      const [a, b] = t.demo.studentIds as [number, number];
      const c = await makeCommunity(t);
      await addMember(t, c.id, a);
      await addMember(t, c.id, b);
      await t.ctx.bus.idle();
      const board = await t.as(a).gamification.communityLeaderboard({ params: { id: String(c.id) }, query: { period: 'week' } });
      expect(board.items).toHaveLength(1);
      expect(board.timezone).toBe('Asia/Tokyo');
      // A Tokyo week starts on Monday 00:00 JST, 15:00 UTC on the Sunday.
      expect(new Date(board.starts_at!).getUTCHours()).toBe(15);
      expect(new Date(board.starts_at!).getUTCDay()).toBe(0);
      const notes = await t.ctx.hostDb.selectFrom('notifications').select(['user_id', 'title']).where('user_id', '=', a).execute();
      expect(notes).toContainEqual({ user_id: a, title: 'You reached level 2' });
    } finally {
      await t.close();
    }
  });
});
