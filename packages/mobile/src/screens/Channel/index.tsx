import { realtimeChannel, type Channel, type ChannelMessage } from '@communities/contract';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

import { Screen } from '../../components/screen';
import { ErrorState, Loading } from '../../components/states';
import { useAddon } from '../../context';
import { uploadPicked } from '../../lib/uploads';
import type { ConversationSource } from '../../state/chat/conversation';
import { useConversation } from '../../state/chat/use-conversation';
import { useTyping } from '../../state/chat/use-typing';
import { useChannelQuery } from '../../state/queries/channels';
import { useCommunityQuery } from '../../state/queries/communities';
import { useWordListQuery } from '../../state/queries/moderation';
import { mayContainListedWord } from '../../lib/word-check';

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

/** "You are muted until 14:32: spam": why a sanctioned member cannot post, and until when (null: not sanctioned). */
export function sanctionText(
  t: (k: string, o?: Record<string, string>) => string,
  m: { status: string; muted_until: string | null; sanction_reason: string | null } | null,
): string | null {
  if (!m || m.status !== 'muted') return null;
  const when = m.muted_until ? new Date(m.muted_until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
  if (when && m.sanction_reason) return t('moderation.muted_reason_until', { when, reason: m.sanction_reason });
  if (when) return t('moderation.muted_until', { when });
  return t('moderation.muted_reason', { reason: m.sanction_reason ?? '' });
}

function ChannelConversation({ channel, pageSize }: { channel: Channel; pageSize?: number }) {
  const { api, features, me } = useAddon();
  const { t } = useTranslation();
  const channelId = channel.id;
  const source: ConversationSource<ChannelMessage> = {
    history: (query) => api.channels.messages({ params: { channelId }, query }),
    changes: (query) => api.channels.changes({ params: { channelId }, query }),
    post: (body) => api.channels.post({ params: { channelId }, body }),
    react: (messageId, emoji) => api.channels.react({ params: { messageId }, body: { emoji } }),
    edit: (messageId, content) => api.channels.edit({ params: { messageId }, body: { content } }),
    remove: (messageId) => api.channels.removeMessage({ params: { messageId } }),
    read: (messageId) => api.channels.read({ params: { channelId }, body: { message_id: messageId } }),
  };
  const live = features ? realtimeChannel.channel(features.realtime.channel_prefix, channelId) : null;
  const { conversation, state, actions } = useConversation(`channel:${channelId}`, source, live, pageSize);
  const presence = features ? realtimeChannel.channelPresence(features.realtime.channel_prefix, channelId) : null;
  const { typing, notifyTyping } = useTyping(presence, state.messages[state.messages.length - 1]);
  const communityId = String(channel.community_id);
  const community = useCommunityQuery(communityId);
  const sanction = sanctionText(t, community.data?.viewer_membership ?? null);
  const words = useWordListQuery(channel.community_id, features?.features.bad_word_filter === true);
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
        readOnlyReason: sanction ?? (channel.viewer_can.post ? null : t('chat.cannot_post')),
        onSend: (input) => conversation.send(input),
        ...(channel.viewer_can.attach ? { upload: (file) => uploadPicked(api, file, { purpose: 'channel' }) } : {}),
        mentionSearch,
        onTyping: notifyTyping,
        ...(words.data ? { check: (text: string) => (mayContainListedWord(text, words.data) ? t('moderation.quick_warning') : null) } : {}),
      }}
      typing={typing}
    />
  );
}
