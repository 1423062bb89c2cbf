import type { TokenProvider } from '@communities/client';
import type { Notification, RealtimeEventData } from '@communities/contract';

export interface AnalyticsEvent {
  type: 'screen_view' | 'tap';
  name: string;
  params?: Record<string, unknown>;
}

/** A file the host's picker hands over: a Blob (web, tests) or React Native's `{ uri, name, type }`. */
export interface PickedFile {
  name: string;
  type: string;
  uri?: string;
  blob?: Blob;
}

/** A paid tier to buy on RocketLMS's checkout: where, and for which community and tier. */
export interface CheckoutRequest {
  url: string;
  communityId: number;
  tierId: number;
  tierName: string;
}

/** What a host app (the RocketLMS mobile app, or any RN app) gives the addon once. */
export interface CommunitiesAddonConfig {
  /** Origin of the addon's API, e.g. https://school.example.com */
  baseUrl: string;
  /** The host app's RocketLMS JWT. */
  token: TokenProvider;
  /** Called on a 401: send the user to the host's sign-in. */
  onUnauthorized: () => void;
  /** Screen views and taps, forwarded to the host's analytics. */
  analytics?: (event: AnalyticsEvent) => void;
  locale?: string;
  theme?: Partial<CommunitiesTheme>;
  /** The host's attachment picker (document or image picker); without it the composer has no attach button. */
  pickAttachment?: () => Promise<PickedFile | null>;
  /**
   * Puts text on the clipboard (e.g. `Clipboard.setString` of @react-native-clipboard/clipboard);
   * without it "Copy" uses React Native's deprecated core Clipboard.
   */
  copyToClipboard?: (text: string) => void;
  /**
   * Opens RocketLMS's checkout for a paid tier (its page for the course, bundle or plan): e.g. in
   * the host app's WebView, signed in, and back to the community afterwards. Without it the tier
   * sheet hands the URL to React Native's Linking (the system browser).
   */
  openCheckout?: (checkout: CheckoutRequest) => void;
  /**
   * A paid-tier subscription of the user changed (activated, renewed, expiring, past_due,
   * expired, cancelled), live from the server: e.g. a toast or a push-style banner in the host
   * app. The addon already fetches communities, channels and feeds again so gated ones open or close.
   */
  onSubscriptionChanged?: (event: SubscriptionChangedEvent) => void;
  /**
   * A notification arrived live (a mention, a reply, a DM while away, a decision…), with the
   * user's unread count: e.g. the host app's own push-style banner or local notification. The
   * addon already refreshes its list and the menu badge.
   */
  onNotification?: (notification: Notification, unreadCount: number) => void;
  /** Optional headers per request, e.g. RocketLMS's x-api-key. */
  headers?: () => Record<string, string>;
  /** Replaces the global fetch (logging, certificate pinning, tests). */
  fetch?: typeof fetch;
  /** Live updates through pusher-js; on by default when the server pushes. */
  realtime?: boolean;
}

export type SubscriptionChangedEvent = RealtimeEventData<'subscription.changed'>;

export interface CommunitiesTheme {
  primary: string;
  background: string;
  surface: string;
  text: string;
  muted: string;
  danger: string;
  border: string;
  onPrimary: string;
}

export const defaultTheme: CommunitiesTheme = {
  primary: '#5b5bd6',
  background: '#f6f7fb',
  surface: '#ffffff',
  text: '#1f2330',
  muted: '#667085',
  danger: '#b42318',
  border: '#e4e7ec',
  onPrimary: '#ffffff',
};
