import type { Heatmap } from '@communities/contract';
import { describe, expect, it } from '@jest/globals';
import { fireEvent, render, screen, within } from '@testing-library/react-native';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';

import { HEAT_COLOURS, HeatmapView } from '../src/components/heatmap-view';
import { defaultTheme, type CommunitiesAddonConfig } from '../src/config';
import { AddonContext, type AddonContextValue } from '../src/context';
import { createI18n } from '../src/i18n';

/** The pure view needs only the theme and the strings: no server, no requests. */
function withAddon(ui: ReactElement, locale = 'en') {
  const value = {
    config: {} as CommunitiesAddonConfig,
    api: {} as AddonContextValue['api'],
    theme: defaultTheme,
    features: null,
    featuresError: null,
    refetchFeatures: () => undefined,
    realtime: null,
    me: null,
    track: () => undefined,
  } satisfies AddonContextValue;
  return (
    <I18nextProvider i18n={createI18n(locale)}>
      <AddonContext.Provider value={value}>{ui}</AddonContext.Provider>
    </I18nextProvider>
  );
}

/** react-native-svg hands the native view its fill as an ARGB number. */
const fillOf = (id: string) =>
  (screen.getByTestId(id, { includeHiddenElements: true }).props as { fill: { payload: number } }).fill.payload;
const xOf = (id: string) => Number((screen.getByTestId(id, { includeHiddenElements: true }).props as { x: number | string }).x);
const argb = (hex: string) => (0xff000000 + parseInt(hex.slice(1), 16)) >>> 0;

const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
grid[1]![14] = 3; // Tuesday 14:00
grid[4]![9] = 1;
const heatmap: Heatmap = {
  subject: { type: 'user', id: 7 },
  community_id: null,
  from: '2025-12-02',
  to: '2026-12-01',
  timezone: 'Asia/Kathmandu',
  kinds: ['message', 'post'],
  days: [
    { date: '2026-11-27', count: 1, kinds: { post: 1 } },
    { date: '2026-12-01', count: 3, kinds: { message: 3 } },
  ],
  grid,
  total: 4,
  max_day: 3,
};

describe('HeatmapView', () => {
  it('draws a year calendar in SVG, coloured by level, and names a tapped day exactly', async () => {
    await render(withAddon(<HeatmapView heatmap={heatmap} variant="calendar" testID="cal" />));
    expect(screen.getByText('4 actions in the last year')).toBeTruthy();
    expect(screen.getByText('In your time zone (Asia/Kathmandu)')).toBeTruthy();
    expect(fillOf('day-2026-12-01')).toBe(argb(HEAT_COLOURS[4]));
    expect(fillOf('day-2026-11-27')).toBe(argb(HEAT_COLOURS[2]));
    expect(fillOf('day-2026-11-28')).toBe(argb(HEAT_COLOURS[0]));
    expect(screen.queryByTestId('day-2025-12-01', { includeHiddenElements: true })).toBeNull();
    await fireEvent.press(screen.getByTestId('day-2026-12-01', { includeHiddenElements: true }));
    expect(screen.getByTestId('cal-picked').props.children).toBe('3 actions · Tuesday, December 1, 2026');
  });

  it('draws the 7×24 grid and names the busiest hour; the list shows the same numbers for screen readers', async () => {
    await render(withAddon(<HeatmapView heatmap={heatmap} variant="grid" testID="grid" />));
    expect(screen.getByText(/Busiest: Tuesday around 2\s?PM/)).toBeTruthy();
    expect(fillOf('hour-1-14')).toBe(argb(HEAT_COLOURS[4]));
    expect(fillOf('hour-4-9')).toBe(argb(HEAT_COLOURS[2]));
    expect(fillOf('hour-0-0')).toBe(argb(HEAT_COLOURS[0]));
    await fireEvent.press(screen.getByTestId('grid-toggle'));
    expect(screen.queryByTestId('hour-1-14', { includeHiddenElements: true })).toBeNull();
    const list = screen.getByTestId('grid-list');
    expect(within(list).getByLabelText(/^3 actions · Tuesday 2\s?PM–3\s?PM$/)).toBeTruthy();
    expect(within(list).getByLabelText(/^1 action · Friday 9\s?AM–10\s?AM$/)).toBeTruthy();
  });

  it('runs right to left in Arabic: the newest day and the last hour on the left, weekday names on the right', async () => {
    await render(withAddon(<HeatmapView heatmap={heatmap} variant="calendar" testID="cal" />, 'ar'));
    expect(xOf('day-2026-12-01')).toBeLessThan(xOf('day-2025-12-02'));
    // Left to right it is the other way round.
    await render(withAddon(<HeatmapView heatmap={heatmap} variant="calendar" testID="cal" />, 'en'));
    expect(xOf('day-2026-12-01')).toBeGreaterThan(xOf('day-2025-12-02'));

    await render(withAddon(<HeatmapView heatmap={heatmap} variant="grid" testID="grid" />, 'ar'));
    expect(xOf('hour-0-23')).toBeLessThan(xOf('hour-0-0'));
    // Monday's name at the right, past the first hour.
    expect(xOf('weekday-0')).toBeGreaterThan(xOf('hour-0-0'));
  });
});
