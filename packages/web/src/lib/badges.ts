/** Live unread and mention badges of the channel sidebar (pure, to test apart from React). */
import type { Channel } from '@communities/contract';

export type BadgeState = Pick<Channel, 'unread_count' | 'mention_count' | 'last_message_id' | 'last_read_message_id'>;

/** A new message somewhere, as channel.activity (mention: it pings @everyone) or mention.created tells of it. */
export interface MessageSignal {
  message_id: number;
  mention: boolean;
}

/** The server caps unread counts here; the sidebar does the same. */
export const UNREAD_CAP = 100;

/**
 * Counts each new message once in a channel's badges, whichever of channel.activity and
 * mention.created arrives first (both may come for one message). A message the listed
 * channel already had, or one its reader has read, is in the server's counts: nothing to add.
 * Returns the new counts, or null when the signal changes nothing.
 */
export function createBadgeCounter(
  memory = 500,
): (c: BadgeState, s: MessageSignal) => Pick<BadgeState, 'unread_count' | 'mention_count'> | null {
  const unread = new Set<number>();
  const mentioned = new Set<number>();
  const remember = (seen: Set<number>, id: number) => {
    seen.add(id);
    // Sets keep insertion order: forget the oldest.
    if (seen.size > memory) seen.delete(seen.values().next().value!);
  };
  return (c, s) => {
    if (s.message_id <= Math.max(c.last_message_id ?? 0, c.last_read_message_id)) return null;
    const addUnread = !unread.has(s.message_id);
    const addMention = s.mention && !mentioned.has(s.message_id);
    if (!addUnread && !addMention) return null;
    if (addUnread) remember(unread, s.message_id);
    if (addMention) remember(mentioned, s.message_id);
    return {
      unread_count: addUnread ? Math.min(UNREAD_CAP, c.unread_count + 1) : c.unread_count,
      mention_count: c.mention_count + (addMention ? 1 : 0),
    };
  };
}
