import type { FeaturesResponse } from '@communities/contract';

export type MenuRoute = 'communities' | 'messages' | 'notifications';

export interface MenuItem {
  key: MenuRoute;
  /** An icon name from the host's icon set (no image assets ship with the addon). */
  icon: 'users' | 'message-circle' | 'bell';
  /** A Unicode stand-in for hosts without an icon set. */
  glyph: string;
  /** i18n key in locales/<lang>/communities.json */
  labelKey: string;
  route: MenuRoute;
  /** Unread items to show on the entry (notifications), when the host passed counts. */
  badge?: number;
}

/** Live counts the host's menu may show as badges (useCommunitiesMenu fills them in). */
export interface MenuCounts {
  notifications?: number;
}

/**
 * The menu entries the host app may show, filtered by what the server has switched on.
 * The one place the mobile package decides menu visibility from feature flags.
 */
export function buildMenu(features: FeaturesResponse | null, counts: MenuCounts = {}): MenuItem[] {
  if (!features?.enabled) return [];
  const items: MenuItem[] = [{ key: 'communities', icon: 'users', glyph: '👥', labelKey: 'menu.communities', route: 'communities' }];
  if (features.features.dm)
    items.push({ key: 'messages', icon: 'message-circle', glyph: '💬', labelKey: 'menu.messages', route: 'messages' });
  items.push({
    key: 'notifications',
    icon: 'bell',
    glyph: '🔔',
    labelKey: 'menu.notifications',
    route: 'notifications',
    ...(counts.notifications ? { badge: counts.notifications } : {}),
  });
  return items;
}
