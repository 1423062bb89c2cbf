import type { UserSummary } from '@communities/contract';

import type { Api } from './api';

/** Someone the caller could message, with a community they share to tell namesakes apart. */
export interface Person extends UserSummary {
  community: string;
}

/**
 * People the caller could message: members of the communities they take part in (the server's
 * `dm.allow_from` default), found by name through the server's member search (GET /search,
 * type=member) from two letters on, else listed from each community's members (the first 10
 * communities); without the caller, sorted by name. Web and mobile pickers both use it.
 */
export async function searchPeople(api: Api, q: string, meId: number | undefined, signal?: AbortSignal): Promise<Person[]> {
  // Two letters or more: one member search on the server over every community the caller is in
  // (the ones whose member list they may read), instead of one member list per community.
  if (q.trim().length >= 2) {
    const found = await api.search.search({ query: { q: q.trim(), type: 'member', limit: 50 } }, { signal });
    const people = new Map<number, Person>();
    for (const r of found.items)
      if (r.author && r.author.id !== meId && !people.has(r.author.id))
        people.set(r.author.id, { ...r.author, community: r.community?.name ?? '' });
    return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
  const joined = await api.communities.list({ query: { joined: 'true', limit: 50 } }, { signal });
  const mine = joined.items.filter((c) => c.viewer_membership?.status === 'active' || c.viewer_membership?.status === 'muted');
  const pages = await Promise.all(
    mine.slice(0, 10).map((c) =>
      api.communities
        .members({ params: { id: String(c.id) }, query: { ...(q ? { q } : {}), status: 'active', limit: 20 } }, { signal })
        .then((page) => page.items.map((m): Person => ({ ...m.user, community: c.name })))
        // a community whose member list is hidden from members just adds nobody
        .catch(() => [] as Person[]),
    ),
  );
  const people = new Map<number, Person>();
  for (const p of pages.flat()) if (p.id !== meId && !people.has(p.id)) people.set(p.id, p);
  return [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
}
