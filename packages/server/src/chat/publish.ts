import { REALTIME_EVENTS, realtimeChannel, type RealtimeEventName } from '@communities/contract';

import type { ChatDeps } from './deps';

/**
 * Realtime pushes after commit. A broadcast failure is logged, never turned into a failed
 * request: the write happened, and clients catch up through REST after a reconnect.
 */
export class ChatPublisher {
  constructor(private readonly ctx: Pick<ChatDeps, 'broadcaster' | 'config' | 'logger'>) {}

  private get prefix() {
    return this.ctx.config.chat.broadcast_channel_prefix;
  }

  private send(channels: string[], event: RealtimeEventName, data: unknown, exceptSocketId?: string): void {
    if (channels.length === 0) return;
    this.ctx.broadcaster.publish(channels, event, data, exceptSocketId ? { exceptSocketId } : {}).catch((err: unknown) => {
      this.ctx.logger.warn({ err, event }, 'realtime publish failed');
    });
  }

  toChannel(channelId: number, event: RealtimeEventName, data: unknown): void {
    this.send([realtimeChannel.channel(this.prefix, channelId)], event, data);
  }

  toCommunity(communityId: number, event: RealtimeEventName, data: unknown): void {
    this.send([realtimeChannel.community(this.prefix, communityId)], event, data);
  }

  toThread(threadId: number, event: RealtimeEventName, data: unknown): void {
    this.send([realtimeChannel.dm(this.prefix, threadId)], event, data);
  }

  /**
   * message.updated, to the message's channel or thread, with what every member shares:
   * reactions (their `me`), rights and the nonce are per viewer, so they stay out.
   */
  messageUpdated(m: { channel_id: number } | { thread_id: number }): void {
    const data = { ...m, nonce: undefined, viewer_can: undefined, reactions: undefined };
    if ('channel_id' in m) this.toChannel(m.channel_id, REALTIME_EVENTS.messageUpdated, data);
    else this.toThread(m.thread_id, REALTIME_EVENTS.messageUpdated, data);
  }

  toUsers(userIds: number[], event: RealtimeEventName, data: unknown): void {
    this.send(
      [...new Set(userIds)].map((id) => realtimeChannel.user(this.prefix, id)),
      event,
      data,
    );
  }
}
