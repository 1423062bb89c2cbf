import { can, type AccessContext, type Action, type Actor } from '../access';
import { membershipFacts, memberWithRoleQuery, type FactsLoader } from '../communities/facts';
import { accessFloor, HOLDING } from '../communities/subscription-terms';
import type { DbHandle } from '../platform/db/transaction';

const CHUNK = 1000;

/**
 * Who may see something in a community right now: its members (active or muted) for whom the
 * access engine allows `action` (channel.view for a channel, feed.read for the feed,
 * members.manage for join requests), judged by their community role, membership and tiers, as
 * chat's mention check judges them. Asked at delivery time, so a mention in a channel the
 * recipient cannot read never notifies them.
 */
export class Audience {
  constructor(
    private readonly db: DbHandle,
    private readonly facts: FactsLoader,
    private readonly graceHours: () => number,
  ) {}

  async context(communityId: number, channelId: number | null): Promise<AccessContext | null> {
    const c = await this.facts.community(communityId);
    if (!c || c.row.status !== 'active') return null;
    const base: AccessContext = { ...this.facts.baseContext(), community: c.facts };
    if (channelId === null) return base;
    const ch = await this.facts.channel(channelId);
    if (!ch || ch.row.community_id !== communityId) return null;
    return { ...base, channel: ch.facts };
  }

  /** Of `userIds` (or every member: 'all'), those allowed `action` in the community (and channel). */
  async allowed(communityId: number, channelId: number | null, action: Action, userIds: readonly number[] | 'all'): Promise<number[]> {
    const access = await this.context(communityId, channelId);
    if (!access) return [];
    const out: number[] = [];
    const lists = userIds === 'all' ? [null] : chunks([...new Set(userIds)], CHUNK);
    for (const ids of lists) {
      if (ids && ids.length === 0) continue;
      let q = memberWithRoleQuery(this.db)
        .where('community_members.community_id', '=', communityId)
        .where('community_members.status', 'in', ['active', 'muted']);
      if (ids) q = q.where('community_members.user_id', 'in', ids);
      const rows = await q.execute();
      const gated = (access.community?.requiredTierIds.length ?? 0) > 0 || (access.channel?.requiredTierIds.length ?? 0) > 0;
      const tiers = new Map<number, number[]>();
      if (gated && rows.length) {
        for (const part of chunks(
          rows.map((r) => r.user_id),
          CHUNK,
        )) {
          const subs = await this.db
            .selectFrom('community_member_subscriptions')
            .select(['user_id', 'pricing_tier_id'])
            .where('community_id', '=', communityId)
            .where('user_id', 'in', part)
            .where('status', 'in', [...HOLDING])
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', accessFloor(access.now, this.graceHours()))]))
            .execute();
          for (const s of subs) tiers.set(s.user_id, [...(tiers.get(s.user_id) ?? []), s.pricing_tier_id]);
        }
      }
      for (const m of rows) {
        const member: Actor = { userId: m.user_id, globalRole: 'student', isAdmin: false };
        if (can(member, action, { ...access, membership: membershipFacts(m, tiers.get(m.user_id) ?? []) }).allowed) out.push(m.user_id);
      }
    }
    return out;
  }
}

export function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
