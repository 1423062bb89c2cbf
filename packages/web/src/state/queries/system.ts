import { ApiError, systemKeys } from '@communities/client';
import { useQuery } from '@tanstack/react-query';

import { api } from '../../api';

/** Who is signed in (a 401 means nobody: no retry). */
export function useMeQuery() {
  return useQuery({
    queryKey: systemKeys.me,
    queryFn: ({ signal }) => api.system.me(undefined, { signal }),
    retry: (count, error) => !(error instanceof ApiError && error.status === 401) && count < 1,
    staleTime: 5 * 60_000,
  });
}

/** What the server switched on. */
export function useFeaturesQuery() {
  return useQuery({
    queryKey: systemKeys.features,
    queryFn: ({ signal }) => api.system.features(undefined, { signal }),
    staleTime: 5 * 60_000,
  });
}

/** The demo's people to sign in as (demo host only). */
export function useDemoUsersQuery() {
  return useQuery({ queryKey: systemKeys.demoUsers, queryFn: ({ signal }) => api.system.demoUsers(undefined, { signal }) });
}
