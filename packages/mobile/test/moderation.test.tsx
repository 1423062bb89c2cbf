import type { Channel, CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';

import { ChannelScreen } from '../src/screens/Channel';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let me: number;
let friend: number;
let community: CommunityDetail;
let general: Channel;

beforeAll(async () => {
  s = await startRealServer({});
  owner = s.demo.instructorIds[0]!;
  [me, friend] = s.demo.studentIds as [number, number];
  community = await seedCommunity(s, { owner, name: 'Moderation Lab', members: [me, friend] });
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
    const muted = await s
      .as(owner)
      .communities.updateMember({
        params: { id: String(community.id), userId: friend },
        body: { status: 'muted', duration_minutes: 10, reason: 'spam' },
      });
    const when = new Date(muted.status_expires_at!).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
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
});
