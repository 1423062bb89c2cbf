import { ApiError } from '@communities/client';
import type { Channel, ChannelMessage } from '@communities/contract';
import { useCallback, useEffect, useRef, useState } from 'react';

/** How many times a send refused by slow mode waits and goes again before it is let fail. */
const MAX_HOLDS = 5;

export interface SlowModeNotice {
  /** 'wait': the next send would be held; 'held': a send is waiting and will go by itself. */
  kind: 'wait' | 'held';
  seconds: number;
}

class Cancelled extends Error {}

/**
 * Slow mode for a channel, in the screen: sends made during the wait are held (shown as sending)
 * and go by themselves when it ends, one after another, instead of failing; a 429 the server
 * answers anyway (another device, clock skew) is waited out the same way, for its Retry-After.
 * The shared conversation state machine should own this hold (a pending status with a
 * `retry_at`); until it does, the screen wraps the source's `post`.
 */
export function useSlowMode(channel: Channel, messages: ChannelMessage[], meId: number | undefined) {
  const seconds = channel.viewer_can.manage ? 0 : channel.slow_mode_seconds;
  const mine = meId === undefined ? undefined : messages.findLast((m) => m.author.id === meId);
  // The server's time of our last message; a device clock ahead of the server's never waits longer than the rule.
  const lastSent = mine ? Math.min(Date.parse(mine.created_at), Date.now()) : 0;
  const [sentHere, setSentHere] = useState(0);
  const [heldUntil, setHeldUntil] = useState(0);
  const [holding, setHolding] = useState(0);
  const until = Math.max(seconds > 0 ? Math.max(lastSent, sentHere) + seconds * 1000 : 0, holding > 0 ? heldUntil : 0);
  const [now, setNow] = useState(() => Date.now());
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const timers = useRef(new Set<() => void>());
  const secondsRef = useRef(seconds);
  secondsRef.current = seconds;
  const lastRef = useRef(0);
  lastRef.current = Math.max(lastSent, sentHere);

  useEffect(() => {
    if (until <= Date.now()) return;
    setNow(Date.now());
    const tick = setInterval(() => setNow(Date.now()), 250);
    const stop = setTimeout(() => clearInterval(tick), until - Date.now() + 300);
    return () => {
      clearInterval(tick);
      clearTimeout(stop);
    };
  }, [until]);

  // Leaving the screen ends the waits: a held send is then reported failed, never posted unseen.
  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const cancel of all) cancel();
      all.clear();
    };
  }, []);

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const cancel = () => {
        clearTimeout(id);
        reject(new Cancelled('left the screen'));
      };
      const id = setTimeout(() => {
        timers.current.delete(cancel);
        resolve();
      }, ms);
      timers.current.add(cancel);
    });

  const hold = useCallback(
    <T extends { created_at: string }>(post: () => Promise<T>): Promise<T> => {
      const run = async (): Promise<T> => {
        setHolding((n) => n + 1);
        try {
          for (let attempt = 0; ; attempt++) {
            const wait = secondsRef.current > 0 ? lastRef.current + secondsRef.current * 1000 - Date.now() : 0;
            if (wait > 0) {
              setHeldUntil(Date.now() + wait);
              await sleep(wait);
            }
            try {
              const sent = await post();
              lastRef.current = Math.min(Date.parse(sent.created_at), Date.now());
              setSentHere(lastRef.current);
              return sent;
            } catch (error) {
              if (!(error instanceof ApiError) || error.status !== 429 || attempt >= MAX_HOLDS) throw error;
              const retry = (error.retryAfterSeconds ?? 1) * 1000;
              setHeldUntil(Date.now() + retry);
              await sleep(retry);
            }
          }
        } finally {
          setHolding((n) => n - 1);
        }
      };
      // Under slow mode, one after another: each held send waits for the one before it.
      if (secondsRef.current === 0) return run();
      const next = chain.current.then(run, run);
      chain.current = next.catch(() => undefined);
      return next;
    },
    // Reads the latest rule and times through refs, so the wrapper stays one function.
    [],
  );

  const left = Math.ceil((until - now) / 1000);
  const notice: SlowModeNotice | null =
    left > 0 && (seconds > 0 || holding > 0) ? { kind: holding > 0 ? 'held' : 'wait', seconds: left } : null;
  return { hold, notice };
}
