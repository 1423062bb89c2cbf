import { analyticsKeys, viewerTimeZone, type AnalyticsFilters, type HeatmapFilters } from '@communities/client';
import type { ActivityKind } from '@communities/contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { useAddon } from '../../context';

/** Heatmaps and insights in users.timezone, else the device's zone; null until `me` is known. */
export function useViewerTimeZone(): string | null {
  const { me } = useAddon();
  return me ? viewerTimeZone(me.timezone) : null;
}

/** A member's calendar and day-by-hour grid (one community's slice with `communityId`; some kinds only with `kinds`). */
export function useUserHeatmapQuery(userId: number | null, communityId: number | null, kinds: ActivityKind[] | null = null) {
  const { api } = useAddon();
  const tz = useViewerTimeZone();
  const filters: HeatmapFilters = {
    ...(tz ? { tz } : {}),
    ...(communityId !== null ? { community_id: communityId } : {}),
    ...(kinds ? { kinds } : {}),
  };
  return useQuery({
    queryKey: analyticsKeys.userHeatmap(userId ?? 0, filters),
    queryFn: ({ signal }) => api.analytics.userHeatmap({ params: { id: userId! }, query: filters }, { signal }),
    enabled: userId !== null && tz !== null,
    retry: false,
    // Switching kinds keeps the last calendar on screen until the next arrives.
    placeholderData: keepPreviousData,
  });
}

export function useCommunityHeatmapQuery(community: string, kinds: ActivityKind[] | null = null) {
  const { api } = useAddon();
  const tz = useViewerTimeZone();
  const filters: HeatmapFilters = { ...(tz ? { tz } : {}), ...(kinds ? { kinds } : {}) };
  return useQuery({
    queryKey: analyticsKeys.communityHeatmap(community, filters),
    queryFn: ({ signal }) => api.analytics.communityHeatmap({ params: { id: community }, query: filters }, { signal }),
    enabled: tz !== null,
    retry: false,
    placeholderData: keepPreviousData,
  });
}

export function useCommunityAnalyticsQuery(community: string, filters: Omit<AnalyticsFilters, 'tz'>) {
  const { api } = useAddon();
  const tz = useViewerTimeZone();
  const query: AnalyticsFilters = { ...filters, ...(tz ? { tz } : {}) };
  return useQuery({
    queryKey: analyticsKeys.community(community, query),
    queryFn: ({ signal }) => api.analytics.communityAnalytics({ params: { id: community }, query }, { signal }),
    enabled: tz !== null,
    retry: false,
    placeholderData: keepPreviousData,
  });
}
