import { notificationPrefsSaveHandlers, queryClientPrefsCache, onEvent, type NotificationPrefsSave } from '@communities/client';
import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { useAddon } from '../../context';

export const notificationKeys = {
  all: ['notifications'] as const,
  list: (limit: number) => ['notifications', 'list', limit] as const,
  unread: ['notifications', 'unread'] as const,
  // Apart from `all`: a new notification refreshes the list, never a preference being saved.
  prefs: ['notification-prefs'] as const,
};

export function useNotificationsQuery(limit = 30) {
  const { api } = useAddon();
  return useInfiniteQuery({
    queryKey: notificationKeys.list(limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.notifications.list({ query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** The unread count (the menu's badge): one item fetched, the count comes with it. */
export function useNotificationUnread(enabled = true): number {
  const { api } = useAddon();
  const q = useQuery({
    queryKey: notificationKeys.unread,
    queryFn: ({ signal }) => api.notifications.list({ query: { limit: 1 } }, { signal }),
    enabled,
  });
  return q.data?.unread_count ?? 0;
}

export function useMarkNotificationsRead() {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { ids: number[] } | { all: true }) => api.notifications.markRead({ body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useNotificationPrefsQuery() {
  const { api } = useAddon();
  return useQuery({ queryKey: notificationKeys.prefs, queryFn: ({ signal }) => api.notifications.preferences(undefined, { signal }) });
}

const prefsSave = ['notification-prefs', 'save'] as const;
/** Saves a change to the preferences, as every client does (see notificationPrefsSaveHandlers). */
export function useNotificationPrefsMutation() {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationKey: prefsSave,
    mutationFn: ({ patch }: NotificationPrefsSave) => api.notifications.updatePreferences({ body: patch }),
    ...notificationPrefsSaveHandlers(queryClientPrefsCache(qc, { prefs: notificationKeys.prefs, save: prefsSave })),
  });
}

/**
 * Wherever the addon is mounted: a new notification (or a read on another device) refreshes the
 * list and the badge, and the host's `onNotification` hears each new one (to show its own push
 * or banner while the app is open).
 */
export function useNotificationsLive(): void {
  const { realtime, features, me, config } = useAddon();
  const qc = useQueryClient();
  const callback = useRef(config.onNotification);
  callback.current = config.onNotification;
  const prefix = features?.realtime.channel_prefix;
  const meId = me?.id;
  useEffect(() => {
    if (!realtime || prefix === undefined || meId === undefined) return;
    const channel = realtimeChannel.user(prefix, meId);
    const offCreated = onEvent(realtime, channel, REALTIME_EVENTS.notificationCreated, (d) => {
      qc.setQueryData(notificationKeys.unread, (old: { items: unknown[]; next_cursor: string | null; unread_count: number } | undefined) =>
        old ? { ...old, unread_count: d.unread_count } : old,
      );
      void qc.invalidateQueries({ queryKey: notificationKeys.all });
      callback.current?.(d.notification, d.unread_count);
    });
    const offRead = onEvent(realtime, channel, REALTIME_EVENTS.notificationsRead, () => {
      void qc.invalidateQueries({ queryKey: notificationKeys.all });
    });
    return () => {
      offCreated();
      offRead();
    };
  }, [realtime, prefix, meId, qc]);
}
