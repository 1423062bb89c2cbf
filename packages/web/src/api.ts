import { createApi } from '@communities/client';

import { pickedLocale } from './i18n';

export const TOKEN_KEY = 'communities.token';

/**
 * Same-origin API; Bearer token when the page was opened with one (demo, WebView), else the session cookie.
 * A language picked in this browser goes along as `x-locale`, so the server's messages match it; otherwise
 * the server chooses (RocketLMS `users.language`, then Accept-Language).
 */
export const api = createApi({
  baseUrl: '',
  credentials: 'same-origin',
  token: () => localStorage.getItem(TOKEN_KEY),
  headers: (): Record<string, string> => {
    const locale = pickedLocale();
    return locale ? { 'x-locale': locale } : {};
  },
});
