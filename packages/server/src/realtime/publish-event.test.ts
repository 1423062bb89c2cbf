import { REALTIME_EVENTS, realtimeChannel, type RealtimeEventData } from '@communities/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { parseConfig } from '../platform/config';

import type { Broadcaster } from './broadcaster';
import { publishEvent, RealtimeDriftError } from './publish-event';

const config = parseConfig({});
const prefix = config.chat.broadcast_channel_prefix;

/** A Broadcaster that keeps what it is given (the interface is the seam; no socket here). */
function recorder() {
  const sent: Array<{ channels: string[]; event: string; data: unknown }> = [];
  const broadcaster: Broadcaster = {
    publish: (channels, event, data) => {
      sent.push({ channels, event, data });
      return Promise.resolve();
    },
  };
  return { sent, ctx: { broadcaster, config } };
}

afterEach(() => vi.unstubAllEnvs());

describe('publishEvent', () => {
  it('publishes a payload that matches its schema, on the channels given', async () => {
    const { sent, ctx } = recorder();
    const community = realtimeChannel.community(prefix, 3);
    await publishEvent(ctx, community, REALTIME_EVENTS.memberJoined, { user_id: 5 });
    expect(sent).toEqual([{ channels: [community], event: REALTIME_EVENTS.memberJoined, data: { user_id: 5 } }]);
  });

  it('outside production, refuses a drifted payload or a wrong kind of channel before sending anything', () => {
    vi.stubEnv('NODE_ENV', 'test');
    const { sent, ctx } = recorder();
    const community = realtimeChannel.community(prefix, 3);
    const drifted = { user_id: 5, viewer_can: { edit: true } } as RealtimeEventData<typeof REALTIME_EVENTS.memberJoined>;
    expect(() => publishEvent(ctx, community, REALTIME_EVENTS.memberJoined, drifted)).toThrow(RealtimeDriftError);
    expect(() => publishEvent(ctx, community, REALTIME_EVENTS.memberJoined, { user_id: '5' } as never)).toThrow(/user_id/);
    expect(() => publishEvent(ctx, realtimeChannel.user(prefix, 5), REALTIME_EVENTS.memberJoined, { user_id: 5 })).toThrow(/community/);
    expect(sent).toEqual([]);
  });

  it('in production, sends without the check', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { sent, ctx } = recorder();
    await publishEvent(ctx, realtimeChannel.user(prefix, 5), REALTIME_EVENTS.memberJoined, { user_id: 5 });
    expect(sent).toHaveLength(1);
  });
});
