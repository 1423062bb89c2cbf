import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';

import { CommunityListScreen } from '../src/screens/CommunityList';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let student: number;

beforeAll(async () => {
  s = await startRealServer();
  student = s.demo.studentIds[0]!;
  await seedCommunity(s, { name: 'Night Photography', description: 'Long exposures and city lights.' });
  await seedCommunity(s, { name: 'Watercolor Circle' });
  await seedCommunity(s, { name: 'JavaScript Study Group', members: [student] });
  await seedCommunity(s, { name: 'Spanish Conversation' });
  await seedCommunity(s, { name: 'Finance Basics' });
});
afterAll(async () => {
  await s?.close();
});

describe('CommunityListScreen against a real server', () => {
  it('loads communities, reports the screen view, and searches', async () => {
    const h = await renderWithServer(<CommunityListScreen />, s, student);
    expect(await screen.findByText('Night Photography')).toBeTruthy();
    expect(screen.getByText('Long exposures and city lights.')).toBeTruthy();
    expect(h.events).toContainEqual({ type: 'screen_view', name: 'communities.list', params: {} });

    await fireEvent.changeText(screen.getByTestId('community-search'), 'water');
    await waitFor(() => expect(screen.queryByText('Night Photography')).toBeNull());
    expect(await screen.findByText('Watercolor Circle')).toBeTruthy();
  });

  it('filters to joined communities', async () => {
    await renderWithServer(<CommunityListScreen />, s, student);
    await screen.findByText('Night Photography');
    await fireEvent.press(screen.getByTestId('chip-joined'));
    await waitFor(() => expect(screen.queryByText('Night Photography')).toBeNull());
    expect(screen.getByText('JavaScript Study Group')).toBeTruthy();
  });

  it('joins and leaves, and the server agrees', async () => {
    const other = s.demo.studentIds[1]!;
    const h = await renderWithServer(<CommunityListScreen />, s, other);
    await screen.findByText('Spanish Conversation');
    await fireEvent.press(screen.getByTestId('join-spanish-conversation'));
    await screen.findByTestId('leave-spanish-conversation');
    const joined = await s.as(other).communities.get({ params: { id: 'spanish-conversation' } });
    expect(joined.viewer_membership).toMatchObject({ status: 'active' });
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'tap', name: 'communities.join' }));

    await fireEvent.press(screen.getByTestId('leave-spanish-conversation'));
    await screen.findByTestId('join-spanish-conversation');
    const left = await s.as(other).communities.get({ params: { id: 'spanish-conversation' } });
    expect(left.viewer_membership).toBeNull();
  });

  it('pages through the list on scroll', async () => {
    await renderWithServer(<CommunityListScreen pageSize={2} />, s, student);
    await screen.findByTestId('community-list');
    await waitFor(() => expect(screen.getAllByRole('button', { name: /^(Night|Watercolor|JavaScript|Spanish|Finance)/ })).toHaveLength(2));
    for (let i = 0; i < 3; i++) {
      await fireEvent(screen.getByTestId('community-list'), 'endReached');
      await waitFor(() => expect(screen.queryByTestId('loading-more')).toBeNull());
    }
    expect(screen.getAllByRole('button', { name: /^(Night|Watercolor|JavaScript|Spanish|Finance)/ })).toHaveLength(5);
  });

  it('shows offline with a retry that recovers', async () => {
    const h = await renderWithServer(<CommunityListScreen />, s, student);
    await screen.findByText('Night Photography');
    h.network.offline = true;
    await fireEvent.changeText(screen.getByTestId('community-search'), 'finance');
    expect(await screen.findByTestId('error-offline')).toBeTruthy();
    h.network.offline = false;
    await fireEvent.press(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Finance Basics')).toBeTruthy();
  });

  it('tells the host on a 401 and says the session ended', async () => {
    const h = await renderWithServer(<CommunityListScreen />, s, student, { badToken: true });
    expect(await screen.findByTestId('error-unauthorized')).toBeTruthy();
    expect(h.unauthorized()).toBeGreaterThan(0);
  });
});
