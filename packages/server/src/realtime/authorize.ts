import { parseChannelName } from '@communities/contract';

import { can, type Actor } from '../access';
import { membershipFacts, memberWithRoleQuery, type FactsLoader } from '../communities/facts';
import type { HostPorts } from '../host/ports';
import type { Viewer } from '../host/viewer';
import type { DbHandle } from '../platform/db/transaction';
import { AppError, notFound } from '../platform/errors';

import { authSignature } from './protocol';
import type { SubscriptionChecker } from './revoke';

/**
 * Whether a viewer may subscribe to a realtime channel: the same access engine as the REST
 * API. Unknown or invisible channels answer 404, visible-but-forbidden ones 403.
 */
export class ChannelAuthorizer implements SubscriptionChecker {
  constructor(
    private readonly deps: {
      db: DbHandle;
      facts: FactsLoader;
      key: string;
      secret: string;
      prefix: string;
      /** For re-checking subscribers when access changes (their global role). */
      identities?: Pick<HostPorts['identities'], 'getUsers'>;
      /**
       * The built-in gateway: private channels are signed with channel_data naming the user, as
       * presence channels are, so every gateway node knows whose subscription it holds and can
       * end it when that user loses access. Off for an external Pusher server, which signs
       * private channels without it.
       */
      ownedPrivate?: boolean;
    },
  ) {}

  private async allowed(actor: Actor, kind: 'channel' | 'dm' | 'user' | 'community', id: number): Promise<boolean> {
    if (kind === 'user') return id === actor.userId;
    if (kind === 'dm') {
      const p = await this.deps.db
        .selectFrom('dm_participants')
        .select('id')
        .where('thread_id', '=', id)
        .where('user_id', '=', actor.userId)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      return p !== undefined;
    }
    if (kind === 'community') {
      const { access } = await this.deps.facts.forCommunity(actor, id);
      return can(actor, 'members.list', access).allowed;
    }
    const channel = await this.deps.facts.channel(id);
    if (!channel) return false;
    const { access } = await this.deps.facts.forCommunity(actor, channel.row.community_id, { channel: channel.facts });
    const d = can(actor, 'channel.view', access);
    if (!d.allowed && d.status === 403)
      throw new AppError('forbidden', 'You may not subscribe to this channel', { details: { reason: d.reason } });
    return d.allowed;
  }

  async sign(viewer: Viewer, socketId: string, channelName: string): Promise<{ auth: string; channel_data?: string }> {
    const parsed = parseChannelName(channelName, this.deps.prefix);
    if (
      !parsed ||
      !(await this.allowed(viewer.actor, parsed.kind, parsed.id).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'forbidden') throw e;
        return false;
      }))
    ) {
      throw notFound('No such channel');
    }
    if (!parsed.presence) {
      if (!this.deps.ownedPrivate) return { auth: authSignature(this.deps.key, this.deps.secret, socketId, channelName) };
      const owner = JSON.stringify({ user_id: String(viewer.user.id), at: Math.floor(Date.now() / 1000) });
      return { auth: authSignature(this.deps.key, this.deps.secret, socketId, channelName, owner), channel_data: owner };
    }
    // People with a block between them and the viewer do not see each other online (the gateway filters).
    const hide = this.deps.ownedPrivate ? await this.hiddenFor(viewer.user.id) : [];
    const channelData = JSON.stringify({
      user_id: String(viewer.user.id),
      user_info: { name: viewer.user.name, avatar_url: viewer.user.avatarUrl },
      ...(hide.length ? { hide: hide.map(String) } : {}),
      // When it was signed: the built-in gateway refuses old signatures (see AUTH_MAX_AGE_SECONDS).
      ...(this.deps.ownedPrivate ? { at: Math.floor(Date.now() / 1000) } : {}),
    });
    return { auth: authSignature(this.deps.key, this.deps.secret, socketId, channelName, channelData), channel_data: channelData };
  }

  /**
   * Of `userIds`, those who may still subscribe to `channelName`: the decision `sign` makes,
   * for many users at once, from fresh reads (another node may just have changed the facts).
   */
  async allowedAmong(channelName: string, userIds: number[]): Promise<Set<number>> {
    const parsed = parseChannelName(channelName, this.deps.prefix);
    const out = new Set<number>();
    if (!parsed || userIds.length === 0) return out;
    if (parsed.kind === 'user') return new Set(userIds.filter((id) => id === parsed.id));
    if (parsed.kind === 'dm') {
      const rows = await this.deps.db
        .selectFrom('dm_participants')
        .select('user_id')
        .where('thread_id', '=', parsed.id)
        .where('user_id', 'in', userIds)
        .where('left_at', 'is', null)
        .execute();
      return new Set(rows.map((r) => r.user_id));
    }
    const channel = parsed.kind === 'channel' ? await this.deps.facts.channel(parsed.id) : null;
    if (parsed.kind === 'channel' && !channel) return out;
    const community = await this.deps.facts.community(channel ? channel.row.community_id : parsed.id);
    if (!community) return out;
    const [members, users] = await Promise.all([
      memberWithRoleQuery(this.deps.db)
        .where('community_members.community_id', '=', community.row.id)
        .where('community_members.user_id', 'in', userIds)
        .execute(),
      this.deps.identities?.getUsers(userIds) ?? Promise.resolve(new Map<number, never>()),
    ]);
    const base = this.deps.facts.baseContext();
    for (const userId of userIds) {
      const u = users.get(userId);
      const actor: Actor = { userId, globalRole: u?.globalRole ?? 'student', isAdmin: u?.isAdmin ?? false };
      const m = members.find((r) => r.user_id === userId);
      const gated = community.facts.requiredTierIds.length > 0 || (channel?.facts.requiredTierIds.length ?? 0) > 0;
      const tiers = m && gated ? await this.deps.facts.activeTierIds(community.row.id, userId) : [];
      const access = {
        ...base,
        community: community.facts,
        membership: m ? membershipFacts(m, tiers) : null,
        ...(channel ? { channel: channel.facts } : {}),
      };
      if (can(actor, parsed.kind === 'channel' ? 'channel.view' : 'members.list', access).allowed) out.add(userId);
    }
    return out;
  }

  async hiddenFor(userId: number): Promise<number[]> {
    const rows = await this.deps.db
      .selectFrom('dm_blocks')
      .select(['blocker_id', 'blocked_id'])
      .where((eb) => eb.or([eb('blocker_id', '=', userId), eb('blocked_id', '=', userId)]))
      .limit(10_000)
      .execute();
    return [...new Set(rows.map((r) => (r.blocker_id === userId ? r.blocked_id : r.blocker_id)))];
  }

  async channelsOf(communityId: number, channelIds: number[]): Promise<Set<number>> {
    const rows = await this.deps.db.selectFrom('channels').select(['id', 'community_id']).where('id', 'in', channelIds).execute();
    const found = new Map(rows.map((r) => [r.id, r.community_id]));
    // A channel that no longer exists is in every scope: its subscribers end.
    return new Set(channelIds.filter((id) => !found.has(id) || found.get(id) === communityId));
  }
}
