import {
  realtimeChannel,
  REALTIME_EVENTS,
  type ChannelMessage,
  type DmMessage,
  type RealtimeEventData,
  type RealtimeMessage,
  type RealtimeServerEventName,
} from '@communities/contract';

import { publishEvent } from '../realtime/publish-event';

import type { ChatDeps } from './deps';

/** A message as some viewer sees it, or its shared part (no viewer: a finished scan). */
type AnyMessage = (Omit<ChannelMessage, 'viewer_can' | 'nonce'> | Omit<DmMessage, 'viewer_can' | 'nonce'>) & {
  viewer_can?: unknown;
  nonce?: string | null;
};

/**
 * The message as everyone sees it: without the viewer's rights, nonce and own reactions
 * (reactions go as counts). message.created and message.updated both carry this.
 */
export function toRealtimeMessage(m: AnyMessage): RealtimeMessage {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { viewer_can, nonce, reactions, ...shared } = m;
  return { ...shared, reactions: reactions.map((r) => ({ emoji: r.emoji, count: r.count })) };
}

/**
 * Realtime pushes after commit, typed by the contract's schemas (publishEvent). A broadcast
 * failure is logged, never turned into a failed request: the write happened, and clients catch
 * up through REST after a reconnect. A payload that drifts from its schema throws outside
 * production.
 */
export class ChatPublisher {
  constructor(private readonly ctx: Pick<ChatDeps, 'broadcaster' | 'config' | 'logger'>) {}

  private get prefix() {
    return this.ctx.config.chat.broadcast_channel_prefix;
  }

  private send<N extends RealtimeServerEventName>(channels: string[], event: N, data: RealtimeEventData<N>): void {
    if (channels.length === 0) return;
    publishEvent(this.ctx, channels, event, data).catch((err: unknown) => {
      this.ctx.logger.warn({ err, event }, 'realtime publish failed');
    });
  }

  toChannel<N extends RealtimeServerEventName>(channelId: number, event: N, data: RealtimeEventData<N>): void {
    this.send([realtimeChannel.channel(this.prefix, channelId)], event, data);
  }

  toCommunity<N extends RealtimeServerEventName>(communityId: number, event: N, data: RealtimeEventData<N>): void {
    this.send([realtimeChannel.community(this.prefix, communityId)], event, data);
  }

  toThread<N extends RealtimeServerEventName>(threadId: number, event: N, data: RealtimeEventData<N>): void {
    this.send([realtimeChannel.dm(this.prefix, threadId)], event, data);
  }

  toUsers<N extends RealtimeServerEventName>(userIds: number[], event: N, data: RealtimeEventData<N>): void {
    this.send(
      [...new Set(userIds)].map((id) => realtimeChannel.user(this.prefix, id)),
      event,
      data,
    );
  }

  /** message.created or message.updated, to the message's channel or thread, as everyone sees it. */
  message(event: typeof REALTIME_EVENTS.messageCreated | typeof REALTIME_EVENTS.messageUpdated, m: AnyMessage): void {
    const data = toRealtimeMessage(m);
    if ('channel_id' in data) this.toChannel(data.channel_id, event, data);
    else this.toThread(data.thread_id, event, data);
  }

  messageUpdated(m: AnyMessage): void {
    this.message(REALTIME_EVENTS.messageUpdated, m);
  }
}
