import type { NotificationPrefs } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { queryClientPrefsCache, type PrefsQueryClient } from './notification-prefs';

describe('queryClientPrefsCache', () => {
  it('reads and writes the prefs key, counts saves by the save key, and refetches the prefs', async () => {
    const calls: unknown[][] = [];
    const data = new Map<string, unknown>();
    const qc: PrefsQueryClient = {
      cancelQueries: async (f) => void calls.push(['cancel', f.queryKey]),
      getQueryData: (key) => data.get(JSON.stringify(key)),
      setQueryData: (key, value) => data.set(JSON.stringify(key), value),
      isMutating: (f) => (calls.push(['mutating', f.mutationKey]), 2),
      invalidateQueries: async (f) => void calls.push(['invalidate', f.queryKey]),
    };
    const cache = queryClientPrefsCache(qc, { prefs: ['prefs'], save: ['prefs', 'save'] });
    const prefs = { default_level: 'all' } as unknown as NotificationPrefs;
    expect(cache.get()).toBeUndefined();
    cache.set(prefs);
    expect(cache.get()).toBe(prefs);
    await cache.cancel();
    expect(cache.pendingSaves()).toBe(2);
    cache.refetch();
    expect(calls).toEqual([
      ['cancel', ['prefs']],
      ['mutating', ['prefs', 'save']],
      ['invalidate', ['prefs']],
    ]);
  });
});
