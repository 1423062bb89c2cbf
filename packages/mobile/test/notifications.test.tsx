import type { Notification } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, renderHook, screen, waitFor, within } from '@testing-library/react-native';
import type { ReactNode } from 'react';

import { useCommunitiesMenu } from '../src/hooks';
import { CommunitiesProvider } from '../src/provider';
import { NotificationsScreen } from '../src/screens/Notifications';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let me: number;
let friend: number;
let general: number;
let mentionId: number;

const waitDelivered = (user: number, n: number) =>
  waitFor(async () => expect((await s.as(user).notifications.list({ query: { limit: 100 } })).items.length).toBeGreaterThanOrEqual(n), {
    timeout: 10_000,
  });

beforeAll(async () => {
  s = await startRealServer();
  [me, friend] = s.demo.studentIds as [number, number];
  const c = await seedCommunity(s, { name: 'Bell Club', members: [me, friend] });
  general = (await s.as(friend).channels.list({ params: { id: String(c.id) } })).items.find((x) => x.type === 'text')!.id;
  mentionId = (
    await s.as(friend).channels.post({ params: { channelId: general }, body: { content: `@[Me](user:${me}) see the syllabus` } })
  ).id;
  await waitDelivered(me, 1);
});
afterAll(async () => {
  await s?.close();
});

describe('NotificationsScreen against a real server', () => {
  it('lists notifications with their text; pressing one marks it read and hands it to the host to open', async () => {
    const opened: Notification[] = [];
    const h = await renderWithServer(<NotificationsScreen onOpen={(n) => opened.push(n)} />, s, me);
    const list = await screen.findByTestId('notification-list');
    const friendName = (await s.as(friend).system.me()).name;
    const item = within(list).getByText(`${friendName} mentioned you`);
    expect(within(list).getByText('see the syllabus', { exact: false })).toBeTruthy();
    await fireEvent.press(item);
    expect(opened[0]).toMatchObject({ kind: 'mention', message_id: mentionId, channel_id: general });
    await waitFor(() =>
      expect(h.network.requests.some((r) => r.method === 'POST' && r.url.endsWith('/api/communities/notifications/read'))).toBe(true),
    );
    await waitFor(async () =>
      expect((await s.as(me).notifications.list({ query: { limit: 100 } })).items.find((n) => n.message_id === mentionId)?.read).toBe(true),
    );
  });

  it('marks all read', async () => {
    const posted = await s.as(friend).channels.post({ params: { channelId: general }, body: { content: `@[Me](user:${me}) one more` } });
    // This mention's notification, and so every earlier one (the inbox subscriber takes events in
    // commit order, `events.linger_ms` after them): none can arrive after "mark all read".
    await waitFor(
      async () =>
        expect((await s.as(me).notifications.list({ query: { limit: 100 } })).items.some((n) => n.message_id === posted.id)).toBe(true),
      { timeout: 10_000 },
    );
    await renderWithServer(<NotificationsScreen />, s, me);
    await fireEvent.press(await screen.findByTestId('notifications-read-all'));
    await waitFor(async () => expect((await s.as(me).notifications.list({ query: { limit: 1 } })).unread_count).toBe(0));
    await waitFor(() => expect(screen.queryByTestId('notifications-read-all')).toBeNull());
  });

  it('the menu carries the unread count, and the host hears each new notification live (onNotification)', async () => {
    const heard: Array<{ kind: string; unread: number }> = [];
    const config = {
      baseUrl: s.url,
      token: () => s.token(me),
      onUnauthorized: () => {},
      onNotification: (n: Notification, unread: number) => heard.push({ kind: n.kind, unread }),
    };
    const wrapper = ({ children }: { children: ReactNode }) => <CommunitiesProvider config={config}>{children}</CommunitiesProvider>;
    const { result } = await renderHook(() => useCommunitiesMenu(), { wrapper });
    await waitFor(() => expect(result.current.map((i) => i.key)).toContain('notifications'));
    // Posted until one arrives: the user channel's subscription settles after the first render.
    await waitFor(
      async () => {
        await s.as(friend).channels.post({ params: { channelId: general }, body: { content: `@[Me](user:${me}) ping ${Date.now()}` } });
        expect(heard.length).toBeGreaterThan(0);
      },
      { timeout: 15_000, interval: 1000 },
    );
    expect(heard[0]!.kind).toBe('mention');
    await waitFor(() => expect(result.current.find((i) => i.key === 'notifications')?.badge).toBeGreaterThan(0), { timeout: 10_000 });
    expect(result.current.find((i) => i.key === 'notifications')?.label).toBe('Notifications');
  });
});
