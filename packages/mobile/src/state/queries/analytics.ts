import { analyticsKeys, viewerTimeZone, type AnalyticsFilters, type HeatmapFilters } from '@communities/client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { useAddon } from '../../context';

/** Heatmaps and insights in users.timezone, else the device's zone; null until `me` is known. */
export function useViewerTimeZone(): string | null {
  const { me } = useAddon();
  return me ? viewerTimeZone(me.timezone) : null;
}

/** A member's calendar and day-by-hour grid (one community's slice with `communityId`). */
export function useUserHeatmapQuery(userId: number | null, communityId: number | null) {
  const { api } = useAddon();
  const tz = useViewerTimeZone();
  const filters: HeatmapFilters = { ...(tz ? { tz } : {}), ...(communityId !== null ? { community_id: communityId } : {}) };
  return useQuery({
    queryKey: analyticsKeys.userHeatmap(userId ?? 0, filters),
    queryFn: ({ signal }) => api.analytics.userHeatmap({ params: { id: userId! }, query: filters }, { signal }),
    enabled: userId !== null && tz !== null,
    retry: false,
  });
}

export function useCommunityHeatmapQuery(community: string) {
  const { api } = useAddon();
  const tz = useViewerTimeZone();
  const filters: HeatmapFilters = tz ? { tz } : {};
  return useQuery({
    queryKey: analyticsKeys.communityHeatmap(community, filters),
    queryFn: ({ signal }) => api.analytics.communityHeatmap({ params: { id: community }, query: filters }, { signal }),
    enabled: tz !== null,
    retry: false,
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
