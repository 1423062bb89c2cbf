import { communityKeys } from '@communities/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

import { api } from '../../api';
import { channelKeys } from './channels';

/** How often the Requests badge and a requester's pending state look again (besides window focus). */
export const REQUESTS_POLL_MS = 10_000;

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
    mutationFn: (v: { userId: number; decision: 'approve' | 'reject' }) =>
      api.communities.decideRequest({ params: { id: slug, userId: v.userId, decision: v.decision } }),
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

export function useUpdateRoleMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { roleId: number; name?: string; permissions?: string[] }) =>
      api.communities.updateRole({
        params: { id: slug, roleId: v.roleId },
        body: { ...(v.name ? { name: v.name } : {}), ...(v.permissions ? { permissions: v.permissions as never } : {}) },
      }),
    onSettled: () => void qc.invalidateQueries({ queryKey: communityKeys.roles(slug) }),
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
    mutationFn: () => api.communities.remove({ params: { id: slug } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.all }),
  });
}

/** While the viewer's join request is pending, looks again now and then (and on focus) for the decision. */
export function usePendingWatch(slug: string, pending: boolean) {
  const qc = useQueryClient();
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
