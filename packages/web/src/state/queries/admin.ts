import { adminKeys, communityKeys, type AdminCommunityFilters } from '@communities/client';
import type { AdminSettings } from '@communities/contract';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api } from '../../api';

type SettingsPatch = Parameters<typeof api.admin.updateSettings>[0]['body']['values'];
type CommunityPatch = Parameters<typeof api.admin.updateCommunity>[0]['body'];

/** Counts, health and the latest flags; refreshed every half minute while the overview is open. */
export function useAdminOverview() {
  return useQuery({
    queryKey: adminKeys.overview,
    queryFn: ({ signal }) => api.admin.overview(undefined, { signal }),
    refetchInterval: 30_000,
    retry: false,
  });
}

export function useAdminSettings() {
  return useQuery({ queryKey: adminKeys.settings, queryFn: ({ signal }) => api.admin.settings(undefined, { signal }), retry: false });
}

/** Saves changed keys; every cached answer may depend on them (features, limits), so all refetch. */
export function useUpdateAdminSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (values: SettingsPatch) => api.admin.updateSettings({ body: { values } }),
    onSuccess: (data: AdminSettings) => {
      qc.setQueryData(adminKeys.settings, data);
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[1] !== 'admin' });
    },
  });
}

export function useAdminCommunities(filters: AdminCommunityFilters, limit = 25) {
  return useInfiniteQuery({
    queryKey: [...adminKeys.communities(filters), limit],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.admin.communities(
        {
          query: {
            limit,
            sort: filters.sort ?? 'newest',
            ...(filters.q ? { q: filters.q } : {}),
            ...(filters.status ? { status: filters.status } : {}),
            ...(filters.visibility ? { visibility: filters.visibility } : {}),
            ...(filters.featured !== undefined ? { featured: filters.featured ? 'true' : 'false' } : {}),
            ...(pageParam ? { cursor: pageParam } : {}),
          },
        },
        { signal },
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useUpdateAdminCommunity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: CommunityPatch }) => api.admin.updateCommunity({ params: { id }, body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: adminKeys.all });
      void qc.invalidateQueries({ queryKey: communityKeys.all });
    },
  });
}

/** "Open as owner": a time-limited support grant; the community answers then carry the banner facts. */
export function useActAsOwner() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason, minutes }: { id: number; reason: string; minutes: number }) =>
      api.admin.actAsOwner({ params: { id }, body: { reason, minutes } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.all }),
  });
}

export function useEndActAsOwner() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.admin.endActAsOwner({ params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.all }),
  });
}
