import { describe, expect, it } from 'vitest';

import { adminPath, parseRoute } from './router';

describe('gamification routes', () => {
  it('reads the leaderboard tab, profile pages and the admin screen', () => {
    expect(parseRoute('/communities/photo/leaderboard')).toEqual({ name: 'community', slug: 'photo', tab: 'leaderboard' });
    expect(parseRoute('/communities/photo/members/42')).toEqual({ name: 'profile', slug: 'photo', userId: 42 });
    expect(parseRoute('/communities/profile/7')).toEqual({ name: 'profile', slug: null, userId: 7 });
    expect(parseRoute('/communities/admin/gamification')).toEqual({ name: 'admin', section: 'gamification' });
  });

  it('keeps the other routes as they were, and refuses malformed ids', () => {
    expect(parseRoute('/communities/photo/members')).toEqual({ name: 'community', slug: 'photo', tab: 'members' });
    expect(parseRoute('/communities/photo/channels/general')).toEqual({ name: 'channel', slug: 'photo', channel: 'general' });
    expect(parseRoute('/communities/photo/members/0')).toEqual({ name: 'not_found' });
    expect(parseRoute('/communities/photo/members/abc')).toEqual({ name: 'not_found' });
    expect(parseRoute('/communities/photo/leaderboard/3')).toEqual({ name: 'not_found' });
  });

  it('reads the Insights tab (issue #18)', () => {
    expect(parseRoute('/communities/photo/insights')).toEqual({ name: 'community', slug: 'photo', tab: 'insights' });
    expect(parseRoute('/communities/photo/insights/2')).toEqual({ name: 'not_found' });
  });
});

describe('the admin area routes', () => {
  it('reads every section, the bare path as the overview, and refuses the rest', () => {
    expect(parseRoute('/communities/admin')).toEqual({ name: 'admin', section: 'overview' });
    expect(parseRoute('/communities/admin/')).toEqual({ name: 'admin', section: 'overview' });
    for (const s of ['overview', 'settings', 'communities', 'moderation', 'gamification', 'analytics'])
      expect(parseRoute(`/communities/admin/${s}`)).toEqual({ name: 'admin', section: s });
    expect(parseRoute('/communities/admin/nope')).toEqual({ name: 'not_found' });
    expect(parseRoute('/communities/admin/settings/x')).toEqual({ name: 'not_found' });
    expect(parseRoute('/communities/admin/channels/general')).toEqual({ name: 'not_found' });
    expect(adminPath()).toBe('/communities/admin');
    expect(adminPath('communities')).toBe('/communities/admin/communities');
  });
});
