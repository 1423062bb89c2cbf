import type { DbHandle } from '../platform/db/transaction';

/**
 * Moves a community's last activity forward to `now` when it is older than `resolutionMs`
 * (never back): a statement of its own, run after the write that caused it, so the community
 * row is not locked for the length of every post's transaction (on MariaDB that lock, taken
 * after the foreign-key checks of other writers, deadlocks). Timestamps are ISO strings, so
 * they compare as text.
 */
export function touchCommunityActivity(db: DbHandle, communityId: number, now: string, resolutionMs = 0): Promise<unknown> {
  const before = new Date(Date.parse(now) - resolutionMs).toISOString();
  return db
    .updateTable('communities')
    .set({ last_activity_at: now })
    .where('id', '=', communityId)
    .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', before)]))
    .execute();
}
