import { communityKeys } from '@communities/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { useAddon } from '../../context';

/** Pending join requests of a community (owners and moderators). */
export function useRequestsQuery(communityId: string) {
  const { api } = useAddon();
  return useQuery({
    queryKey: communityKeys.requests(communityId),
    queryFn: ({ signal }) => api.communities.requests({ params: { id: communityId }, query: { limit: 100 } }, { signal }),
  });
}

/** Approve or reject one (with an optional message to the requester); the request leaves the list at once and the list is fetched again. */
export function useDecideRequestMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  const key = communityKeys.requests(communityId);
  return useMutation({
    mutationFn: (v: { userId: number; decision: 'approve' | 'reject'; message?: string | undefined }) =>
      api.communities.decideRequest({
        params: { id: communityId, userId: v.userId, decision: v.decision },
        body: v.message ? { message: v.message } : {},
      }),
    onSuccess: (_r, v) =>
      qc.setQueryData<{ items: Array<{ user: { id: number } }>; next_cursor: string | null }>(key, (old) =>
        old ? { ...old, items: old.items.filter((m) => m.user.id !== v.userId) } : old,
      ),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: communityKeys.allMembers(communityId) });
    },
  });
}
