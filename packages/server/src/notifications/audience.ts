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

  /**
   * Of `userIds` (or every member: 'all'), those allowed `action` in the community (and channel).
   * Read and judged a thousand members at a time; for 'all' the pages are keyed by membership id
   * and the event loop is let go between them (on SQLite each query answers synchronously, and a
   * 10,000-member @everyone judged in one go held every waiting request behind it).
   */
  async allowed(communityId: number, channelId: number | null, action: Action, userIds: readonly number[] | 'all'): Promise<number[]> {
    const access = await this.context(communityId, channelId);
    if (!access) return [];
    const out: number[] = [];
    const members = () =>
      memberWithRoleQuery(this.db)
        .where('community_members.community_id', '=', communityId)
        .where('community_members.status', 'in', ['active', 'muted']);
    const gated = (access.community?.requiredTierIds.length ?? 0) > 0 || (access.channel?.requiredTierIds.length ?? 0) > 0;
    const judge = async (rows: Awaited<ReturnType<ReturnType<typeof members>['execute']>>) => {
      const tiers = new Map<number, number[]>();
      if (gated && rows.length) {
        const subs = await this.db
          .selectFrom('community_member_subscriptions')
          .select(['user_id', 'pricing_tier_id'])
          .where('community_id', '=', communityId)
          .where(
            'user_id',
            'in',
            rows.map((r) => r.user_id),
          )
          .where('status', 'in', [...HOLDING])
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', accessFloor(access.now, this.graceHours()))]))
          .execute();
        for (const s of subs) tiers.set(s.user_id, [...(tiers.get(s.user_id) ?? []), s.pricing_tier_id]);
      }
      for (const m of rows) {
        const member: Actor = { userId: m.user_id, globalRole: 'student', isAdmin: false };
        if (can(member, action, { ...access, membership: membershipFacts(m, tiers.get(m.user_id) ?? []) }).allowed) out.push(m.user_id);
      }
    };
    if (userIds === 'all') {
      for (let after = 0; ;) {
        const rows = await members().where('community_members.id', '>', after).orderBy('community_members.id').limit(CHUNK).execute();
        await judge(rows);
        if (rows.length < CHUNK) break;
        after = rows[rows.length - 1]!.id;
        await new Promise((r) => setImmediate(r));
      }
    } else
      for (const ids of chunks([...new Set(userIds)], CHUNK))
        if (ids.length) await judge(await members().where('community_members.user_id', 'in', ids).execute());
    return out;
  }
}

export function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
