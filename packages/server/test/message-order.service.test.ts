import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createRealtime, watchMessages, type Realtime } from '@communities/client';
import { realtimeChannel, type ChannelMessage } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { createTestDatabase } from './support/databases';
import { addMember, makeCommunity } from './support/factories';
import { startTestServer } from './support/server';

/**
 * Message ids are handed out when a post's transaction starts and pushed when it commits, so
 * with concurrent posters on PostgreSQL a message often reaches sockets after a newer one.
 * Every watcher must still end with every message, each once. (MariaDB is left out for now:
 * there concurrent posts to one channel deadlock on `channels.last_message_id` and answer 500.)
 */
for (const dialect of ['postgres'] as const) {
  describe(`live messages from concurrent posters on ${dialect}`, () => {
    it('reach every pusher-js watcher, each message once, even when pushed out of id order', async () => {
      const db = await createTestDatabase(dialect);
      await db.db.destroy();
      const s = await startTestServer({
        database: { url: db.url },
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
        rate_limits: { messages: { max: 100_000, window_seconds: 1 } },
      });
      const clients: Realtime[] = [];
      try {
        const c = await makeCommunity(s);
        const posters = s.demo.studentIds.slice(0, 5);
        const watchers = s.demo.studentIds.slice(5, 8);
        for (const u of [...posters, ...watchers]) await addMember(s, c.id, u);
        const general = (await s.as(watchers[0]!).channels.list({ params: { id: c.slug } })).items.find((ch) => ch.slug === 'general')!;
        const before = await s.as(posters[0]!).channels.post({ params: { channelId: general.id }, body: { content: 'before' } });

        const features = await s.as(null).system.features();
        const views = await Promise.all(
          watchers.map(async (u) => {
            const rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(u) });
            clients.push(rt);
            const arrived: number[] = [];
            const stream = watchMessages<ChannelMessage>(rt, {
              channel: realtimeChannel.channel(features.realtime.channel_prefix, general.id),
              lastSeenId: before.id,
              fetchAfter: (after) => s.as(u).channels.messages({ params: { channelId: general.id }, query: { after, limit: 50 } }),
              onMessage: (m) => arrived.push(m.id),
            });
            await stream.ready;
            return { arrived, stream };
          }),
        );

        // 10 concurrent posters (two per user) x 60 messages.
        const posted: number[] = [];
        await Promise.all(
          Array.from({ length: 10 }, async (_, p) => {
            const u = posters[p % posters.length]!;
            for (let i = 0; i < 60; i++) {
              const m = await s.as(u).channels.post({ params: { channelId: general.id }, body: { content: `poster ${p} message ${i}` } });
              posted.push(m.id);
            }
          }),
        );
        expect(posted).toHaveLength(600);
        const all = [...posted].sort((a, b) => a - b);
        for (const v of views) {
          await expect.poll(() => v.arrived.length, { timeout: 20_000 }).toBe(600);
          expect([...v.arrived].sort((a, b) => a - b)).toEqual(all);
          v.stream.stop();
        }
        const late = views[0]!.arrived.filter((id, i, a) => i > 0 && id < Math.max(...a.slice(0, i))).length;
        console.info(`${dialect}: ${late} of 600 messages reached a watcher after a newer one`);
      } finally {
        for (const rt of clients) rt.disconnect();
        await s.close();
        await db.drop().catch(() => undefined);
      }
    }, 120_000);
  });
}
