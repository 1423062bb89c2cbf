import {
  ConversationMachine,
  followConversation,
  type AnyMessage,
  type ConversationIO,
  type ConversationSnapshot,
  type EditResult,
  type ViewerRights,
} from '@communities/client';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';

import { useAddon } from '../../context';

/**
 * A live conversation for a screen, on the machine shared with the web (packages/client): loads
 * the latest page, follows the realtime channel (pushed messages merged by id, catch-up after a
 * reconnect, sends retried when the connection is back), moves the read marker as messages come
 * in, and re-renders on every change.
 */
export function useConversation<M extends AnyMessage>(
  key: string,
  source: ConversationIO<M>,
  realtimeChannel: string | null,
  options: { pageSize?: number | undefined; rights?: ViewerRights } = {},
): { conversation: ConversationMachine<M>; state: ConversationSnapshot<M>; actions: ConversationActions } {
  const { features, me, realtime, track } = useAddon();
  const maxLength = features?.limits.max_message_length ?? 4000;
  // The machine lives as long as the conversation; it reads the latest user, API and rights through refs.
  const meRef = useRef(me);
  meRef.current = me;
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const rightsRef = useRef(options.rights);
  rightsRef.current = options.rights;
  const { pageSize } = options;
  const conversation = useMemo(() => {
    const live: ConversationIO<M> = {
      history: (q) => sourceRef.current.history(q),
      post: (b) => sourceRef.current.post(b),
      changes: (q) => sourceRef.current.changes?.(q) ?? Promise.resolve({ items: [], next: null, as_of: q.since }),
      edit: (id, content) => sourceRef.current.edit!(id, content),
      remove: (id) => sourceRef.current.remove!(id),
      react: (id, emoji) => sourceRef.current.react!(id, emoji),
      helpful: (id, helpful) => sourceRef.current.helpful!(id, helpful),
      read: (id) => sourceRef.current.read?.(id) ?? Promise.resolve(),
    };
    return new ConversationMachine(live, {
      me: () => meRef.current,
      rights: () => rightsRef.current ?? { deleteAny: false, pin: false },
      maxLength,
      ...(pageSize ? { pageSize } : {}),
    });
    // `key` names the conversation: a new one gets a new machine.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, maxLength, pageSize]);
  const state = useSyncExternalStore(conversation.subscribe, conversation.getSnapshot, conversation.getSnapshot);

  useEffect(() => {
    void conversation.load();
    return () => conversation.dispose();
  }, [conversation]);

  useEffect(() => {
    if (!realtime || !realtimeChannel) return;
    const stop = followConversation(conversation, realtime, realtimeChannel);
    return () => {
      stop();
      realtime.leave(realtimeChannel);
    };
  }, [conversation, realtime, realtimeChannel]);

  // The screen is open: what it shows is read.
  const newest = state.messages.at(-1)?.id;
  useEffect(() => {
    if (newest !== undefined) conversation.markRead();
  }, [conversation, newest]);

  // What a conversation view's buttons do, the same for channels and DMs.
  const actions = useMemo<ConversationActions>(
    () => ({
      onRetryLoad: () => void conversation.load(),
      onLoadOlder: () => void conversation.loadOlder(),
      onRetrySend: (nonce) => {
        track('tap', 'chat.retry_button');
        conversation.retry(nonce);
      },
      onReact: (messageId, emoji) => {
        track('tap', 'chat.react_add', { emoji });
        void conversation.react(messageId, emoji);
      },
      onEdit: (messageId, content) => conversation.edit(messageId, content),
      onDelete: (messageId) => void conversation.remove(messageId),
      onHelpful: (messageId, helpful) => {
        track('tap', helpful ? 'chat.mark_helpful' : 'chat.unmark_helpful', { message_id: messageId });
        void conversation.markHelpful(messageId, helpful);
      },
      onDismissError: () => conversation.clearActionError(),
    }),
    [conversation, track],
  );

  return { conversation, state, actions };
}

export interface ConversationActions {
  onRetryLoad: () => void;
  onLoadOlder: () => void;
  onRetrySend: (nonce: string) => void;
  onReact: (messageId: number, emoji: string) => void;
  onEdit: (messageId: number, content: string) => Promise<EditResult>;
  onDelete: (messageId: number) => void;
  /** Marks a reply helpful or takes the mark back (channels whose source can). */
  onHelpful?: (messageId: number, helpful: boolean) => void;
  onDismissError: () => void;
}
