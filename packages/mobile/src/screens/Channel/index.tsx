import type { ConversationIO } from '@communities/client';
import { realtimeChannel, type Channel, type ChannelMessage, type CommunityDetail } from '@communities/contract';
import { useCallback, useRef } from 'react';
import { useTranslation } from 'react-i18next';

import { Screen } from '../../components/screen';
import { ErrorState, Loading } from '../../components/states';
import { useAddon } from '../../context';
import { untilLabel } from '../../lib/format';
import { uploadPicked } from '../../lib/uploads';
import { useConversation } from '../../state/chat/use-conversation';
import { useTyping } from '../../state/chat/use-typing';
import { useChannelQuery } from '../../state/queries/channels';
import { useCommunityQuery, useMembershipMutation } from '../../state/queries/communities';
import { useWordListQuery } from '../../state/queries/moderation';
import { mayContainListedWord } from '../../lib/word-check';

import { ChannelBell } from './channel-bell';
import { ChannelView } from './ChannelView';
import { useSlowMode } from './slow-mode';

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
  // After joining, the channel is read again: the new member's rights come from the server.
  return <ChannelConversation channel={query.data} pageSize={pageSize} onJoined={() => void query.refetch()} />;
}

/** "You are muted until 14:32: spam": why a sanctioned member cannot post, and until when (null: not sanctioned). */
export function sanctionText(
  t: (k: string, o?: Record<string, string>) => string,
  m: { status: string; muted_until: string | null; sanction_reason: string | null } | null,
  locale: string,
): string | null {
  if (!m || m.status !== 'muted') return null;
  // Neither an end nor a reason: the general "muted until a moderator lifts the mute" says it.
  if (!m.muted_until && !m.sanction_reason) return null;
  const when = m.muted_until ? untilLabel(m.muted_until, locale) : null;
  if (when && m.sanction_reason) return t('moderation.muted_reason_until', { when, reason: m.sanction_reason });
  if (when) return t('moderation.muted_until', { when });
  return t('moderation.muted_reason', { reason: m.sanction_reason ?? '' });
}

function ChannelConversation({ channel, pageSize, onJoined }: { channel: Channel; pageSize?: number; onJoined: () => void }) {
  const { api, features, me, track } = useAddon();
  const { t, i18n } = useTranslation();
  const channelId = channel.id;
  const community = useCommunityQuery(String(channel.community_id));
  const membership = useMembershipMutation();
  const slow = useRef<ReturnType<typeof useSlowMode>['hold'] | null>(null);
  const source: ConversationIO<ChannelMessage> = {
    history: (query) => api.channels.messages({ params: { channelId }, query }),
    changes: (query) => api.channels.changes({ params: { channelId }, query }),
    post: (body) => {
      const post = () => api.channels.post({ params: { channelId }, body });
      return slow.current ? slow.current(post) : post();
    },
    react: (messageId, emoji) => api.channels.react({ params: { messageId }, body: { emoji } }),
    edit: (messageId, content) => api.channels.edit({ params: { messageId }, body: { content } }),
    remove: (messageId) => api.channels.removeMessage({ params: { messageId } }),
    read: (messageId) => api.channels.read({ params: { channelId }, body: { message_id: messageId } }),
    helpful: (messageId, helpful) =>
      helpful
        ? api.gamification.markMessageHelpful({ params: { messageId } })
        : api.gamification.unmarkMessageHelpful({ params: { messageId } }),
  };
  const live = features ? realtimeChannel.channel(features.realtime.channel_prefix, channelId) : null;
  // Rights over others' messages are the viewer's, from the channel and community as loaded.
  const rights = {
    deleteAny: community.data?.viewer_permissions.includes('channel.delete_any') ?? false,
    pin: channel.viewer_can.pin,
    helpful:
      features?.features.gamification === false
        ? ('off' as const)
        : community.data?.viewer_permissions.includes('moderation.review')
          ? ('moderator' as const)
          : ('asker' as const),
  };
  const { conversation, state, actions } = useConversation(`channel:${channelId}`, source, live, { pageSize, rights });
  const { hold, notice } = useSlowMode(channel, state.messages, me?.id);
  slow.current = hold;
  const restriction = useRestriction(channel, community.data, community.isPending, () => {
    if (!community.data) return;
    track('tap', 'channels.join', { community_id: community.data.id });
    membership.mutate({ community: community.data, action: 'join' }, { onSuccess: (m) => m?.status === 'active' && onJoined() });
  });
  const presence = features ? realtimeChannel.channelPresence(features.realtime.channel_prefix, channelId) : null;
  const { typing, notifyTyping } = useTyping(presence, conversation);
  const communityId = String(channel.community_id);
  const sanction = sanctionText(t, community.data?.viewer_membership ?? null, i18n.language);
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
      headerAction={community.data ? <ChannelBell channel={channel} communityName={community.data.name} /> : null}
      state={state}
      meId={me?.id}
      meName={me?.name ?? ''}
      {...actions}
      composer={{
        placeholder: t('chat.composer_placeholder_channel', { name: channel.name }),
        readOnlyReason: sanction ?? restriction?.reason ?? null,
        ...(restriction?.join
          ? {
              readOnlyAction: { label: restriction.join, onPress: restriction.onJoin, busy: membership.isPending, error: membership.error },
            }
          : {}),
        notice: notice ? t(notice.kind === 'held' ? 'chat.slow_mode_held' : 'chat.slow_mode_wait', { count: notice.seconds }) : null,
        onSend: (input) => conversation.send(input),
        ...(channel.viewer_can.attach ? { upload: (file) => uploadPicked(api, file, { purpose: 'channel' }) } : {}),
        mentionSearch,
        onTyping: notifyTyping,
        ...(words.data
          ? { check: (text: string) => (mayContainListedWord(text, words.data) ? t('moderation.quick_warning_short') : null) }
          : {}),
      }}
      typing={typing}
      levelScope={channel.community_id}
    />
  );
}

/**
 * Why the viewer cannot post here, said plainly, and what to do about it: muted (until when),
 * a join request waiting, or not a member of a community they may join (a Join button).
 */
function useRestriction(channel: Channel, community: CommunityDetail | undefined, loading: boolean, onJoin: () => void) {
  const { t, i18n } = useTranslation();
  if (channel.viewer_can.post) return null;
  // The reason comes with the community's membership: say nothing wrong while it loads.
  if (loading) return { reason: t('app.loading') };
  const m = community?.viewer_membership ?? null;
  if (m?.status === 'muted')
    return { reason: m.muted_until ? t('chat.muted_until', { when: untilLabel(m.muted_until, i18n.language) }) : t('chat.muted') };
  if (m?.status === 'pending') return { reason: t('channels.join_pending') };
  if (community && !m && community.viewer_permissions.includes('community.join'))
    return {
      reason: t('channels.join_to_post'),
      join: community.visibility === 'public' && !community.settings.join_approval ? t('membership.join') : t('membership.request'),
      onJoin,
    };
  return { reason: t('chat.cannot_post') };
}
