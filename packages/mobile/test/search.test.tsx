import type { CommunityDetail, SearchResult } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';

import { SearchScreen } from '../src/screens/Search';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let me: number;
let community: CommunityDetail;
let open: number;
let staffOnly: number;

beforeAll(async () => {
  s = await startRealServer();
  owner = s.demo.instructorIds[0]!;
  me = s.demo.studentIds[0]!;
  community = await seedCommunity(s, { owner, name: 'Search Lab', members: [me] });
  const general = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.find((c) => c.type === 'text')!;
  const staff = await s.as(owner).channels.create({ params: { id: String(community.id) }, body: { name: 'staff', is_private: true } });
  open = (await s.as(owner).channels.post({ params: { channelId: general.id }, body: { content: 'Telescope night is on **Friday**' } })).id;
  staffOnly = (await s.as(owner).channels.post({ params: { channelId: staff.id }, body: { content: 'Telescope budget for the staff' } }))
    .id;
});
afterAll(async () => {
  await s?.close();
});

describe('search on the phone, against a real server', () => {
  it('finds a message with its words marked, leaves out a private channel, and opens the result', async () => {
    const opened: SearchResult[] = [];
    await renderWithServer(<SearchScreen communityId={community.id} onOpen={(r) => opened.push(r)} />, s, me);
    await fireEvent.changeText(await screen.findByTestId('search-input', {}, { timeout: 10_000 }), 'telescope');
    const row = await screen.findByTestId(`search-result-message-${open}`, {}, { timeout: 10_000 });
    expect(screen.queryByTestId(`search-result-message-${staffOnly}`)).toBeNull();
    expect(screen.getAllByTestId('search-mark').map((m) => String(m.props.children))).toEqual(['Telescope']);
    expect(screen.getByText(/#general/)).toBeTruthy();
    await fireEvent.press(row);
    expect(opened[0]).toMatchObject({ kind: 'message', id: open, channel: { slug: 'general' } });
  });

  it('filters by type and says when nothing matched', async () => {
    await renderWithServer(<SearchScreen communityId={community.id} />, s, me);
    await fireEvent.changeText(await screen.findByTestId('search-input', {}, { timeout: 10_000 }), 'telescope');
    await screen.findByTestId(`search-result-message-${open}`, {}, { timeout: 10_000 });
    await fireEvent.press(screen.getByTestId('search-type-post'));
    expect(await screen.findByText('Nothing found for “telescope”.')).toBeTruthy();
    await fireEvent.press(screen.getByTestId('search-type-community'));
    await fireEvent.changeText(screen.getByTestId('search-input'), 'search lab');
    await waitFor(() => expect(screen.getByTestId(`search-result-community-${community.id}`)).toBeTruthy(), { timeout: 10_000 });
  });
});
