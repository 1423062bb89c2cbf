import type { Api, Realtime } from '@communities/client';
import type { FeatureName, FeaturesResponse, Me } from '@communities/contract';
import { createContext, useContext } from 'react';

import type { AnalyticsEvent, CommunitiesAddonConfig, CommunitiesTheme } from './config';

export interface AddonContextValue {
  config: CommunitiesAddonConfig;
  api: Api;
  theme: CommunitiesTheme;
  /** Server features once loaded; null while loading or when the server could not be reached. */
  features: FeaturesResponse | null;
  /** Why features could not be loaded (offline, server down), with a way to try again. */
  featuresError: unknown;
  refetchFeatures: () => void;
  /** Live updates (pusher-js), once features are known and the server pushes; null otherwise. */
  realtime: Realtime | null;
  /** The signed-in user once known (to mark "you" and own messages). */
  me: Me | null;
  track: (type: AnalyticsEvent['type'], name: string, params?: Record<string, unknown>) => void;
}

export const AddonContext = createContext<AddonContextValue | null>(null);

export function useAddon(): AddonContextValue {
  const value = useContext(AddonContext);
  if (!value) throw new Error('Communities screens must be rendered inside <CommunitiesProvider>');
  return value;
}

/** Whether the server has a feature on (false while features are unknown). */
export function useFeature(name: FeatureName): boolean {
  const { features } = useAddon();
  return Boolean(features?.enabled && features.features[name]);
}
