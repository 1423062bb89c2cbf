import type { DomainEvent, DomainEventName } from '@communities/contract';

import type { DbHandle, Tx } from '../platform/db/transaction';

import type { Activity } from './rollup';

type Db = DbHandle | Tx;

/** The events the rollups count. */
export const ROLLUP_EVENTS = [
  'MessagePosted',
  'DMMessagePosted',
  'FeedPostCreated',
  'FeedCommentCreated',
  'ReactionAdded',
  'CourseCompleted',
  'CommunityJoined',
  'CommunityLeft',
  'MembershipRequested',
] as const satisfies readonly DomainEventName[];

/** Events whose activity has no row of its own to recount from: a rebuild reads them from `domain_events`. */
export const LOGGED_EVENTS = ['ReactionAdded', 'CourseCompleted', 'CommunityJoined', 'CommunityLeft', 'MembershipRequested'] as const;

/** Feed items the system writes (course events, notices): not a member's post. */
export const SYSTEM_FEED_TYPES = ['course_event', 'system'];

const ms = (iso: string) => Date.parse(iso);
const ids = (events: DomainEvent[], name: DomainEventName, key: string) =>
  events.filter((e) => e.name === name).map((e) => Number((e.payload as Record<string, unknown>)[key]));

/** Communities a course is linked to (course completions count in each). */
async function courseCommunities(db: Db, courseIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (courseIds.length === 0) return out;
  const rows = await db
    .selectFrom('community_courses')
    .select(['course_id', 'community_id'])
    .where('course_id', 'in', [...new Set(courseIds)])
    .where('course_type', '=', 'course')
    .execute();
  for (const r of rows) out.set(Number(r.course_id), [...(out.get(Number(r.course_id)) ?? []), Number(r.community_id)]);
  return out;
}

/**
 * The activity in a batch of events. Content kinds take their time from the content row
 * (`created_at`, one query per kind per batch), the same time a rebuild reads, so live rollups
 * and a rebuild agree to the quarter-hour; rows gone since are skipped.
 */
export async function activitiesOfEvents(db: Db, events: DomainEvent[]): Promise<Activity[]> {
  const out: Activity[] = [];
  const msgIds = ids(events, 'MessagePosted', 'message_id');
  if (msgIds.length) {
    const rows = await db
      .selectFrom('channel_messages')
      .innerJoin('channels', 'channels.id', 'channel_messages.channel_id')
      .select(['channel_messages.user_id', 'channel_messages.channel_id', 'channel_messages.created_at', 'channels.community_id'])
      .where('channel_messages.id', 'in', msgIds)
      .execute();
    for (const r of rows)
      out.push({
        kind: 'message',
        userId: Number(r.user_id),
        communityId: Number(r.community_id),
        channelId: Number(r.channel_id),
        at: ms(r.created_at),
      });
  }
  const dmIds = ids(events, 'DMMessagePosted', 'message_id');
  if (dmIds.length) {
    const rows = await db.selectFrom('dm_messages').select(['user_id', 'created_at']).where('id', 'in', dmIds).execute();
    for (const r of rows) out.push({ kind: 'dm', userId: Number(r.user_id), communityId: 0, at: ms(r.created_at) });
  }
  const postIds = ids(events, 'FeedPostCreated', 'feed_item_id');
  if (postIds.length) {
    const rows = await db
      .selectFrom('central_feed_items')
      .select(['user_id', 'community_id', 'created_at'])
      .where('id', 'in', postIds)
      .where('type', 'not in', SYSTEM_FEED_TYPES)
      .execute();
    for (const r of rows)
      out.push({ kind: 'post', userId: Number(r.user_id), communityId: Number(r.community_id ?? 0), at: ms(r.created_at) });
  }
  const commentIds = ids(events, 'FeedCommentCreated', 'comment_id');
  if (commentIds.length) {
    const rows = await db
      .selectFrom('central_feed_comments')
      .innerJoin('central_feed_items', 'central_feed_items.id', 'central_feed_comments.feed_item_id')
      .select(['central_feed_comments.user_id', 'central_feed_comments.created_at', 'central_feed_items.community_id'])
      .where('central_feed_comments.id', 'in', commentIds)
      .execute();
    for (const r of rows)
      out.push({ kind: 'comment', userId: Number(r.user_id), communityId: Number(r.community_id ?? 0), at: ms(r.created_at) });
  }
  const completions = events.filter((e): e is DomainEvent<'CourseCompleted'> => e.name === 'CourseCompleted');
  const linked = await courseCommunities(
    db,
    completions.map((e) => e.payload.course_id),
  );
  for (const e of completions) {
    const at = ms(e.payload.completed_at);
    const communities = linked.get(e.payload.course_id) ?? [0];
    for (const c of communities) out.push({ kind: 'course_completion', userId: e.payload.user_id, communityId: c, at });
  }
  for (const e of events) {
    const at = ms(e.occurred_at);
    if (e.name === 'ReactionAdded') {
      const p = (e as DomainEvent<'ReactionAdded'>).payload;
      out.push({ kind: 'reaction', userId: p.user_id, communityId: p.community_id ?? 0, at, receiverId: p.target_author_id });
    } else if (e.name === 'CommunityJoined') {
      const p = (e as DomainEvent<'CommunityJoined'>).payload;
      out.push({ kind: 'join', userId: p.user_id, communityId: p.community_id, at });
    } else if (e.name === 'CommunityLeft') {
      const p = (e as DomainEvent<'CommunityLeft'>).payload;
      out.push({ kind: 'leave', userId: p.user_id, communityId: p.community_id, at });
    } else if (e.name === 'MembershipRequested') {
      const p = (e as DomainEvent<'MembershipRequested'>).payload;
      out.push({ kind: 'join_request', userId: p.user_id, communityId: p.community_id, at });
    }
  }
  return out;
}
