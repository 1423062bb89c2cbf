import { REALTIME_EVENTS } from '@communities/contract';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';

import { useAddon } from '../../context';

import { Conversation, type ChatMessage, type ConversationSource, type EditResult, type ReactionEvent } from './conversation';

/**
 * A live conversation for a screen: loads the latest page, then follows the realtime channel
 * (new messages are fetched through REST after the pushed id, so nothing is missed across a
 * reconnect), and re-renders on every change of its state machine.
 */
export function useConversation<M extends ChatMessage>(
  key: string,
  source: ConversationSource<M>,
  realtimeChannel: string | null,
  pageSize?: number,
): { conversation: Conversation<M>; state: ReturnType<Conversation<M>['getSnapshot']>; actions: ConversationActions } {
  const { features, me, realtime, track } = useAddon();
  const maxLength = features?.limits.max_message_length ?? 4000;
  // The state machine lives as long as the conversation; it reads the latest user and API through refs.
  const meRef = useRef(me);
  meRef.current = me;
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const conversation = useMemo(() => {
    const live: ConversationSource<M> = {
      history: (q) => sourceRef.current.history(q),
      post: (b) => sourceRef.current.post(b),
      react: (id, emoji) => sourceRef.current.react(id, emoji),
      edit: (id, content) => sourceRef.current.edit(id, content),
      remove: (id) => sourceRef.current.remove(id),
      read: (id) => sourceRef.current.read?.(id) ?? Promise.resolve(),
    };
    return new Conversation(live, { key, me: () => meRef.current, maxLength, pageSize });
  }, [key, maxLength, pageSize]);
  const state = useSyncExternalStore(conversation.subscribe, conversation.getSnapshot, conversation.getSnapshot);

  useEffect(() => {
    void conversation.load();
  }, [conversation]);

  useEffect(() => {
    if (!realtime || !realtimeChannel) return;
    const catchUp = () => void conversation.catchUp().catch(() => undefined);
    // A leave() while the subscription was pending (a quick remount) leaves a cancelled channel
    // that realtime.on() would reuse as is; subscribe() revives it.
    realtime.pusher.subscribe(realtimeChannel);
    const offs = [
      realtime.on(realtimeChannel, REALTIME_EVENTS.messageCreated, catchUp),
      realtime.on(realtimeChannel, REALTIME_EVENTS.messageUpdated, (data) => conversation.update(data as M)),
      realtime.on(realtimeChannel, REALTIME_EVENTS.messageDeleted, (data) => conversation.markDeleted((data as { id: number }).id)),
      realtime.on(realtimeChannel, REALTIME_EVENTS.reactionChanged, (data) => conversation.applyReaction(data as ReactionEvent)),
    ];
    // A reconnect may have missed new messages and changes to shown ones alike.
    const resync = () => void conversation.resync().catch(() => undefined);
    realtime.pusher.connection.bind('connected', resync);
    return () => {
      for (const off of offs) off();
      realtime.pusher.connection.unbind('connected', resync);
      realtime.leave(realtimeChannel);
    };
  }, [conversation, realtime, realtimeChannel]);

  // What a conversation view's buttons do, the same for channels and DMs.
  const actions = useMemo<ConversationActions>(
    () => ({
      onRetryLoad: () => void conversation.load(),
      onLoadOlder: () => void conversation.loadOlder(),
      onRetrySend: (nonce) => {
        track('tap', 'chat.retry');
        conversation.retry(nonce);
      },
      onReact: (messageId, emoji) => {
        track('tap', 'chat.react', { emoji });
        void conversation.react(messageId, emoji);
      },
      onEdit: (messageId, content) => conversation.edit(messageId, content),
      onDelete: (messageId) => void conversation.remove(messageId),
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
  onDismissError: () => void;
}
