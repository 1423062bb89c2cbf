import { createRealtime } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel, type Channel, type CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';
import { Linking, Platform } from 'react-native';

import { ChannelScreen } from '../src/screens/Channel';

import { gatedFetch } from './support/network';
import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let owner: number;
let me: number;
let friend: number;
let community: CommunityDetail;
let general: Channel;
let quiet: Channel;

const MAX = 200;

beforeAll(async () => {
  s = await startRealServer({
    config: { chat: { max_message_length: MAX }, rate_limits: { messages: { max: 1000, window_seconds: 10 } } },
  });
  owner = s.demo.instructorIds[0]!;
  [me, friend] = s.demo.studentIds as [number, number];
  community = await seedCommunity(s, { owner, name: 'Chat Lab', members: [me, friend] });
  const channels = (await s.as(owner).channels.list({ params: { id: String(community.id) } })).items.filter((c) => c.type === 'text');
  general = channels[0]!;
  quiet = await s.as(owner).channels.create({ params: { id: String(community.id) }, body: { name: 'history', type: 'text' } });
  for (let i = 1; i <= 25; i++)
    await s.as(i % 2 ? owner : friend).channels.post({ params: { channelId: quiet.id }, body: { content: `Message ${i}` } });
});
afterAll(async () => {
  await s?.close();
});

const serverMessages = async (channelId: number) =>
  (await s.as(me).channels.messages({ params: { channelId }, query: { limit: 100 } })).items;

describe('ChannelScreen against a real server', () => {
  it('opens at the latest messages and pages older ones in as you scroll up', async () => {
    const h = await renderWithServer(<ChannelScreen channelId={quiet.id} pageSize={10} />, s, me);
    expect(await screen.findByText('Message 25')).toBeTruthy();
    expect(screen.getByText('# history')).toBeTruthy();
    expect(h.events).toContainEqual({ type: 'screen_view', name: 'channels.channel', params: { channel_id: quiet.id } });
    // the list holds (and virtualises) the rows: newest first, as an inverted list wants them
    const listed = () => (screen.getByTestId('message-list').props.data as Array<{ m?: { content: string } }>).map((r) => r.m?.content);
    expect(listed()).toHaveLength(10);
    expect(listed()[0]).toBe('Message 25');
    await fireEvent(screen.getByTestId('message-list'), 'endReached');
    await waitFor(() => expect(listed()).toHaveLength(20));
    await fireEvent(screen.getByTestId('message-list'), 'endReached');
    await waitFor(() => expect(listed()).toHaveLength(25));
    expect(listed()[24]).toBe('Message 1');
    // nothing more to fetch: no further history request (the live stream's own catch-up, once
    // its subscription is in, may still ask for what came after the newest message)
    const history = () =>
      h.network.requests.filter((r) => r.url.includes(`/channels/${quiet.id}/messages?`) && !r.url.includes('after=')).length;
    const before = history();
    await fireEvent(screen.getByTestId('message-list'), 'endReached');
    expect(h.network.requests.filter((r) => r.url.includes('before=')).length).toBe(2);
    expect(history()).toBe(before);
    // and the channel was marked read on the server
    await waitFor(async () => {
      const ch = await s.as(me).channels.get({ params: { channelId: quiet.id } });
      expect(ch.unread_count).toBe(0);
    });
  });

  it('sends optimistically, then shows the server’s message in its place', async () => {
    const gate = gatedFetch((method, url) => method === 'POST' && url.endsWith('/messages'));
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { fetch: gate.fetch });
    await screen.findByTestId('composer-input');
    gate.hold();
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Hello from the phone');
    await fireEvent.press(screen.getByTestId('send'));
    const pending = await screen.findByTestId('pending-sending');
    expect(within(pending).getByText('Hello from the phone')).toBeTruthy();
    expect(screen.getByTestId('composer-input').props.value).toBe('');
    gate.release();
    await waitFor(() => expect(screen.queryByTestId('pending-sending')).toBeNull());
    const sent = (await serverMessages(general.id)).filter((m) => m.content === 'Hello from the phone');
    expect(sent).toHaveLength(1);
    expect(screen.getByTestId(`message-${sent[0]!.id}`)).toBeTruthy();
  });

  it('keeps a send made offline waiting for the connection, and a retry posts it once', async () => {
    const h = await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    await screen.findByTestId('composer-input');
    h.network.offline = true;
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Sent from a tunnel');
    await fireEvent.press(screen.getByTestId('send'));
    const waiting = await screen.findByTestId('pending-waiting');
    expect(within(waiting).getByText(/Waiting for the connection… Tap to retry/)).toBeTruthy();
    h.network.offline = false;
    await fireEvent.press(waiting);
    await waitFor(() => expect(screen.queryByTestId(/pending-/)).toBeNull());
    expect((await serverMessages(general.id)).filter((m) => m.content === 'Sent from a tunnel')).toHaveLength(1);
  });

  it('retries with the same nonce, so a send whose answer was lost is not posted twice', async () => {
    const gate = gatedFetch((method, url) => method === 'POST' && url.endsWith('/messages'));
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { fetch: gate.fetch });
    await screen.findByTestId('composer-input');
    gate.loseResponses();
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Did this arrive?');
    await fireEvent.press(screen.getByTestId('send'));
    // A lost answer looks like a dropped connection: the send waits, and a tap sends it again.
    await fireEvent.press(await screen.findByTestId('pending-waiting'));
    // the retry also reached the server and lost its answer
    await waitFor(() => expect(gate.answered()).toBeGreaterThanOrEqual(2));
    gate.pass();
    await fireEvent.press(await screen.findByTestId('pending-waiting'));
    await waitFor(() => expect(screen.queryByTestId(/pending-/)).toBeNull());
    const copies = (await serverMessages(general.id)).filter((m) => m.content === 'Did this arrive?');
    expect(copies).toHaveLength(1);
    expect(screen.getAllByText('Did this arrive?')).toHaveLength(1);
  });

  it('reacts to a message and replies to it', async () => {
    const target = await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: 'Who is coming on Sunday?' } });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    const row = await screen.findByTestId(`message-${target.id}`);
    await fireEvent(row, 'longPress');
    await fireEvent.press(screen.getByTestId(`picker-${target.id}-👍`));
    expect(await within(screen.getByTestId(`message-${target.id}`)).findByTestId('reaction-👍')).toHaveTextContent('👍1');
    await waitFor(async () => {
      const m = (await serverMessages(general.id)).find((x) => x.id === target.id)!;
      expect(m.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    });

    await fireEvent(screen.getByTestId(`message-${target.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`reply-${target.id}`));
    expect(screen.getByTestId('reply-banner')).toHaveTextContent(/Replying to Emma Johansson/);
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Me!');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(async () => {
      const reply = (await serverMessages(general.id)).find((x) => x.content === 'Me!');
      expect(reply?.reply_to?.id).toBe(target.id);
    });
  });

  it('edits your own message in place: Cancel leaves it, Save shows it “(edited)”', async () => {
    const mine = await s.as(me).channels.post({ params: { channelId: general.id }, body: { content: 'See you at 5' } });
    const h = await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    const row = () => screen.getByTestId(`message-${mine.id}`);
    await fireEvent(await screen.findByTestId(`message-${mine.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`edit-${mine.id}`));
    expect(screen.queryByTestId(`actions-${mine.id}`)).toBeNull();
    expect(screen.getByTestId('edit-input').props.value).toBe('See you at 5');
    await fireEvent.changeText(screen.getByTestId('edit-input'), 'See you at 6');
    await fireEvent.press(screen.getByTestId('edit-cancel'));
    expect(screen.queryByTestId('edit-box')).toBeNull();
    expect(row()).toHaveTextContent(/See you at 5/);
    expect(h.network.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    await fireEvent(row(), 'longPress');
    await fireEvent.press(screen.getByTestId(`edit-${mine.id}`));
    await fireEvent.changeText(screen.getByTestId('edit-input'), 'See you at 6');
    await fireEvent.press(screen.getByTestId('edit-save'));
    await waitFor(() => expect(screen.queryByTestId('edit-box')).toBeNull());
    expect(row()).toHaveTextContent(/See you at 6\s*\(edited\)/);
    const saved = (await serverMessages(general.id)).find((m) => m.id === mine.id)!;
    expect(saved.content).toBe('See you at 6');
    expect(saved.edited_at).not.toBeNull();
  });

  it('deletes your own message only once you confirm, leaving a tombstone', async () => {
    const mine = await s.as(me).channels.post({ params: { channelId: general.id }, body: { content: 'Wrong channel, sorry' } });
    const h = await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    await fireEvent(await screen.findByTestId(`message-${mine.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`delete-${mine.id}`));
    expect(screen.getByTestId(`actions-${mine.id}`)).toHaveTextContent(/Delete this message\? This can't be undone\./);
    await fireEvent.press(screen.getByTestId('delete-cancel'));
    expect(screen.queryByTestId(`actions-${mine.id}`)).toBeNull();
    expect(screen.getByTestId(`message-${mine.id}`)).toHaveTextContent(/Wrong channel, sorry/);
    expect(h.network.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);

    await fireEvent(screen.getByTestId(`message-${mine.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`delete-${mine.id}`));
    await fireEvent.press(screen.getByTestId(`confirm-delete-${mine.id}`));
    expect(await within(screen.getByTestId(`message-${mine.id}`)).findByText('This message was deleted.')).toBeTruthy();
    expect(screen.queryByText('Wrong channel, sorry')).toBeNull();
    const gone = (await serverMessages(general.id)).find((m) => m.id === mine.id)!;
    expect(gone.deleted).toBe(true);
  });

  it('offers Delete on someone else’s message to a moderator only, and never Edit', async () => {
    const theirs = await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: 'Cheap followers here' } });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    await fireEvent(await screen.findByTestId(`message-${theirs.id}`), 'longPress');
    expect(screen.getByTestId(`reply-${theirs.id}`)).toBeTruthy();
    expect(screen.getByTestId(`copy-${theirs.id}`)).toBeTruthy();
    expect(screen.queryByTestId(`edit-${theirs.id}`)).toBeNull();
    expect(screen.queryByTestId(`delete-${theirs.id}`)).toBeNull();
    await fireEvent.press(screen.getByTestId(`actions-${theirs.id}-backdrop`));
    expect(screen.queryByTestId(`actions-${theirs.id}`)).toBeNull();
    await screen.unmount();

    await renderWithServer(<ChannelScreen channelId={general.id} />, s, owner);
    await fireEvent(await screen.findByTestId(`message-${theirs.id}`), 'longPress');
    expect(screen.queryByTestId(`edit-${theirs.id}`)).toBeNull();
    await fireEvent.press(screen.getByTestId(`delete-${theirs.id}`));
    expect(screen.getByTestId(`actions-${theirs.id}`)).toHaveTextContent(/Delete Emma Johansson's message\?/);
    await fireEvent.press(screen.getByTestId(`confirm-delete-${theirs.id}`));
    expect(await within(screen.getByTestId(`message-${theirs.id}`)).findByText('This message was deleted.')).toBeTruthy();
    expect((await serverMessages(general.id)).find((m) => m.id === theirs.id)!.deleted).toBe(true);
  });

  it('copies a message’s text, mentions as the names people see', async () => {
    const target = await s
      .as(friend)
      .channels.post({ params: { channelId: general.id }, body: { content: `Ask @[Sam](user:${owner}) about **tripods**` } });
    const copied: string[] = [];
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { copyToClipboard: (text) => copied.push(text) });
    await fireEvent(await screen.findByTestId(`message-${target.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`copy-${target.id}`));
    expect(copied).toEqual(['Ask @Sam about **tripods**']);
    expect(screen.queryByTestId(`actions-${target.id}`)).toBeNull();
  });

  it('shows others’ edits and deletions live (realtime)', async () => {
    const a = await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: 'Meet at the gate' } });
    const b = await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: 'Bring snacks' } });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { realtime: true });
    await screen.findByTestId(`message-${b.id}`);
    // edit until the push arrives: pusher-js needs a moment to subscribe through the real gateway
    let n = 0;
    await waitFor(async () => {
      await s.as(friend).channels.edit({ params: { messageId: a.id }, body: { content: `Meet at the north gate ${++n}` } });
      expect(screen.getByTestId(`message-${a.id}`)).toHaveTextContent(/Meet at the north gate \d+\s*\(edited\)/);
    });
    await s.as(friend).channels.removeMessage({ params: { messageId: b.id } });
    expect(await within(screen.getByTestId(`message-${b.id}`)).findByText('This message was deleted.')).toBeTruthy();
  });

  it('renders Markdown as native text, and opens only http(s) links', async () => {
    const open = jest.spyOn(Linking, 'openURL').mockResolvedValue(true);
    const content = [
      '**Bold** _soft_ ~~old~~ `npm test` [the docs](https://example.com/docs) [this](javascript:alert)',
      '> quoted **rule**',
      '```\nx = "<b>";\n```',
      `@[Emma](user:${friend}) @[Mods](role:moderator)`,
    ].join('\n\n');
    const m = await s.as(owner).channels.post({ params: { channelId: general.id }, body: { content } });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    const row = await screen.findByTestId(`message-${m.id}`);
    expect(within(row).getByText('Bold')).toHaveStyle({ fontWeight: '700' });
    expect(within(row).getByText('soft')).toHaveStyle({ fontStyle: 'italic' });
    expect(within(row).getByText('old')).toHaveStyle({ textDecorationLine: 'line-through' });
    expect(within(row).getByText('npm test')).toHaveStyle({ fontFamily: Platform.select({ ios: 'Menlo', default: 'monospace' }) });
    expect(within(within(row).getByTestId('md-quote')).getByText('rule')).toHaveStyle({ fontWeight: '700' });
    expect(within(row).getByTestId('md-code')).toHaveTextContent('x = "<b>";');
    expect(within(row).getByText('@Emma')).toBeTruthy();
    expect(within(row).getByText('@Mods')).toBeTruthy();
    expect(row).not.toHaveTextContent(/\*\*|~~|```|javascript/);
    // one link: the unsafe one is only its label
    expect(within(row).getAllByRole('link')).toHaveLength(1);
    await fireEvent.press(within(row).getByRole('link', { name: 'the docs' }));
    expect(open.mock.calls).toEqual([['https://example.com/docs']]);
    open.mockRestore();
  });

  it('mentions someone picked from the suggestions', async () => {
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    await screen.findByTestId('composer-input');
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Thanks @emm');
    await fireEvent.press(await screen.findByTestId(`mention-${friend}`));
    expect(screen.getByTestId('composer-input').props.value).toBe(`Thanks @[Emma Johansson](user:${friend}) `);
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(async () => {
      const m = (await serverMessages(general.id)).find((x) => x.content?.startsWith('Thanks @['));
      expect(m?.mentions).toEqual([friend]);
    });
    expect(await screen.findByText('@Emma Johansson')).toBeTruthy();
  });

  it('enforces the server’s maximum message length before sending', async () => {
    const h = await renderWithServer(<ChannelScreen channelId={general.id} />, s, me);
    await screen.findByTestId('composer-input');
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'x'.repeat(MAX + 3));
    expect(screen.getByTestId('too-long')).toHaveTextContent('3 characters over the limit');
    expect(screen.getByTestId('send')).toBeDisabled();
    await fireEvent.press(screen.getByTestId('send'));
    expect(h.network.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/messages'))).toHaveLength(0);
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'x'.repeat(MAX));
    expect(screen.queryByTestId('too-long')).toBeNull();
    expect(screen.getByTestId('send')).not.toBeDisabled();
  });

  it('attaches a file through the host’s picker', async () => {
    const file = { name: 'notes.txt', type: 'text/plain', blob: new Blob(['bring a tripod'], { type: 'text/plain' }) };
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { pickAttachment: async () => file });
    await fireEvent.press(await screen.findByTestId('attach'));
    expect(await screen.findByTestId('upload-done')).toHaveTextContent(/📎 notes\.txt/);
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Packing list');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(async () => {
      const m = (await serverMessages(general.id)).find((x) => x.content === 'Packing list');
      expect(m?.attachments.map((a) => a.original_name)).toEqual(['notes.txt']);
    });
  });

  it('shows messages others post, live (realtime)', async () => {
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { realtime: true });
    await screen.findByTestId('composer-input');
    // give pusher-js a moment to connect and subscribe through the real gateway
    await waitFor(async () => {
      await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: `Live ${Date.now()}` } });
      expect(screen.getAllByText(/^Live \d+$/).length).toBeGreaterThan(0);
    });
  });

  it('shows who is typing, and tells the others while we type (presence client events)', async () => {
    const features = await s.as(null).system.features();
    const presence = realtimeChannel.channelPresence(features.realtime.channel_prefix, general.id);
    // Emma, on her own phone
    const emma = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(friend) });
    const heard: unknown[] = [];
    emma.on(presence, REALTIME_EVENTS.clientTyping, (d) => heard.push(d));
    await emma.subscribed(presence);
    const emmaTypes = () =>
      emma.pusher.channel(presence).trigger(REALTIME_EVENTS.clientTyping, { user_id: friend, name: 'Emma Johansson' });
    try {
      await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { realtime: true });
      await screen.findByTestId('composer-input');
      expect(screen.getByTestId('typing')).toHaveTextContent('');
      await waitFor(() => {
        emmaTypes();
        expect(screen.getByTestId('typing')).toHaveTextContent('Emma Johansson is typing…');
      });

      await fireEvent.changeText(screen.getByTestId('composer-input'), 'On my w');
      const myName = (await s.as(me).system.me()).name;
      await waitFor(() => expect(heard).toContainEqual({ user_id: me, name: myName }));

      // her message ends her typing
      await s.as(friend).channels.post({ params: { channelId: general.id }, body: { content: 'Typed it!' } });
      await waitFor(() => expect(screen.getByTestId('typing')).toHaveTextContent(''));
    } finally {
      emma.disconnect();
    }
  });

  it('tells the host on a 401', async () => {
    const h = await renderWithServer(<ChannelScreen channelId={general.id} />, s, me, { badToken: true });
    expect(await screen.findByTestId('error-unauthorized')).toBeTruthy();
    expect(h.unauthorized()).toBeGreaterThan(0);
  });

  it('says kindly why a send was refused (403, muted while the screen was open), without a pointless retry', async () => {
    const muted = s.demo.studentIds[3]!;
    await s.as(muted).communities.join({ params: { id: String(community.id) }, body: {} });
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, muted);
    await screen.findByTestId('composer-input');
    await s.as(owner).communities.updateMember({ params: { id: String(community.id), userId: muted }, body: { status: 'muted' } });
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Can I still talk?');
    await fireEvent.press(screen.getByTestId('send'));
    const failed = await screen.findByTestId('pending-failed');
    expect(failed).toHaveTextContent(/Not sent\. You don't have access to this/);
    expect(failed).toBeDisabled();
    expect((await serverMessages(general.id)).some((m) => m.content === 'Can I still talk?')).toBe(false);
  });

  it('shows a read-only channel to a muted member, and a kind "not found" to someone who may not see it', async () => {
    const muted = s.demo.studentIds[3]!;
    await renderWithServer(<ChannelScreen channelId={general.id} />, s, muted);
    await waitFor(() =>
      expect(screen.getByTestId('composer-read-only')).toHaveTextContent(
        'You are muted in this community until a moderator lifts the mute.',
      ),
    );
    await screen.unmount();
    const staff = await s.as(owner).channels.create({
      params: { id: String(community.id) },
      body: { name: 'staff', is_private: true, allowed_role_slugs: ['moderator'] },
    });
    await renderWithServer(<ChannelScreen channelId={staff.id} />, s, me);
    expect(await screen.findByTestId('error-not_found')).toBeTruthy();
  });
});
