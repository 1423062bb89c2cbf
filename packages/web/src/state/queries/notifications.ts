import { notificationPrefsSaveHandlers, queryClientPrefsCache, type NotificationPrefsSave } from '@communities/client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import { api } from '../../api';

export const notificationKeys = {
  all: ['notifications'] as const,
  list: (limit: number) => ['notifications', 'list', limit] as const,
  prefs: ['notifications', 'prefs'] as const,
};

export const refreshNotifications = (qc: QueryClient) => void qc.invalidateQueries({ queryKey: notificationKeys.all });

/** The caller's notifications, newest first, with the unread count (the bell). */
export function useNotificationsQuery(limit = 20) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.notifications.list({ query: { limit, ...(pageParam ? { cursor: pageParam } : {}) } }, { signal }),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useMarkReadMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { ids: number[] } | { all: true }) => api.notifications.markRead({ body }),
    onSuccess: () => refreshNotifications(qc),
  });
}

export function useNotificationPrefsQuery() {
  return useQuery({ queryKey: notificationKeys.prefs, queryFn: ({ signal }) => api.notifications.preferences(undefined, { signal }) });
}

const prefsSave = ['notifications', 'prefs', 'save'] as const;

/** Saves a change to the preferences, as every client does (see notificationPrefsSaveHandlers). */
export function useNotificationPrefsMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: prefsSave,
    mutationFn: ({ patch }: NotificationPrefsSave) => api.notifications.updatePreferences({ body: patch }),
    ...notificationPrefsSaveHandlers(queryClientPrefsCache(qc, { prefs: notificationKeys.prefs, save: prefsSave })),
  });
}
