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
    // Joining earns 5 (join_community): level 2 starts at 5, in the community and site-wide.
    const c = await makeCommunity(s);
    await addMember(s, c.id, u);
    await s.ctx.bus.idle();
    await expect.poll(() => got.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(got.find((e) => e.community_id === c.id)).toEqual({
      community_id: c.id,
      previous_level: 1,
      level: 2,
      points: 5,
      next_level_at: 20,
    });
    expect(got.find((e) => e.community_id === null)).toMatchObject({ previous_level: 1, level: 2 });
  });
});
