import type { AnyMessage as ChatMessage, ConversationSnapshot, PendingMessage, ReplyPreview } from '@communities/client';
import { plainText } from '@communities/contract';
import type { TFunction } from 'i18next';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, Clipboard, FlatList, KeyboardAvoidingView, Platform, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { copyText } from '../../lib/markdown';
import type { ConversationActions } from '../../state/chat/use-conversation';
import { Empty, ErrorBanner, ErrorState, Loading } from '../states';
import { useStyles } from '../use-styles';

import { Composer, type ComposerProps } from './composer';
import { MessageActionSheet, type MessageAction } from './message-actions';
import { MessageRow, PendingRow } from './message-row';

const make = (t: CommunitiesTheme) => ({
  older: { padding: 12, alignItems: 'center' as const },
  olderText: { fontSize: 12, color: t.muted },
  emptyFlip: { transform: [{ scaleY: -1 }] },
  typing: { minHeight: 18, paddingHorizontal: 14, paddingVertical: 2, fontSize: 12, color: t.muted, fontStyle: 'italic' as const },
});

type Row = { kind: 'pending'; p: PendingMessage } | { kind: 'message'; m: ChatMessage };

export interface ConversationViewProps<M extends ChatMessage> extends ConversationActions {
  state: ConversationSnapshot<M>;
  meId: number | undefined;
  meName: string;
  header?: ReactNode;
  composer: Omit<ComposerProps, 'replyTo' | 'onCancelReply'>;
  /** Names of those typing now (from the presence channel). */
  typing?: string[];
  /** Channels: the community whose levels show beside authors' names. */
  levelScope?: number;
}

const typingLine = (names: string[], t: TFunction): string =>
  names.length === 0
    ? ''
    : names.length === 1
      ? t('chat.typing_one', { a: names[0] })
      : names.length === 2
        ? t('chat.typing_two', { a: names[0], b: names[1] })
        : t('chat.typing_many');

/**
 * A conversation, newest at the bottom (an inverted list, so it opens at the latest message and
 * pages older ones in as you scroll up), with the composer under it.
 */
export function ConversationView<M extends ChatMessage>(p: ConversationViewProps<M>) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { config, track } = useAddon();
  const [replyTo, setReplyTo] = useState<ReplyPreview | null>(null);
  const [sheetFor, setSheetFor] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const { state } = p;
  if (state.status === 'idle' || state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={p.onRetryLoad} />;
  const act = (m: ChatMessage, action: MessageAction) => {
    track('tap', `chat.${action}`, { message_id: m.id });
    if (action === 'reply') setReplyTo({ id: m.id, author: m.author, excerpt: m.content ? plainText(m.content, 140) : null });
    else if (action === 'edit') setEditing(m.id);
    else if (action === 'delete') p.onDelete(m.id);
    else if (action === 'helpful') p.onHelpful?.(m.id, !('helpful' in m && m.helpful));
    else if (m.content) copy(copyText(m.content));
  };
  const copy = (text: string) => {
    if (config.copyToClipboard) config.copyToClipboard(text);
    // The core module is deprecated (hosts should pass copyToClipboard) but still ships with 0.86.
    else Clipboard.setString(text);
  };
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
        extraData={editing}
        keyExtractor={(r) => (r.kind === 'pending' ? `p-${r.p.nonce}` : `m-${r.m.id}`)}
        renderItem={({ item }) =>
          item.kind === 'pending' ? (
            <PendingRow pending={item.p} author={p.meName} onRetry={() => p.onRetrySend(item.p.nonce)} />
          ) : (
            <MessageRow
              message={item.m}
              editing={editing === item.m.id}
              levelScope={p.levelScope}
              onOpenActions={() => setSheetFor(item.m.id)}
              onReact={(emoji) => p.onReact(item.m.id, emoji)}
              onSaveEdit={async (content) => {
                const result = await p.onEdit(item.m.id, content);
                if (result === 'saved') setEditing(null);
                return result;
              }}
              onCancelEdit={() => setEditing(null)}
            />
          )
        }
        onEndReached={p.onLoadOlder}
        onEndReachedThreshold={0.3}
        ListFooterComponent={
          state.loadingOlder ? (
            <View style={s.older} testID="loading-older">
              <ActivityIndicator />
              <Text style={s.olderText}>{t('chat.loading_older')}</Text>
            </View>
          ) : null
        }
        ListEmptyComponent={
          <View style={s.emptyFlip}>
            <Empty text={t('chat.empty')} />
          </View>
        }
      />
      <MessageActionSheet
        message={state.messages.find((m) => m.id === sheetFor && !m.deleted) ?? null}
        meId={p.meId}
        onClose={() => setSheetFor(null)}
        onReact={(m, emoji) => p.onReact(m.id, emoji)}
        onAction={act}
      />
      <Text style={s.typing} accessibilityLiveRegion="polite" testID="typing">
        {typingLine(p.typing ?? [], t)}
      </Text>
      <Composer {...p.composer} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} />
    </KeyboardAvoidingView>
  );
}
