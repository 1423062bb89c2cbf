import { insightsRange, longDay } from '@communities/client';
import type { CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import { HEAT_COLOURS } from '../src/components/heatmap-view';
import { ProfileSheet } from '../src/components/profile-sheet';
import { CommunityDetailScreen } from '../src/screens/CommunityDetail';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let a: number;
let community: CommunityDetail;
let today: string;

const fillOf = (id: string) =>
  (screen.getByTestId(id, { includeHiddenElements: true }).props as { fill: { payload: number } }).fill.payload;
const argb = (hex: string) => (0xff000000 + parseInt(hex.slice(1), 16)) >>> 0;

beforeAll(async () => {
  s = await startRealServer();
  owner = s.demo.instructorIds[0]!;
  a = s.demo.studentIds[0]!;
  community = await seedCommunity(s, { owner, name: 'Insight Garden', members: [a] });
  const general = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.find((x) => x.type === 'text')!;
  const sent = await s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'Counting towards the heatmap' } });
  // Demo users keep users.timezone = UTC: the local day is the UTC one.
  today = sent.created_at.slice(0, 10);
  // The rollup is an outbox subscriber: wait until the insights count the message.
  await waitFor(
    async () =>
      expect(
        (await s.as(owner).analytics.communityAnalytics({ params: { id: String(community.id) }, query: {} })).totals.messages,
      ).toBeGreaterThanOrEqual(1),
    { timeout: 15_000 },
  );
});
afterAll(async () => {
  await s?.close();
});

describe('insights and heatmaps on mobile against a real server', () => {
  it('the owner has an Insights tab: totals, the new member, top contributors, busiest channel and the community heatmaps', async () => {
    const api = await s.as(owner).analytics.communityAnalytics({ params: { id: String(community.id) }, query: {} });
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, owner);
    await fireEvent.press(await screen.findByText('Insights'));
    const messages = await screen.findByTestId('stat-messages');
    expect(within(messages).getByText(String(api.totals.messages))).toBeTruthy();
    expect(within(screen.getByTestId('stat-new-members')).getByText(String(api.totals.new_members))).toBeTruthy();
    expect(api.totals.new_members).toBeGreaterThanOrEqual(1);
    expect(within(screen.getByTestId(`contributor-${a}`)).getByText('1 action')).toBeTruthy();
    expect(screen.getByTestId(`busy-channel-${api.busiest_channels[0]!.channel.id}`)).toBeTruthy();
    await screen.findByTestId('community-calendar');
    expect(fillOf(`day-${today}`)).toBe(argb(HEAT_COLOURS[4]));
    expect(screen.getByTestId('community-grid')).toBeTruthy();
    // The period switcher asks again by week.
    await fireEvent.press(screen.getByText('Weeks'));
    // The dates in the app's language, as the rest of the screen.
    await screen.findByText(`${longDay(insightsRange('week', today).from, 'en', 'medium')} to ${longDay(today, 'en', 'medium')}, in UTC`);
  });

  it('a member gets no Insights tab, and sees their own calendar in their profile sheet', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, a);
    await screen.findByText('Courses');
    expect(screen.queryByText('Insights')).toBeNull();
    await renderWithServer(<ProfileSheet userId={a} communityId={community.id} onClose={() => undefined} />, s, a);
    await screen.findByTestId('member-calendar');
    expect(fillOf(`day-${today}`)).toBe(argb(HEAT_COLOURS[4]));
    await fireEvent.press(screen.getByTestId('member-calendar-toggle'));
    expect(within(screen.getByTestId('member-calendar-list')).getByLabelText(/^1 action · /)).toBeTruthy();
  });
  it("a kind picker filters the calendars: none of the member's reactions, their message under chat messages; DMs on their own only", async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, owner);
    await fireEvent.press(await screen.findByText('Insights'));
    await screen.findByTestId('community-calendar');
    expect(screen.getByTestId('community-kinds-all').props.accessibilityState).toMatchObject({ checked: true });
    expect(screen.queryByTestId('community-kinds-dm')).toBeNull();
    await fireEvent.press(screen.getByText('Reactions'));
    await waitFor(() => expect(fillOf(`day-${today}`)).toBe(argb(HEAT_COLOURS[0])));
    expect(screen.getByTestId('community-kinds-reaction').props.accessibilityState).toMatchObject({ checked: true });
    await fireEvent.press(screen.getByText('Chat messages'));
    await waitFor(() => expect(fillOf(`day-${today}`)).toBe(argb(HEAT_COLOURS[4])));

    // The owner looking at the member: no direct messages to pick; the member on their own sheet: there are.
    await renderWithServer(<ProfileSheet userId={a} communityId={community.id} onClose={() => undefined} />, s, owner);
    await screen.findByTestId('member-calendar');
    expect(screen.queryByTestId('member-kinds-dm')).toBeNull();
    await renderWithServer(<ProfileSheet userId={a} communityId={community.id} onClose={() => undefined} />, s, a);
    await screen.findByTestId('member-calendar');
    await fireEvent.press(screen.getByTestId('member-kinds-dm'));
    await waitFor(() => expect(fillOf(`day-${today}`)).toBe(argb(HEAT_COLOURS[0])));
    await fireEvent.press(screen.getByTestId('member-kinds-message'));
    await waitFor(() => expect(fillOf(`day-${today}`)).toBe(argb(HEAT_COLOURS[4])));
  });
});
