import type { AppContext } from '../context';
import type { DemoSchool } from '../host/demo/seed';

/**
 * Believable communities for the demo school: made through the same services a person uses,
 * so the demo shows the product's own behaviour. Does nothing when any community exists.
 */
export async function seedDemoCommunities(ctx: AppContext, demo: DemoSchool): Promise<void> {
  if (await ctx.db.db.selectFrom('communities').select('id').limit(1).executeTakeFirst()) return;
  const { communities, membership, courses } = ctx.services.communities;
  const actorOf = async (id: number) => {
    const u = (await ctx.host.identities.getUser(id))!;
    return { userId: u.id, globalRole: u.globalRole, isAdmin: u.isAdmin };
  };
  const [marcus, priya, sofia] = await Promise.all(demo.instructorIds.map(actorOf));
  const students = demo.studentIds.slice(0, -2);

  const photo = await communities.create(marcus!, {
    name: 'Photography Circle',
    description: 'Share your shots, get friendly critique, and join the weekly photo challenge.',
    visibility: 'public',
    category: 'photography',
    default_channels: true,
  });
  await courses.link(marcus!, photo.slug, { course_id: demo.courseIds[0]!, course_type: 'course', link_type: 'primary', auto_join: true });
  await courses.link(marcus!, photo.slug, {
    course_id: demo.liveClassId,
    course_type: 'live_class',
    link_type: 'live_classroom',
    auto_join: false,
  });

  const js = await communities.create(priya!, {
    name: 'JavaScript Guild',
    description: 'From first loops to production apps: ask questions, pair up, ship things.',
    visibility: 'public',
    category: 'programming',
    default_channels: true,
  });
  await courses.link(priya!, js.slug, { course_id: demo.courseIds[1]!, course_type: 'course', link_type: 'primary', auto_join: true });

  const paint = await communities.create(marcus!, {
    name: 'Watercolor Studio',
    description: 'A calm corner for painters. Introduce yourself and we will let you in.',
    visibility: 'private',
    category: 'art',
    settings: { join_approval: true },
    default_channels: true,
  });
  const lounge = await communities.create(sofia!, {
    name: "Instructors' Lounge",
    description: 'Where the teaching team plans, shares and vents.',
    visibility: 'hidden',
    category: 'staff',
    default_channels: true,
  });

  for (const [i, id] of students.entries()) {
    const actor = await actorOf(id);
    if (i % 2 === 0) await membership.join(actor, photo.slug);
    if (i % 3 === 0) await membership.join(actor, js.slug);
    if (i % 5 === 0) await membership.join(actor, paint.slug);
  }
  // A moderator in each, and a few pending requests left for the owner to answer.
  await membership.updateMember(marcus!, photo.slug, students[0]!, { role: 'moderator' });
  await membership.updateMember(priya!, js.slug, students[3]!, { role: 'moderator' });
  const pending = (
    await ctx.db.db
      .selectFrom('community_members')
      .select('user_id')
      .where('community_id', '=', paint.id)
      .where('status', '=', 'pending')
      .execute()
  ).map((r) => r.user_id);
  for (const id of pending.slice(0, Math.ceil(pending.length / 2))) await membership.decide(marcus!, paint.slug, id, 'approve');
  for (const id of demo.instructorIds.filter((i) => i !== sofia!.userId)) {
    const invite = await membership.createInvite(sofia!, lounge.slug, { max_uses: 1 });
    await membership.join(await actorOf(id), lounge.slug, invite.token);
  }
}
