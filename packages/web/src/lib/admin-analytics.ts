import type { Endpoint, EndpointRegistry } from '@communities/contract';

export const ADMIN_ANALYTICS_PATH = '/api/communities/admin/analytics';
export const ADMIN_ANALYTICS_EXPORT_PATH = '/api/communities/admin/analytics/export';

/**
 * The site-wide analytics endpoints, when the contract this build ships with has them (the
 * analytics issue adds them): the admin area shows its Analytics section only then, and only
 * while the server reports the feature on. Found by path, so no placeholder exists before.
 */
export function findAdminAnalytics(registry: EndpointRegistry): { read: Endpoint; csv: Endpoint | null } | null {
  const all = Object.values(registry).flatMap((group) => Object.values(group));
  const read = all.find((e) => e.method === 'GET' && e.path === ADMIN_ANALYTICS_PATH);
  if (!read) return null;
  return { read, csv: all.find((e) => e.method === 'GET' && e.path === ADMIN_ANALYTICS_EXPORT_PATH) ?? null };
}

/** What the section draws: the site-wide totals, and one row of the same numbers per community. */
export interface AnalyticsView {
  from: string | null;
  to: string | null;
  totals: [string, number][];
  columns: string[];
  rows: { id: number; slug: string; name: string; values: number[] }[];
}

const numbers = (o: unknown): [string, number][] =>
  o && typeof o === 'object' ? Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number') : [];

/** Reads the analytics answer by shape: totals (numbers) and communities ({ community, ...numbers }). */
export function toAnalyticsView(answer: unknown): AnalyticsView {
  const a = (answer ?? {}) as { from?: unknown; to?: unknown; totals?: unknown; communities?: unknown };
  const totals = numbers(a.totals);
  const columns = totals.map(([k]) => k);
  const rows = (Array.isArray(a.communities) ? a.communities : []).flatMap((row: unknown) => {
    const r = row as { community?: { id?: unknown; slug?: unknown; name?: unknown } } & Record<string, unknown>;
    const c = r.community;
    if (!c || typeof c.id !== 'number' || typeof c.slug !== 'string' || typeof c.name !== 'string') return [];
    return [{ id: c.id, slug: c.slug, name: c.name, values: columns.map((k) => (typeof r[k] === 'number' ? r[k] : 0)) }];
  });
  return {
    from: typeof a.from === 'string' ? a.from : null,
    to: typeof a.to === 'string' ? a.to : null,
    totals,
    columns,
    rows,
  };
}

/** A local calendar date, YYYY-MM-DD, `daysAgo` days before `now` in the browser's time zone. */
export function localDay(now: Date, daysAgo: number): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
