import { REALTIME_EVENTS, realtimeChannel, type FeaturesResponse } from '@communities/contract';
import { afterEach, describe, expect, it } from 'vitest';

import { onEvent, type InvalidRealtimeEvent } from './events';
import { createRealtime, type Realtime } from './realtime';

/**
 * A real pusher-js client that never reaches a server: the test dispatches events on its
 * channel objects as pusher-js does for frames it receives. (Events from the real gateway are
 * covered by the server's realtime-events suite.)
 */
const realtime: FeaturesResponse['realtime'] = {
  driver: 'pusher',
  key: 'test-key',
  ws_host: '127.0.0.1',
  ws_port: 9,
  ws_path: '',
  force_tls: false,
  cluster: null,
  auth_endpoint: '/auth',
  channel_prefix: '',
};
let rt: Realtime | undefined;
afterEach(() => rt?.disconnect());

const receive = (r: Realtime, channel: string, event: string, data: unknown) => r.pusher.channel(channel).emit(event, data);

describe('onEvent', () => {
  it('hands valid payloads to the handler, parsed, without fields the schema does not know', () => {
    rt = createRealtime({ realtime, baseUrl: 'http://127.0.0.1:9' });
    const channel = realtimeChannel.community('', 4);
    const got: unknown[] = [];
    const problems: InvalidRealtimeEvent[] = [];
    const off = onEvent(rt, channel, REALTIME_EVENTS.channelActivity, (a) => got.push(a), {
      onInvalid: (p) => problems.push(p),
    });
    receive(rt, channel, REALTIME_EVENTS.channelActivity, { channel_id: 7, message_id: 70, author_id: 3, everyone: false, later: 1 });
    receive(rt, channel, REALTIME_EVENTS.memberJoined, { user_id: 1 });
    const seven = { channel_id: 7, message_id: 70, author_id: 3, everyone: false };
    expect(got).toEqual([seven]);
    expect(problems).toEqual([]);
    off();
    receive(rt, channel, REALTIME_EVENTS.channelActivity, { channel_id: 8, message_id: 80, author_id: 3, everyone: false });
    expect(got).toEqual([seven]);
  });

  it('drops and reports an invalid payload instead of throwing, and goes on with the next', () => {
    rt = createRealtime({ realtime, baseUrl: 'http://127.0.0.1:9' });
    const channel = realtimeChannel.user('', 2);
    const got: number[] = [];
    const problems: InvalidRealtimeEvent[] = [];
    onEvent(rt, channel, REALTIME_EVENTS.mentionCreated, (m) => got.push(m.message_id), { onInvalid: (p) => problems.push(p) });
    const bad = { community_id: 1, channel_id: 2, message_id: 'x', author_id: 3 };
    expect(() => receive(rt!, channel, REALTIME_EVENTS.mentionCreated, bad)).not.toThrow();
    receive(rt, channel, REALTIME_EVENTS.mentionCreated, { community_id: 1, channel_id: 2, message_id: 9, author_id: 3 });
    expect(got).toEqual([9]);
    expect(problems).toEqual([
      { channel, name: REALTIME_EVENTS.mentionCreated, error: expect.stringContaining('message_id') as string, data: bad },
    ]);
  });
});
