import { plainText, type DomainEvent, type DomainEventName } from '@communities/contract';

import type { CommunityDeps } from '../deps';
import type { FactsLoader } from '../facts';

const MILESTONES = new Set([10, 50, 100, 500, 1000, 5000]);

/**
 * Feed items written by the system from domain events: a course linked, a member's course
 * completed, membership milestones. A durable subscriber of the outbox ('feed.system-items'):
 * each item has a dedupe key, so a redelivered event adds nothing.
 */
export function subscribeFeedSystemItems(
  ctx: Pick<CommunityDeps, 'bus' | 'clock' | 'db' | 'host'> & { services: { communities: { facts: FactsLoader } } },
): void {
  const db = ctx.db.db;
  const write = async (item: {
    communityId: number;
    userId: number;
    type: 'course_event' | 'system';
    title: string;
    content: string;
    metadata: Record<string, unknown>;
    key: string;
  }) => {
    const now = ctx.clock.now().toISOString();
    try {
      await db
        .insertInto('central_feed_items')
        .values({
          community_id: item.communityId,
          user_id: item.userId,
          type: item.type,
          title: item.title,
          content: item.content,
          metadata: JSON.stringify(item.metadata),
          visibility: 'members',
          last_activity_at: now,
          moderation_state: 'visible',
          dedupe_key: item.key,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (error) {
      const dup = await db.selectFrom('central_feed_items').select('id').where('dedupe_key', '=', item.key).executeTakeFirst();
      if (!dup) throw error;
    }
  };
  const feedOn = async (communityId: number) => {
    const c = await ctx.services.communities.facts.community(communityId);
    return c !== null && c.facts.settings.feed_enabled && c.row.status === 'active';
  };

  const handlers: { [N in DomainEventName]?: (e: DomainEvent<N>) => Promise<void> } = {
    CourseLinked: async (e) => {
      const p = e.payload;
      if (!(await feedOn(p.community_id))) return;
      const [course] = await ctx.host.courses.getCourses([{ type: p.course_type === 'bundle' ? 'bundle' : 'course', id: p.course_id }]);
      if (!course) return;
      await write({
        communityId: p.community_id,
        userId: p.user_id,
        type: 'course_event',
        title: p.link_type === 'live_classroom' ? `Live class: ${course.title}` : `New course: ${course.title}`,
        content: `[${course.title}](${course.url}) is now part of this community.`,
        metadata: { event: 'course_linked', course_id: course.id, course_type: p.course_type, url: course.url, image_url: course.imageUrl },
        key: `course-linked:${p.community_id}:${p.course_type}:${p.course_id}`,
      });
    },
    CourseCompleted: async (e) => {
      const p = e.payload;
      const links = await db
        .selectFrom('community_courses')
        .innerJoin('community_members', 'community_members.community_id', 'community_courses.community_id')
        .select('community_courses.community_id')
        .where('community_courses.course_id', '=', p.course_id)
        .where('community_courses.course_type', 'in', ['course', 'live_class'])
        .where('community_members.user_id', '=', p.user_id)
        .where('community_members.status', 'in', ['active', 'muted'])
        .execute();
      if (links.length === 0) return;
      const [[course], user] = await Promise.all([
        ctx.host.courses.getCourses([{ type: 'course', id: p.course_id }]),
        ctx.host.identities.getUser(p.user_id),
      ]);
      for (const { community_id } of links) {
        if (!(await feedOn(community_id))) continue;
        await write({
          communityId: community_id,
          userId: p.user_id,
          type: 'system',
          title: 'Course completed',
          content: `${plainText(user?.name ?? 'A member', 80)} completed ${course ? `[${course.title}](${course.url})` : 'a course'} 🎉`,
          metadata: { event: 'course_completed', course_id: p.course_id, user_id: p.user_id },
          key: `completed:${community_id}:${p.user_id}:${p.course_id}`,
        });
      }
    },
    CommunityJoined: async (e) => {
      // The count this join made, not the count now: joins that land together each see theirs.
      const p = e.payload;
      const n = p.member_count;
      if (!MILESTONES.has(n)) return;
      const c = await db.selectFrom('communities').select('owner_id').where('id', '=', p.community_id).executeTakeFirst();
      if (!c || !(await feedOn(p.community_id))) return;
      await write({
        communityId: p.community_id,
        userId: c.owner_id,
        type: 'system',
        title: `${n} members!`,
        content: `This community just reached ${n} members. Welcome, everyone 👋`,
        metadata: { event: 'milestone', members: n },
        key: `milestone:${p.community_id}:${n}`,
      });
    },
  };
  ctx.bus.durable({
    name: 'feed.system-items',
    events: Object.keys(handlers) as DomainEventName[],
    handle: (e) => (handlers[e.name] as (e: DomainEvent) => Promise<void>)(e),
  });
}
