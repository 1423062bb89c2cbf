import { createRealtime, type Realtime } from '@communities/client';

import type { TestServer } from './server';

/**
 * Real pusher-js clients against a test server, signed in as given users; `closeAll` in
 * afterAll disconnects every one made.
 */
export function realtimeClients(server: () => TestServer) {
  const made: Realtime[] = [];
  return {
    async client(userId: number): Promise<Realtime> {
      const s = server();
      const features = await s.as(null).system.features();
      const rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(userId) });
      made.push(rt);
      return rt;
    },
    closeAll(): void {
      for (const rt of made) rt.disconnect();
    },
  };
}

/** The next `event` on `channel` (that `where` accepts), once. */
export const nextEvent = <T>(rt: Realtime, channel: string, event: string, where: (d: T) => boolean = () => true) =>
  new Promise<T>((resolve) => {
    const off = rt.on(channel, event, (d) => {
      if (!where(d as T)) return;
      off();
      resolve(d as T);
    });
  });
