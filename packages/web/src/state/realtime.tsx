import { createRealtime, onEvent, type Realtime } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel, type Attachment, type RealtimeEventData, type RealtimeEventName } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

import { TOKEN_KEY } from '../api';

import { refreshDms } from './queries/dm';
import { refreshNotifications } from './queries/notifications';
import { useFeatures, useMe } from './session';

/**
 * One pusher-js connection for the whole app. Subscriptions are counted, so the sidebar, the
 * message stream and the composer can share a channel and leave it only when nobody needs it.
 */
export class RealtimeHub {
  private readonly refs = new Map<string, number>();
  constructor(
    readonly rt: Realtime,
    readonly prefix: string,
    readonly me: number,
  ) {}

  acquire(channel: string): () => void {
    this.refs.set(channel, (this.refs.get(channel) ?? 0) + 1);
    // Idempotent in pusher-js, and it reinstates a subscription a quick release just cancelled.
    this.rt.pusher.subscribe(channel);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.refs.get(channel) ?? 1) - 1;
      if (n > 0) this.refs.set(channel, n);
      else {
        this.refs.delete(channel);
        this.rt.leave(channel);
      }
    };
  }

  on(channel: string, event: string, handler: (data: unknown) => void): () => void {
    const release = this.acquire(channel);
    const off = this.rt.on(channel, event, handler);
    return () => {
      off();
      release();
    };
  }
}

const HubContext = createContext<RealtimeHub | null>(null);
type ScanListener = (a: Attachment) => void;
const scanListeners = new Set<ScanListener>();

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const features = useFeatures();
  const me = useMe();
  const qc = useQueryClient();
  const [hub, setHub] = useState<RealtimeHub | null>(null);
  const realtime = features.data?.realtime;
  const userId = me.data?.id;

  useEffect(() => {
    if (!realtime || !userId) return;
    const rt = createRealtime({ realtime, baseUrl: window.location.origin, token: () => localStorage.getItem(TOKEN_KEY) });
    const h = new RealtimeHub(rt, realtime.channel_prefix, userId);
    setHub(h);
    // The user's own channel: DM inbox changes, read states, upload scans.
    const user = realtimeChannel.user(realtime.channel_prefix, userId);
    const refresh = () => refreshDms(qc);
    const offs = [
      onEvent(h, user, REALTIME_EVENTS.dmThreadUpdated, refresh),
      // Once subscribed (and again after a reconnect), what changed before or meanwhile is in the
      // server's counts: events published while the socket was still connecting never arrive.
      // `data-realtime` on the document says the user's channel is live (the e2e tests wait for it).
      h.on(user, 'pusher:subscription_succeeded', () => {
        refresh();
        refreshNotifications(qc);
        document.documentElement.dataset.realtime = 'live';
      }),
      onEvent(h, user, REALTIME_EVENTS.uploadScanned, (a) => {
        for (const l of scanListeners) l(a);
      }),
    ];
    const notLive = (st: { current: string }) => {
      if (st.current !== 'connected') delete document.documentElement.dataset.realtime;
    };
    rt.pusher.connection.bind('state_change', notLive);
    return () => {
      rt.pusher.connection.unbind('state_change', notLive);
      for (const off of offs) off();
      rt.disconnect();
      delete document.documentElement.dataset.realtime;
      setHub(null);
    };
  }, [realtime, userId, qc]);

  return <HubContext.Provider value={hub}>{children}</HubContext.Provider>;
}

export const useRealtime = (): RealtimeHub | null => useContext(HubContext);

/** Calls the latest `handler` with each `event` on `channel`, parsed by its schema, while mounted (null channel: nothing). */
export function useRealtimeEvent<N extends RealtimeEventName>(
  channel: string | null,
  event: N,
  handler: (data: RealtimeEventData<N>) => void,
): void {
  const hub = useRealtime();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!hub || !channel) return;
    return onEvent(hub, channel, event, (d) => ref.current(d));
  }, [hub, channel, event]);
}

/** Calls the latest `handler` each time `channel` is subscribed (again, after a reconnect), while mounted. */
export function useRealtimeSubscribed(channel: string | null, handler: () => void): void {
  const hub = useRealtime();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!hub || !channel) return;
    return hub.on(channel, 'pusher:subscription_succeeded', () => ref.current());
  }, [hub, channel]);
}

export function useUploadScanned(handler: ScanListener): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    const l: ScanListener = (a) => ref.current(a);
    scanListeners.add(l);
    return () => void scanListeners.delete(l);
  }, []);
}

export type ConnectionState = 'online' | 'connecting' | 'offline';

/** The browser's and the socket's view of the network, for the offline banner. */
export function useConnection(): { state: ConnectionState; retry: () => void } {
  const hub = useRealtime();
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine);
  const [socket, setSocket] = useState<string>('connected');
  useEffect(() => {
    const on = () => setBrowserOnline(navigator.onLine);
    window.addEventListener('online', on);
    window.addEventListener('offline', on);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', on);
    };
  }, []);
  useEffect(() => {
    if (!hub) return;
    const conn = hub.rt.pusher.connection;
    const on = (s: { current: string }) => setSocket(s.current);
    conn.bind('state_change', on);
    setSocket(conn.state);
    return () => void conn.unbind('state_change', on);
  }, [hub]);
  const state: ConnectionState =
    !browserOnline || socket === 'unavailable' || socket === 'failed' ? 'offline' : socket === 'connected' ? 'online' : 'connecting';
  return {
    state,
    retry: () => {
      hub?.rt.pusher.connect();
    },
  };
}
