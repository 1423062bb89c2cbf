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
