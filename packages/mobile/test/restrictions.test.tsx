import type { Channel, CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';

import { ChannelScreen } from '../src/screens/Channel';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

/** What a viewer may not do in a channel is explained on the phone, with what to do about it. */
let s: RealServer;
let owner: number;
let member: number;
let community: CommunityDetail;
let general: Channel;

beforeAll(async () => {
  s = await startRealServer();
  owner = s.demo.instructorIds[0]!;
  member = s.demo.studentIds[0]!;
  community = await seedCommunity(s, { owner, name: 'Slow Club', members: [member] });
  general = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.find((c) => c.type === 'text')!;
});
afterAll(async () => {
  await s?.close();
});

const messages = async (channelId: number) => (await s.as(owner).channels.messages({ params: { channelId }, query: { limit: 100 } })).items;
const seconds = (text: string) => Number(/(\d+) seconds?/.exec(text)?.[1] ?? NaN);
const notice = () => String((screen.getByTestId('slow-mode').props.children as unknown[]).join(''));

describe('slow mode', () => {
  it('counts down after a send, and holds the next send until the wait is over instead of failing it', async () => {
    const lane = await s
      .as(owner)
      .channels.create({ params: { id: String(community.id) }, body: { name: 'slow-lane', slow_mode_seconds: 4 } });
    await renderWithServer(<ChannelScreen channelId={lane.id} />, s, member);
    await fireEvent.changeText(await screen.findByTestId('composer-input'), 'first shot');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(() => expect(notice()).toMatch(/^⏱ Slow mode: you can send again in [1-4] seconds?\.$/));

    await fireEvent.changeText(screen.getByTestId('composer-input'), 'second shot');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(() => expect(notice()).toMatch(/^⏱ Slow mode: your message will be sent in [1-4] seconds?\.$/));
    expect(screen.getByTestId('pending-sending')).toHaveTextContent(/second shot/);
    const before = seconds(notice());
    await waitFor(() => expect(seconds(notice())).toBeLessThan(before));
    expect(screen.queryByText(/Not sent/)).toBeNull();

    // it goes by itself, once, and the notice counts the next wait
    await waitFor(() => expect(screen.queryByTestId('pending-sending')).toBeNull());
    expect(screen.queryByTestId('pending-failed')).toBeNull();
    expect((await messages(lane.id)).filter((m) => m.content === 'second shot')).toHaveLength(1);
    expect(screen.getByText('second shot')).toBeTruthy();
  });

  it('waits out the server’s Retry-After when a send from another device started the wait', async () => {
    const lane = await s
      .as(owner)
      .channels.create({ params: { id: String(community.id) }, body: { name: 'slow-lane-2', slow_mode_seconds: 3 } });
    await renderWithServer(<ChannelScreen channelId={lane.id} />, s, member);
    await screen.findByTestId('composer-input');
    expect(screen.queryByTestId('slow-mode')).toBeNull();
    // the member's laptop posts; this phone has not heard of it (no realtime here)
    await s.as(member).channels.post({ params: { channelId: lane.id }, body: { content: 'from the laptop' } });
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'from the phone');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(() => expect(notice()).toMatch(/your message will be sent in [1-3] seconds?/));
    expect(screen.queryByTestId('pending-failed')).toBeNull();
    await waitFor(() => expect(screen.queryByTestId('pending-sending')).toBeNull());
    expect(screen.queryByTestId('pending-failed')).toBeNull();
    expect((await messages(lane.id)).filter((m) => m.content === 'from the phone')).toHaveLength(1);
  });

  it('does not hold moderators, whom slow mode does not bind', async () => {
    const lane = await s
      .as(owner)
      .channels.create({ params: { id: String(community.id) }, body: { name: 'slow-lane-3', slow_mode_seconds: 60 } });
    await renderWithServer(<ChannelScreen channelId={lane.id} />, s, owner);
    for (const text of ['one', 'two']) {
      await fireEvent.changeText(await screen.findByTestId('composer-input'), text);
      await fireEvent.press(screen.getByTestId('send'));
      await waitFor(() => expect(screen.queryByTestId('pending-sending')).toBeNull());
    }
    expect(screen.queryByTestId('slow-mode')).toBeNull();
    expect((await messages(lane.id)).map((m) => m.content)).toEqual(['one', 'two']);
  });
});

describe('muted, and not a member', () => {
  it('tells a muted member until when, in place of the composer', async () => {
    const muted = s.demo.studentIds[1]!;
    await s.as(muted).communities.join({ params: { id: String(community.id) }, body: {} });
    const m = await s
      .as(owner)
      .communities.updateMember({ params: { id: String(community.id), userId: muted }, body: { status: 'muted', duration_minutes: 90 } });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, muted);
    const at = new Date(m.status_expires_at!);
    await waitFor(() =>
      expect(screen.getByTestId('composer-read-only')).toHaveTextContent(
        new RegExp(`^You are muted until .*${at.toLocaleTimeString('en', { hour: 'numeric', minute: '2-digit' })}\\.$`),
      ),
    );
    expect(screen.queryByTestId('composer-input')).toBeNull();
    expect(screen.queryByTestId('composer-join')).toBeNull();
  });

  it('writes the time in the app’s language (Spanish, Arabic), not the device’s', async () => {
    const muted = s.demo.studentIds[1]!;
    const until = (await s.as(muted).communities.get({ params: { id: String(community.id) } })).viewer_membership?.muted_until;
    expect(until).toBeTruthy();
    const english = new Date(until!).toLocaleTimeString('en', { hour: 'numeric', minute: '2-digit' });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, muted, { locale: 'es' });
    const es = new Intl.DateTimeFormat('es', { hour: 'numeric', minute: '2-digit' }).format(new Date(until!));
    await waitFor(() =>
      expect(screen.getByTestId('composer-read-only')).toHaveTextContent(new RegExp(`^Estás silenciado hasta .*${es}\\.$`)),
    );
    // Spanish writes 14:05 where English writes 2:05 PM.
    expect(screen.getByTestId('composer-read-only')).not.toHaveTextContent(/AM|PM/);
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, muted, { locale: 'ar' });
    await waitFor(() => expect(screen.getByTestId('composer-read-only')).toHaveTextContent(/^أنت مكتوم حتى /));
    const text = String(screen.getByTestId('composer-read-only').props.children);
    // Arabic marks the half of the day with ص (morning) or م (evening).
    expect(screen.getByTestId('composer-read-only')).toHaveTextContent(/[0-9٠-٩]{1,2}:[0-9٠-٩]{2}\s?[صم]/);
    expect(text).not.toContain(english);
  });

  it('gives someone outside a public community a Join button in place of the composer; then they post', async () => {
    const visitor = s.demo.studentIds[2]!;
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, visitor);
    await waitFor(() => expect(screen.getByTestId('composer-read-only')).toHaveTextContent('Join this community to post here.'));
    expect(screen.queryByTestId('composer-input')).toBeNull();
    expect(screen.getByTestId('composer-join')).toHaveTextContent('Join');
    await fireEvent.press(screen.getByTestId('composer-join'));
    await fireEvent.changeText(await screen.findByTestId('composer-input'), 'Hello from a new member');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(async () => expect((await messages(general.id)).some((m) => m.content === 'Hello from a new member')).toBe(true));
    expect((await s.as(visitor).communities.get({ params: { id: String(community.id) } })).viewer_membership?.status).toBe('active');
  });

  it('with join approval the button asks to join, then says the request waits', async () => {
    const guild = await seedCommunity(s, { owner, name: 'Approval Guild' });
    await s.as(owner).communities.update({ params: { id: String(guild.id) }, body: { settings: { join_approval: true } } });
    const channel = (await s.as(owner).channels.list({ params: { id: String(guild.id) } })).items.find((c) => c.type === 'text')!;
    const visitor = s.demo.studentIds[3]!;
    await renderWithServer(<ChannelScreen channelId={channel.id} />, s, visitor);
    const ask = await screen.findByTestId('composer-join');
    expect(ask).toHaveTextContent('Ask to join');
    await fireEvent.press(ask);
    await waitFor(() =>
      expect(screen.getByTestId('composer-read-only')).toHaveTextContent(
        'Your request to join is waiting for a moderator. You can post once it is approved.',
      ),
    );
    expect(screen.queryByTestId('composer-join')).toBeNull();
    const requests = await s.as(owner).communities.requests({ params: { id: String(guild.id) } });
    expect(requests.items.map((r) => r.user.id)).toContain(visitor);
  });
});
