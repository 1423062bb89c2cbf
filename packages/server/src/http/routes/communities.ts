import { endpoints } from '@communities/contract';

import { assertCan } from '../../access';
import type { CommunityServices } from '../../communities';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../route';

const ok = { ok: true as const };

export function communityRoutes(ctx: AppContext, s: CommunityServices): RouteSpec[] {
  const e = endpoints.communities;
  return [
    route({
      endpoint: e.list,
      handler: ({ maybeViewer, query }) => s.communities.list(maybeViewer?.actor ?? null, query),
    }),
    route({
      endpoint: e.get,
      handler: ({ viewer, params }) => s.communities.detail(viewer.actor, params.id),
    }),
    route({
      endpoint: e.create,
      handler: ({ viewer, body }) => s.communities.create(viewer.actor, body),
    }),
    route({
      endpoint: e.update,
      handler: ({ viewer, params, body }) => s.communities.update(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.remove,
      handler: async ({ viewer, params, body }) => {
        await s.communities.remove(viewer.actor, params.id, body.confirm_name);
        return ok;
      },
    }),
    route({
      endpoint: e.join,
      rateLimit: 'membership',
      handler: ({ viewer, params, body }) => s.membership.join(viewer.actor, params.id, body.invite_token, body.intro),
    }),
    route({
      endpoint: e.leave,
      rateLimit: 'membership',
      handler: async ({ viewer, params }) => {
        await s.membership.leave(viewer.actor, params.id);
        return ok;
      },
    }),
    route({
      endpoint: e.requests,
      handler: ({ viewer, params, query }) => s.membership.requests(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.decideRequest,
      handler: async ({ viewer, params, body }) => {
        await s.membership.decide(viewer.actor, params.id, params.userId, params.decision, body.message);
        return ok;
      },
    }),
    route({
      endpoint: e.members,
      handler: ({ viewer, params, query }) => s.membership.members(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.updateMember,
      handler: ({ viewer, params, body }) => s.membership.updateMember(viewer.actor, params.id, params.userId, body),
    }),
    route({
      endpoint: e.removeMember,
      handler: async ({ viewer, params, query }) => {
        await s.membership.removeMember(viewer.actor, params.id, params.userId, query.reason);
        return ok;
      },
    }),
    route({
      endpoint: e.transfer,
      handler: async ({ viewer, params, body }) => {
        await s.membership.transfer(viewer.actor, params.id, body.user_id, body.confirm_name);
        return ok;
      },
    }),
    route({
      endpoint: e.roles,
      handler: async ({ viewer, params }) => {
        const { community, access } = await s.facts.forCommunity(viewer.actor, params.id);
        assertCan(viewer.actor, 'members.list', access);
        return s.communities.roles(community.id);
      },
    }),
    route({
      endpoint: e.updateRole,
      handler: ({ viewer, params, body }) => s.communities.updateRole(viewer.actor, params.id, params.roleId, body),
    }),
    route({
      endpoint: e.createRole,
      handler: ({ viewer, params, body }) => s.communities.createRole(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.reorderRoles,
      handler: ({ viewer, params, body }) => s.communities.reorderRoles(viewer.actor, params.id, body.role_ids),
    }),
    route({
      endpoint: e.deleteRole,
      handler: async ({ viewer, params }) => {
        await s.communities.deleteRole(viewer.actor, params.id, params.roleId);
        return ok;
      },
    }),
    route({
      endpoint: e.slugAvailability,
      handler: ({ viewer, query }) => s.wizard.slugAvailability(viewer.actor, query.slug),
    }),
    route({
      endpoint: e.wizardDrafts,
      handler: ({ viewer }) => s.wizard.drafts(viewer.actor),
    }),
    route({
      endpoint: e.wizardCourses,
      handler: ({ viewer, query }) => s.wizard.courses(viewer.actor, query),
    }),
    route({
      endpoint: e.createInvite,
      handler: ({ viewer, params, body }) => s.membership.createInvite(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.invites,
      handler: ({ viewer, params }) => s.membership.invites(viewer.actor, params.id),
    }),
    route({
      endpoint: e.revokeInvite,
      handler: async ({ viewer, params }) => {
        await s.membership.revokeInvite(viewer.actor, params.id, params.inviteId);
        return ok;
      },
    }),
    route({
      endpoint: e.invitePreview,
      handler: async ({ viewer, params }) => {
        const { invite, valid } = await s.membership.invitePreview(params.token);
        const row = (await s.facts.community(invite.community_id))!.row;
        const [card] = await s.communities.cards([row], viewer.actor);
        return { community: card!, valid };
      },
    }),
    route({
      endpoint: e.courses,
      handler: ({ viewer, params }) => s.courses.list(viewer.actor, params.id),
    }),
    route({
      endpoint: e.linkCourse,
      handler: ({ viewer, params, body }) => s.courses.link(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.unlinkCourse,
      handler: async ({ viewer, params }) => {
        await s.courses.unlink(viewer.actor, params.id, params.linkId);
        return ok;
      },
    }),
    route({
      endpoint: e.forCourse,
      handler: ({ viewer, params }) => s.courses.forCourse(viewer.actor, params.id),
    }),
    route({
      endpoint: e.tiers,
      handler: ({ viewer, params }) => s.pricing.list(viewer.actor, params.id),
    }),
    route({
      endpoint: e.createTier,
      handler: ({ viewer, params, body }) => s.pricing.create(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.updateTier,
      handler: ({ viewer, params, body }) => s.pricing.update(viewer.actor, params.id, params.tierId, body),
    }),
    route({
      endpoint: e.sellableItems,
      handler: ({ viewer, params, query }) => s.pricing.sellableItems(viewer.actor, params.id, query.type, query.q),
    }),
    route({
      endpoint: e.grantTier,
      handler: async ({ viewer, params, body }) => {
        await s.pricing.grant(viewer.actor, params.id, params.tierId, body.user_id, body.expires_at);
        return ok;
      },
    }),
    route({
      endpoint: e.tierRevenue,
      handler: ({ viewer, params }) => s.pricing.revenue(viewer.actor, params.id),
    }),
    route({
      endpoint: e.checkPurchase,
      rateLimit: 'purchase_checks',
      handler: ({ viewer, params }) => s.pricing.checkPurchase(viewer.actor, params.id),
    }),
    route({
      endpoint: e.wizardStart,
      handler: ({ viewer, body }) => s.wizard.start(viewer.actor, body),
    }),
    route({
      endpoint: e.wizardGet,
      handler: ({ viewer, params }) => s.wizard.get(viewer.actor, params.draftId),
    }),
    route({
      endpoint: e.wizardStep,
      handler: ({ viewer, params, body }) => s.wizard.saveStep(viewer.actor, params.draftId, params.step, body),
    }),
    route({
      endpoint: e.wizardPublish,
      handler: ({ viewer, params }) => s.wizard.publish(viewer.actor, params.draftId),
    }),
  ];
}
