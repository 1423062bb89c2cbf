import type { HostUser, IdentityPort } from '../host/ports';

/** Authors held at most; past it the cache starts over (a school's active posters fit many times). */
const MAX_AUTHORS = 50_000;

/**
 * The authors a message page shows (name, avatar, state), read from the host at most once per
 * `ttlMs` per author: a history page otherwise re-read its authors with a users ⨝ roles query
 * every time. Held as long as the authenticator holds the viewer's own identity
 * (`host.identity_cache_seconds`; 0 turns both off), and forgotten when the host sync sees a ban
 * (`forget`), so what a page shows of a host change is as fresh as who may sign in.
 */
export class AuthorCache {
  private readonly held = new Map<number, { user: HostUser | null; at: number }>();

  constructor(
    private readonly identities: Pick<IdentityPort, 'getUsers'>,
    private readonly ttlMs: () => number,
    private readonly now: () => number,
  ) {}

  /** The users with these ids that exist; missing ids are left out (and remembered as missing). */
  async users(ids: readonly number[]): Promise<Map<number, HostUser>> {
    const ttl = this.ttlMs();
    const out = new Map<number, HostUser>();
    if (ttl <= 0) return ids.length ? this.identities.getUsers(ids) : out;
    const t = this.now();
    const missing: number[] = [];
    for (const id of ids) {
      if (out.has(id)) continue;
      const hit = this.held.get(id);
      if (hit && t - hit.at < ttl) {
        if (hit.user) out.set(id, hit.user);
      } else missing.push(id);
    }
    if (missing.length === 0) return out;
    const found = await this.identities.getUsers([...new Set(missing)]);
    if (this.held.size + missing.length > MAX_AUTHORS) this.held.clear();
    for (const id of missing) {
      const user = found.get(id) ?? null;
      this.held.set(id, { user, at: t });
      if (user) out.set(id, user);
    }
    return out;
  }

  forget(userId: number): void {
    this.held.delete(userId);
  }
}

const caches = new WeakMap<Pick<IdentityPort, 'getUsers'>, AuthorCache>();

/** The author cache of a server's identity port, made on first use (one per server, shared by its chat services). */
export function authorCache(ctx: {
  host: { identities: IdentityPort };
  config: { host: { identity_cache_seconds: number } };
  clock: { now(): Date };
}) {
  let c = caches.get(ctx.host.identities);
  if (!c) {
    // Read when used: settings reload and tests move the clock.
    c = new AuthorCache(
      ctx.host.identities,
      () => ctx.config.host.identity_cache_seconds * 1000,
      () => ctx.clock.now().getTime(),
    );
    caches.set(ctx.host.identities, c);
  }
  return c;
}
