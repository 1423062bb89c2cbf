import { analyticsKeys, viewerTimeZone, type AnalyticsFilters, type HeatmapFilters } from '@communities/client';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api } from '../../api';
import { useMe } from '../session';

/** Heatmaps and insights in users.timezone, else the browser's zone; null until `me` is known. */
export function useViewerTimeZone(): string | null {
  const me = useMe();
  if (!me.data) return null;
  return viewerTimeZone(me.data.timezone);
}

/** A member's calendar and day-by-hour grid (one community's slice with `communityId`). */
export function useUserHeatmap(userId: number, communityId: number | null, kinds: string[] | null = null) {
  const tz = useViewerTimeZone();
  const filters: HeatmapFilters = {
    ...(tz ? { tz } : {}),
    ...(communityId !== null ? { community_id: communityId } : {}),
    ...(kinds ? { kinds } : {}),
  };
  return useQuery({
    queryKey: analyticsKeys.userHeatmap(userId, filters),
    queryFn: ({ signal }) => api.analytics.userHeatmap({ params: { id: userId }, query: filters }, { signal }),
    enabled: tz !== null,
    retry: false,
    staleTime: 30_000,
    // Keep the calendar (and its kind picker) on screen while another kind loads.
    placeholderData: keepPreviousData,
  });
}

export function useCommunityHeatmap(community: string, enabled = true, kinds: string[] | null = null) {
  const tz = useViewerTimeZone();
  const filters: HeatmapFilters = { ...(tz ? { tz } : {}), ...(kinds ? { kinds } : {}) };
  return useQuery({
    queryKey: analyticsKeys.communityHeatmap(community, filters),
    queryFn: ({ signal }) => api.analytics.communityHeatmap({ params: { id: community }, query: filters }, { signal }),
    enabled: enabled && tz !== null,
    retry: false,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

export function useCommunityAnalytics(community: string, filters: Omit<AnalyticsFilters, 'tz'>) {
  const tz = useViewerTimeZone();
  const query: AnalyticsFilters = { ...filters, ...(tz ? { tz } : {}) };
  return useQuery({
    queryKey: analyticsKeys.community(community, query),
    queryFn: ({ signal }) => api.analytics.communityAnalytics({ params: { id: community }, query }, { signal }),
    enabled: tz !== null,
    retry: false,
    staleTime: 30_000,
    // Keep the last charts on screen while another period loads.
    placeholderData: keepPreviousData,
  });
}

export function useHeatmapSettings(enabled: boolean) {
  return useQuery({ queryKey: analyticsKeys.settings, queryFn: () => api.analytics.heatmapSettings(), enabled });
}

export function useUpdateHeatmapSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (show: boolean) => api.analytics.updateHeatmapSettings({ body: { show_activity: show } }),
    onSuccess: (data) => qc.setQueryData(analyticsKeys.settings, data),
  });
}

/** Activity this week on the Members tab: members' actions over 7 days (null: not shown to this viewer). */
export function useMemberActivity(community: string, enabled: boolean) {
  const tz = useViewerTimeZone();
  const query = tz ? { tz } : {};
  return useQuery({
    queryKey: analyticsKeys.memberActivity(community, tz),
    queryFn: ({ signal }) => api.analytics.memberActivity({ params: { id: community }, query }, { signal }),
    enabled: enabled && tz !== null,
    retry: false,
    staleTime: 30_000,
  });
}
