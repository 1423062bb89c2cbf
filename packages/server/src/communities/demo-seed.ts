import type { Actor } from '../access';
import type { ChatServices } from '../chat';
import type { DemoSchool } from '../host/demo/seed';

import type { CommunityDeps } from './deps';
import type { CommunityServices } from './index';

/** The seed goes through the finished services, chat's too (the composition root's context satisfies it). */
type DemoSeedDeps = Pick<CommunityDeps, 'db' | 'host'> & { services: { communities: CommunityServices; chat: ChatServices } };

/**
 * Believable communities for the demo school: made through the same services a person uses,
 * so the demo shows the product's own behaviour. Does nothing when any community exists.
 */
export async function seedDemoCommunities(ctx: DemoSeedDeps, demo: DemoSchool): Promise<void> {
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
  await seedConversations(ctx, { photo: photo.id, js: js.id }, { marcus: marcus!, priya: priya! }, students, actorOf);
}

/** A few posts, a lively #general, an announcement and a DM, so every screen has something to show. */
async function seedConversations(
  ctx: DemoSeedDeps,
  ids: { photo: number; js: number },
  staff: { marcus: Actor; priya: Actor },
  students: number[],
  actorOf: (id: number) => Promise<Actor>,
): Promise<void> {
  const { feed } = ctx.services.communities;
  const { channels, messages, dms } = ctx.services.chat;
  const user = async (a: Actor) => (await ctx.host.identities.getUser(a.userId))!;
  const mention = async (id: number) => `@[${(await ctx.host.identities.getUser(id))!.name}](user:${id})`;
  const [ana, ben, cleo, dev] = await Promise.all([students[0]!, students[2]!, students[4]!, students[6]!].map(actorOf));

  await feed.post(staff.marcus, await user(staff.marcus), String(ids.photo), {
    type: 'announcement',
    title: 'Weekly challenge: reflections',
    content: 'This week, find a **reflection**: puddles, windows, sunglasses. Post your best shot by Sunday 📸',
    attachment_ids: [],
  });
  await feed.post(ana!, await user(ana!), String(ids.photo), {
    type: 'post',
    content: 'Golden hour by the river yesterday. Any tips for keeping the highlights from blowing out?',
    attachment_ids: [],
  });
  await feed.post(staff.priya, await user(staff.priya), String(ids.js), {
    type: 'post',
    title: 'Pairing sessions',
    content: 'Pairing sessions every Thursday at 18:00. Reply here with what you are building and I will match you up.',
    attachment_ids: [],
  });

  const list = async (communityId: number, as: Actor) => (await channels.list(as, String(communityId))).items;
  const photoGeneral = (await list(ids.photo, staff.marcus)).find((c) => c.slug === 'general')!;
  const photoNews = (await list(ids.photo, staff.marcus)).find((c) => c.slug === 'announcements')!;
  const jsGeneral = (await list(ids.js, staff.priya)).find((c) => c.slug === 'general')!;
  const say = async (a: Actor, channelId: number, content: string, reply?: number) =>
    messages.post(a, await user(a), channelId, { content, attachment_ids: [], ...(reply ? { reply_to_id: reply } : {}) });

  await say(staff.marcus, photoNews.id, 'Welcome to **Photography Circle**! Read the pinned guide in #general and say hi 👋');
  const hello = await say(staff.marcus, photoGeneral.id, 'Hi all! Introduce yourself: what do you shoot, and with what?');
  await messages.setPinned(staff.marcus, hello.id, true);
  const first = await say(ana!, photoGeneral.id, 'Ana here: street photography, an old Fujifilm X100 🙂', hello.id);
  await messages.react(staff.marcus, first.id, '👍');
  await messages.react(ben!, first.id, '❤️');
  await say(ben!, photoGeneral.id, `${await mention(ana!.userId)} love the X100! Mostly landscapes for me, on a phone for now.`);
  await say(cleo!, photoGeneral.id, 'Cleo, portraits. Is anyone going to the live class on lighting this week?');
  await say(staff.marcus, photoGeneral.id, 'I will be there, and I will share the slides afterwards.');

  const q = await say(dev!, jsGeneral.id, 'Why does `[1, 2, 10].sort()` give `[1, 10, 2]`? 🤔');
  await say(staff.priya, jsGeneral.id, 'Because sort compares strings by default. Pass a comparator: `.sort((a, b) => a - b)`.', q.id);
  await messages.react(dev!, q.id, '🙏');

  const thread = await dms.start(ben!, { user_ids: [ana!.userId], group: false });
  await dms.post(ben!, await user(ben!), thread.id, {
    content: 'Hey! Want to go shooting at the harbour on Saturday?',
    attachment_ids: [],
  });
  await dms.post(ana!, await user(ana!), thread.id, { content: 'Yes! Early morning for the light? 🌅', attachment_ids: [] });
}
