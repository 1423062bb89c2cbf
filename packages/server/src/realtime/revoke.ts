import { parseChannelName } from '@communities/contract';

import type { EventBus } from '../platform/bus';
import type { Logger } from '../platform/logger';

/**
 * Where access may have been lost: everything of a community (its community channel and every
 * chat channel's private and presence channels), one chat channel, one DM thread, or (`all`)
 * every subscription of the user. `presence`: the user's blocks changed, so whom their presence
 * subscriptions hide is read again (nothing ends). With `userId` only that user's subscriptions are re-checked;
 * without, everyone subscribed there is (a channel made private, a community made private).
 */
export type AccessScope = { community: number } | { channel: number } | { dm: number } | { all: true } | { presence: true };

export interface Revocation {
  scope: AccessScope;
  userId?: number;
}

/**
 * How long a signed subscription stays usable (the auth endpoint puts `at` in channel_data):
 * a signature fetched before a ban cannot be used after it. A revocation is remembered as long,
 * for subscriptions signed just before it that arrive just after it.
 */
export const AUTH_MAX_AGE_SECONDS = 120;

/** Whether signed channel_data carries an `at` older than AUTH_MAX_AGE_SECONDS (or from the future). */
export function authExpired(channelData: string | undefined, nowMs = Date.now()): boolean {
  if (!channelData) return false;
  let at: unknown;
  try {
    at = (JSON.parse(channelData) as { at?: unknown } | null)?.at;
  } catch {
    return false;
  }
  if (typeof at !== 'number') return false;
  const age = nowMs / 1000 - at;
  return age > AUTH_MAX_AGE_SECONDS || age < -AUTH_MAX_AGE_SECONDS;
}

/** Ends realtime subscriptions that lost access, on every gateway node. Called after commit. */
export interface Revoker {
  revoke(r: Revocation): void;
}

/** chat.driver = pusher | database, or a process without a gateway: nothing to end. */
export const noRevoker: Revoker = { revoke: () => undefined };

/**
 * The domain side's revoker: services hold it from the start; what it reaches is plugged in
 * later: the Redis cluster (every gateway node, from any process, workers too) when the
 * context is built, or this process's gateway when the HTTP server starts. A failure is
 * logged, never turned into a failed request.
 */
export class RealtimeRevoker implements Revoker {
  private target: ((r: Revocation) => Promise<void>) | null = null;

  constructor(private readonly logger: Logger) {}

  attach(target: (r: Revocation) => Promise<void>): void {
    this.target = target;
  }

  revoke(r: Revocation): void {
    this.target?.(r).catch((err: unknown) => this.logger.warn({ err, revocation: r }, 'realtime revocation failed'));
  }
}

/** A subscription on this node: its socket, channel, and the user its auth was signed for (null: unknown). */
export interface LocalSubscription {
  socketId: string;
  channel: string;
  userId: number | null;
}

/** What the applier needs of the gateway on this node. */
export interface RevocationGateway {
  channelNames(): string[];
  subscribersOf(channel: string): LocalSubscription[];
  /** Ends one subscription with pusher:subscription_error (presence: member_removed to the others). */
  evict(socketId: string, channel: string): void;
  /** Whom a presence subscription's user and the others there do not see of each other. */
  setHidden(socketId: string, channel: string, hide: Set<string>): void;
}

/** What the applier needs to re-check access: the same decisions as the auth endpoint. */
export interface SubscriptionChecker {
  /** Of `userIds`, those who may still subscribe to `channel`. */
  allowedAmong(channel: string, userIds: number[]): Promise<Set<number>>;
  /** Chat channel ids of these that belong to the community, or no longer exist. */
  channelsOf(communityId: number, channelIds: number[]): Promise<Set<number>>;
  /** People with a block between them and the user, either way (hidden from each other's presence). */
  hiddenFor(userId: number): Promise<number[]>;
}

/**
 * Applies a revocation to this node's sockets: every subscription in scope is checked again
 * against the database (not a cache), and those whose user may no longer subscribe end. A
 * subscription whose user is unknown (a client that dropped channel_data) ends too: it may
 * subscribe again, and is then checked like any other.
 */
export class RevocationApplier {
  private recent: Array<{ r: Revocation; until: number }> = [];

  constructor(
    private readonly gateway: RevocationGateway,
    private readonly checker: SubscriptionChecker,
    private readonly prefix: string,
  ) {}

  /** Re-checks new subscriptions a recent revocation covers (signed before it, arrived after it). */
  watch(gateway: { watchSubscriptions(fn: (s: LocalSubscription) => void): void }): void {
    gateway.watchSubscriptions((s) => {
      const now = Date.now();
      this.recent = this.recent.filter((x) => x.until > now);
      const covering = this.recent.filter((x) => x.r.userId === undefined || s.userId === null || x.r.userId === s.userId);
      if (covering.length === 0) return;
      void this.recheck(
        s,
        covering.map((x) => x.r),
      ).catch(() => this.gateway.evict(s.socketId, s.channel));
    });
  }

  private async recheck(s: LocalSubscription, revocations: Revocation[]): Promise<void> {
    for (const r of revocations) {
      if (!(await this.scopeFilter(r.scope, [s.channel]))(s.channel)) continue;
      if (s.userId === null || 'all' in r.scope || !(await this.checker.allowedAmong(s.channel, [s.userId])).has(s.userId))
        this.gateway.evict(s.socketId, s.channel);
      return;
    }
  }

  async apply(r: Revocation): Promise<void> {
    if ('presence' in r.scope) return this.rehide(r.userId);
    const now = Date.now();
    this.recent = [...this.recent.filter((x) => x.until > now), { r, until: now + AUTH_MAX_AGE_SECONDS * 1000 }];
    const all = 'all' in r.scope;
    for (const channel of await this.channelsInScope(r.scope)) {
      // Everyone of a user's is ended at once (`all`: a site-wide ban); unknown owners only where checked.
      const list = this.gateway
        .subscribersOf(channel)
        .filter((s) => (all ? s.userId === r.userId : r.userId === undefined || s.userId === r.userId || s.userId === null));
      if (list.length === 0) continue;
      const users = [...new Set(list.map((s) => s.userId).filter((u): u is number => u !== null))];
      const allowed = all || users.length === 0 ? new Set<number>() : await this.checker.allowedAmong(channel, users);
      for (const s of list) if (s.userId === null || !allowed.has(s.userId)) this.gateway.evict(s.socketId, s.channel);
    }
  }

  /** The user's blocks changed: their presence subscriptions here hide whom the database says now. */
  private async rehide(userId: number | undefined): Promise<void> {
    if (userId === undefined) return;
    const subs = this.gateway
      .channelNames()
      .filter((name) => parseChannelName(name, this.prefix)?.presence)
      .flatMap((name) => this.gateway.subscribersOf(name).filter((s) => s.userId === userId));
    if (subs.length === 0) return;
    const hide = new Set((await this.checker.hiddenFor(userId)).map(String));
    for (const s of subs) this.gateway.setHidden(s.socketId, s.channel, hide);
  }

  private async channelsInScope(scope: AccessScope): Promise<string[]> {
    const names = this.gateway.channelNames();
    const inScope = await this.scopeFilter(scope, names);
    return names.filter(inScope);
  }

  private async scopeFilter(scope: AccessScope, names: string[]): Promise<(channel: string) => boolean> {
    const parse = (name: string) => parseChannelName(name, this.prefix);
    if ('all' in scope) return (name) => parse(name) !== null;
    if ('presence' in scope) return () => false;
    if ('channel' in scope)
      return (name) => {
        const p = parse(name);
        return p?.kind === 'channel' && p.id === scope.channel;
      };
    if ('dm' in scope)
      return (name) => {
        const p = parse(name);
        return p?.kind === 'dm' && p.id === scope.dm;
      };
    const channelIds = [...new Set(names.map(parse).flatMap((p) => (p?.kind === 'channel' ? [p.id] : [])))];
    const ours = channelIds.length ? await this.checker.channelsOf(scope.community, channelIds) : new Set<number>();
    return (name) => {
      const p = parse(name);
      return (p?.kind === 'community' && p.id === scope.community) || (p?.kind === 'channel' && ours.has(p.id));
    };
  }
}

/**
 * Access changes that are already domain events, whoever decides them (members' managers,
 * moderation, the host's site-wide bans): they revoke realtime access here, in one place.
 */
export function subscribeRevocations(bus: EventBus, revoker: Revoker): void {
  bus.subscribe('UserBanned', (e) =>
    revoker.revoke({
      scope: e.payload.community_id === null ? { all: true } : { community: e.payload.community_id },
      userId: e.payload.user_id,
    }),
  );
  bus.subscribe('CommunityLeft', (e) => revoker.revoke({ scope: { community: e.payload.community_id }, userId: e.payload.user_id }));
  // A new role may lack channels the old one had.
  bus.subscribe('MemberRoleChanged', (e) => revoker.revoke({ scope: { community: e.payload.community_id }, userId: e.payload.user_id }));
  bus.subscribe('CommunityUpdated', (e) => {
    if (e.payload.changed.some((k) => k === 'visibility' || k === 'status' || k === 'settings'))
      revoker.revoke({ scope: { community: e.payload.community_id } });
  });
}
