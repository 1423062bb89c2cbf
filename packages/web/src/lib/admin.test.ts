import { endpoint } from '@communities/contract';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { adminSections } from './admin';
import { findAdminAnalytics, localDay, toAnalyticsView } from './admin-analytics';

const on = { gamification: true, analytics: true };

describe('admin area sections', () => {
  it('opens nothing without an admin permission (the area is a 404 then)', () => {
    expect(adminSections([], on)).toEqual([]);
    expect(adminSections(['view', 'moderate'], on)).toEqual([]);
  });

  it('opens each section with its permission, the overview with any', () => {
    expect(adminSections(['manage_community_moderation'], on)).toEqual(['overview', 'moderation']);
    expect(adminSections(['manage_communities'], on)).toEqual(['overview', 'communities']);
    expect(adminSections(['view_community_analytics'], on)).toEqual(['overview', 'analytics']);
    expect(adminSections(['manage_community_settings'], on)).toEqual(['overview', 'settings', 'gamification']);
    expect(
      adminSections(['manage_communities', 'manage_community_settings', 'view_community_analytics', 'manage_community_moderation'], on),
    ).toEqual(['overview', 'settings', 'communities', 'moderation', 'gamification', 'analytics']);
  });

  it('leaves out gamification and analytics when the server does not serve them', () => {
    const all = ['manage_communities', 'manage_community_settings', 'view_community_analytics', 'manage_community_moderation'];
    expect(adminSections(all, { gamification: false, analytics: false })).toEqual(['overview', 'settings', 'communities', 'moderation']);
  });
});

describe('admin analytics discovery', () => {
  const read = endpoint({ method: 'GET', path: '/api/communities/admin/analytics', summary: '', tag: 'a', response: z.unknown() });
  const csv = endpoint({ method: 'GET', path: '/api/communities/admin/analytics/export', summary: '', tag: 'a', response: z.unknown() });
  const other = endpoint({ method: 'GET', path: '/api/communities/admin/communities', summary: '', tag: 'a', response: z.unknown() });

  it('finds the endpoints by path in any group, and nothing in a contract without them', () => {
    expect(findAdminAnalytics({ x: { other }, analytics: { read, csv } })).toEqual({ read, csv });
    expect(findAdminAnalytics({ analytics: { read } })).toEqual({ read, csv: null });
    expect(findAdminAnalytics({ x: { other } })).toBeNull();
  });

  it('reads totals and per-community rows by shape, in the totals order', () => {
    const view = toAnalyticsView({
      from: '2026-11-01',
      to: '2026-11-30',
      totals: { messages: 10, active_members: 3, label: 'x' },
      communities: [
        { community: { id: 1, slug: 'a', name: 'A' }, active_members: 2, messages: 7 },
        { community: { id: 2, slug: 'b', name: 'B' }, messages: 3 },
        { community: null, messages: 1 },
      ],
    });
    expect(view.totals).toEqual([
      ['messages', 10],
      ['active_members', 3],
    ]);
    expect(view.rows).toEqual([
      { id: 1, slug: 'a', name: 'A', values: [7, 2] },
      { id: 2, slug: 'b', name: 'B', values: [3, 0] },
    ]);
    expect(toAnalyticsView(null)).toEqual({ from: null, to: null, totals: [], columns: [], rows: [] });
  });

  it('counts local days back across a month end', () => {
    expect(localDay(new Date(2026, 2, 2, 12), 2)).toBe('2026-02-28');
    expect(localDay(new Date(2026, 0, 1, 0, 30), 0)).toBe('2026-01-01');
  });
});
