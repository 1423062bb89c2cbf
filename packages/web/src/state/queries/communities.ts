import { channelKeys, communityKeys, feedKeys, type CommunityListFilters } from '@communities/client';
import type { SoldItemType } from '@communities/contract';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import { api } from '../../api';

/** Everything cached about communities (lists, details, members) is fetched again. */
export const refreshCommunities = (qc: QueryClient) => void qc.invalidateQueries({ queryKey: communityKeys.all });

export function useCommunitiesQuery(filters: CommunityListFilters, limit = 12) {
  return useInfiniteQuery({
    queryKey: communityKeys.list(filters, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.communities.list(
        {
          query: {
            limit,
            ...(filters.sort ? { sort: filters.sort } : {}),
            ...(filters.q ? { q: filters.q } : {}),
            ...(filters.joined !== undefined ? { joined: filters.joined ? 'true' : 'false' } : {}),
            ...(filters.price ? { price: filters.price } : {}),
            ...(pageParam ? { cursor: pageParam } : {}),
          },
        },
        { signal },
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Keep showing the last results while a new search or filter loads.
    placeholderData: keepPreviousData,
  });
}

/** One community by slug or id; a 404 is an answer, not something to retry. */
export function useCommunityQuery(id: string) {
  return useQuery({
    queryKey: communityKeys.detail(id),
    queryFn: ({ signal }) => api.communities.get({ params: { id } }, { signal }),
    retry: false,
  });
}

/** Join (or ask to join) a community; every cached copy of communities is fetched again. */
export function useJoinMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: string | { id: string; intro?: string }) =>
      typeof v === 'string'
        ? api.communities.join({ params: { id: v }, body: {} })
        : api.communities.join({ params: { id: v.id }, body: v.intro ? { intro: v.intro } : {} }),
    onSuccess: () => refreshCommunities(qc),
  });
}

export function useLeaveMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.communities.leave({ params: { id } }),
    onSuccess: () => refreshCommunities(qc),
  });
}

export function useMembersQuery(id: string, q: string, limit = 50) {
  return useInfiniteQuery({
    queryKey: communityKeys.members(id, q, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.communities.members(
        { params: { id }, query: { limit, ...(q ? { q } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        { signal },
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCoursesQuery(id: string) {
  return useQuery({
    queryKey: communityKeys.courses(id),
    queryFn: ({ signal }) => api.communities.courses({ params: { id } }, { signal }),
  });
}

type UpdateBody = Parameters<typeof api.communities.update>[0]['body'];

export function useUpdateCommunityMutation(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateBody) => api.communities.update({ params: { id: slug }, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.detail(slug) }),
  });
}

/** A community's pricing tiers, with their RocketLMS checkout links. */
export function useTiersQuery(id: string, enabled = true) {
  return useQuery({
    queryKey: communityKeys.tiers(id),
    queryFn: ({ signal }) => api.communities.tiers({ params: { id } }, { signal }),
    enabled,
    retry: false,
  });
}

/** The tier editor's picker: RocketLMS items of one type the viewer may sell as a tier, by title. */
export function useSellableItemsQuery(id: string, type: SoldItemType, q: string, enabled = true) {
  return useQuery({
    queryKey: communityKeys.sellable(id, type, q),
    queryFn: ({ signal }) => api.communities.sellableItems({ params: { id }, query: { type, ...(q ? { q } : {}) } }, { signal }),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

/** Sets (or clears, with nulls) the RocketLMS item a tier is sold as; the tiers and their checkout links are fetched again. */
export function useLinkTierItemMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { tierId: number; item: { type: SoldItemType; id: number } | null }) =>
      api.communities.updateTier({
        params: { id, tierId: v.tierId },
        body: { host_item_type: v.item?.type ?? null, host_item_id: v.item?.id ?? null },
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.tiers(id) }),
  });
}

/** The owner's revenue by tier (subscription.changed on the owner's own channel is not theirs: fetched on open and focus). */
export function useTierRevenueQuery(id: string) {
  return useQuery({
    queryKey: communityKeys.revenue(id),
    queryFn: ({ signal }) => api.communities.tierRevenue({ params: { id } }, { signal }),
    retry: false,
  });
}

/** "Check my purchase": the server reads the viewer's RocketLMS sales now; what it opens is fetched again. */
export function useCheckPurchaseMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.communities.checkPurchase({ params: { id } }),
    onSuccess: (_r, id) => {
      refreshCommunities(qc);
      void qc.invalidateQueries({ queryKey: channelKeys.all });
      void qc.invalidateQueries({ queryKey: feedKeys.community(id) });
    },
  });
}
