import { endTypingOnMessage, followPresence, TypingTracker, type AnyMessage, type ConversationMachine } from '@communities/client';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';

import { useAddon } from '../../context';

/**
 * "Ana is typing…" over a presence channel, through the typing tracker shared with the web:
 * names fade on their own, a message from someone ends theirs, ours is sent throttled.
 */
export function useTyping<M extends AnyMessage>(presenceChannel: string | null, conversation: ConversationMachine<M>) {
  const { realtime, me } = useAddon();
  const meRef = useRef(me);
  meRef.current = me;
  const [tracker] = useState(() => new TypingTracker({ me: () => meRef.current }));

  useEffect(() => endTypingOnMessage(conversation, tracker), [conversation, tracker]);
  useEffect(() => {
    if (!realtime || !presenceChannel) return;
    const stop = followPresence(tracker, realtime, presenceChannel);
    return () => {
      stop();
      realtime.leave(presenceChannel);
    };
  }, [realtime, presenceChannel, tracker]);
  useEffect(() => () => tracker.dispose(), [tracker]);

  const typing = useSyncExternalStore(tracker.subscribe, tracker.getSnapshot, tracker.getSnapshot);
  const notifyTyping = useCallback(() => void tracker.typed(), [tracker]);
  return { typing, notifyTyping };
}
