import { afterEach } from '@jest/globals';
import { QueryClient } from '@tanstack/react-query';
import { render, waitFor } from '@testing-library/react-native';
import type { ReactElement } from 'react';

import type { AnalyticsEvent, CommunitiesAddonConfig } from '../../src/config';
import { CommunitiesProvider } from '../../src/provider';

import type { RealServer } from './server';

const clients = new Set<QueryClient>();

// A test ends with nothing in flight, so no request outlives the server it was sent to.
afterEach(async () => {
  for (const qc of clients) {
    await waitFor(() => {
      if (qc.isFetching() + qc.isMutating() > 0) throw new Error('requests still in flight');
    });
    qc.clear();
  }
  clients.clear();
});

export interface Harness {
  events: AnalyticsEvent[];
  /** How often the addon told the host to sign the user in again. */
  unauthorized: () => number;
  /** Switch the device "offline": every request fails the way React Native's fetch does. */
  network: { offline: boolean; requests: Array<{ method: string; url: string; /** a JSON body as sent */ body?: string }> };
  queryClient: QueryClient;
}

/**
 * Renders `ui` inside the real provider, talking to a real server over real fetch, as `userId`
 * (or with `token` when given: a bad one tests the 401 path).
 */
export async function renderWithServer(
  ui: ReactElement,
  server: RealServer,
  userId: number | null,
  overrides: Partial<CommunitiesAddonConfig> & { badToken?: boolean } = {},
): Promise<Harness> {
  const events: AnalyticsEvent[] = [];
  let unauthorized = 0;
  const network: Harness['network'] = { offline: false, requests: [] };
  const { badToken, ...rest } = overrides;
  const config: CommunitiesAddonConfig = {
    baseUrl: server.url,
    token: () => (badToken ? 'not-a-valid-jwt' : userId === null ? null : server.token(userId)),
    onUnauthorized: () => unauthorized++,
    analytics: (e) => events.push(e),
    realtime: false,
    fetch: (input, init) => {
      network.requests.push({
        method: init?.method ?? 'GET',
        url: String(input),
        ...(typeof init?.body === 'string' ? { body: init.body } : {}),
      });
      if (network.offline) return Promise.reject(new TypeError('Network request failed'));
      return fetch(input, init);
    },
    ...rest,
  };
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false, gcTime: Infinity } },
  });
  clients.add(queryClient);
  await render(
    <CommunitiesProvider config={config} queryClient={queryClient}>
      {ui}
    </CommunitiesProvider>,
  );
  return { events, unauthorized: () => unauthorized, network, queryClient };
}
