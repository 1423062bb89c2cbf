import { slowModeUntil, type AnyMessage, type ConversationSnapshot } from '@communities/client';
import { useEffect, useState } from 'react';

/**
 * Slow mode: seconds left after the viewer's last message, or while a send is held by a 429
 * (`held`), counting down to 0.
 */
export function useSlowMode(snap: ConversationSnapshot<AnyMessage>, meId: number, seconds: number): { left: number; held: boolean } {
  const { until, heldUntil } = slowModeUntil(snap, meId, seconds);
  const [clock, setClock] = useState(() => Date.now());
  useEffect(() => {
    if (until <= Date.now()) return;
    setClock(Date.now());
    const timer = setInterval(() => setClock(Date.now()), 250);
    const stop = setTimeout(() => clearInterval(timer), until - Date.now() + 300);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [until]);
  return { left: Math.ceil((until - clock) / 1000), held: heldUntil > clock };
}
