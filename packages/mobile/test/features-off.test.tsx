import type { CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { screen } from '@testing-library/react-native';
import { Text } from 'react-native';

import { useCommunitiesMenu } from '../src/hooks';
import { ChannelScreen } from '../src/screens/Channel';
import { CommunityDetailScreen } from '../src/screens/CommunityDetail';
import { DMInboxScreen } from '../src/screens/DMInbox';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let community: CommunityDetail;

beforeAll(async () => {
  s = await startRealServer({ config: { features: { dm: false, channels: false, central_feed: false, leaderboard: false } } });
  community = await seedCommunity(s, { name: 'Quiet Place' });
});
afterAll(async () => {
  await s?.close();
});

function Menu() {
  const items = useCommunitiesMenu();
  return <Text testID="menu">{items.map((i) => `${i.glyph} ${i.label}`).join(' | ')}</Text>;
}

describe('features switched off on the server', () => {
  it('hides Messages from the menu', async () => {
    await renderWithServer(<Menu />, s, s.demo.studentIds[0]!);
    // Communities and Notifications stay; Messages (DMs) is gone.
    expect(await screen.findByText('👥 Communities | 🔔 Notifications')).toBeTruthy();
  });

  it('hides the DM and channel screens', async () => {
    await renderWithServer(<DMInboxScreen />, s, s.demo.studentIds[0]!);
    expect(await screen.findByText('This part of Communities is switched off.')).toBeTruthy();
    expect(screen.queryByTestId('thread-list')).toBeNull();
    await screen.unmount();
    await renderWithServer(<ChannelScreen channelId={1} />, s, s.demo.studentIds[0]!);
    expect(await screen.findByText('This part of Communities is switched off.')).toBeTruthy();
  });

  it('leaves the feed, channel and leaderboard tabs out of a community', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.id} />, s, s.demo.studentIds[0]!);
    await screen.findByText('Quiet Place');
    expect(screen.getAllByRole('tab')).toHaveLength(2);
    expect(screen.getByRole('tab', { name: 'Courses' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Members' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: 'Feed' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Channels' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Leaderboard' })).toBeNull();
  });
});
