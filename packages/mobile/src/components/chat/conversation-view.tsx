import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, KeyboardAvoidingView, Platform, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../../config';
import type { ChatMessage, ConversationSnapshot, PendingMessage, ReplyPreview } from '../../state/chat/conversation';
import { Empty, ErrorBanner, ErrorState, Loading } from '../states';
import { useStyles } from '../use-styles';

import { Composer, type ComposerProps } from './composer';
import { MessageRow, PendingRow } from './message-row';

const make = (t: CommunitiesTheme) => ({
  older: { padding: 12, alignItems: 'center' as const },
  olderText: { fontSize: 12, color: t.muted },
  emptyFlip: { transform: [{ scaleY: -1 }] },
});

type Row = { kind: 'pending'; p: PendingMessage } | { kind: 'message'; m: ChatMessage };

export interface ConversationViewProps<M extends ChatMessage> {
  state: ConversationSnapshot<M>;
  meName: string;
  header?: ReactNode;
  onRetryLoad: () => void;
  onLoadOlder: () => void;
  onRetrySend: (nonce: string) => void;
  onReact: (messageId: number, emoji: string) => void;
  onDismissError: () => void;
  composer: Omit<ComposerProps, 'replyTo' | 'onCancelReply'>;
}

/**
 * A conversation, newest at the bottom (an inverted list, so it opens at the latest message and
 * pages older ones in as you scroll up), with the composer under it.
 */
export function ConversationView<M extends ChatMessage>(p: ConversationViewProps<M>) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [replyTo, setReplyTo] = useState<ReplyPreview | null>(null);
  const { state } = p;
  if (state.status === 'idle' || state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={p.onRetryLoad} />;
  const rows: Row[] = [
    ...state.pending.map((x) => ({ kind: 'pending' as const, p: x })).reverse(),
    ...state.messages.map((m) => ({ kind: 'message' as const, m })).reverse(),
  ];
  return (
    <KeyboardAvoidingView style={{ flex: 1 }} behavior={Platform.OS === 'ios' ? 'padding' : undefined}>
      {p.header}
      <ErrorBanner error={state.actionError} onDismiss={p.onDismissError} />
      <FlatList
        testID="message-list"
        inverted
        data={rows}
        keyExtractor={(r) => (r.kind === 'pending' ? `p-${r.p.nonce}` : `m-${r.m.id}`)}
        renderItem={({ item }) =>
          item.kind === 'pending' ? (
            <PendingRow pending={item.p} author={p.meName} onRetry={() => p.onRetrySend(item.p.nonce)} />
          ) : (
            <MessageRow
              message={item.m}
              onReact={(emoji) => p.onReact(item.m.id, emoji)}
              onReply={() =>
                setReplyTo({ id: item.m.id, author: item.m.author, excerpt: item.m.content ? item.m.content.slice(0, 140) : null })
              }
            />
          )
        }
        onEndReached={p.onLoadOlder}
        onEndReachedThreshold={0.3}
        ListFooterComponent={
          state.loadingOlder ? (
            <View style={s.older} testID="loading-older">
              <ActivityIndicator />
              <Text style={s.olderText}>{t('chat.older')}</Text>
            </View>
          ) : null
        }
        ListEmptyComponent={
          <View style={s.emptyFlip}>
            <Empty text={t('chat.empty')} />
          </View>
        }
      />
      <Composer {...p.composer} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} />
    </KeyboardAvoidingView>
  );
}
