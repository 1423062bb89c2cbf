import { ADMIN_PERMISSIONS, type AdminPermission } from '@communities/contract';

import type { AdminSection } from './router';

/** Which permission opens which section; the overview opens with any of them. */
const NEEDS: Record<Exclude<AdminSection, 'overview'>, AdminPermission> = {
  settings: 'manage_community_settings',
  communities: 'manage_communities',
  moderation: 'manage_community_moderation',
  gamification: 'manage_community_settings',
  analytics: 'view_community_analytics',
};

export interface AdminAvailability {
  /** The server serves gamification (features.gamification). */
  gamification: boolean;
  /** The server serves site-wide analytics (it says so; never guessed). */
  analytics: boolean;
}

/** The sections a viewer with `permissions` sees, in navigation order; none: the area is not theirs (404). */
export function adminSections(permissions: readonly string[], available: AdminAvailability): AdminSection[] {
  if (!permissions.some((p) => (ADMIN_PERMISSIONS as readonly string[]).includes(p))) return [];
  const out: AdminSection[] = ['overview'];
  for (const [section, needs] of Object.entries(NEEDS) as [Exclude<AdminSection, 'overview'>, AdminPermission][]) {
    if (!permissions.includes(needs)) continue;
    if (section === 'gamification' && !available.gamification) continue;
    if (section === 'analytics' && !available.analytics) continue;
    out.push(section);
  }
  return out;
}
