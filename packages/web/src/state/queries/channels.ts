import { channelKeys } from '@communities/client';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import { api } from '../../api';

export { channelKeys };

/** A community's channels and categories with the viewer's unread counts. */
export function useChannelsQuery(slug: string) {
  return useQuery({
    queryKey: channelKeys.list(slug),
    queryFn: ({ signal }) => api.channels.list({ params: { id: slug } }, { signal }),
    retry: false,
  });
}

export const refreshChannels = (qc: QueryClient, slug: string) => void qc.invalidateQueries({ queryKey: channelKeys.list(slug) });

export function usePinsQuery(channelId: number) {
  return useQuery({
    queryKey: channelKeys.pins(channelId),
    queryFn: ({ signal }) => api.channels.pins({ params: { channelId } }, { signal }),
  });
}

/** Fetches a channel's pins again (after a pin or unpin). */
export function useRefreshPins() {
  const qc = useQueryClient();
  return (channelId: number) => void qc.invalidateQueries({ queryKey: channelKeys.pins(channelId) });
}
