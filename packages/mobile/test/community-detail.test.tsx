import type { CommunityDetail, DmThread } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import { CommunityDetailScreen } from '../src/screens/CommunityDetail';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let member: number;
let outsider: number;
let community: CommunityDetail;
let privateCommunity: CommunityDetail;

beforeAll(async () => {
  s = await startRealServer();
  owner = s.demo.instructorIds[0]!;
  [member, outsider] = s.demo.studentIds as [number, number];
  community = await seedCommunity(s, { owner, name: 'Photo Walks', description: 'We shoot the city on Sundays.', members: [member] });
  const id = { id: String(community.id) };
  for (let i = 1; i <= 5; i++) await s.as(owner).feed.post({ params: id, body: { content: `Walk number ${i}` } });
  const pinned = await s.as(owner).feed.post({ params: id, body: { title: 'Read me first', content: 'House rules: be kind.' } });
  await s.as(owner).feed.pin({ params: { itemId: pinned.id } });
  await s
    .as(owner)
    .communities.linkCourse({ params: id, body: { course_id: s.demo.courseIds[0]!, course_type: 'course', link_type: 'primary' } });
  privateCommunity = await seedCommunity(s, { owner, name: 'Inner Circle', visibility: 'private' });
});
afterAll(async () => {
  await s?.close();
});

describe('CommunityDetailScreen against a real server', () => {
  it('shows the community, its membership state and the feed with the pinned post first', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, member);
    expect(await screen.findByText('Photo Walks')).toBeTruthy();
    expect(screen.getByText('We shoot the city on Sundays.')).toBeTruthy();
    expect(screen.getByTestId('membership-state')).toHaveTextContent("You're a member");
    const list = await screen.findByTestId('feed-list');
    const posts = within(list).getAllByTestId(/^post-/);
    expect(within(posts[0]!).getByText('Pinned')).toBeTruthy();
    expect(within(posts[0]!).getByText('Read me first')).toBeTruthy();
  });

  it('pages the feed on scroll', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.id} pageSize={2} />, s, member);
    const list = await screen.findByTestId('feed-list');
    expect(screen.queryByText('Walk number 1')).toBeNull();
    for (let i = 0; i < 3; i++) {
      await fireEvent(list, 'endReached');
      await waitFor(() => expect(screen.queryByTestId('loading-more')).toBeNull());
    }
    expect(await screen.findByText('Walk number 1')).toBeTruthy();
  });

  it('reacts to a post, and the server has the reaction', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.id} />, s, member);
    await screen.findByText('Walk number 5');
    const post = (await s.as(member).feed.communityFeed({ params: { id: String(community.id) } })).items.find(
      (i) => i.content === 'Walk number 5',
    )!;
    await fireEvent.press(screen.getByTestId(`react-post-${post.id}`));
    await fireEvent.press(screen.getByTestId(`picker-post-${post.id}-🎉`));
    expect(await within(screen.getByTestId(`post-${post.id}`)).findByTestId('reaction-🎉')).toHaveTextContent('🎉1');
    await waitFor(async () => {
      const after = (await s.as(member).feed.communityFeed({ params: { id: String(community.id) } })).items.find((i) => i.id === post.id)!;
      expect(after.reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
    });
    // tapping the chip takes it back
    await fireEvent.press(within(screen.getByTestId(`post-${post.id}`)).getByTestId('reaction-🎉'));
    await waitFor(() => expect(within(screen.getByTestId(`post-${post.id}`)).queryByTestId('reaction-🎉')).toBeNull());
  });

  it('lists channels with unread badges, courses and members in their tabs', async () => {
    const channels = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items;
    const general = channels.find((c) => c.type === 'text')!;
    await s.as(owner).channels.post({ params: { channelId: general.id }, body: { content: 'Welcome, everyone!' } });
    const opened: number[] = [];
    await renderWithServer(<CommunityDetailScreen communityId={community.id} onOpenChannel={(c) => opened.push(c.id)} />, s, member);
    await screen.findByText('Photo Walks');
    await fireEvent.press(screen.getByRole('tab', { name: 'Channels' }));
    expect(await screen.findByTestId(`unread-${general.slug}`)).toHaveTextContent('1');
    await fireEvent.press(screen.getByTestId(`channel-${general.slug}`));
    expect(opened).toEqual([general.id]);

    await fireEvent.press(screen.getByRole('tab', { name: 'Courses' }));
    expect(await screen.findByText('Photography Fundamentals')).toBeTruthy();

    await fireEvent.press(screen.getByRole('tab', { name: 'Members' }));
    const members = await screen.findByTestId('member-list');
    await waitFor(() => expect(within(members).getAllByText(/Marcus Lee|Liam Carter/)).toHaveLength(2));
    await fireEvent.changeText(screen.getByTestId('member-search'), 'liam');
    await waitFor(() => expect(within(screen.getByTestId('member-list')).queryByText('Marcus Lee')).toBeNull());
  });

  it('joins from the header', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.id} />, s, outsider);
    expect(await screen.findByTestId('membership-state')).toHaveTextContent('Join to take part');
    await fireEvent.press(screen.getByTestId('detail-join'));
    await waitFor(() => expect(screen.getByTestId('membership-state')).toHaveTextContent("You're a member"));
    const seen = await s.as(outsider).communities.get({ params: { id: String(community.id) } });
    expect(seen.viewer_membership?.status).toBe('active');
  });

  it("says kindly that a private community's feed is not open to a non-member (403)", async () => {
    await renderWithServer(<CommunityDetailScreen communityId={privateCommunity.id} />, s, outsider);
    expect(await screen.findByText('Inner Circle')).toBeTruthy();
    expect(await screen.findByTestId('error-forbidden')).toHaveTextContent(/don't have access/);
  });

  it('messages a member from the member list, opening the 1:1 thread', async () => {
    const opened: DmThread[] = [];
    const h = await renderWithServer(
      <CommunityDetailScreen communityId={community.id} initialTab="members" onOpenThread={(th) => opened.push(th)} />,
      s,
      member,
    );
    await fireEvent.press(await screen.findByTestId(`message-member-${owner}`));
    await waitFor(() => expect(opened).toHaveLength(1));
    expect(opened[0]!.participants.map((p) => p.id).sort()).toEqual([member, owner].sort());
    expect((await s.as(member).dm.inbox()).items.map((th) => th.id)).toContain(opened[0]!.id);
    expect(screen.queryByTestId(`message-member-${member}`)).toBeNull();
    expect(h.events).toContainEqual({ type: 'tap', name: 'dm.start', params: { user_id: owner } });
  });

  it('explains kindly why a conversation cannot start: a block either way, or no shared community any more', async () => {
    const [other, leaver] = [s.demo.studentIds[2]!, s.demo.studentIds[3]!];
    for (const id of [other, leaver]) await s.as(id).communities.join({ params: { id: String(community.id) }, body: {} });
    const [otherName, leaverName] = [(await s.as(other).system.me()).name, (await s.as(leaver).system.me()).name];
    const opened: DmThread[] = [];
    await renderWithServer(
      <CommunityDetailScreen communityId={community.id} initialTab="members" onOpenThread={(th) => opened.push(th)} />,
      s,
      member,
    );
    await screen.findByTestId(`message-member-${leaver}`);

    // they blocked us: we are not told it was a block
    await s.as(other).dm.block({ params: { userId: member } });
    await fireEvent.press(screen.getByTestId(`message-member-${other}`));
    expect(await screen.findByTestId('dm-start-error')).toHaveTextContent(
      new RegExp(`^You can't send ${otherName} a direct message right now\\.`),
    );
    expect(screen.queryByTestId('dm-unblock')).toBeNull();
    await fireEvent.press(screen.getByTestId('dm-start-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('dm-start-error')).toBeNull());
    await s.as(other).dm.unblock({ params: { userId: member } });

    // we blocked them: we may undo it from here
    await s.as(member).dm.block({ params: { userId: other } });
    await fireEvent.press(screen.getByTestId(`message-member-${other}`));
    expect(await screen.findByTestId('dm-start-error')).toHaveTextContent(new RegExp(`You've blocked ${otherName}\\.`));
    await fireEvent.press(screen.getByTestId('dm-unblock'));
    await waitFor(() => expect(opened.map((th) => th.participants.some((p) => p.id === other))).toEqual([true]));
    expect((await s.as(member).dm.blocks()).items).toEqual([]);

    // they left the only community we shared after the list was loaded
    await s.as(leaver).communities.leave({ params: { id: String(community.id) } });
    await fireEvent.press(screen.getByTestId(`message-member-${leaver}`));
    expect(await screen.findByTestId('dm-start-error')).toHaveTextContent(
      new RegExp(`^You can message ${leaverName} once you're both members of a community that allows direct messages\\.`),
    );
    expect(opened).toHaveLength(1);
  });
});
