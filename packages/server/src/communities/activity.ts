import type { DbHandle } from '../platform/db/transaction';

/** communities.last_activity_at moves at most this often for posts and messages: a discovery signal measured in minutes. */
export const ACTIVITY_RESOLUTION_MS = 60_000;

/**
 * Whether a post at `now` should move the community's last activity (it is older than the
 * resolution): touching the community row on every post would make it the hottest row there is.
 */
export function activityStale(lastActivityAt: string | null, now: string): boolean {
  return !lastActivityAt || Date.parse(now) - Date.parse(lastActivityAt) > ACTIVITY_RESOLUTION_MS;
}

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
