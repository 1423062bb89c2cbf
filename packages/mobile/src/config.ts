import type { TokenProvider } from '@communities/client';

/** What a host app (the RocketLMS mobile app, or any RN app) gives the addon once. */
export interface CommunitiesAddonConfig {
  /** Origin of the addon's API, e.g. https://school.example.com */
  baseUrl: string;
  /** The host app's RocketLMS JWT. */
  token: TokenProvider;
  /** Called on a 401: send the user to the host's sign-in. */
  onUnauthorized: () => void;
  /** Screen views and taps, forwarded to the host's analytics. */
  analytics?: (event: { type: 'screen_view' | 'tap'; name: string; params?: Record<string, unknown> }) => void;
  locale?: string;
  theme?: Partial<CommunitiesTheme>;
}

export interface CommunitiesTheme {
  primary: string;
  background: string;
  surface: string;
  text: string;
  muted: string;
  danger: string;
}

export const defaultTheme: CommunitiesTheme = {
  primary: '#5b5bd6',
  background: '#f6f7fb',
  surface: '#ffffff',
  text: '#1f2330',
  muted: '#667085',
  danger: '#b42318',
};
