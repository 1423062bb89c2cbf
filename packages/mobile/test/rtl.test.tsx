import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react-native';
import { StyleSheet } from 'react-native';

import type { CommunitiesAddonConfig } from '../src/config';
import { CommunitiesProvider } from '../src/provider';
import { CommunityListScreen } from '../src/screens/CommunityList';

import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

/**
 * The addon in Arabic: the host passes `locale: 'ar'` (and, here, a few test-only strings, so this passes
 * whether or not locales/ar/communities.json ships). Screens lay out right to left, the server is asked in
 * Arabic (x-locale), and a new `locale` switches language in place.
 */
const ARABIC = { discover: { search: 'ابحث في المجتمعات', all: 'الكل' } };

let s: RealServer;
beforeAll(async () => {
  s = await startRealServer();
  await seedCommunity(s, { name: 'Desert Sketchers' });
});
afterAll(async () => {
  await s?.close();
});

describe('Arabic, right to left', () => {
  it('renders the community list in Arabic, laid out right to left, and switches to English in place', async () => {
    const headers: Array<Record<string, string>> = [];
    const config = (locale: string): CommunitiesAddonConfig => ({
      baseUrl: s.url,
      token: () => s.token(s.demo.studentIds[0]!),
      onUnauthorized: () => undefined,
      realtime: false,
      locale,
      fetch: (input, init) => {
        headers.push({ ...(init?.headers as Record<string, string>) });
        return fetch(input, init);
      },
    });
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    const translations = { ar: ARABIC };
    const ui = (locale: string) => (
      <CommunitiesProvider config={config(locale)} translations={translations} queryClient={queryClient}>
        <CommunityListScreen onOpenCommunity={() => undefined} />
      </CommunitiesProvider>
    );
    const view = await render(ui('ar'));

    const search = await screen.findByLabelText('ابحث في المجتمعات');
    expect(search.props.placeholder).toBe('ابحث في المجتمعات');
    expect(await screen.findByText('Desert Sketchers')).toBeTruthy();
    expect(StyleSheet.flatten(screen.getByTestId('community-list-screen').props.style).direction).toBe('rtl');
    // Strings without an Arabic translation fall back to English, key by key.
    expect(screen.getByText('الكل')).toBeTruthy();
    expect(headers.some((h) => h['x-locale'] === 'ar')).toBe(true);

    const searchBox = screen.getByLabelText('ابحث في المجتمعات');
    await view.rerender(ui('en'));
    await screen.findByLabelText('Search communities');
    expect(StyleSheet.flatten(screen.getByTestId('community-list-screen').props.style).direction).toBe('ltr');
    // The same screen, switched in place: nothing remounted, the list did not load again from scratch.
    expect(screen.getByLabelText('Search communities')).toBe(searchBox);
    expect(screen.getByText('Desert Sketchers')).toBeTruthy();
    await waitFor(() => expect(queryClient.isFetching()).toBe(0));
    queryClient.clear();
  });
});
