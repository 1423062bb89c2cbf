import { endTypingOnMessage, followPresence, TypingTracker, type AnyMessage, type ConversationMachine } from '@communities/client';
import type { UserSummary } from '@communities/contract';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';

import { useRealtime } from '../realtime';

/**
 * Presence for one conversation through the shared typing tracker: who is here (`onPresence`: the
 * people listed, and how many are here in all: a big channel lists only some), who is typing (names that fade), and our own throttled "I am typing".
 */
export function useTyping<M extends AnyMessage>(
  machine: ConversationMachine<M>,
  presenceChannel: string,
  me: { id: number; name: string },
  onPresence?: (people: UserSummary[], count: number) => void,
): { typing: string[]; onTyping: () => void } {
  const hub = useRealtime();
  const meRef = useRef(me);
  meRef.current = me;
  const presenceRef = useRef(onPresence);
  presenceRef.current = onPresence;
  const [tracker] = useState(() => new TypingTracker({ me: () => meRef.current }));

  useEffect(() => endTypingOnMessage(machine, tracker), [machine, tracker]);
  useEffect(() => {
    if (!hub) return;
    const release = hub.acquire(presenceChannel);
    const stop = followPresence(tracker, hub.rt, presenceChannel, (people, count) => presenceRef.current?.(people, count));
    return () => {
      stop();
      release();
    };
  }, [hub, presenceChannel, tracker]);
  useEffect(() => () => tracker.dispose(), [tracker]);

  const typing = useSyncExternalStore(tracker.subscribe, tracker.getSnapshot);
  const onTyping = useCallback(() => void tracker.typed(), [tracker]);
  return { typing, onTyping };
}
