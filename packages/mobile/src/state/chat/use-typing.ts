import { useCallback, useEffect, useRef, useState } from 'react';

import { useAddon } from '../../context';

const EVENT = 'client-typing';
/** How long a name stays after its last keystroke signal, and how often we send ours. */
const SHOWN_MS = 5000;
const SEND_EVERY_MS = 2500;

type Typers = Map<number, { name: string; at: number }>;

/** Who typed in the last few seconds, oldest first, never ourselves. */
export function activeTypers(typers: Typers, now: number, meId: number | undefined, windowMs = SHOWN_MS): string[] {
  return [...typers.entries()]
    .filter(([id, t]) => id !== meId && now - t.at < windowMs)
    .sort((a, b) => a[1].at - b[1].at)
    .map(([, t]) => t.name);
}

interface PresenceChannel {
  subscribed: boolean;
  trigger(event: string, data: unknown): boolean;
  bind(event: string, fn: (data: unknown) => void): void;
  unbind(event: string, fn: (data: unknown) => void): void;
}

/**
 * "Ana is typing…" over a presence channel's client events (the server relays them between
 * members; there is no REST side). `lastMessage` ends its author's typing when it arrives.
 */
export function useTyping(presenceChannel: string | null, lastMessage: { id: number; author: { id: number } } | undefined) {
  const { realtime, me } = useAddon();
  const [typers, setTypers] = useState<Typers>(() => new Map());
  const [now, setNow] = useState(() => Date.now());
  const channel = useRef<PresenceChannel | null>(null);
  const forget = useCallback(
    (userId: number) =>
      setTypers((prev) => {
        if (!prev.has(userId)) return prev;
        const next = new Map(prev);
        next.delete(userId);
        return next;
      }),
    [],
  );

  useEffect(() => {
    if (!realtime || !presenceChannel) return;
    // subscribe() (not channel() ?? subscribe()) also revives a subscription cancelled while pending
    const ch = realtime.pusher.subscribe(presenceChannel) as unknown as PresenceChannel;
    channel.current = ch;
    const onTyping = (data: unknown) => {
      const d = data as { user_id?: unknown; name?: unknown };
      if (typeof d.user_id !== 'number' || typeof d.name !== 'string') return;
      const at = Date.now();
      setTypers((prev) => new Map(prev).set(d.user_id as number, { name: (d.name as string).slice(0, 80), at }));
      setNow(at);
    };
    const onLeft = (data: unknown) => forget(Number((data as { id?: string }).id));
    ch.bind(EVENT, onTyping);
    ch.bind('pusher:member_removed', onLeft);
    return () => {
      ch.unbind(EVENT, onTyping);
      ch.unbind('pusher:member_removed', onLeft);
      channel.current = null;
      realtime.leave(presenceChannel);
    };
  }, [realtime, presenceChannel, forget]);

  const lastId = lastMessage?.id;
  const lastAuthor = lastMessage?.author.id;
  useEffect(() => {
    if (lastAuthor !== undefined) forget(lastAuthor);
  }, [lastId, lastAuthor, forget]);

  const typing = activeTypers(typers, now, me?.id);
  // Names fade on their own: tick while anyone is shown.
  useEffect(() => {
    if (typing.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [typing.length]);

  const lastSent = useRef(0);
  const meId = me?.id;
  const meName = me?.name;
  const notifyTyping = useCallback(() => {
    const ch = channel.current;
    if (!ch?.subscribed || meId === undefined || Date.now() - lastSent.current < SEND_EVERY_MS) return;
    lastSent.current = Date.now();
    ch.trigger(EVENT, { user_id: meId, name: meName });
  }, [meId, meName]);

  return { typing, notifyTyping };
}
