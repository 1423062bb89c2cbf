import type { CommunityDetail, DmThread } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import { DMInboxScreen } from '../src/screens/DMInbox';
import { DMThreadScreen } from '../src/screens/DMThread';

import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let me: number;
let friend: number;
let third: number;
let pair: DmThread;
let group: DmThread;
let quiet: DmThread;
let studyBuddies: CommunityDetail;

beforeAll(async () => {
  s = await startRealServer();
  [me, friend, third] = s.demo.studentIds as [number, number, number];
  // DMs need a shared community (dm.allow_from = shared_community)
  studyBuddies = await seedCommunity(s, { name: 'Study Buddies', members: [me, friend, third] });
  quiet = await s.as(me).dm.start({ body: { user_ids: [third] } });
  await s.as(me).dm.post({ params: { threadId: quiet.id }, body: { content: 'See you in class' } });
  group = await s.as(me).dm.start({ body: { user_ids: [friend, third], group: true, title: 'Project team' } });
  await s.as(third).dm.post({ params: { threadId: group.id }, body: { content: 'Slides are done' } });
  pair = await s.as(friend).dm.start({ body: { user_ids: [me] } });
  await s.as(friend).dm.post({ params: { threadId: pair.id }, body: { content: 'Hey!' } });
  await s.as(friend).dm.post({ params: { threadId: pair.id }, body: { content: 'Did you finish the homework?' } });
});
afterAll(async () => {
  await s?.close();
});

describe('DMInboxScreen against a real server', () => {
  it('lists threads newest first with previews and unread counts', async () => {
    const opened: number[] = [];
    const h = await renderWithServer(<DMInboxScreen onOpenThread={(t) => opened.push(t.id)} />, s, me);
    const list = await screen.findByTestId('thread-list');
    const rows = within(list).getAllByTestId(/^thread-\d+$/);
    expect(rows.map((r) => r.props.testID as string)).toEqual([`thread-${pair.id}`, `thread-${group.id}`, `thread-${quiet.id}`]);
    expect(rows[0]).toHaveTextContent(/Emma Johansson.*Did you finish the homework\?/);
    expect(screen.getByTestId(`unread-${pair.id}`)).toHaveTextContent('2');
    expect(rows[1]).toHaveTextContent(/Project team.*Slides are done/);
    expect(rows[2]).toHaveTextContent(/Noah Okafor.*You: See you in class/);
    expect(screen.queryByTestId(`unread-${quiet.id}`)).toBeNull();
    await fireEvent.press(rows[0]!);
    expect(opened).toEqual([pair.id]);
    expect(h.events).toContainEqual({ type: 'tap', name: 'dm.open', params: { thread_id: pair.id } });
  });

  it('refreshes the inbox live when a thread gets a message (dm_thread.updated)', async () => {
    await renderWithServer(<DMInboxScreen />, s, me, { realtime: true });
    await screen.findByTestId('thread-list');
    // Posted until one arrives: the user channel's subscription settles after the first render.
    await waitFor(
      async () => {
        await s.as(third).dm.post({ params: { threadId: group.id }, body: { content: `Inbox ping ${Date.now()}` } });
        expect(within(screen.getByTestId(`thread-${group.id}`)).getByText(/Inbox ping \d+/)).toBeTruthy();
      },
      { timeout: 8000, interval: 500 },
    );
  });

  it('pages the inbox', async () => {
    await renderWithServer(<DMInboxScreen pageSize={2} />, s, me);
    const list = await screen.findByTestId('thread-list');
    expect(within(list).getAllByTestId(/^thread-\d+$/)).toHaveLength(2);
    await fireEvent(list, 'endReached');
    await waitFor(() => expect(within(screen.getByTestId('thread-list')).getAllByTestId(/^thread-\d+$/)).toHaveLength(3));
  });

  it('starts a conversation with someone from the user’s communities, or reopens the one there is', async () => {
    const newcomer = s.demo.studentIds[4]!;
    await s.as(newcomer).communities.join({ params: { id: String(studyBuddies.id) }, body: {} });
    const name = (await s.as(newcomer).system.me()).name;
    const opened: DmThread[] = [];
    await renderWithServer(<DMInboxScreen onOpenThread={(th) => opened.push(th)} />, s, me);
    await fireEvent.press(await screen.findByTestId('new-message-open'));
    await fireEvent.changeText(screen.getByTestId('people-search'), name.split(' ')[0]!);
    const person = await screen.findByTestId(`person-${newcomer}`);
    expect(person).toHaveTextContent(/in Study Buddies/);
    expect(screen.queryByTestId(`person-${me}`)).toBeNull();
    await fireEvent.press(person);
    await waitFor(() => expect(opened).toHaveLength(1));
    expect(opened[0]!.participants.map((p) => p.id).sort()).toEqual([me, newcomer].sort());
    // back in the inbox, which now lists it
    expect(await within(await screen.findByTestId('thread-list')).findByTestId(`thread-${opened[0]!.id}`)).toBeTruthy();

    await fireEvent.press(screen.getByTestId('new-message-open'));
    await fireEvent.changeText(screen.getByTestId('people-search'), 'Emma');
    await fireEvent.press(await screen.findByTestId(`person-${friend}`));
    await waitFor(() => expect(opened.map((th) => th.id)).toEqual([opened[0]!.id, pair.id]));
  });

  it('tells the host on a 401', async () => {
    const h = await renderWithServer(<DMInboxScreen />, s, me, { badToken: true });
    expect(await screen.findByTestId('error-unauthorized')).toBeTruthy();
    expect(h.unauthorized()).toBeGreaterThan(0);
  });
});

describe('DMInboxScreen when nobody may start DMs (dm.allow_from = nobody)', () => {
  it('offers New message to admins only', async () => {
    const quiet = await startRealServer({ config: { dm: { allow_from: 'nobody' } } });
    try {
      await renderWithServer(<DMInboxScreen onOpenThread={() => {}} />, quiet, quiet.demo.studentIds[0]!);
      await screen.findByTestId('thread-list');
      expect(screen.queryByTestId('new-message-open')).toBeNull();
      await screen.unmount();
      await renderWithServer(<DMInboxScreen onOpenThread={() => {}} />, quiet, quiet.demo.adminId);
      expect(await screen.findByTestId('new-message-open')).toBeTruthy();
    } finally {
      await quiet.close();
    }
  });
});

describe('DMThreadScreen against a real server', () => {
  it('shows the conversation and marks it read on the server', async () => {
    await renderWithServer(<DMThreadScreen threadId={pair.id} />, s, me);
    expect(await screen.findByText('Did you finish the homework?')).toBeTruthy();
    expect(screen.getByRole('header', { name: 'Emma Johansson' })).toBeTruthy();
    await waitFor(async () => expect((await s.as(me).dm.thread({ params: { threadId: pair.id } })).unread_count).toBe(0));
  });

  it('sends optimistically and reconciles with the server’s message; offline sends retry once', async () => {
    const h = await renderWithServer(<DMThreadScreen threadId={pair.id} />, s, me);
    await screen.findByTestId('composer-input');
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Almost done!');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(() => expect(screen.queryByTestId(/pending-/)).toBeNull());
    expect(screen.getByText('Almost done!')).toBeTruthy();

    h.network.offline = true;
    await fireEvent.changeText(screen.getByTestId('composer-input'), 'Sending from the bus');
    await fireEvent.press(screen.getByTestId('send'));
    const waiting = await screen.findByTestId('pending-waiting');
    h.network.offline = false;
    await fireEvent.press(waiting);
    await waitFor(() => expect(screen.queryByTestId(/pending-/)).toBeNull());

    const items = (await s.as(friend).dm.messages({ params: { threadId: pair.id } })).items.map((m) => m.content);
    expect(items.filter((c) => c === 'Almost done!')).toHaveLength(1);
    expect(items.filter((c) => c === 'Sending from the bus')).toHaveLength(1);
  });

  it('reacts, and sends an attachment picked by the host', async () => {
    const target = await s.as(third).dm.post({ params: { threadId: group.id }, body: { content: 'Vote on the title' } });
    const file = { name: 'draft.txt', type: 'text/plain', blob: new Blob(['chapter one'], { type: 'text/plain' }) };
    await renderWithServer(<DMThreadScreen threadId={group.id} />, s, me, { pickAttachment: async () => file });
    expect(await screen.findByText('Project team')).toBeTruthy();
    await fireEvent(await screen.findByTestId(`message-${target.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`picker-${target.id}-❤️`));
    await waitFor(async () => {
      const m = (await s.as(me).dm.messages({ params: { threadId: group.id } })).items.find((x) => x.id === target.id)!;
      expect(m.reactions).toEqual([{ emoji: '❤️', count: 1, me: true }]);
    });

    await fireEvent.press(screen.getByTestId('attach'));
    await screen.findByTestId('upload-done');
    await fireEvent.press(screen.getByTestId('send'));
    await waitFor(async () => {
      const last = (await s.as(friend).dm.messages({ params: { threadId: group.id } })).items.at(-1)!;
      expect(last.attachments.map((a) => a.original_name)).toEqual(['draft.txt']);
      expect(last.author.id).toBe(me);
    });
    expect(await screen.findByText(/draft\.txt/)).toBeTruthy();
  });

  it('edits and deletes your own message, but not the other side’s', async () => {
    const mine = await s.as(me).dm.post({ params: { threadId: pair.id }, body: { content: 'Chapter 3 is due Friday' } });
    const theirs = await s.as(friend).dm.post({ params: { threadId: pair.id }, body: { content: 'Thanks!' } });
    await renderWithServer(<DMThreadScreen threadId={pair.id} />, s, me);
    await fireEvent(await screen.findByTestId(`message-${theirs.id}`), 'longPress');
    expect(screen.queryByTestId(`edit-${theirs.id}`)).toBeNull();
    expect(screen.queryByTestId(`delete-${theirs.id}`)).toBeNull();
    await fireEvent.press(screen.getByTestId(`actions-${theirs.id}-backdrop`));

    await fireEvent(screen.getByTestId(`message-${mine.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`edit-${mine.id}`));
    await fireEvent.changeText(screen.getByTestId('edit-input'), 'Chapter 3 is due Monday');
    await fireEvent.press(screen.getByTestId('edit-save'));
    await waitFor(() => expect(screen.getByTestId(`message-${mine.id}`)).toHaveTextContent(/due Monday\s*\(edited\)/));

    await fireEvent(screen.getByTestId(`message-${mine.id}`), 'longPress');
    await fireEvent.press(screen.getByTestId(`delete-${mine.id}`));
    await fireEvent.press(screen.getByTestId(`confirm-delete-${mine.id}`));
    expect(await within(screen.getByTestId(`message-${mine.id}`)).findByText('This message was deleted.')).toBeTruthy();
    const held = (await s.as(friend).dm.messages({ params: { threadId: pair.id } })).items.find((m) => m.id === mine.id)!;
    expect(held).toMatchObject({ deleted: true, content: null });
  });

  it('shows what the other side writes, live (realtime)', async () => {
    await renderWithServer(<DMThreadScreen threadId={pair.id} />, s, me, { realtime: true });
    await screen.findByTestId('composer-input');
    await waitFor(async () => {
      await s.as(friend).dm.post({ params: { threadId: pair.id }, body: { content: `Ping ${Date.now()}` } });
      expect(screen.getAllByText(/^Ping \d+$/).length).toBeGreaterThan(0);
    });
  });

  it('says "not found" for a thread the user is not in, and tells the host on a 401', async () => {
    await renderWithServer(<DMThreadScreen threadId={quiet.id} />, s, friend);
    expect(await screen.findByTestId('error-not_found')).toBeTruthy();
    await screen.unmount();
    const h = await renderWithServer(<DMThreadScreen threadId={pair.id} />, s, me, { badToken: true });
    expect(await screen.findByTestId('error-unauthorized')).toBeTruthy();
    expect(h.unauthorized()).toBeGreaterThan(0);
  });
});
