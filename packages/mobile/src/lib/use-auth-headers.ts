import { useEffect, useState } from 'react';

import { useAddon } from '../context';

/**
 * The headers an authorised download needs outside the API client (an <Image> fetching a
 * thumbnail): the host's token as a Bearer and its extra headers. Null while the token resolves.
 */
export function useAuthHeaders(): Record<string, string> | null {
  const { config } = useAddon();
  const [headers, setHeaders] = useState<Record<string, string> | null>(null);
  useEffect(() => {
    let live = true;
    Promise.resolve(config.token())
      .then((token) => {
        if (live) setHeaders({ ...(config.headers?.() ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) });
      })
      .catch(() => live && setHeaders({}));
    return () => {
      live = false;
    };
    // The token is read once per mount: a thumbnail does not refetch when the host refreshes it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return headers;
}

/** A server path (`/api/communities/uploads/…`, already carrying any base path) on the addon's origin. */
export function absoluteUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  const origin = /^https?:\/\/[^/]+/i.exec(baseUrl)?.[0] ?? '';
  return `${origin}${path}`;
}
