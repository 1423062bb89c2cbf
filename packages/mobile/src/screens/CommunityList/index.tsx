import type { CommunityCard } from '@communities/contract';
import { useState } from 'react';

import { Screen } from '../../components/screen';
import { useAddon } from '../../context';
import { useDebounced } from '../../lib/use-debounced';
import { useCommunitiesQuery, useMembershipMutation, type CommunityFilters } from '../../state/queries/communities';

import { CommunityListView, type ListFilter } from './CommunityListView';

export interface CommunityListScreenProps {
  /** Open a community (e.g. push CommunityDetailScreen). */
  onOpenCommunity?: (community: CommunityCard) => void;
  /** A paid community's subscribe button: the host opens its checkout. */
  onSubscribe?: (community: CommunityCard) => void;
  /** Page size (20 by default). */
  pageSize?: number;
}

const toFilters = (q: string, f: ListFilter): CommunityFilters => ({
  ...(q.trim() ? { q: q.trim() } : {}),
  ...(f === 'joined' ? { joined: true } : {}),
  ...(f === 'free' || f === 'paid' ? { price: f } : {}),
});

/** Discover communities: search, filters, join and leave. */
export function CommunityListScreen({ onOpenCommunity, onSubscribe, pageSize = 20 }: CommunityListScreenProps) {
  return (
    <Screen name="communities.list" testID="community-list-screen">
      <CommunityList onOpenCommunity={onOpenCommunity} onSubscribe={onSubscribe} pageSize={pageSize} />
    </Screen>
  );
}

function CommunityList({ onOpenCommunity, onSubscribe, pageSize }: CommunityListScreenProps & { pageSize: number }) {
  const { track } = useAddon();
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState<ListFilter>('all');
  const q = useDebounced(search, 300);
  const query = useCommunitiesQuery(toFilters(q, filter), pageSize);
  const membership = useMembershipMutation();
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <CommunityListView
      search={search}
      onSearch={setSearch}
      filter={filter}
      onFilter={(f) => {
        track('tap', 'communities.filter', { filter: f });
        setFilter(f);
      }}
      items={items}
      status={query.status}
      error={query.error}
      onRetry={() => void query.refetch()}
      loadingMore={query.isFetchingNextPage}
      onEndReached={() => {
        if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
      }}
      refreshing={query.isRefetching && !query.isFetchingNextPage}
      onRefresh={() => void query.refetch()}
      onOpen={(c) => {
        track('tap', 'communities.open', { community_id: c.id });
        onOpenCommunity?.(c);
      }}
      onMembership={(c, action) => {
        track('tap', `communities.${action}`, { community_id: c.id });
        if (action === 'subscribe') onSubscribe?.(c);
        else membership.mutate({ community: c, action });
      }}
      busyId={membership.isPending ? (membership.variables?.community.id ?? null) : null}
      actionError={membership.error}
      onDismissActionError={() => membership.reset()}
    />
  );
}
