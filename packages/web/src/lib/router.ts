import { useEffect, useState } from 'react';

/** The app's routes, read from the URL; links use navigate() so the page never reloads. */
export type CommunityTab = 'feed' | 'members' | 'courses' | 'settings' | 'leaderboard' | 'moderation' | 'insights' | 'requests' | 'revenue';
/** The addon's admin area, /communities/admin/<section> ('admin' is a reserved slug). */
export const ADMIN_SECTIONS = ['overview', 'settings', 'communities', 'moderation', 'gamification', 'analytics'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];
export type Route =
  | { name: 'discover' }
  | { name: 'community'; slug: string; tab: CommunityTab }
  | { name: 'channel'; slug: string; channel: string | null }
  | { name: 'dm'; threadId: number | null }
  | { name: 'profile'; slug: string | null; userId: number }
  | { name: 'admin'; section: AdminSection }
  | { name: 'create' }
  | { name: 'notifications' }
  | { name: 'leaderboard' }
  | { name: 'not_found' };

export const WEB_BASE = '/communities';
/** The server serves DMs at the top level (`/dm`), beside the communities app. */
export const DM_BASE = '/dm';

export const channelPath = (slug: string, channel?: string) => `${WEB_BASE}/${slug}/channels${channel ? `/${channel}` : ''}`;
export const adminPath = (section: AdminSection = 'overview') =>
  section === 'overview' ? `${WEB_BASE}/admin` : `${WEB_BASE}/admin/${section}`;
export const moderationPath = (slug: string | null) => (slug ? `${WEB_BASE}/${slug}/moderation` : adminPath('moderation'));
export const notificationsPath = () => `${WEB_BASE}/notifications`;
export const leaderboardPath = () => `${WEB_BASE}/leaderboard`;
export const dmPath = (threadId?: number) => (threadId ? `${DM_BASE}/${threadId}` : DM_BASE);

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === DM_BASE || path.startsWith(`${DM_BASE}/`)) {
    const id = path.slice(DM_BASE.length + 1);
    if (!id) return { name: 'dm', threadId: null };
    return /^[1-9]\d{0,14}$/.test(id) ? { name: 'dm', threadId: Number(id) } : { name: 'not_found' };
  }
  const rest = path.slice(WEB_BASE.length).split('/').filter(Boolean);
  if (rest.length === 0) return { name: 'discover' };
  // 'new' is a reserved slug: the create-community wizard lives there.
  if (rest.length === 1 && rest[0] === 'new') return { name: 'create' };
  // 'notifications' is a reserved slug: the notification list and settings live there.
  if (rest.length === 1 && rest[0] === 'notifications') return { name: 'notifications' };
  // 'leaderboard' is a reserved slug: the site-wide leaderboard lives there.
  if (rest.length === 1 && rest[0] === 'leaderboard') return { name: 'leaderboard' };
  const [slug, tab, channel, ...more] = rest;
  const userId = /^[1-9]\d{0,14}$/.test(channel ?? tab ?? '') ? Number(channel ?? tab) : null;
  // 'admin' is a reserved slug: the site admin area lives there.
  if (slug === 'admin') {
    if (tab === undefined) return { name: 'admin', section: 'overview' };
    const section = ADMIN_SECTIONS.find((s) => s === tab);
    return section && channel === undefined ? { name: 'admin', section } : { name: 'not_found' };
  }
  if (slug === 'profile' && userId !== null && channel === undefined) return { name: 'profile', slug: null, userId };
  if (slug && tab === 'members' && userId !== null && more.length === 0) return { name: 'profile', slug, userId };
  if (slug && tab === 'channels' && more.length === 0) return { name: 'channel', slug, channel: channel ?? null };
  if (
    slug &&
    channel === undefined &&
    (tab === undefined ||
      tab === 'feed' ||
      tab === 'members' ||
      tab === 'courses' ||
      tab === 'settings' ||
      tab === 'leaderboard' ||
      tab === 'moderation' ||
      tab === 'requests' ||
      tab === 'insights' ||
      tab === 'revenue')
  )
    return { name: 'community', slug, tab: tab ?? 'feed' };
  return { name: 'not_found' };
}

export function navigate(path: string, options: { replace?: boolean; keepScroll?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
  if (!options.keepScroll) window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return route;
}

/** An <a> that navigates inside the app (and still opens in a new tab with a modifier key). */
export function linkProps(path: string) {
  return {
    href: path,
    onClick: (e: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; button: number }) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      navigate(path);
    },
  };
}
