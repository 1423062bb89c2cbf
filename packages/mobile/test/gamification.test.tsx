import type { CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import { ChannelScreen } from '../src/screens/Channel';
import { CommunityDetailScreen } from '../src/screens/CommunityDetail';
import { LeaderboardScreen } from '../src/screens/Leaderboard';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let a: number;
let b: number;
let c: number;
let community: CommunityDetail;
/** What each member earned by joining (join_community, early_member), read from the server. */
const points = async (userId: number, communityId: number | null) =>
  (await s.as(userId).gamification.userProfile({ params: { userId }, query: communityId === null ? {} : { community_id: communityId } }))
    .points;

beforeAll(async () => {
  s = await startRealServer();
  owner = s.demo.instructorIds[0]!;
  [a, b, c] = s.demo.studentIds as [number, number, number];
  community = await seedCommunity(s, { owner, name: 'Points Club', members: [a, b, c] });
  const general = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.find((x) => x.type === 'text')!;
  // A earns most: two messages and a reaction from B; B one message; C only joined.
  const first = await s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'My first long message in the club' } });
  await s.as(a).channels.post({ params: { channelId: general.id }, body: { content: 'And a second long message here' } });
  await s.as(b).channels.post({ params: { channelId: general.id }, body: { content: 'Welcome to the points club, A' } });
  await s.as(b).channels.react({ params: { messageId: first.id }, body: { emoji: '🔥' } });
  // Points are awarded by an outbox subscriber: wait until the reaction has counted.
  await waitFor(
    async () =>
      expect(
        (await s.as(a).gamification.userProfile({ params: { userId: a }, query: {} })).recent_awards.some(
          (x) => x.type === 'receive_reaction',
        ),
      ).toBe(true),
    { timeout: 10_000 },
  );
});
afterAll(async () => {
  await s?.close();
});

describe('gamification on mobile against a real server', () => {
  it('CommunityDetail has a Leaderboard tab: ranks with level chips, periods, and the viewer pinned', async () => {
    const [pa, pb, pc] = [await points(a, community.id), await points(b, community.id), await points(c, community.id)];
    expect(pa).toBeGreaterThan(pb);
    expect(pb).toBeGreaterThan(pc);
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, c);
    await fireEvent.press(await screen.findByText('Leaderboard'));
    const list = await screen.findByTestId('leaderboard-list');
    const rows = within(list).getAllByTestId(/^rank-\d+$/);
    expect(rows.map((r) => (r.props as { testID: string }).testID)).toEqual([`rank-${a}`, `rank-${b}`, `rank-${c}`]);
    expect(within(rows[0]!).getByText(`${pa} points`)).toBeTruthy();
    const level = (await s.as(a).gamification.userProfile({ params: { userId: a }, query: { community_id: community.id } })).level.level;
    expect(within(rows[0]!).getByTestId(`level-${a}`)).toHaveTextContent(`Lv ${level}`);
    expect(screen.getByTestId('my-rank')).toHaveTextContent(`You are #3 with ${pc} points`);
    // All time answers too (the same members, as nothing older exists).
    await fireEvent.press(screen.getByText('All time'));
    await waitFor(() => expect(screen.getByTestId('my-rank')).toHaveTextContent(`You are #3 with ${pc} points`));
  });

  it('a row opens the profile sheet: level, progress, badges and recent points', async () => {
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} initialTab="leaderboard" />, s, b);
    await fireEvent.press(await screen.findByTestId(`rank-${a}`));
    const sheet = await screen.findByTestId('profile-sheet');
    await within(sheet).findByTestId('profile-points');
    const g = await s.as(b).gamification.userProfile({ params: { userId: a }, query: { community_id: community.id } });
    expect(within(sheet).getByTestId('profile-points')).toHaveTextContent(`${g.points} points`);
    expect(within(sheet).getByTestId('profile-level')).toHaveTextContent(`Lv ${g.level.level}`);
    expect((within(sheet).getByTestId('profile-progress').props as { accessibilityValue: { now: number } }).accessibilityValue.now).toBe(
      Math.round(g.level.progress * 100),
    );
    expect(within(sheet).getByText('Reaction received')).toBeTruthy();
    // The first-post badge, with its emoji.
    expect(within(sheet).getByTestId('badge-first-post')).toHaveTextContent('✍️ First post');
  });

  it('the global LeaderboardScreen ranks across communities; a member who hides does not show', async () => {
    await s.as(c).gamification.updateMyPrivacy({ body: { hide_from_leaderboards: true } });
    await renderWithServer(<LeaderboardScreen />, s, b);
    const list = await screen.findByTestId('leaderboard-list');
    await within(list).findByTestId(`rank-${a}`);
    expect(within(list).queryByTestId(`rank-${c}`)).toBeNull();
    const global = await s.as(b).gamification.globalLeaderboard({ query: { period: 'week' } });
    expect(screen.getByTestId('my-rank')).toHaveTextContent(`You are #${global.viewer.rank} with ${global.viewer.points} points`);
  });

  describe('helpful answers', () => {
    let asker: number;
    let helper: number;
    let lab: CommunityDetail;
    /** The helper's answer_marked_helpful points in the lab (awards minus reversals), from the ledger. */
    const helpfulPoints = async () =>
      (await s.as(helper).gamification.userProfile({ params: { userId: helper }, query: { community_id: lab.id } })).recent_awards
        .filter((x) => x.type.endsWith('answer_marked_helpful'))
        .reduce((n, x) => n + x.points, 0);
    beforeAll(async () => {
      [asker, helper] = [s.demo.studentIds[3]!, s.demo.studentIds[4]!];
      lab = await seedCommunity(s, { owner, name: 'Helpful Lab', members: [asker, helper] });
    });

    it('the asker marks a reply helpful from its action sheet, sees the mark, and takes it back', async () => {
      const general = (await s.as(owner).channels.list({ params: { id: String(lab.id) } })).items.find((x) => x.type === 'text')!;
      const q = await s.as(asker).channels.post({ params: { channelId: general.id }, body: { content: 'How do I solve exercise 3?' } });
      const answer = await s
        .as(helper)
        .channels.post({ params: { channelId: general.id }, body: { content: 'Use the formula from chapter 2', reply_to_id: q.id } });
      await renderWithServer(<ChannelScreen channelId={general.id} />, s, asker);
      // The question is not a reply: its sheet has no helpful action.
      await fireEvent(await screen.findByTestId(`message-${q.id}`), 'longPress');
      expect(screen.queryByTestId(`helpful-${q.id}`)).toBeNull();
      await fireEvent.press(screen.getByTestId(`actions-${q.id}-backdrop`));
      await fireEvent(screen.getByTestId(`message-${answer.id}`), 'longPress');
      await fireEvent.press(screen.getByTestId(`helpful-${answer.id}`));
      expect(await within(screen.getByTestId(`message-${answer.id}`)).findByTestId(`helpful-mark-${answer.id}`)).toHaveTextContent(
        '✓ Helpful',
      );
      await waitFor(async () => expect(await helpfulPoints()).toBe(10), { timeout: 10_000 });
      await fireEvent(screen.getByTestId(`message-${answer.id}`), 'longPress');
      expect(screen.getByTestId(`helpful-${answer.id}`)).toHaveTextContent(/Remove the helpful mark/);
      await fireEvent.press(screen.getByTestId(`helpful-${answer.id}`));
      await waitFor(() => expect(screen.queryByTestId(`helpful-mark-${answer.id}`)).toBeNull());
      await waitFor(async () => expect(await helpfulPoints()).toBe(0), { timeout: 10_000 });
    });

    it("the answer's author is not offered the mark; the post's author marks a feed comment helpful", async () => {
      const general = (await s.as(owner).channels.list({ params: { id: String(lab.id) } })).items.find((x) => x.type === 'text')!;
      const q = await s.as(asker).channels.post({ params: { channelId: general.id }, body: { content: 'Where is the syllabus?' } });
      const answer = await s.as(helper).channels.post({
        params: { channelId: general.id },
        body: { content: 'Pinned in the course page, at the top', reply_to_id: q.id },
      });
      await renderWithServer(<ChannelScreen channelId={general.id} />, s, helper);
      await fireEvent(await screen.findByTestId(`message-${answer.id}`), 'longPress');
      expect(screen.queryByTestId(`helpful-${answer.id}`)).toBeNull();
      await screen.unmount();

      const post = await s.as(asker).feed.post({ params: { id: lab.slug }, body: { content: 'Which book should I read first?' } });
      const comment = await s
        .as(helper)
        .feed.comment({ params: { itemId: post.id }, body: { content: 'Start with the blue one, really' } });
      await renderWithServer(<CommunityDetailScreen communityId={lab.slug} />, s, asker);
      await fireEvent.press(await screen.findByTestId(`open-post-${post.id}`));
      const row = await screen.findByTestId(`comment-${comment.id}`);
      await fireEvent.press(within(row).getByTestId(`helpful-comment-${comment.id}`));
      expect(await within(screen.getByTestId(`comment-${comment.id}`)).findByTestId(`helpful-mark-${comment.id}`)).toHaveTextContent(
        '✓ Helpful',
      );
      await waitFor(async () => expect(await helpfulPoints()).toBe(10), { timeout: 10_000 });
      expect(within(screen.getByTestId(`comment-${comment.id}`)).getByTestId(`helpful-comment-${comment.id}`)).toHaveTextContent(
        'Remove the helpful mark',
      );
    });

    it('level chips beside names: channel messages, feed posts and comments, with the level in the community', async () => {
      const level = async (userId: number) =>
        (await s.as(asker).gamification.userProfile({ params: { userId }, query: { community_id: lab.id } })).level.level;
      const general = (await s.as(owner).channels.list({ params: { id: String(lab.id) } })).items.find((x) => x.type === 'text')!;
      const m = await s.as(helper).channels.post({ params: { channelId: general.id }, body: { content: 'Levels show beside names here' } });
      await renderWithServer(<ChannelScreen channelId={general.id} />, s, asker);
      const row = await screen.findByTestId(`message-${m.id}`);
      expect(await within(row).findByTestId(`level-chip-${helper}`)).toHaveTextContent(`Lv ${await level(helper)}`);
      await screen.unmount();

      const post = await s.as(asker).feed.post({ params: { id: lab.slug }, body: { content: 'A post with a level beside my name' } });
      const comment = await s.as(helper).feed.comment({ params: { itemId: post.id }, body: { content: 'And one beside mine' } });
      await renderWithServer(<CommunityDetailScreen communityId={lab.slug} />, s, helper);
      const card = await screen.findByTestId(`post-${post.id}`);
      expect(await within(card).findByTestId(`level-chip-${asker}`)).toHaveTextContent(`Lv ${await level(asker)}`);
      await fireEvent.press(screen.getByTestId(`open-post-${post.id}`));
      const c = await screen.findByTestId(`comment-${comment.id}`);
      expect(await within(c).findByTestId(`level-chip-${helper}`)).toHaveTextContent(`Lv ${await level(helper)}`);
    });
  });
});
