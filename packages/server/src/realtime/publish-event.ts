import { checkRealtimeEvent, type CommunitiesConfig, type RealtimeEventData, type RealtimeServerEventName } from '@communities/contract';

import type { Broadcaster } from './broadcaster';

/** A payload that does not match its event's schema in packages/contract (realtime-events.ts). */
export class RealtimeDriftError extends Error {
  readonly code = 'realtime_drift';
}

/**
 * Outside production every publish is checked against the contract, so a payload that drifts
 * from its schema fails tests and dev requests loudly; production skips the check.
 */
const checking = () => process.env.NODE_ENV !== 'production';

export interface EventPublisher {
  broadcaster: Broadcaster;
  config: { chat: Pick<CommunitiesConfig['chat'], 'broadcast_channel_prefix'> };
}

/**
 * The one way server code publishes a realtime event: the payload's type comes from the
 * event's schema. Throws RealtimeDriftError (outside production) before anything is sent when
 * the payload or the channel kind does not match the contract.
 */
export function publishEvent<N extends RealtimeServerEventName>(
  ctx: EventPublisher,
  channels: string | readonly string[],
  name: N,
  data: RealtimeEventData<N>,
  options: { exceptSocketId?: string } = {},
): Promise<void> {
  const list = typeof channels === 'string' ? [channels] : [...channels];
  if (checking()) {
    const r = checkRealtimeEvent(name, data, { names: list, prefix: ctx.config.chat.broadcast_channel_prefix });
    if (!r.ok) throw new RealtimeDriftError(`realtime ${name}: ${r.error}`);
  }
  if (list.length === 0) return Promise.resolve();
  return ctx.broadcaster.publish(list, name, data, options);
}
