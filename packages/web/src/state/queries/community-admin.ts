import { communityKeys } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api } from '../../api';
import { useRealtimeEvent } from '../realtime';
import { useFeatures, useMe } from '../session';
import { channelKeys } from './channels';

/** How often the Requests badge and a requester's pending state look again (besides window focus). */
export const REQUESTS_POLL_MS = 10_000;

type RoleList = Awaited<ReturnType<typeof api.communities.roles>>;

export function useRequestsQuery(slug: string, enabled = true) {
  return useQuery({
    queryKey: communityKeys.requests(slug),
    queryFn: ({ signal }) => api.communities.requests({ params: { id: slug }, query: { limit: 100 } }, { signal }),
    enabled,
    refetchInterval: REQUESTS_POLL_MS,
  });
}

export function useDecideRequestMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { userId: number; decision: 'approve' | 'reject'; message?: string }) =>
      api.communities.decideRequest({
        params: { id: slug, userId: v.userId, decision: v.decision },
        body: v.message ? { message: v.message } : {},
      }),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: communityKeys.requests(slug) });
      void qc.invalidateQueries({ queryKey: communityKeys.allMembers(slug) });
      void qc.invalidateQueries({ queryKey: communityKeys.detail(slug) });
    },
  });
}

export function useAdminMembersQuery(slug: string, filters: { q: string; role: string; status: string }) {
  return useQuery({
    queryKey: communityKeys.adminMembers(slug, filters),
    queryFn: ({ signal }) =>
      api.communities.members(
        {
          params: { id: slug },
          query: {
            limit: 100,
            ...(filters.q ? { q: filters.q } : {}),
            ...(filters.role ? { role: filters.role } : {}),
            ...(filters.status ? { status: filters.status as 'active' } : {}),
          },
        },
        { signal },
      ),
  });
}

export function useTransferMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) => api.communities.transfer({ params: { id: slug }, body: { user_id: userId } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.all }),
  });
}

export function useRolesQuery(slug: string) {
  return useQuery({
    queryKey: communityKeys.roles(slug),
    queryFn: ({ signal }) => api.communities.roles({ params: { id: slug } }, { signal }),
  });
}

/** Renames a role or sets its permissions; the change shows at once and rolls back if refused. */
export function useUpdateRoleMutation(slug: string) {
  const qc = useQueryClient();
  const key = communityKeys.roles(slug);
  return useMutation({
    mutationFn: (v: { roleId: number; name?: string; permissions?: string[] }) =>
      api.communities.updateRole({
        params: { id: slug, roleId: v.roleId },
        body: { ...(v.name ? { name: v.name } : {}), ...(v.permissions ? { permissions: v.permissions as never } : {}) },
      }),
    onMutate: async (v) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<RoleList>(key);
      if (before)
        qc.setQueryData<RoleList>(key, {
          items: before.items.map((r) =>
            r.id === v.roleId ? { ...r, ...(v.name ? { name: v.name } : {}), ...(v.permissions ? { permissions: v.permissions } : {}) } : r,
          ),
        });
      return { before };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(key, ctx.before);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: key }),
  });
}

export function useInvitesQuery(slug: string) {
  return useQuery({
    queryKey: communityKeys.invites(slug),
    queryFn: ({ signal }) => api.communities.invites({ params: { id: slug } }, { signal }),
  });
}

export function useCreateInviteMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { expires_in_hours?: number; max_uses?: number }) => api.communities.createInvite({ params: { id: slug }, body }),
    onSettled: () => void qc.invalidateQueries({ queryKey: communityKeys.invites(slug) }),
  });
}

export function useRevokeInviteMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (inviteId: number) => api.communities.revokeInvite({ params: { id: slug, inviteId } }),
    onSettled: () => void qc.invalidateQueries({ queryKey: communityKeys.invites(slug) }),
  });
}

type LinkBody = Parameters<typeof api.communities.linkCourse>[0]['body'];

export function useLinkCourseMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LinkBody) => api.communities.linkCourse({ params: { id: slug }, body }),
    onSettled: () => void qc.invalidateQueries({ queryKey: communityKeys.courses(slug) }),
  });
}

export function useUnlinkCourseMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (linkId: number) => api.communities.unlinkCourse({ params: { id: slug, linkId } }),
    onSettled: () => void qc.invalidateQueries({ queryKey: communityKeys.courses(slug) }),
  });
}

type ChannelBody = Parameters<typeof api.channels.update>[0]['body'];

export function useUpdateChannelMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; body: ChannelBody }) => api.channels.update({ params: { channelId: v.id }, body: v.body }),
    onSettled: () => void qc.invalidateQueries({ queryKey: channelKeys.list(slug) }),
  });
}

export function useDeleteCommunityMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (confirmName: string) => api.communities.remove({ params: { id: slug }, body: { confirm_name: confirmName } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.all }),
  });
}

/**
 * While the viewer's join request is pending, the decision arrives live
 * (membership.request_decided on their user channel, with the owner's message); it is also
 * looked for now and then and on focus, for a dropped connection.
 */
export function usePendingWatch(slug: string, pending: boolean, onDecided?: (d: { decision: string; message: string | null }) => void) {
  const qc = useQueryClient();
  const features = useFeatures();
  const me = useMe();
  const prefix = features.data?.realtime.channel_prefix;
  const channel = prefix && me.data ? realtimeChannel.user(prefix, me.data.id) : null;
  useRealtimeEvent(channel, REALTIME_EVENTS.membershipRequestDecided, (d) => {
    void qc.invalidateQueries({ queryKey: communityKeys.all });
    if (d.slug === slug || String(d.community_id) === slug) onDecided?.(d);
  });
  useEffect(() => {
    if (!pending) return;
    const again = () => void qc.invalidateQueries({ queryKey: communityKeys.all });
    const timer = setInterval(again, REQUESTS_POLL_MS);
    window.addEventListener('focus', again);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', again);
    };
  }, [qc, slug, pending]);
}

export function useCreateRoleMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.communities.createRole({ params: { id: slug }, body: { name } }),
    onSettled: () => void qc.invalidateQueries({ queryKey: communityKeys.roles(slug) }),
  });
}

/** Orders the roles between owner and guest (highest first); the new order shows at once and rolls back if refused. */
export function useReorderRolesMutation(slug: string) {
  const qc = useQueryClient();
  const key = communityKeys.roles(slug);
  return useMutation({
    mutationFn: (roleIds: number[]) => api.communities.reorderRoles({ params: { id: slug }, body: { role_ids: roleIds } }),
    onMutate: async (roleIds) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<RoleList>(key);
      if (before) {
        // Show the order at once: the moved roles take the ranks of the slots they move into.
        const slots = before.items
          .filter((r) => roleIds.includes(r.id))
          .map((r) => r.rank)
          .sort((a, b) => b - a);
        const rank = new Map(roleIds.map((id, i) => [id, slots[i]!]));
        qc.setQueryData<RoleList>(key, { items: before.items.map((r) => (rank.has(r.id) ? { ...r, rank: rank.get(r.id)! } : r)) });
      }
      return { before };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(key, ctx.before);
    },
    onSuccess: (data) => qc.setQueryData(key, data),
  });
}

export function useDeleteRoleMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (roleId: number) => api.communities.deleteRole({ params: { id: slug, roleId } }),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: communityKeys.roles(slug) });
      void qc.invalidateQueries({ queryKey: communityKeys.allMembers(slug) });
    },
  });
}

export function useOverridesQuery(channelId: number) {
  return useQuery({
    queryKey: channelKeys.overrides(channelId),
    queryFn: ({ signal }) => api.channels.overrides({ params: { channelId } }, { signal }),
  });
}

type OverrideBody = Parameters<typeof api.channels.setOverride>[0]['body'];

export function useSetOverrideMutation(channelId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: OverrideBody) => api.channels.setOverride({ params: { channelId }, body }),
    onSuccess: (data) => qc.setQueryData(channelKeys.overrides(channelId), data),
  });
}
