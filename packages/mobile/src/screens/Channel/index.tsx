import type { ConversationIO } from '@communities/client';
import { realtimeChannel, type Channel, type ChannelMessage } from '@communities/contract';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

import { Screen } from '../../components/screen';
import { ErrorState, Loading } from '../../components/states';
import { useAddon } from '../../context';
import { uploadPicked } from '../../lib/uploads';
import { useConversation } from '../../state/chat/use-conversation';
import { useTyping } from '../../state/chat/use-typing';
import { useChannelQuery } from '../../state/queries/channels';
import { useCommunityQuery } from '../../state/queries/communities';

import { ChannelView } from './ChannelView';

export interface ChannelScreenProps {
  channelId: number;
  /** Messages per page (50 by default). */
  pageSize?: number;
}

/**
 * A channel: its messages (inverted, paged as you scroll up), a composer with emoji, mentions,
 * replies and the host's attachment picker, reactions, and optimistic sends.
 */
export function ChannelScreen({ channelId, pageSize }: ChannelScreenProps) {
  return (
    <Screen name="channels.channel" feature="channels" params={{ channel_id: channelId }} testID="channel-screen">
      <ChannelBody channelId={channelId} pageSize={pageSize} />
    </Screen>
  );
}

function ChannelBody({ channelId, pageSize }: ChannelScreenProps) {
  const query = useChannelQuery(channelId);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <ChannelConversation channel={query.data} pageSize={pageSize} />;
}

function ChannelConversation({ channel, pageSize }: { channel: Channel; pageSize?: number }) {
  const { api, features, me } = useAddon();
  const { t } = useTranslation();
  const channelId = channel.id;
  const source: ConversationIO<ChannelMessage> = {
    history: (query) => api.channels.messages({ params: { channelId }, query }),
    changes: (query) => api.channels.changes({ params: { channelId }, query }),
    post: (body) => api.channels.post({ params: { channelId }, body }),
    react: (messageId, emoji) => api.channels.react({ params: { messageId }, body: { emoji } }),
    edit: (messageId, content) => api.channels.edit({ params: { messageId }, body: { content } }),
    remove: (messageId) => api.channels.removeMessage({ params: { messageId } }),
    read: (messageId) => api.channels.read({ params: { channelId }, body: { message_id: messageId } }),
  };
  const live = features ? realtimeChannel.channel(features.realtime.channel_prefix, channelId) : null;
  // Rights over others' messages are the viewer's, from the channel and community as loaded.
  const community = useCommunityQuery(String(channel.community_id));
  const rights = {
    deleteAny: community.data?.viewer_permissions.includes('channel.delete_any') ?? false,
    pin: channel.viewer_can.pin,
  };
  const { conversation, state, actions } = useConversation(`channel:${channelId}`, source, live, { pageSize, rights });
  const presence = features ? realtimeChannel.channelPresence(features.realtime.channel_prefix, channelId) : null;
  const { typing, notifyTyping } = useTyping(presence, conversation);
  const communityId = String(channel.community_id);
  const mentionSearch = useCallback(
    async (q: string) => {
      const page = await api.communities.members({ params: { id: communityId }, query: { q, limit: 10 } });
      return page.items.map((m) => m.user).filter((u) => u.id !== me?.id);
    },
    [api, communityId, me?.id],
  );
  return (
    <ChannelView
      channel={channel}
      state={state}
      meId={me?.id}
      meName={me?.name ?? ''}
      {...actions}
      composer={{
        placeholder: t('chat.composer_placeholder_channel', { name: channel.name }),
        readOnlyReason: channel.viewer_can.post ? null : t('chat.cannot_post'),
        onSend: (input) => conversation.send(input),
        ...(channel.viewer_can.attach ? { upload: (file) => uploadPicked(api, file, { purpose: 'channel' }) } : {}),
        mentionSearch,
        onTyping: notifyTyping,
      }}
      typing={typing}
    />
  );
}
