import { channelKeys } from '@communities/client';
import { useQuery } from '@tanstack/react-query';

import { useAddon } from '../../context';

export { channelKeys };

export function useChannelsQuery(communityId: string) {
  const { api } = useAddon();
  return useQuery({
    queryKey: channelKeys.list(communityId),
    queryFn: ({ signal }) => api.channels.list({ params: { id: communityId } }, { signal }),
  });
}

export function useChannelQuery(channelId: number) {
  const { api } = useAddon();
  return useQuery({
    queryKey: channelKeys.detail(channelId),
    queryFn: ({ signal }) => api.channels.get({ params: { channelId } }, { signal }),
  });
}
