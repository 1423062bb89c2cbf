import { gamificationKeys } from '@communities/client';
import type { LeaderboardPeriod } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';

import { useAddon } from '../../context';

/** A community's leaderboard (id or slug), or the site-wide one with `community` null. */
export function useLeaderboardQuery(community: string | null, period: LeaderboardPeriod) {
  const { api } = useAddon();
  return useQuery({
    queryKey: gamificationKeys.leaderboard(community, period),
    queryFn: ({ signal }) =>
      community === null
        ? api.gamification.globalLeaderboard({ query: { period } }, { signal })
        : api.gamification.communityLeaderboard({ params: { id: community }, query: { period } }, { signal }),
  });
}

/** A user's points, level, badges and recent awards; null user: nothing asked. */
export function useUserGamificationQuery(userId: number | null, communityId: number | null) {
  const { api } = useAddon();
  return useQuery({
    queryKey: gamificationKeys.profile(userId ?? 0, communityId),
    queryFn: ({ signal }) =>
      api.gamification.userProfile(
        { params: { userId: userId! }, query: communityId === null ? {} : { community_id: communityId } },
        { signal },
      ),
    enabled: userId !== null,
  });
}
