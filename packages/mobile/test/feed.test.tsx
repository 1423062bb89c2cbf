import type { CommunityDetail, FeedItem } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import { CommunityDetailScreen } from '../src/screens/CommunityDetail';

import { gatedFetch } from './support/network';
import { solidPng } from './support/png';
import { renderWithServer } from './support/render';
import { startScanner } from './support/scanner';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let scanner: Awaited<ReturnType<typeof startScanner>>;
let owner: number;
let me: number;
let friend: number;
let community: CommunityDetail;

beforeAll(async () => {
  scanner = await startScanner();
  // Room for the live tests' posts after the earlier ones (the limit itself is tested on the server).
  s = await startRealServer({
    worker: true,
    config: { file_scanner: { driver: 'http', http: { url: scanner.url } }, rate_limits: { feed_posts: { max: 100, window_seconds: 60 } } },
  });
  owner = s.demo.instructorIds[0]!;
  [me, friend] = s.demo.studentIds as [number, number];
  community = await seedCommunity(s, { owner, name: 'Field Notes', members: [me, friend] });
});
afterAll(async () => {
  await s?.close();
  await scanner?.close();
});

const id = () => ({ id: String(community.id) });
const serverFeed = async (as = me): Promise<FeedItem[]> =>
  (await s.as(as).feed.communityFeed({ params: id(), query: { limit: 50 } })).items;
const serverComments = async (itemId: number) => (await s.as(me).feed.comments({ params: { itemId }, query: { limit: 50 } })).items;
const open = async (userId: number, overrides: Parameters<typeof renderWithServer>[3] = {}) =>
  renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, userId, overrides);

describe('the mobile feed: posts', () => {
  it('posts text with a picked image, uploaded and scanned by the server', async () => {
    const png = solidPng(64, 48, [40, 160, 90]);
    const picked = { name: 'moss.png', type: 'image/png', blob: new Blob([new Uint8Array(png)], { type: 'image/png' }) };
    await open(me, { pickAttachment: async () => picked });
    await fireEvent.press(await screen.findByTestId('compose-attach'));
    expect(await screen.findByTestId('upload-done')).toHaveTextContent(/📎 moss\.png/);
    await fireEvent.changeText(screen.getByTestId('compose-input'), 'Found **moss** on the north wall');
    await fireEvent.press(screen.getByTestId('compose-send'));

    // the composer empties and the post leads the list, with its file
    await waitFor(() => expect(screen.getByTestId('compose-input').props.value).toBe(''));
    expect(screen.queryByTestId('upload-done')).toBeNull();
    const saved = (await serverFeed()).find((i) => i.content === 'Found **moss** on the north wall')!;
    expect(saved.author.id).toBe(me);
    expect(saved.attachments.map((a) => [a.original_name, a.purpose])).toEqual([['moss.png', 'feed']]);
    const card = screen.getByTestId(`post-${saved.id}`);
    expect(within(card).getByText('moss')).toBeTruthy();
    expect(within(card).getByTestId(`attachment-${saved.attachments[0]!.id}`)).toBeTruthy();
    // once the scan says clean, a refresh shows the thumbnail (fetched with the user's token)
    await waitFor(async () =>
      expect((await s.as(me).uploads.status({ params: { kind: 'channel', id: saved.attachments[0]!.id } })).scan_status).toBe('clean'),
    );
    await fireEvent(screen.getByTestId('feed-list'), 'refresh');
    expect(await screen.findByTestId(`thumbnail-${saved.attachments[0]!.id}`)).toBeTruthy();
  });

  it('pull to refresh shows what others posted since', async () => {
    await open(me);
    await screen.findByTestId('feed-list');
    await s.as(friend).feed.post({ params: id(), body: { content: 'Fresh from the trail' } });
    expect(screen.queryByText('Fresh from the trail')).toBeNull();
    await fireEvent(screen.getByTestId('feed-list'), 'refresh');
    expect(await screen.findByText('Fresh from the trail')).toBeTruthy();
  });

  it('edits your own post in place, and offers no Edit or Delete on others’ posts', async () => {
    const mine = await s.as(me).feed.post({ params: id(), body: { content: 'Meet at 9' } });
    const theirs = await s.as(friend).feed.post({ params: id(), body: { content: 'Bring boots' } });
    await open(me);
    await screen.findByTestId(`post-${theirs.id}`);
    expect(screen.queryByTestId(`more-post-${theirs.id}`)).toBeNull();

    await fireEvent.press(screen.getByTestId(`more-post-${mine.id}`));
    expect(screen.queryByTestId(`pin-post-${mine.id}`)).toBeNull(); // members do not pin
    await fireEvent.press(screen.getByTestId(`edit-post-${mine.id}`));
    await fireEvent.changeText(screen.getByTestId('edit-input'), 'Meet at 10, not 9');
    await fireEvent.press(screen.getByTestId('edit-save'));
    await waitFor(() => expect(screen.queryByTestId('edit-box')).toBeNull());
    expect(screen.getByTestId(`post-${mine.id}`)).toHaveTextContent(/Meet at 10, not 9/);
    expect(screen.getByTestId(`post-${mine.id}`)).toHaveTextContent(/\(edited\)/);
    const saved = (await serverFeed()).find((i) => i.id === mine.id)!;
    expect(saved.content).toBe('Meet at 10, not 9');
    expect(saved.edited_at).not.toBeNull();
  });

  it('a moderator deletes someone else’s post after confirming, and pins another', async () => {
    const notice = await s.as(friend).feed.post({ params: id(), body: { content: 'Trail closed on Sunday' } });
    const spam = await s.as(friend).feed.post({ params: id(), body: { content: 'Cheap boots, click here' } });
    await s.as(me).feed.post({ params: id(), body: { content: 'Later chatter' } });
    const h = await open(owner);
    await fireEvent.press(await screen.findByTestId(`more-post-${spam.id}`));
    expect(screen.queryByTestId(`edit-post-${spam.id}`)).toBeNull();
    await fireEvent.press(screen.getByTestId(`delete-post-${spam.id}`));
    expect(screen.getByTestId(`actions-post-${spam.id}`)).toHaveTextContent(/Delete Emma Johansson's post\? This can't be undone\./);
    expect(h.network.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    await fireEvent.press(screen.getByTestId(`confirm-delete-post-${spam.id}`));
    await waitFor(() => expect(screen.queryByTestId(`post-${spam.id}`)).toBeNull());
    expect((await serverFeed()).some((i) => i.id === spam.id)).toBe(false);

    await fireEvent.press(screen.getByTestId(`more-post-${notice.id}`));
    expect(within(screen.getAllByTestId(/^post-\d+$/)[0]!).queryByText('Trail closed on Sunday')).toBeNull();
    await fireEvent.press(screen.getByTestId(`pin-post-${notice.id}`));
    await waitFor(() => expect(within(screen.getAllByTestId(/^post-\d+$/)[0]!).queryByText('Trail closed on Sunday')).toBeTruthy());
    expect(within(screen.getByTestId(`post-${notice.id}`)).getByText('Pinned')).toBeTruthy();
    expect((await s.as(me).feed.communityFeed({ params: id() })).pinned.map((i) => i.id)).toContain(notice.id);
    await s.as(owner).feed.unpin({ params: { itemId: notice.id } });
  });

  it('keeps a post that failed offline, says why, and a retry after a lost answer publishes it once', async () => {
    const h = await open(me);
    await screen.findByTestId('compose-input');
    h.network.offline = true;
    await fireEvent.changeText(screen.getByTestId('compose-input'), 'Written in the tunnel');
    await fireEvent.press(screen.getByTestId('compose-send'));
    expect(await screen.findByTestId('compose-failed')).toHaveTextContent(/wasn't published.*You're offline/);
    expect(screen.getByTestId('compose-input').props.value).toBe('Written in the tunnel');
    h.network.offline = false;
    await fireEvent.press(screen.getByTestId('compose-send'));
    await waitFor(() => expect(screen.getByTestId('compose-input').props.value).toBe(''));
    expect(screen.queryByTestId('compose-failed')).toBeNull();
    expect((await serverFeed()).filter((i) => i.content === 'Written in the tunnel')).toHaveLength(1);
    await screen.unmount();

    const gate = gatedFetch((method, url) => method === 'POST' && url.endsWith(`/${community.slug}/feed`));
    await open(me, { fetch: gate.fetch });
    await screen.findByTestId('compose-input');
    gate.loseResponses();
    await fireEvent.changeText(screen.getByTestId('compose-input'), 'Did this one arrive?');
    await fireEvent.press(screen.getByTestId('compose-send'));
    expect(await screen.findByTestId('compose-failed')).toBeTruthy();
    gate.pass();
    await fireEvent.press(screen.getByTestId('compose-send'));
    await waitFor(() => expect(screen.getByTestId('compose-input').props.value).toBe(''));
    expect(screen.queryByTestId('compose-failed')).toBeNull();
    expect(gate.answered()).toBe(2);
    expect((await serverFeed()).filter((i) => i.content === 'Did this one arrive?')).toHaveLength(1);
    expect(screen.getAllByText('Did this one arrive?')).toHaveLength(1);
  });
});

describe('the mobile feed: comments', () => {
  it('comments on a post and replies to a comment', async () => {
    const post = await s.as(friend).feed.post({ params: id(), body: { content: 'Which trail next week?' } });
    await open(me);
    await fireEvent.press(await screen.findByTestId(`open-post-${post.id}`));
    expect(await screen.findByText('No comments yet. Start the conversation.')).toBeTruthy();
    await fireEvent.changeText(screen.getByTestId('comment-input'), 'The ridge loop');
    await fireEvent.press(screen.getByTestId('comment-send'));
    const top = await waitFor(async () => {
      const c = (await serverComments(post.id)).find((x) => x.content === 'The ridge loop');
      expect(c).toBeTruthy();
      return c!;
    });
    expect(await within(await screen.findByTestId(`comment-${top.id}`)).findByText('The ridge loop')).toBeTruthy();
    expect(screen.getByTestId('comment-input').props.value).toBe('');
    expect(screen.getByRole('header', { name: '1 comment' })).toBeTruthy();

    await s.as(friend).feed.comment({ params: { itemId: post.id }, body: { content: 'Or the lake path?' } });
    await fireEvent(screen.getByTestId('comment-list'), 'refresh');
    const theirs = (await serverComments(post.id)).find((x) => x.content === 'Or the lake path?')!;
    await fireEvent.press(await screen.findByTestId(`reply-comment-${theirs.id}`));
    expect(screen.getByTestId('comment-reply-banner')).toHaveTextContent(/^Replying to Emma Johansson/);
    await fireEvent.changeText(screen.getByTestId('comment-input'), 'Lake path works for me');
    await fireEvent.press(screen.getByTestId('comment-send'));
    await waitFor(() => expect(screen.queryByTestId('comment-reply-banner')).toBeNull());
    const thread = (await serverComments(post.id)).find((x) => x.id === theirs.id)!;
    expect(thread.replies.map((r) => [r.content, r.parent_id, r.author.id])).toEqual([['Lake path works for me', theirs.id, me]]);
    expect(within(await screen.findByTestId(`thread-${theirs.id}`)).getByText('Lake path works for me')).toBeTruthy();

    // back to the feed, where the count followed
    await fireEvent.press(screen.getByTestId('post-back'));
    expect(await screen.findByTestId('feed-list')).toBeTruthy();
    expect(screen.getByTestId(`open-post-${post.id}`)).toHaveTextContent('3 comments');
  });

  it('deletes your own comment after confirming, leaving a tombstone; others’ comments offer no Delete', async () => {
    const post = await s.as(friend).feed.post({ params: id(), body: { content: 'Photos from Saturday' } });
    const mine = await s.as(me).feed.comment({ params: { itemId: post.id }, body: { content: 'Wrong thread, sorry' } });
    const theirs = await s.as(friend).feed.comment({ params: { itemId: post.id }, body: { content: 'Lovely light' } });
    await open(me);
    await fireEvent.press(await screen.findByTestId(`open-post-${post.id}`));
    await screen.findByTestId(`comment-${theirs.id}`);
    expect(screen.queryByTestId(`comment-actions-${theirs.id}`)).toBeNull();
    await fireEvent.press(screen.getByTestId(`comment-actions-${mine.id}`));
    await fireEvent.press(screen.getByTestId(`delete-comment-${mine.id}`));
    expect(screen.getByTestId(`actions-comment-${mine.id}`)).toHaveTextContent(/^Delete this comment\? This can't be undone\./);
    await fireEvent.press(screen.getByTestId(`confirm-delete-comment-${mine.id}`));
    expect(await within(screen.getByTestId(`comment-${mine.id}`)).findByText('This comment was deleted.')).toBeTruthy();
    expect(screen.queryByText('Wrong thread, sorry')).toBeNull();
    const gone = (await serverComments(post.id)).find((c) => c.id === mine.id)!;
    expect(gone.deleted).toBe(true);
  });

  it('edits your own comment in place, and likes someone else’s', async () => {
    const post = await s.as(friend).feed.post({ params: id(), body: { content: 'Best lens for birds?' } });
    const mine = await s.as(me).feed.comment({ params: { itemId: post.id }, body: { content: 'A 400mm, I guess' } });
    const theirs = await s.as(friend).feed.comment({ params: { itemId: post.id }, body: { content: 'Thanks, ordering one' } });
    await open(me);
    await fireEvent.press(await screen.findByTestId(`open-post-${post.id}`));
    await fireEvent.press(await screen.findByTestId(`comment-actions-${mine.id}`));
    await fireEvent.press(screen.getByTestId(`edit-comment-${mine.id}`));
    await fireEvent.changeText(screen.getByTestId('edit-input'), 'A 400mm, or rent one first');
    await fireEvent.press(screen.getByTestId('edit-save'));
    await waitFor(() => expect(screen.queryByTestId('edit-box')).toBeNull());
    expect(screen.getByTestId(`comment-${mine.id}`)).toHaveTextContent(/A 400mm, or rent one first/);
    expect(screen.getByTestId(`comment-${mine.id}`)).toHaveTextContent(/\(edited\)/);
    const saved = (await serverComments(post.id)).find((c) => c.id === mine.id)!;
    expect([saved.content, saved.edited_at !== null]).toEqual(['A 400mm, or rent one first', true]);

    await fireEvent.press(screen.getByTestId(`like-comment-${theirs.id}`));
    expect(await within(screen.getByTestId(`comment-${theirs.id}`)).findByTestId('reaction-👍')).toHaveTextContent('👍1');
    await waitFor(async () =>
      expect((await serverComments(post.id)).find((c) => c.id === theirs.id)!.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]),
    );
  });

  it('keeps a comment that could not be sent, and says why', async () => {
    const post = await s.as(friend).feed.post({ params: id(), body: { content: 'Anyone got a spare map?' } });
    const h = await open(me);
    await fireEvent.press(await screen.findByTestId(`open-post-${post.id}`));
    await screen.findByTestId('comment-input');
    h.network.offline = true;
    await fireEvent.changeText(screen.getByTestId('comment-input'), 'I have one');
    await fireEvent.press(screen.getByTestId('comment-send'));
    expect(await screen.findByTestId('comment-failed')).toHaveTextContent(/wasn't sent.*You're offline/);
    expect(screen.getByTestId('comment-input').props.value).toBe('I have one');
    expect(await serverComments(post.id)).toEqual([]);
    h.network.offline = false;
    await fireEvent.press(screen.getByTestId('comment-send'));
    await waitFor(() => expect(screen.getByTestId('comment-input').props.value).toBe(''));
    expect(screen.queryByTestId('comment-failed')).toBeNull();
    expect((await serverComments(post.id)).map((c) => c.content)).toEqual(['I have one']);
    expect(await screen.findByText('I have one')).toBeTruthy();
  });
});

// Posted by the owner: the tests above use up the friend's rate limits on purpose.
describe('the mobile feed: live (realtime)', () => {
  it('shows a pill for others’ new posts, then the posts; edits and reactions change in place', async () => {
    const before = await s.as(owner).feed.post({ params: id(), body: { content: 'Trail is muddy' } });
    await open(me, { realtime: true });
    await screen.findByTestId(`post-${before.id}`, {}, { timeout: 10_000 });
    // Post until the push arrives: pusher-js needs a moment to subscribe through the real gateway.
    let n = 0;
    const posted: number[] = [];
    // One post at a time, and none once the pill shows: a push still in flight would add to it.
    await waitFor(
      async () => {
        if (!screen.queryByTestId('feed-new-posts')) {
          posted.push((await s.as(owner).feed.post({ params: id(), body: { content: `Summit at dawn ${++n}` } })).id);
          await new Promise((r) => setTimeout(r, 500));
        }
        expect(screen.getByTestId('feed-new-posts')).toBeTruthy();
      },
      { timeout: 15_000 },
    );
    // Not jumped into the list: the pill counts them until tapped.
    expect(screen.queryByText(`Summit at dawn ${n}`)).toBeNull();
    expect(screen.getByTestId('feed-new-posts')).toHaveTextContent(/^↑ 1 new post$/);
    await fireEvent.press(screen.getByTestId('feed-new-posts'));
    expect(await screen.findByText(`Summit at dawn ${n}`)).toBeTruthy();
    expect(screen.queryByTestId('feed-new-posts')).toBeNull();

    const last = posted.at(-1)!;
    await s.as(owner).feed.update({ params: { itemId: last }, body: { content: 'Summit at dawn, moved to 6am' } });
    expect(await within(screen.getByTestId(`post-${last}`)).findByText('Summit at dawn, moved to 6am')).toBeTruthy();
    await s.as(owner).feed.react({ params: { itemId: last }, body: { emoji: '🎉' } });
    const party = await within(screen.getByTestId(`post-${last}`)).findByTestId('reaction-🎉');
    expect(party).toHaveTextContent(/^🎉\s*1$/);
  });

  it('shows others’ comments live under an open post', async () => {
    const post = await s.as(owner).feed.post({ params: id(), body: { content: 'Who has a spare map?' } });
    await open(me, { realtime: true });
    await fireEvent.press(await screen.findByTestId(`open-post-${post.id}`));
    expect(await screen.findByText('No comments yet. Start the conversation.')).toBeTruthy();
    let n = 0;
    await waitFor(
      async () => {
        if (!screen.queryByText(/^I do, page \d+$/)) {
          await s.as(owner).feed.comment({ params: { itemId: post.id }, body: { content: `I do, page ${++n}` } });
          await new Promise((r) => setTimeout(r, 500));
        }
        expect(screen.getByText(/^I do, page \d+$/)).toBeTruthy();
      },
      { timeout: 15_000 },
    );
  });
});
