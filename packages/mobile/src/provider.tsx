import { createApi, createRealtime, type Realtime } from '@communities/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';

import { defaultTheme, type CommunitiesAddonConfig } from './config';
import { AddonContext, type AddonContextValue } from './context';
import { createI18n, type Translations } from './i18n';
import { isTransient } from './lib/errors';
import { useFeaturesQuery, useMeQuery } from './state/queries/system';
import { useSubscriptionLive } from './state/queries/communities';
import { useNotificationsLive } from './state/queries/notifications';

/** The addon's query cache: retry only what may pass next time (network, 5xx), never a 4xx. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: (count, error) => count < 2 && isTransient(error), staleTime: 30_000 },
      mutations: { retry: false },
    },
  });
}

export interface CommunitiesProviderProps {
  config: CommunitiesAddonConfig;
  /** Extra translations by language code, in the shape of locales/en/communities.json. */
  translations?: Record<string, Partial<Translations> | object>;
  /** A query client of the host's own; by default the addon keeps its own cache. */
  queryClient?: QueryClient;
  children: ReactNode;
}

/**
 * Wrap the addon's screens once (e.g. around the host's navigator): it holds the API client,
 * the query cache, translations, the theme and the realtime connection.
 */
export function CommunitiesProvider({ config, translations, queryClient, children }: CommunitiesProviderProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  const locale = config.locale ?? 'en';
  const i18n = useMemo(() => createI18n(locale, translations), [translations]); // eslint-disable-line react-hooks/exhaustive-deps -- a new locale switches this instance's language below, without a new instance
  // Switching language needs no remount: the same instance changes language and every screen re-renders.
  useEffect(() => {
    if (i18n.language !== locale) void i18n.changeLanguage(locale);
  }, [i18n, locale]);
  return (
    <QueryClientProvider client={client}>
      <I18nextProvider i18n={i18n}>
        <AddonState config={config}>{children}</AddonState>
      </I18nextProvider>
    </QueryClientProvider>
  );
}

function AddonState({ config, children }: { config: CommunitiesAddonConfig; children: ReactNode }) {
  // Hosts often pass a fresh config object each render: callbacks are read through a ref.
  const latest = useRef(config);
  latest.current = config;
  const { baseUrl } = config;
  const api = useMemo(
    () =>
      createApi({
        baseUrl,
        token: () => latest.current.token(),
        // The server answers (error messages) in the app's language; the host's own headers may override it.
        headers: () => ({ 'x-locale': latest.current.locale ?? 'en', ...(latest.current.headers?.() ?? {}) }),
        onUnauthorized: () => latest.current.onUnauthorized(),
        fetch: (...args: Parameters<typeof fetch>) => (latest.current.fetch ?? fetch)(...args),
      }),
    [baseUrl],
  );
  const featuresQuery = useFeaturesQuery(api);
  const features = featuresQuery.data ?? null;
  const { refetch } = featuresQuery;
  const refetchFeatures = useCallback(() => void refetch(), [refetch]);
  const me = useMeQuery(api, Boolean(features?.enabled)).data ?? null;
  const [realtime, setRealtime] = useState<Realtime | null>(null);
  const push = features?.enabled && features.realtime.driver !== 'database' && config.realtime !== false ? features.realtime : null;

  useEffect(() => {
    if (!push) return;
    const rt = createRealtime({
      realtime: push,
      baseUrl,
      token: () => latest.current.token(),
      headers: () => latest.current.headers?.() ?? {},
    });
    setRealtime(rt);
    return () => {
      setRealtime(null);
      rt.disconnect();
    };
  }, [push, baseUrl]);

  const track = useCallback<AddonContextValue['track']>(
    (type, name, params) => latest.current.analytics?.({ type, name, ...(params ? { params } : {}) }),
    [],
  );
  const theme = useMemo(() => ({ ...defaultTheme, ...config.theme }), [config.theme]);
  const value = useMemo<AddonContextValue>(
    () => ({
      config,
      api,
      theme,
      features,
      featuresError: featuresQuery.error,
      refetchFeatures,
      realtime,
      me,
      track,
    }),
    [config, api, theme, features, featuresQuery.error, refetchFeatures, realtime, me, track],
  );
  return (
    <AddonContext.Provider value={value}>
      <SubscriptionWatch />
      {children}
    </AddonContext.Provider>
  );
}

/** Listens for the user's subscription changes wherever the addon is mounted (renders nothing). */
function SubscriptionWatch() {
  useSubscriptionLive();
  useNotificationsLive();
  return null;
}
