import { describe, expect, it } from 'vitest';

import type { HostUser } from '../host/ports';

import { AuthorCache } from './authors';

const user = (id: number, name: string): HostUser => ({
  id,
  name,
  username: null,
  email: null,
  avatarUrl: null,
  roleName: 'user',
  globalRole: 'student',
  isAdmin: false,
  state: 'active',
  locale: null,
  timezone: null,
});

/** A host whose users can be renamed, counting the ids it is asked for. */
function host() {
  const names = new Map<number, string>([
    [1, 'Ann'],
    [2, 'Bo'],
  ]);
  const asked: number[][] = [];
  return {
    names,
    asked,
    identities: {
      getUsers: (ids: readonly number[]) => {
        asked.push([...ids]);
        return Promise.resolve(new Map(ids.flatMap((id) => (names.has(id) ? [[id, user(id, names.get(id)!)] as const] : []))));
      },
    },
  };
}

describe('AuthorCache', () => {
  it('reads each author from the host once per ttl, missing ones included, and again once forgotten', async () => {
    const h = host();
    let now = 0;
    const cache = new AuthorCache(
      h.identities,
      () => 30_000,
      () => now,
    );
    expect([...(await cache.users([1, 2, 1, 3])).values()].map((u) => u.name)).toEqual(['Ann', 'Bo']);
    expect(h.asked).toEqual([[1, 2, 3]]);
    h.names.set(1, 'Ann Lee');
    expect([...(await cache.users([2, 1, 3])).values()].map((u) => u.name)).toEqual(['Bo', 'Ann']);
    expect(h.asked).toHaveLength(1);
    cache.forget(1);
    expect((await cache.users([1, 2])).get(1)!.name).toBe('Ann Lee');
    expect(h.asked[1]).toEqual([1]);
    now = 30_000;
    h.names.set(2, 'Bo Chen');
    expect((await cache.users([2])).get(2)!.name).toBe('Bo Chen');
    expect(h.asked[2]).toEqual([2]);
  });

  it('holds nothing with a ttl of 0', async () => {
    const h = host();
    const cache = new AuthorCache(
      h.identities,
      () => 0,
      () => 0,
    );
    await cache.users([1]);
    h.names.set(1, 'Ann Lee');
    expect((await cache.users([1])).get(1)!.name).toBe('Ann Lee');
    expect(h.asked).toEqual([[1], [1]]);
  });
});
