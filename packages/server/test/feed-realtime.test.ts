import { createRealtime, type Realtime } from '@communities/client';
import { FEED_REALTIME_EVENTS, feedRealtimeSchemas, realtimeChannel, type FeedRealtimeEventName } from '@communities/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
const clients: Realtime[] = [];

beforeAll(async () => {
  s = await startTestServer({ rate_limits: { feed_posts: { max: 1000, window_seconds: 1 } } });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await s.close();
});

async function client(userId: number): Promise<Realtime> {
  const features = await s.as(null).system.features();
  const rt = createRealtime({ realtime: features.realtime, baseUrl: s.url, token: () => s.token(userId) });
  clients.push(rt);
  return rt;
}

/** Every event a connection receives, on any channel, with a way to wait for the next of a name. */
function recorder(rt: Realtime) {
  const seen: Array<{ event: string; data: unknown }> = [];
  const waiters: Array<{ event: string; resolve: (d: unknown) => void }> = [];
  rt.pusher.bind_global((event: string, data: unknown) => {
    if (event.startsWith('pusher')) return;
    const w = waiters.findIndex((x) => x.event === event);
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(data);
    else seen.push({ event, data });
  });
  return {
    seen,
    next<E extends FeedRealtimeEventName>(event: E) {
      const i = seen.findIndex((x) => x.event === event);
      const got =
        i >= 0 ? Promise.resolve(seen.splice(i, 1)[0]!.data) : new Promise<unknown>((resolve) => waiters.push({ event, resolve }));
      // Each payload is what the contract says it is.
      return got.then((d) => {
        feedRealtimeSchemas[event].parse(d);
        return d as Record<string, unknown>;
      });
    },
  };
}

async function uploadPng(userId: number): Promise<number> {
  const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#3a6' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'photo.png');
  const res = await fetch(`${s.url}/api/communities/uploads?purpose=feed`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(userId)}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

describe('feed events on the community channel, with real pusher-js clients', () => {
  it('reach members live, as everyone sees them, and never an outsider of a private community', async () => {
    const owner = s.demo.instructorIds[0]!;
    const [author, reader, outsider] = s.demo.studentIds as [number, number, number];
    const c = await makeCommunity(s, { visibility: 'private', name: 'Live Feed' });
    await addMember(s, c.id, author);
    await addMember(s, c.id, reader);
    const channel = realtimeChannel.community(s.ctx.config.chat.broadcast_channel_prefix, c.id);

    const readerRt = await client(reader);
    const live = recorder(readerRt);
    await readerRt.subscribed(channel);
    const outsiderRt = await client(outsider);
    const leaked = recorder(outsiderRt);
    await expect(outsiderRt.subscribed(channel)).rejects.toMatchObject({ status: 404 });
    // Over REST the outsider sees that the private community exists, but not its feed.
    await expectStatus(s.as(outsider).feed.communityFeed({ params: { id: c.slug }, query: {} }), 403);

    const upload = await uploadPng(author);
    const post = await s.as(author).feed.post({
      params: { id: c.slug },
      body: { title: 'Hi', content: 'Hello @[Reader](user:' + reader + ')', attachment_ids: [upload] },
    });
    const created = await live.next(FEED_REALTIME_EVENTS.postCreated);
    expect(created).toMatchObject({
      id: post.id,
      community_id: c.id,
      title: 'Hi',
      mentions: [reader],
      author: { id: author },
      attachments: [{ id: upload, scan_status: 'pending', download_url: null }],
    });
    expect(created).not.toHaveProperty('viewer_can');
    expect(created).not.toHaveProperty('reactions');

    // The scan finishes: members see the file become servable without reloading.
    await s.ctx.queue.processAll();
    expect(await live.next(FEED_REALTIME_EVENTS.postUpdated)).toMatchObject({
      id: post.id,
      attachments: [{ id: upload, scan_status: 'unscanned' }],
    });

    await s.as(author).feed.update({ params: { itemId: post.id }, body: { content: 'Hello, edited' } });
    expect(await live.next(FEED_REALTIME_EVENTS.postUpdated)).toMatchObject({ id: post.id, content: 'Hello, edited' });

    await s.as(owner).feed.pin({ params: { itemId: post.id } });
    const pinned = await live.next(FEED_REALTIME_EVENTS.postUpdated);
    expect(pinned).toMatchObject({ id: post.id, is_pinned: true });
    expect(pinned).not.toHaveProperty('viewer_can');

    const comment = await s.as(owner).feed.comment({ params: { itemId: post.id }, body: { content: 'Welcome!' } });
    const cc = await live.next(FEED_REALTIME_EVENTS.commentCreated);
    expect(cc).toMatchObject({
      comment: { id: comment.id, feed_item_id: post.id, content: 'Welcome!', author: { id: owner } },
      comment_count: 1,
    });
    expect(cc.comment).not.toHaveProperty('viewer_can');

    await s.as(owner).feed.updateComment({ params: { commentId: comment.id }, body: { content: 'Welcome aboard!' } });
    expect(await live.next(FEED_REALTIME_EVENTS.commentUpdated)).toMatchObject({ id: comment.id, content: 'Welcome aboard!' });

    // Reactions: the counts as everyone sees them, without the reactor's `me`.
    await s.as(author).feed.react({ params: { itemId: post.id }, body: { emoji: '👍' } });
    expect(await live.next(FEED_REALTIME_EVENTS.reactionChanged)).toEqual({
      feed_item_id: post.id,
      comment_id: null,
      reactions: [{ emoji: '👍', count: 1 }],
    });
    await s.as(owner).feed.react({ params: { itemId: post.id }, body: { emoji: '👍' } });
    expect(await live.next(FEED_REALTIME_EVENTS.reactionChanged)).toMatchObject({ reactions: [{ emoji: '👍', count: 2 }] });
    await s.as(author).feed.react({ params: { itemId: post.id }, body: { emoji: '👍' } }); // taken back
    expect(await live.next(FEED_REALTIME_EVENTS.reactionChanged)).toMatchObject({ reactions: [{ emoji: '👍', count: 1 }] });
    await s.as(author).feed.reactComment({ params: { commentId: comment.id }, body: { emoji: '🎉' } });
    expect(await live.next(FEED_REALTIME_EVENTS.reactionChanged)).toEqual({
      feed_item_id: post.id,
      comment_id: comment.id,
      reactions: [{ emoji: '🎉', count: 1 }],
    });
    await s.as(author).feed.reactComment({ params: { commentId: comment.id }, body: { emoji: '🎉' } });
    expect(await live.next(FEED_REALTIME_EVENTS.reactionChanged)).toEqual({ feed_item_id: post.id, comment_id: comment.id, reactions: [] });

    await s.as(owner).feed.removeComment({ params: { commentId: comment.id } });
    expect(await live.next(FEED_REALTIME_EVENTS.commentDeleted)).toEqual({ id: comment.id, feed_item_id: post.id });

    await s.as(owner).feed.remove({ params: { itemId: post.id } });
    expect(await live.next(FEED_REALTIME_EVENTS.postDeleted)).toEqual({ id: post.id, community_id: c.id });

    // A marker on a channel the outsider may hear, sent last: once it arrives, any feed event
    // that leaked would have arrived before it (one socket delivers in order).
    const own = realtimeChannel.user(s.ctx.config.chat.broadcast_channel_prefix, outsider);
    await outsiderRt.subscribed(own);
    const marker = new Promise<void>((resolve) => outsiderRt.on(own, 'upload.scanned', () => resolve()));
    await uploadPng(outsider);
    await s.ctx.queue.processAll();
    await marker;
    expect(leaked.seen.filter((e) => e.event.startsWith('feed.'))).toEqual([]);
  });

  it('a member who leaves stops receiving the feed', async () => {
    const [author, leaver] = [s.demo.studentIds[3]!, s.demo.studentIds[4]!];
    const c = await makeCommunity(s, { visibility: 'private', name: 'Leaving Feed' });
    await addMember(s, c.id, author);
    await addMember(s, c.id, leaver);
    const channel = realtimeChannel.community(s.ctx.config.chat.broadcast_channel_prefix, c.id);
    const rt = await client(leaver);
    const live = recorder(rt);
    await rt.subscribed(channel);
    await s.as(author).feed.post({ params: { id: c.slug }, body: { content: 'first' } });
    expect(await live.next(FEED_REALTIME_EVENTS.postCreated)).toMatchObject({ content: 'first' });
    const ended = new Promise<void>((resolve) => rt.pusher.channel(channel).bind('pusher:subscription_error', () => resolve()));
    await s.as(leaver).communities.leave({ params: { id: c.slug } });
    await ended;
    await s.as(author).feed.post({ params: { id: c.slug }, body: { content: 'second' } });
    // Subscribing again is refused, and nothing of the second post arrived.
    await expect(rt.subscribed(channel)).rejects.toMatchObject({ status: 404 });
    expect(live.seen.filter((e) => e.event === FEED_REALTIME_EVENTS.postCreated)).toEqual([]);
  });
});
