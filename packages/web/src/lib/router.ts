import { useEffect, useState } from 'react';

/** The app's few routes, read from the URL; links use navigate() so the page never reloads. */
export type Route = { name: 'discover' } | { name: 'community'; slug: string; tab: 'feed' | 'members' | 'courses' } | { name: 'not_found' };

export const WEB_BASE = '/communities';

export function parseRoute(pathname: string): Route {
  const rest = pathname.replace(/\/+$/, '').slice(WEB_BASE.length).split('/').filter(Boolean);
  if (rest.length === 0) return { name: 'discover' };
  const [slug, tab] = rest;
  if (slug && (tab === undefined || tab === 'feed' || tab === 'members' || tab === 'courses'))
    return { name: 'community', slug, tab: tab ?? 'feed' };
  return { name: 'not_found' };
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
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
