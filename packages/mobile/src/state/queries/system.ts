import { systemKeys, type Api } from '@communities/client';
import { useQuery } from '@tanstack/react-query';

export { systemKeys };

export function useFeaturesQuery(api: Api) {
  return useQuery({
    queryKey: systemKeys.features,
    queryFn: ({ signal }) => api.system.features(undefined, { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useMeQuery(api: Api, enabled: boolean) {
  return useQuery({
    queryKey: systemKeys.me,
    queryFn: ({ signal }) => api.system.me(undefined, { signal }),
    enabled,
    staleTime: 5 * 60_000,
  });
}
