import { realtimeChannel, REALTIME_EVENT_SCHEMAS, REALTIME_EVENTS } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { nextEvent, realtimeClients } from './support/realtime-clients';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let st: number[];
let c: { id: number; slug: string };
let general: number;
const clients = realtimeClients(() => s);

beforeAll(async () => {
  s = await startTestServer();
  st = s.demo.studentIds;
  c = await makeCommunity(s, { name: 'Live Bell' });
  await addMember(s, c.id, st[0]!);
  await addMember(s, c.id, st[1]!);
  general = (await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!.id;
});
afterAll(async () => {
  clients.closeAll();
  await s.close();
});

const userChannel = (id: number) => realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, id);

describe('notifications over real pusher-js clients', () => {
  it('a mention arrives live as notification.created with the unread count; marking read elsewhere tells the other tabs', async () => {
    const rt = await clients.client(st[1]!);
    await rt.subscribed(userChannel(st[1]!));
    const created = nextEvent<unknown>(rt, userChannel(st[1]!), REALTIME_EVENTS.notificationCreated);
    const m = await s.as(st[0]!).channels.post({ params: { channelId: general }, body: { content: `@[x](user:${st[1]}) live?` } });
    const got = REALTIME_EVENT_SCHEMAS[REALTIME_EVENTS.notificationCreated].parse(await created);
    expect(got.notification).toMatchObject({ kind: 'mention', message_id: m.id, channel_id: general, read: false });
    expect(got.unread_count).toBeGreaterThanOrEqual(1);
    const read = nextEvent<unknown>(rt, userChannel(st[1]!), REALTIME_EVENTS.notificationsRead);
    await s.as(st[1]!).notifications.markRead({ body: { all: true } });
    expect(REALTIME_EVENT_SCHEMAS[REALTIME_EVENTS.notificationsRead].parse(await read)).toEqual({ unread_count: 0, ids: null });
  });

  it('a DM does not notify a recipient who is connected (they see it live), and does once they are away', async () => {
    const rt = await clients.client(st[0]!);
    await rt.subscribed(userChannel(st[0]!));
    const t = await s.as(st[1]!).dm.start({ body: { user_ids: [st[0]!] } });
    const seen = await s.as(st[1]!).dm.post({ params: { threadId: t.id }, body: { content: 'you are here' } });
    await s.ctx.bus.idle();
    const dms = async () => (await s.as(st[0]!).notifications.list({ query: { limit: 50 } })).items.filter((n) => n.kind === 'dm');
    expect((await dms()).map((n) => n.message_id)).not.toContain(seen.id);
    rt.disconnect();
    await expect.poll(() => s.gateway!.subscribersOf(userChannel(st[0]!)).length, { timeout: 5000 }).toBe(0);
    const away = await s.as(st[1]!).dm.post({ params: { threadId: t.id }, body: { content: 'now you are away' } });
    await s.ctx.bus.idle();
    expect((await dms()).map((n) => n.message_id)).toContain(away.id);
  });
});
