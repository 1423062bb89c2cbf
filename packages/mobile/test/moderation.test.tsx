import type { Channel, CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';

import { untilLabel } from '../src/lib/format';
import { ChannelScreen } from '../src/screens/Channel';
import { MembersTab } from '../src/screens/CommunityDetail/members-tab';
import { ModerationQueueScreen } from '../src/screens/ModerationQueue';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let me: number;
let friend: number;
let community: CommunityDetail;
let general: Channel;
let third: number;

beforeAll(async () => {
  s = await startRealServer({
    config: { moderation: { bad_words: ['darn'], actions: { auto_mute_threshold: 0, auto_ban_threshold: 0 } } },
  });
  owner = s.demo.instructorIds[0]!;
  [me, friend, third] = s.demo.studentIds as [number, number, number];
  community = await seedCommunity(s, { owner, name: 'Moderation Lab', members: [me, friend, third] });
  general = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.find((c) => c.type === 'text')!;
});
afterAll(async () => {
  await s?.close();
});

describe('moderation on the phone, against a real server', () => {
  it('reports a message from its long-press sheet, with a reason and a note, and says it was sent', async () => {
    const target = await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: 'follow my spam account' } });
    const mine = await s.as(me).channels.post({ params: { channelId: general.id }, body: { content: 'my own words' } });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    await fireEvent(await screen.findByTestId(`message-${target.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`report-${target.id}`));
    await fireEvent.press(screen.getByTestId('reason-harassment'));
    await fireEvent.changeText(screen.getByTestId('report-note'), 'keeps posting this');
    await fireEvent.press(screen.getByTestId('report-send'));
    expect(await screen.findByText('Thanks: moderators will review it. You will hear the outcome.')).toBeTruthy();
    const queue = await s.as(owner).moderation.queue({ params: { id: String(community.id) }, query: {} });
    expect(queue.items.find((r) => r.target.id === target.id)).toMatchObject({
      reason: 'harassment',
      note: 'keeps posting this',
      status: 'open',
      reporter: { id: me },
      target: { type: 'channel_message', content: 'follow my spam account' },
    });
    // Your own messages offer no Report.
    await fireEvent.press(screen.getByTestId('report-close'));
    await fireEvent(screen.getByTestId(`message-${mine.id}`), 'longPress');
    expect(screen.queryByTestId(`report-${mine.id}`)).toBeNull();
  });

  it('a muted member sees why and until when in place of the composer, and posting is refused', async () => {
    const muted = await s.as(owner).communities.updateMember({
      params: { id: String(community.id), userId: friend },
      body: { status: 'muted', duration_minutes: 10, reason: 'spam' },
    });
    // As the app shows it in its language (English here): the time, and the date too when not today.
    const when = untilLabel(muted.status_expires_at!, 'en');
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, friend);
    const banner = await screen.findByTestId('composer-read-only');
    await waitFor(() => expect(banner).toHaveTextContent(`You are muted until ${when}: spam`));
    expect(screen.queryByTestId('composer-input')).toBeNull();
    // The server agrees: the same reason and end come back on a post.
    const refused = await s
      .as(friend)
      .channels.post({ params: { channelId: general.id }, body: { content: 'hello?' } })
      .catch((e: unknown) => e as { status: number; details: Record<string, unknown> });
    expect(refused).toMatchObject({ status: 403, details: { reason: 'muted', sanction_reason: 'spam', until: muted.status_expires_at } });
  });

  it('a moderator mutes a member for an hour from the member sheet, with a reason; the member is told why', async () => {
    await renderWithServer(<MembersTab communityId={String(community.id)} canModerate communityNumericId={community.id} />, s, owner);
    await fireEvent.press(await screen.findByTestId(`member-more-${third}`));
    await fireEvent.press(screen.getByTestId('duration-60'));
    await fireEvent.changeText(screen.getByTestId('sanction-reason'), 'flooding the chat');
    await fireEvent.press(screen.getByTestId('sanction-mute'));
    expect(await screen.findByTestId('sanction-done')).toBeTruthy();
    const member = (await s.as(owner).communities.members({ params: { id: String(community.id) }, query: {} })).items.find(
      (m) => m.user.id === third,
    )!;
    expect(member).toMatchObject({ status: 'muted', ban_reason: 'flooding the chat' });
    const left = Date.parse(member.status_expires_at!) - Date.now();
    expect(left).toBeGreaterThan(59 * 60_000);
    expect(left).toBeLessThanOrEqual(60 * 60_000);
    const seen = await s.as(third).communities.get({ params: { id: String(community.id) } });
    expect(seen.viewer_membership).toMatchObject({
      status: 'muted',
      sanction_reason: 'flooding the chat',
      muted_until: member.status_expires_at,
    });
  });

  it('a member without moderation rights gets only Report in the sheet', async () => {
    await renderWithServer(<MembersTab communityId={String(community.id)} communityNumericId={community.id} />, s, me);
    await fireEvent.press(await screen.findByTestId(`member-more-${friend}`));
    expect(screen.queryByTestId('sanction-mute')).toBeNull();
    await fireEvent.press(screen.getByTestId(`report-member-${friend}`));
    await fireEvent.press(screen.getByTestId('report-send'));
    expect(await screen.findByTestId('report-done')).toBeTruthy();
    const queue = await s.as(owner).moderation.queue({ params: { id: String(community.id) }, query: { target_type: 'user' } });
    expect(queue.items.some((r) => r.target.id === friend && r.reporter?.id === me)).toBe(true);
  });

  it("the moderator's queue shows the reported message inline; Delete removes it and resolves the report", async () => {
    const before = await s.as(owner).moderation.queue({ params: { id: String(community.id) }, query: { target_type: 'channel_message' } });
    const report = before.items.find((r) => r.target.content === 'follow my spam account')!;
    await renderWithServer(<ModerationQueueScreen communityId={String(community.id)} />, s, owner);
    const card = await screen.findByTestId(`report-${report.id}`);
    expect(card).toHaveTextContent(/follow my spam account/);
    expect(card).toHaveTextContent(/Harassment · Reported by/);
    await fireEvent.press(screen.getByTestId(`delete-content-${report.id}`));
    await waitFor(() => expect(screen.queryByTestId(`report-${report.id}`)).toBeNull());
    const after = await s.as(owner).moderation.queue({ params: { id: String(community.id) }, query: { status: 'resolved' } });
    expect(after.items.find((r) => r.id === report.id)).toMatchObject({
      status: 'resolved',
      resolution_notes: 'Harassment',
      target: { content: null },
    });
  });

  it('warns before sending when the text may hold a listed word (the server hands out the list; it still decides)', async () => {
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    const input = await screen.findByTestId('composer-input');
    await fireEvent.changeText(input, 'well d4rrn it');
    expect(await screen.findByTestId('composer-warning')).toHaveTextContent(/may contain words that are not allowed here/);
    await fireEvent.changeText(input, 'well darning socks is fine');
    expect(screen.queryByTestId('composer-warning')).toBeNull();
  });
});
