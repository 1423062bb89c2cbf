import { createApi } from '@communities/client';

export const TOKEN_KEY = 'communities.token';

/** Same-origin API; Bearer token when the page was opened with one (demo, WebView), else the session cookie. */
export const api = createApi({
  baseUrl: '',
  credentials: 'same-origin',
  token: () => localStorage.getItem(TOKEN_KEY),
});
