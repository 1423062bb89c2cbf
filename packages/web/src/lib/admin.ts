import type { AdminSection } from './router';

/** The four admin permissions of the addon (issue #19); RocketLMS admins hold them all. */
export const ADMIN_PERMISSION_NAMES = [
  'manage_communities',
  'manage_community_settings',
  'view_community_analytics',
  'manage_community_moderation',
] as const;
export type AdminPermissionName = (typeof ADMIN_PERMISSION_NAMES)[number];

/** Which permission opens which section; the overview opens with any of them. */
const NEEDS: Record<Exclude<AdminSection, 'overview'>, AdminPermissionName> = {
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
  if (!permissions.some((p) => (ADMIN_PERMISSION_NAMES as readonly string[]).includes(p))) return [];
  const out: AdminSection[] = ['overview'];
  for (const [section, needs] of Object.entries(NEEDS) as [Exclude<AdminSection, 'overview'>, AdminPermissionName][]) {
    if (!permissions.includes(needs)) continue;
    if (section === 'gamification' && !available.gamification) continue;
    if (section === 'analytics' && !available.analytics) continue;
    out.push(section);
  }
  return out;
}
