import { realtimeChannel, type CommunitiesConfig } from '@communities/contract';

import type { FactsLoader } from '../communities/facts';
import type { HostNotification, HostPorts, NotificationPort } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import type { Logger } from '../platform/logger';
import type { Broadcaster } from '../realtime/broadcaster';

import { Audience } from './audience';
import { NotificationText } from './render';
import { NotificationService } from './service';
import { NotificationSubscriber } from './subscriber';

export { NotificationService } from './service';
export { NOTIFICATIONS_SUBSCRIBER } from './subscriber';

export interface NotificationsContext {
  config: CommunitiesConfig;
  logger: Logger;
  clock: Clock;
  db: Db;
  host: HostPorts;
  bus: EventBus;
  broadcaster: Broadcaster;
  /** Set by the HTTP server when this process runs the gateway: whether a user has a live connection. */
  presence: ((userId: number) => Promise<boolean>) | null;
}

/**
 * The notifications domain: the inbox and preferences service, and the outbox subscriber
 * that feeds it. `hostTable` is the host adapter's raw writer to RocketLMS's notifications
 * table; the returned `port` replaces `host.notifications` for the other domains, so a
 * level-up or a tier change passes the same switches, store and live push as a mention.
 */
export function createNotifications(
  ctx: NotificationsContext,
  facts: FactsLoader,
  hostTable: NotificationPort & { notifyMany?(ns: HostNotification[]): Promise<void> },
): { service: NotificationService; port: NotificationPort } {
  const service = new NotificationService({
    db: ctx.db.db,
    dialect: ctx.db.dialect,
    config: ctx.config,
    logger: ctx.logger,
    get clock() {
      return ctx.clock;
    },
    host: ctx.host,
    hostTable,
    facts,
    text: new NotificationText(),
    broadcaster: () => ctx.broadcaster,
  });
  const audience = new Audience(ctx.db.db, facts, () => ctx.config.pricing.grace_period_hours);
  new NotificationSubscriber({
    db: ctx.db.db,
    audience,
    service,
    connected: (userId) => (ctx.presence ? ctx.presence(userId) : Promise.resolve(false)),
    dmOfflineOnly: () => ctx.config.notifications.dm_offline_only,
  }).register(ctx.bus);
  return { service, port: service.port() };
}

/** The user's own channel name, whose subscription means "connected". */
export const userChannelOf = (config: CommunitiesConfig, userId: number) =>
  realtimeChannel.user(config.chat.broadcast_channel_prefix, userId);
