import type { Channel, CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import { ChannelScreen } from '../src/screens/Channel';
import { NotificationsScreen } from '../src/screens/Notifications';

import { gatedFetch } from './support/network';
import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let me: number;
let other: number;
let community: CommunityDetail;
let general: Channel;

const isPrefsSave = (method: string, url: string) => method === 'PATCH' && url.endsWith('/api/communities/notifications/preferences');
const serverPrefs = (user: number) => s.as(user).notifications.preferences();

beforeAll(async () => {
  s = await startRealServer();
  owner = s.demo.instructorIds[0]!;
  [me, other] = s.demo.studentIds as [number, number];
  community = await seedCommunity(s, { owner, name: 'Chess Circle', members: [me, other] });
  general = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.find((c) => c.type === 'text')!;
});
afterAll(async () => {
  await s?.close();
});

describe('notification preferences on mobile, against a real server', () => {
  it('a kind switch moves when touched, before the server answers, and the PATCH carries it', async () => {
    expect((await serverPrefs(me)).kinds.reply.in_app).toBe(true);
    const gate = gatedFetch(isPrefsSave);
    const saves: unknown[] = [];
    const fetch: typeof gate.fetch = (input, init) => {
      if (isPrefsSave(init?.method ?? 'GET', String(input))) saves.push(JSON.parse(String(init?.body)));
      return gate.fetch(input, init);
    };
    await renderWithServer(<NotificationsScreen initialTab="settings" />, s, me, { fetch });
    const toggle = await screen.findByTestId('notification-kind-reply-in_app');
    expect(toggle.props.value).toBe(true);
    gate.hold();
    await fireEvent(toggle, 'valueChange', false);
    // Held at the gate: the switch is already off (the optimistic update may land a tick after
    // the event on a loaded machine; the gate keeps the server's answer away meanwhile).
    await waitFor(() => expect(screen.getByTestId('notification-kind-reply-in_app').props.value).toBe(false));
    await waitFor(() => expect(saves).toEqual([{ kinds: { reply: { in_app: false } } }]));
    expect((await serverPrefs(me)).kinds.reply.in_app).toBe(true);
    gate.release();
    await waitFor(async () => expect((await serverPrefs(me)).kinds.reply.in_app).toBe(false));
    expect(screen.getByTestId('notification-kind-reply-in_app').props.value).toBe(false);
  });

  it('a save that fails puts the switch back, even offline where the refetch fails too', async () => {
    const before = (await serverPrefs(me)).kinds.badge.in_app;
    const h = await renderWithServer(<NotificationsScreen initialTab="settings" />, s, me);
    const toggle = await screen.findByTestId('notification-kind-badge-in_app');
    expect(toggle.props.value).toBe(before);
    h.network.offline = true;
    await fireEvent(toggle, 'valueChange', !before);
    await waitFor(() => expect(h.network.requests.some((r) => isPrefsSave(r.method, r.url))).toBe(true));
    await waitFor(() => expect(h.queryClient.isFetching() + h.queryClient.isMutating()).toBe(0));
    expect(screen.getByTestId('notification-kind-badge-in_app').props.value).toBe(before);
    expect((await serverPrefs(me)).kinds.badge.in_app).toBe(before);
    h.network.offline = false;
  });

  it('a kind the school turned off is off and cannot be switched; the default level saves', async () => {
    const before = await serverPrefs(me);
    // The demo school writes reactions to the bell only, never to its own notification centre.
    expect(before.allowed.reaction.host).toBe(false);
    await renderWithServer(<NotificationsScreen initialTab="settings" />, s, me);
    const fixed = await screen.findByTestId('notification-kind-reaction-host');
    expect(fixed.props.disabled).toBe(true);
    expect(fixed.props.value).toBe(false);
    expect(screen.getByTestId('notification-kind-reaction-in_app').props.disabled).toBe(false);
    await fireEvent.press(screen.getByTestId('notification-level-mentions'));
    expect(screen.getByTestId('notification-level-mentions').props.accessibilityState.checked).toBe(true);
    await waitFor(async () => expect((await serverPrefs(me)).level).toBe('mentions'));
  });

  it('the channel bell mutes this channel at once, and the server keeps it', async () => {
    const gate = gatedFetch(isPrefsSave);
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { fetch: gate.fetch });
    await fireEvent.press(await screen.findByTestId('channel-bell'));
    const sheet = await screen.findByTestId('channel-bell-sheet');
    expect(within(sheet).getByText(`This channel: #${general.name}`)).toBeTruthy();
    expect(within(sheet).getByText('Whole community: Chess Circle')).toBeTruthy();
    const mute = within(sheet).getByTestId('channel-notifications-mute');
    await waitFor(() => expect(mute.props.disabled).toBe(false));
    expect(mute.props.value).toBe(false);
    gate.hold();
    await fireEvent(mute, 'valueChange', true);
    // While the save is still held back by the gate: the switch has moved already.
    await waitFor(() => expect(within(sheet).getByTestId('channel-notifications-mute').props.value).toBe(true));
    // Only the channel: the community stays as it was.
    expect(within(sheet).getByTestId('community-notifications-mute').props.value).toBe(false);
    expect(screen.getByText('🔕')).toBeTruthy();
    gate.release();
    await waitFor(async () =>
      expect((await serverPrefs(me)).scopes).toContainEqual(
        expect.objectContaining({ community_id: community.id, channel_id: general.id, muted: true }),
      ),
    );
    expect((await serverPrefs(me)).scopes.find((x) => x.channel_id === 0 && x.community_id === community.id)).toBeUndefined();
  });

  it('lists the communities and channels set apart by name, and Unmute lifts a mute', async () => {
    await s.as(other).notifications.updatePreferences({ body: { community_id: community.id, level: 'mentions' } });
    await s.as(other).notifications.updatePreferences({ body: { community_id: community.id, channel_id: general.id, muted: true } });
    await renderWithServer(<NotificationsScreen initialTab="settings" />, s, other);
    const communityRow = await screen.findByTestId(`notification-scope-${community.id}-0`);
    expect(within(communityRow).getByText('Chess Circle')).toBeTruthy();
    expect(within(communityRow).getByText('Only @mentions')).toBeTruthy();
    expect(within(communityRow).queryByText('Unmute')).toBeNull();
    const channelRow = screen.getByTestId(`notification-scope-${community.id}-${general.id}`);
    expect(within(channelRow).getByText(`Chess Circle · #${general.name}`)).toBeTruthy();
    expect(within(channelRow).getByText('Muted')).toBeTruthy();
    await fireEvent.press(within(channelRow).getByText('Unmute'));
    expect(screen.queryByTestId(`notification-scope-${community.id}-${general.id}`)).toBeNull();
    await waitFor(async () => expect((await serverPrefs(other)).scopes.map((x) => x.channel_id)).toEqual([0]));
  });
});
