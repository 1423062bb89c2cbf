import type { FeaturesResponse } from '@communities/contract';
import { describe, expect, it } from '@jest/globals';

import en from '../../../locales/en/communities.json';
import { buildMenu } from '../src/menu';

const base: FeaturesResponse = {
  enabled: true,
  demo: false,
  features: {
    leaderboard: true,
    central_feed: true,
    channels: true,
    gamification: true,
    dm: true,
    heatmap: true,
    pricing_tiers: false,
    chatroom: true,
    file_scanning: true,
    bad_word_filter: true,
  },
  limits: {
    max_message_length: 4000,
    max_attachments_per_message: 10,
    max_file_size: 1,
    allowed_mimetypes: [],
    max_group_participants: 10,
    dm_allow_from: 'shared_community',
  },
  realtime: {
    driver: 'broadcast',
    key: 'k',
    ws_host: null,
    ws_port: null,
    ws_path: '',
    force_tls: false,
    cluster: null,
    auth_endpoint: '/x',
    channel_prefix: 'c.',
  },
  login_url: '/login',
  pricing: { currency: 'USD', locale: 'en', checkout: 'rocketlms' },
};

describe('buildMenu', () => {
  it('shows Communities, Messages and Notifications when DMs are on', () => {
    expect(buildMenu(base).map((i) => i.key)).toEqual(['communities', 'messages', 'notifications']);
  });
  it('puts the unread notification count on the Notifications entry', () => {
    expect(buildMenu(base, { notifications: 3 }).find((i) => i.key === 'notifications')?.badge).toBe(3);
    expect(buildMenu(base, { notifications: 0 }).find((i) => i.key === 'notifications')).not.toHaveProperty('badge');
  });
  it('names every label in the bundled English strings', () => {
    for (const item of buildMenu(base)) expect(en.menu[item.key]).toBeTruthy();
  });
  it('hides Messages when the server has DMs off', () => {
    expect(buildMenu({ ...base, features: { ...base.features, dm: false } }).map((i) => i.key)).toEqual(['communities', 'notifications']);
  });
  it('shows nothing when the addon is disabled or features are unknown', () => {
    expect(buildMenu({ ...base, enabled: false })).toEqual([]);
    expect(buildMenu(null)).toEqual([]);
  });
});
