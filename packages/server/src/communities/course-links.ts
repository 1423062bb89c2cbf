import type { communities as communityEndpoints } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, can, type Actor } from '../access';
import type { CourseType } from '../host/ports';
import { insertedId } from '../platform/db/insert';
import { inTransaction } from '../platform/db/transaction';
import { AppError, conflict, notFound } from '../platform/errors';

import type { CommunityDeps } from './deps';
import type { FactsLoader } from './facts';
import type { CommunityService } from './service';

type LinkInput = z.output<(typeof communityEndpoints)['linkCourse']['body']>;

/** Live classes are RocketLMS webinars; courses and live classes are both `webinars` rows. */
export const hostType = (t: 'course' | 'bundle' | 'live_class'): CourseType => (t === 'bundle' ? 'bundle' : 'course');

export class CourseLinkService {
  constructor(
    private readonly ctx: Pick<CommunityDeps, 'bus' | 'clock' | 'config' | 'db' | 'host'>,
    private readonly facts: FactsLoader,
    private readonly communities: CommunityService,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  /**
   * Throws a 422 naming the field when a linked course does not exist in the host, and a 403
   * when the actor does not teach it: a link lists the community on the course's page and
   * auto-joins its buyers, so only the course's teachers (teacher, creator, partner teachers)
   * and admins may make one.
   */
  async assertLinkable(
    actor: Actor,
    links: Array<{ course_id: number; course_type: 'course' | 'bundle' | 'live_class' }>,
    path: (i: number) => string,
  ): Promise<void> {
    const found = await this.ctx.host.courses.getCourses(links.map((l) => ({ type: hostType(l.course_type), id: l.course_id })));
    const courses = links.map((l) =>
      found.find((f) => f.id === l.course_id && (l.course_type === 'bundle' ? f.type === 'bundle' : f.type !== 'bundle')),
    );
    const issues = links.flatMap((l, i) => {
      const c = courses[i];
      if (!c) return [{ path: path(i), code: 'unknown_course', message: `No ${l.course_type} ${l.course_id} in RocketLMS` }];
      if (l.course_type === 'live_class' && c.type !== 'webinar')
        return [{ path: path(i), code: 'not_a_live_class', message: `${l.course_id} is not a live class` }];
      return [];
    });
    if (issues.length) throw new AppError('validation_failed', 'The request is not valid', { issues });
    const notMine = courses.findIndex((c) => !actor.isAdmin && !c!.teacherIds.includes(actor.userId));
    if (notMine >= 0)
      throw new AppError('forbidden', "Only the course's instructors may link it", {
        details: { reason: 'not_course_teacher', field: path(notMine) },
      });
  }

  async list(actor: Actor, idOrSlug: string) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'community.view', access);
    const links = await this.db
      .selectFrom('community_courses')
      .selectAll()
      .where('community_id', '=', community.id)
      .orderBy('id')
      .execute();
    const courses = await this.ctx.host.courses.getCourses(
      links.map((l) => ({ type: hostType(l.course_type as 'course'), id: l.course_id })),
    );
    return {
      items: links.map((l) => {
        const c = courses.find((x) => x.id === l.course_id && (l.course_type === 'bundle') === (x.type === 'bundle'));
        return {
          id: l.id,
          course_id: l.course_id,
          course_type: l.course_type as 'course' | 'bundle' | 'live_class',
          link_type: l.link_type as 'primary' | 'related' | 'live_classroom',
          auto_join: l.auto_join === 1,
          title: c?.title ?? `#${l.course_id}`,
          url: c?.url ?? null,
          image_url: c?.imageUrl ?? null,
        };
      }),
    };
  }

  async link(actor: Actor, idOrSlug: string, input: LinkInput) {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'courses.manage', access);
    await this.assertLinkable(actor, [input], () => 'body.course_id');
    const id = await inTransaction(this.db, async (trx) => {
      const exists = await trx
        .selectFrom('community_courses')
        .select('id')
        .where('community_id', '=', community.id)
        .where('course_type', '=', input.course_type)
        .where('course_id', '=', input.course_id)
        .executeTakeFirst();
      if (exists) throw conflict('That course is already linked', { link_id: exists.id });
      const now = this.ctx.clock.now().toISOString();
      const linkId = await insertedId(
        trx,
        trx.insertInto('community_courses').values({
          community_id: community.id,
          course_id: input.course_id,
          course_type: input.course_type,
          link_type: input.link_type,
          auto_join: input.auto_join ? 1 : 0,
          created_at: now,
          updated_at: now,
        }),
      );
      await this.ctx.bus.record(trx, 'CourseLinked', {
        community_id: community.id,
        user_id: actor.userId,
        course_id: input.course_id,
        course_type: input.course_type,
        link_type: input.link_type,
      });
      return linkId;
    });
    const listed = await this.list(actor, String(community.id));
    return listed.items.find((l) => l.id === id)!;
  }

  async unlink(actor: Actor, idOrSlug: string, linkId: number): Promise<void> {
    const { community, access } = await this.facts.forCommunity(actor, idOrSlug);
    assertCan(actor, 'courses.manage', access);
    const res = await this.db
      .deleteFrom('community_courses')
      .where('id', '=', linkId)
      .where('community_id', '=', community.id)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound('No such course link');
  }

  /** For RocketLMS course pages: the communities linked to a course that the caller may see. */
  async forCourse(actor: Actor, course: number | string) {
    const courseId = typeof course === 'number' ? course : await this.ctx.host.courses.courseIdBySlug(course);
    if (courseId === null) return { items: [] };
    const links = await this.db
      .selectFrom('community_courses')
      .innerJoin('communities', 'communities.id', 'community_courses.community_id')
      .selectAll('communities')
      .select(['community_courses.link_type'])
      .where('community_courses.course_id', '=', courseId)
      .where('community_courses.course_type', 'in', ['course', 'live_class'])
      .where('communities.status', '=', 'active')
      .execute();
    const visible: typeof links = [];
    for (const row of links) {
      const membership = await this.facts.membership(row.id, actor.userId);
      const facts = await this.facts.communityFacts(row);
      if (can(actor, 'community.view', { ...this.facts.baseContext(), community: facts, membership: membership?.facts ?? null }).allowed)
        visible.push(row);
    }
    const cards = await this.communities.cards(visible, actor);
    const web = this.ctx.config.http.base_path + this.ctx.config.http.web_path;
    return {
      items: cards.map((card, i) => {
        const linkType = visible[i]!.link_type as 'primary' | 'related' | 'live_classroom';
        return {
          ...card,
          link_type: linkType,
          url: `${web}/${card.slug}`,
          chat_url: visible[i]!.link_type === 'live_classroom' || linkType === 'primary' ? `${web}/${card.slug}/channels` : null,
        };
      }),
    };
  }
}
