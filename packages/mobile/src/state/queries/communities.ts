import { channelKeys, communityKeys, feedKeys, onEvent, type CommunityListFilters } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel, type CommunityCard, type CommunityDetail } from '@communities/contract';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { useAddon } from '../../context';

export type CommunityFilters = CommunityListFilters;
export { communityKeys };

type Page = { items: CommunityCard[]; next_cursor: string | null };

export function useCommunitiesQuery(filters: CommunityFilters, limit = 20) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: communityKeys.list(filters, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.communities.list(
        {
          query: {
            ...(filters.q ? { q: filters.q } : {}),
            ...(filters.joined !== undefined ? { joined: filters.joined ? 'true' : 'false' } : {}),
            ...(filters.price ? { price: filters.price } : {}),
            limit,
            ...(pageParam ? { cursor: pageParam } : {}),
          },
        },
        { signal },
      ),
    getNextPageParam: (last: Page) => last.next_cursor ?? undefined,
    // Keep showing the last results while a new search or filter loads.
    placeholderData: keepPreviousData,
  });
}

export function useCommunityQuery(id: string) {
  const { api } = useAddon();
  return useQuery({ queryKey: communityKeys.detail(id), queryFn: ({ signal }) => api.communities.get({ params: { id } }, { signal }) });
}

/** Join or leave, then patch the caller's membership into every cached copy of the community. */
export function useMembershipMutation() {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({
      community,
      action,
      intro,
    }: {
      community: Pick<CommunityCard, 'id' | 'slug'>;
      action: 'join' | 'leave';
      /** A requester's words to the owner (kept with a join request). */
      intro?: string | undefined;
    }) => {
      const params = { id: String(community.id) };
      if (action === 'join') return api.communities.join({ params, body: intro ? { intro } : {} });
      await api.communities.leave({ params });
      return null;
    },
    onSuccess: (membership, { community }) => {
      const patch = <T extends CommunityCard>(c: T): T =>
        c.id === community.id
          ? {
              ...c,
              viewer_membership: membership,
              member_count:
                c.member_count +
                (membership?.status === 'active' ? 1 : 0) -
                (membership === null && c.viewer_membership?.status === 'active' ? 1 : 0),
            }
          : c;
      qc.setQueriesData<InfiniteData<Page>>({ queryKey: communityKeys.lists }, (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map(patch) })) } : data,
      );
      for (const key of [String(community.id), community.slug])
        qc.setQueryData<CommunityDetail>(communityKeys.detail(key), (c) => (c ? patch(c) : c));
      void qc.invalidateQueries({ queryKey: communityKeys.all });
    },
  });
}

export function useMembersQuery(id: string, q: string, limit = 30) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: communityKeys.members(id, q, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.communities.members(
        { params: { id }, query: { ...(q ? { q } : {}), limit, ...(pageParam ? { cursor: pageParam } : {}) } },
        { signal },
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useCoursesQuery(id: string) {
  const { api } = useAddon();
  return useQuery({
    queryKey: communityKeys.courses(id),
    queryFn: ({ signal }) => api.communities.courses({ params: { id } }, { signal }),
  });
}

/** A community's pricing tiers, with their RocketLMS checkout links. */
export function useTiersQuery(id: string) {
  const { api } = useAddon();
  return useQuery({ queryKey: communityKeys.tiers(id), queryFn: ({ signal }) => api.communities.tiers({ params: { id } }, { signal }) });
}

/** "Check my purchase": the server reads the user's RocketLMS sales now; what it opens is fetched again. */
export function useCheckPurchaseMutation() {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.communities.checkPurchase({ params: { id } }),
    onSuccess: (_r, id) => {
      void qc.invalidateQueries({ queryKey: communityKeys.all });
      void qc.invalidateQueries({ queryKey: channelKeys.all });
      void qc.invalidateQueries({ queryKey: feedKeys.community(id) });
    },
  });
}

/**
 * subscription.changed on the user's own channel: a purchase, renewal, lapse, expiry or refund
 * was applied, so communities, channels and feeds are fetched again (gated ones open or close)
 * and the host app hears it through `config.onSubscriptionChanged`.
 */
export function useSubscriptionLive(): void {
  const { realtime, features, me, config } = useAddon();
  const qc = useQueryClient();
  const callback = useRef(config.onSubscriptionChanged);
  callback.current = config.onSubscriptionChanged;
  const prefix = features?.realtime.channel_prefix;
  const meId = me?.id;
  useEffect(() => {
    if (!realtime || prefix === undefined || meId === undefined) return;
    const channel = realtimeChannel.user(prefix, meId);
    const off = onEvent(realtime, channel, REALTIME_EVENTS.subscriptionChanged, (d) => {
      void qc.invalidateQueries({ queryKey: communityKeys.all });
      void qc.invalidateQueries({ queryKey: channelKeys.all });
      void qc.invalidateQueries({ queryKey: feedKeys.community(d.slug) });
      void qc.invalidateQueries({ queryKey: feedKeys.community(String(d.community_id)) });
      callback.current?.(d);
    });
    return off;
  }, [realtime, prefix, meId, qc]);
}
