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
      access: { public: 'discovery: anonymous callers see public communities only; the service filters by visibility and membership' },
      handler: ({ maybeViewer, query }) => s.communities.list(maybeViewer?.actor ?? null, query),
    }),
    route({
      endpoint: e.get,
      access: { action: 'community.view' },
      handler: ({ viewer, params }) => s.communities.detail(viewer.actor, params.id),
    }),
    route({
      endpoint: e.create,
      access: { action: 'community.create' },
      handler: ({ viewer, body }) => s.communities.create(viewer.actor, body),
    }),
    route({
      endpoint: e.update,
      access: { action: 'community.update' },
      handler: ({ viewer, params, body }) => s.communities.update(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.remove,
      access: { action: 'community.delete' },
      handler: async ({ viewer, params }) => {
        await s.communities.remove(viewer.actor, params.id);
        return ok;
      },
    }),
    route({
      endpoint: e.join,
      access: { action: 'community.join' },
      rateLimit: 'membership',
      handler: ({ viewer, params, body }) => s.membership.join(viewer.actor, params.id, body.invite_token),
    }),
    route({
      endpoint: e.leave,
      access: { action: 'community.leave' },
      rateLimit: 'membership',
      handler: async ({ viewer, params }) => {
        await s.membership.leave(viewer.actor, params.id);
        return ok;
      },
    }),
    route({
      endpoint: e.requests,
      access: { action: 'members.manage' },
      handler: ({ viewer, params, query }) => s.membership.requests(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.decideRequest,
      access: { action: 'members.manage' },
      handler: async ({ viewer, params }) => {
        await s.membership.decide(viewer.actor, params.id, params.userId, params.decision);
        return ok;
      },
    }),
    route({
      endpoint: e.members,
      access: { action: 'members.list' },
      handler: ({ viewer, params, query }) => s.membership.members(viewer.actor, params.id, query),
    }),
    route({
      endpoint: e.updateMember,
      access: { action: ['members.manage', 'members.change_role'] },
      handler: ({ viewer, params, body }) => s.membership.updateMember(viewer.actor, params.id, params.userId, body),
    }),
    route({
      endpoint: e.removeMember,
      access: { action: 'members.manage' },
      handler: async ({ viewer, params }) => {
        await s.membership.removeMember(viewer.actor, params.id, params.userId);
        return ok;
      },
    }),
    route({
      endpoint: e.transfer,
      access: { action: 'community.transfer' },
      handler: async ({ viewer, params, body }) => {
        await s.membership.transfer(viewer.actor, params.id, body.user_id);
        return ok;
      },
    }),
    route({
      endpoint: e.roles,
      access: { action: 'members.list' },
      handler: async ({ viewer, params }) => {
        const { community, access } = await s.facts.forCommunity(viewer.actor, params.id);
        assertCan(viewer.actor, 'members.list', access);
        return s.communities.roles(community.id);
      },
    }),
    route({
      endpoint: e.updateRole,
      access: { action: 'roles.manage' },
      handler: ({ viewer, params, body }) => s.communities.updateRole(viewer.actor, params.id, params.roleId, body),
    }),
    route({
      endpoint: e.createInvite,
      access: { action: 'invites.manage' },
      handler: ({ viewer, params, body }) => s.membership.createInvite(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.invites,
      access: { action: 'invites.manage' },
      handler: ({ viewer, params }) => s.membership.invites(viewer.actor, params.id),
    }),
    route({
      endpoint: e.revokeInvite,
      access: { action: 'invites.manage' },
      handler: async ({ viewer, params }) => {
        await s.membership.revokeInvite(viewer.actor, params.id, params.inviteId);
        return ok;
      },
    }),
    route({
      endpoint: e.invitePreview,
      access: { signedIn: 'holding the token is the permission; it reveals only the card of the community it invites to' },
      handler: async ({ viewer, params }) => {
        const { invite, valid } = await s.membership.invitePreview(params.token);
        const row = (await s.facts.community(invite.community_id))!.row;
        const [card] = await s.communities.cards([row], viewer.actor);
        return { community: card!, valid };
      },
    }),
    route({
      endpoint: e.courses,
      access: { action: 'community.view' },
      handler: ({ viewer, params }) => s.courses.list(viewer.actor, params.id),
    }),
    route({
      endpoint: e.linkCourse,
      access: { action: 'courses.manage' },
      handler: ({ viewer, params, body }) => s.courses.link(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.unlinkCourse,
      access: { action: 'courses.manage' },
      handler: async ({ viewer, params }) => {
        await s.courses.unlink(viewer.actor, params.id, params.linkId);
        return ok;
      },
    }),
    route({
      endpoint: e.forCourse,
      access: { action: 'community.view' },
      handler: ({ viewer, params }) => s.courses.forCourse(viewer.actor, params.id),
    }),
    route({
      endpoint: e.tiers,
      access: { action: 'community.view' },
      handler: ({ viewer, params }) => s.pricing.list(viewer.actor, params.id),
    }),
    route({
      endpoint: e.createTier,
      access: { action: 'pricing.manage' },
      handler: ({ viewer, params, body }) => s.pricing.create(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.updateTier,
      access: { action: 'pricing.manage' },
      handler: ({ viewer, params, body }) => s.pricing.update(viewer.actor, params.id, params.tierId, body),
    }),
    route({
      endpoint: e.grantTier,
      access: { action: 'pricing.manage' },
      handler: async ({ viewer, params, body }) => {
        await s.pricing.grant(viewer.actor, params.id, params.tierId, body.user_id, body.expires_at);
        return ok;
      },
    }),
    route({
      endpoint: e.wizardStart,
      access: { action: 'community.create' },
      handler: ({ viewer, body }) => s.wizard.start(viewer.actor, body),
    }),
    route({
      endpoint: e.wizardGet,
      access: { action: 'community.update' },
      handler: ({ viewer, params }) => s.wizard.get(viewer.actor, params.draftId),
    }),
    route({
      endpoint: e.wizardStep,
      access: { action: 'community.update' },
      handler: ({ viewer, params, body }) => s.wizard.saveStep(viewer.actor, params.draftId, params.step, body),
    }),
    route({
      endpoint: e.wizardPublish,
      access: { action: 'community.update' },
      handler: ({ viewer, params }) => s.wizard.publish(viewer.actor, params.draftId),
    }),
  ];
}
