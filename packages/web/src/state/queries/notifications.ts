import { applyNotificationPrefsPatch } from '@communities/client';
import type { NotificationPrefs, NotificationPrefsPatch } from '@communities/contract';
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
/** A change, and the names of a community or channel it adds (shown before the server answers). */
interface PrefsSave {
  patch: NotificationPrefsPatch;
  names?: Parameters<typeof applyNotificationPrefsPatch>[2];
}

/**
 * Saves a change to the preferences, showing it at once: the switch moves when touched. Saves can
 * overlap (a level, then a switch); the server's answer is taken only when the last one settles,
 * so an earlier answer never puts back a switch the user has just moved. A failed save puts the
 * switches back and refetches.
 */
export function useNotificationPrefsMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: prefsSave,
    mutationFn: ({ patch }: PrefsSave) => api.notifications.updatePreferences({ body: patch }),
    onMutate: async ({ patch, names }) => {
      await qc.cancelQueries({ queryKey: notificationKeys.prefs });
      const before = qc.getQueryData<NotificationPrefs>(notificationKeys.prefs);
      if (before) qc.setQueryData(notificationKeys.prefs, applyNotificationPrefsPatch(before, patch, names));
      return { before };
    },
    onError: (_error, _save, context) => {
      // The last save failing puts the switches back at once (offline, the refetch cannot);
      // with others still pending, their answer or the refetch settles it.
      if (qc.isMutating({ mutationKey: prefsSave }) === 1 && context?.before) qc.setQueryData(notificationKeys.prefs, context.before);
      void qc.invalidateQueries({ queryKey: notificationKeys.prefs });
    },
    onSuccess: (prefs) => {
      if (qc.isMutating({ mutationKey: prefsSave }) === 1) qc.setQueryData(notificationKeys.prefs, prefs);
    },
  });
}
