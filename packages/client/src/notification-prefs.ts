import type { NotificationPrefs, NotificationPrefsPatch, ScopePrefs } from '@communities/contract';

/**
 * The preferences as they will be once the server has applied `patch`, so a switch moves when it
 * is touched rather than when the answer comes back (and moves back if the save fails). The server
 * stays the source of truth: its answer replaces this once the last pending save has settled.
 */
export function applyNotificationPrefsPatch(
  prefs: NotificationPrefs,
  patch: NotificationPrefsPatch,
  /** What a scope not yet in the list is called (the menu that sets it knows). */
  names: { community_name: string; channel_name: string | null } = { community_name: '', channel_name: null },
): NotificationPrefs {
  if (patch.community_id === undefined) {
    const kinds = { ...prefs.kinds };
    for (const [k, v] of Object.entries(patch.kinds ?? {}) as [keyof typeof kinds, Partial<(typeof kinds)[keyof typeof kinds]>][])
      kinds[k] = { ...kinds[k], ...v };
    return { ...prefs, kinds, level: patch.level ?? prefs.level };
  }
  const community_id = patch.community_id;
  const channel_id = patch.channel_id ?? 0;
  const same = (s: ScopePrefs) => s.community_id === community_id && s.channel_id === channel_id;
  const before = prefs.scopes.find(same);
  const scope = {
    ...(before ?? { community_id, channel_id, ...names, muted: false, level: null }),
    ...(patch.muted !== undefined ? { muted: patch.muted } : {}),
    ...(patch.level !== undefined ? { level: patch.level } : {}),
  };
  // As the server lists them: a scope with nothing set is not listed.
  const others = prefs.scopes.filter((s) => !same(s));
  const scopes = scope.muted || scope.level ? [...others, scope] : others;
  scopes.sort((a, b) => a.community_id - b.community_id || a.channel_id - b.channel_id);
  return { ...prefs, scopes };
}

/** A save of the preferences: the change, and the names of a community or channel it adds. */
export interface NotificationPrefsSave {
  patch: NotificationPrefsPatch;
  names?: Parameters<typeof applyNotificationPrefsPatch>[2];
}

/** Where a client keeps the preferences it shows (its query cache), as the save rule needs it. */
export interface NotificationPrefsCache {
  /** Stops a read in flight, so its older answer cannot land over a change. */
  cancel(): Promise<void>;
  get(): NotificationPrefs | undefined;
  set(prefs: NotificationPrefs): void;
  /** Saves not yet settled, this one included. */
  pendingSaves(): number;
  /** Reads them again from the server. */
  refetch(): void;
}

/**
 * The calls of TanStack Query's QueryClient a preferences cache needs, by shape (this package
 * does not depend on TanStack Query; both apps' QueryClient fits).
 */
export interface PrefsQueryClient {
  cancelQueries(filters: { queryKey: readonly unknown[] }): Promise<void>;
  getQueryData(queryKey: readonly unknown[]): unknown;
  setQueryData(queryKey: readonly unknown[], data: NotificationPrefs): unknown;
  isMutating(filters: { mutationKey: readonly unknown[] }): number;
  invalidateQueries(filters: { queryKey: readonly unknown[] }): Promise<void>;
}

/** The preferences cache over an app's QueryClient: `prefs` holds them, `save` keys the save mutation. */
export function queryClientPrefsCache(
  qc: PrefsQueryClient,
  keys: { prefs: readonly unknown[]; save: readonly unknown[] },
): NotificationPrefsCache {
  return {
    cancel: () => qc.cancelQueries({ queryKey: keys.prefs }),
    get: () => qc.getQueryData(keys.prefs) as NotificationPrefs | undefined,
    set: (prefs) => void qc.setQueryData(keys.prefs, prefs),
    pendingSaves: () => qc.isMutating({ mutationKey: keys.save }),
    refetch: () => void qc.invalidateQueries({ queryKey: keys.prefs }),
  };
}

/**
 * How web and mobile save the preferences (the handlers of their save mutation): the change shows
 * at once (the switch moves when touched); saves can overlap (a level, then a switch), and the
 * server's answer is taken only when the last one settles, so an earlier answer never puts back a
 * switch just moved; the last save failing puts the switches back at once (offline, a refetch
 * cannot) and refetches.
 */
export function notificationPrefsSaveHandlers(cache: NotificationPrefsCache) {
  return {
    onMutate: async ({ patch, names }: NotificationPrefsSave) => {
      await cache.cancel();
      const before = cache.get();
      if (before) cache.set(applyNotificationPrefsPatch(before, patch, names));
      return { before };
    },
    onError: (_error: unknown, _save: NotificationPrefsSave, context: { before?: NotificationPrefs } | undefined) => {
      if (cache.pendingSaves() === 1 && context?.before) cache.set(context.before);
      cache.refetch();
    },
    onSuccess: (prefs: NotificationPrefs) => {
      if (cache.pendingSaves() === 1) cache.set(prefs);
    },
  };
}

/**
 * A community's (or, with `channelId`, a channel's) own override, what a save to it sends, and the
 * names a preview shows before the server answers: what a scope's level-and-mute control needs.
 */
export function notificationScope(
  prefs: NotificationPrefs | undefined,
  where: { communityId: number; communityName: string; channelId?: number; channelName?: string },
) {
  const channelId = where.channelId ?? 0;
  return {
    scope: prefs?.scopes.find((s) => s.community_id === where.communityId && s.channel_id === channelId),
    ids: { community_id: where.communityId, ...(channelId ? { channel_id: channelId } : {}) },
    names: { community_name: where.communityName, channel_name: where.channelName ?? null },
  };
}

/** Whether nothing from `channel` reaches the bell: it, or its whole community, is muted. */
export function channelMuted(prefs: NotificationPrefs | undefined, channel: { id: number; community_id: number }): boolean {
  return (
    prefs?.scopes.some((s) => s.community_id === channel.community_id && s.muted && (s.channel_id === 0 || s.channel_id === channel.id)) ??
    false
  );
}
