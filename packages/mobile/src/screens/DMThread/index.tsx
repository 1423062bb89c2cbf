import type { ConversationIO } from '@communities/client';
import { realtimeChannel, type DmMessage, type DmThread } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

import { Screen } from '../../components/screen';
import { ErrorState, Loading } from '../../components/states';
import { WithMe } from '../../components/with-me';
import { useAddon } from '../../context';
import { uploadPicked } from '../../lib/uploads';
import { useConversation } from '../../state/chat/use-conversation';
import { useTyping } from '../../state/chat/use-typing';
import { dmKeys, useThreadQuery } from '../../state/queries/dm';

import { DMThreadView } from './DMThreadView';

export interface DMThreadScreenProps {
  threadId: number;
  pageSize?: number;
}

/** One conversation: messages with attachments and reactions, optimistic sends, read markers. */
export function DMThreadScreen({ threadId, pageSize }: DMThreadScreenProps) {
  return (
    <Screen name="dm.thread" feature="dm" params={{ thread_id: threadId }} testID="dm-thread-screen">
      <WithMe>
        <DMThreadBody threadId={threadId} pageSize={pageSize} />
      </WithMe>
    </Screen>
  );
}

function DMThreadBody({ threadId, pageSize }: DMThreadScreenProps) {
  const query = useThreadQuery(threadId);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <DMConversation thread={query.data} pageSize={pageSize} />;
}

function DMConversation({ thread, pageSize }: { thread: DmThread; pageSize?: number }) {
  const { api, features, me } = useAddon();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const threadId = thread.id;
  const source: ConversationIO<DmMessage> = {
    history: (query) => api.dm.messages({ params: { threadId }, query }),
    changes: (query) => api.dm.changes({ params: { threadId }, query }),
    post: (body) => api.dm.post({ params: { threadId }, body }),
    react: (messageId, emoji) => api.dm.react({ params: { messageId }, body: { emoji } }),
    edit: (messageId, content) => api.dm.edit({ params: { messageId }, body: { content } }),
    remove: (messageId) => api.dm.removeMessage({ params: { messageId } }),
    read: async (messageId) => {
      await api.dm.read({ params: { threadId }, body: { message_id: messageId } });
      // the inbox's unread badge for this thread is now stale
      void qc.invalidateQueries({ queryKey: dmKeys.inboxes });
      void qc.invalidateQueries({ queryKey: dmKeys.unread });
    },
  };
  const live = features ? realtimeChannel.dm(features.realtime.channel_prefix, threadId) : null;
  const { conversation, state, actions } = useConversation(`dm:${threadId}`, source, live, { pageSize });
  const presence = features ? realtimeChannel.dmPresence(features.realtime.channel_prefix, threadId) : null;
  const { typing, notifyTyping } = useTyping(presence, conversation);
  const participants = thread.participants;
  const mentionSearch = useCallback(
    async (q: string) => participants.filter((p) => p.id !== me?.id && p.name.toLowerCase().includes(q.toLowerCase())),
    [participants, me?.id],
  );
  return (
    <DMThreadView
      thread={thread}
      meId={me?.id}
      state={state}
      meName={me?.name ?? ''}
      {...actions}
      composer={{
        placeholder: t('chat.composer_placeholder_named'),
        readOnlyReason: thread.read_only ? t('dm.cannot_reply') : null,
        onSend: (input) => conversation.send(input),
        upload: (file) => uploadPicked(api, file, { purpose: 'dm', thread_id: threadId }),
        mentionSearch,
        onTyping: notifyTyping,
      }}
      typing={typing}
    />
  );
}
