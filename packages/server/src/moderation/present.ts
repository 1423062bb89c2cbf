import {
  MODERATION_REALTIME_EVENTS,
  realtimeChannel,
  type ModerationRealtimeEventName,
  type ModerationRealtimePayload,
  type UserSummary,
} from '@communities/contract';

import type { HostUser } from '../host/ports';
import { publishEvent } from '../realtime/publish-event';

import type { ModerationDeps } from './deps';

export const summary = (users: Map<number, HostUser>, id: number | null): UserSummary | null => {
  if (id === null || id === 0) return null;
  const u = users.get(id);
  return u ? { id: u.id, name: u.name, avatar_url: u.avatarUrl } : { id, name: `#${id}`, avatar_url: null };
};

/** Realtime pushes to users' private channels, after commit; a failure is logged, never a failed request. */
export class ModerationPublisher {
  constructor(private readonly ctx: Pick<ModerationDeps, 'broadcaster' | 'config' | 'logger'>) {}

  toUsers<N extends ModerationRealtimeEventName>(userIds: number[], event: N, data: ModerationRealtimePayload<N>): void {
    const ids = [...new Set(userIds)].filter((id) => id > 0);
    if (ids.length === 0) return;
    const prefix = this.ctx.config.chat.broadcast_channel_prefix;
    publishEvent(
      this.ctx,
      ids.map((id) => realtimeChannel.user(prefix, id)),
      event,
      data,
    ).catch((err: unknown) => this.ctx.logger.warn({ err, event }, 'realtime publish failed'));
  }
}

export { MODERATION_REALTIME_EVENTS };
