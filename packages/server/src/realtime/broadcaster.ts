import type { CommunitiesConfig } from '@communities/contract';
import Pusher from 'pusher';

/** Publishes server events to channels, wherever the sockets are. */
export interface Broadcaster {
  publish(channels: string[], event: string, data: unknown, options?: { exceptSocketId?: string }): Promise<void>;
}

/** What LocalBroadcaster needs of the gateway (RealtimeGateway); narrow so gateway.ts → cluster.ts → here is no cycle. */
export interface LocalDelivery {
  deliver(channels: string[], event: string, data: unknown, exceptSocketId?: string): void;
}

/** The built-in gateway in this process. */
export class LocalBroadcaster implements Broadcaster {
  constructor(private readonly gateway: LocalDelivery) {}

  publish(channels: string[], event: string, data: unknown, options: { exceptSocketId?: string } = {}): Promise<void> {
    this.gateway.deliver(channels, event, data, options.exceptSocketId);
    return Promise.resolve();
  }
}

/** An external Pusher-compatible server (Pusher, Soketi, Laravel Reverb) through its HTTP API. */
export class PusherHttpBroadcaster implements Broadcaster {
  private readonly client: Pusher;

  constructor(chat: CommunitiesConfig['chat']) {
    const base = { appId: chat.app_id, key: chat.app_key, secret: chat.app_secret, useTLS: chat.pusher_use_tls };
    this.client = new Pusher(
      chat.pusher_host
        ? { ...base, host: chat.pusher_host, ...(chat.pusher_port ? { port: String(chat.pusher_port) } : {}) }
        : { ...base, cluster: chat.pusher_cluster ?? 'mt1' },
    );
  }

  async publish(channels: string[], event: string, data: unknown, options: { exceptSocketId?: string } = {}): Promise<void> {
    // The HTTP API takes at most 100 channels per trigger.
    for (let i = 0; i < channels.length; i += 100) {
      await this.client.trigger(
        channels.slice(i, i + 100),
        event,
        data,
        options.exceptSocketId ? { socket_id: options.exceptSocketId } : undefined,
      );
    }
  }
}

/** chat.driver = database: no push; clients poll the REST API. */
export class NoBroadcaster implements Broadcaster {
  publish(): Promise<void> {
    return Promise.resolve();
  }
}
