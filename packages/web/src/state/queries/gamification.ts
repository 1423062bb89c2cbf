import { gamificationKeys } from '@communities/client';
import type { AdminGamification, LeaderboardPeriod } from '@communities/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api } from '../../api';

type AdminPatch = Parameters<typeof api.gamification.updateAdminSettings>[0]['body'];

/** A community's leaderboard (slug or id), or the global one with `community` null. */
export function useLeaderboard(community: string | null, period: LeaderboardPeriod, enabled = true) {
  return useQuery({
    queryKey: gamificationKeys.leaderboard(community, period),
    queryFn: () =>
      community === null
        ? api.gamification.globalLeaderboard({ query: { period } })
        : api.gamification.communityLeaderboard({ params: { id: community }, query: { period } }),
    enabled,
    staleTime: 30_000,
  });
}

/** A user's points, level, badges and recent awards, in one community or site-wide. */
export function useUserGamification(userId: number | null, communityId: number | null) {
  return useQuery({
    queryKey: gamificationKeys.profile(userId ?? 0, communityId),
    queryFn: () =>
      api.gamification.userProfile({
        params: { userId: userId! },
        query: communityId === null ? {} : { community_id: communityId },
      }),
    enabled: userId !== null,
    staleTime: 30_000,
  });
}

export function useHideFromLeaderboards() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hide: boolean) => api.gamification.updateMyPrivacy({ body: { hide_from_leaderboards: hide } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: gamificationKeys.all }),
  });
}

export function useAdminGamification(enabled: boolean) {
  return useQuery({ queryKey: gamificationKeys.admin, queryFn: () => api.gamification.adminSettings(), enabled, retry: false });
}

export function useUpdateAdminGamification() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AdminPatch) => api.gamification.updateAdminSettings({ body }),
    onSuccess: (data: AdminGamification) => {
      qc.setQueryData(gamificationKeys.admin, data);
      void qc.invalidateQueries({ queryKey: gamificationKeys.profiles });
      void qc.invalidateQueries({ queryKey: gamificationKeys.leaderboards });
    },
  });
}
