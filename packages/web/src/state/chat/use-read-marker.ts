import type { AnyMessage, ConversationMachine } from '@communities/client';
import { useEffect, useRef } from 'react';

/**
 * Reads up to the newest message while the reader is at the bottom of a visible page (after a
 * short settle, and again when the tab comes back into view).
 */
export function useReadMarker<M extends AnyMessage>(
  machine: ConversationMachine<M>,
  atBottom: boolean,
  lastId: number,
  onRead?: (id: number) => void,
): void {
  const onReadRef = useRef(onRead);
  onReadRef.current = onRead;
  useEffect(() => {
    const mark = () => {
      if (!atBottom || document.visibilityState !== 'visible') return;
      const id = machine.markRead();
      if (id !== null) onReadRef.current?.(id);
    };
    const timer = setTimeout(mark, 400);
    document.addEventListener('visibilitychange', mark);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', mark);
    };
  }, [atBottom, lastId, machine]);
}
