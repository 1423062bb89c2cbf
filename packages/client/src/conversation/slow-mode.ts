import type { AnyMessage, ConversationSnapshot } from './types';

/**
 * Until when the composer shows the slow-mode countdown (ms since epoch, 0 for none): after the
 * viewer's last message by `slowModeSeconds`, or while a send is held by a 429 (until
 * `heldUntil`: "your message goes in…" rather than "you can post again in…").
 */
export function slowModeUntil(
  snap: ConversationSnapshot<AnyMessage>,
  meId: number | undefined,
  slowModeSeconds: number,
): { until: number; heldUntil: number } {
  const mine = meId === undefined ? undefined : snap.messages.findLast((m) => m.author.id === meId);
  const sentAt = mine ? Date.parse(mine.created_at) : 0;
  const heldUntil = snap.pending.reduce((max, p) => Math.max(max, p.retry_at ?? 0), 0);
  const after = sentAt > 0 && slowModeSeconds > 0 ? sentAt + slowModeSeconds * 1000 : 0;
  return { until: Math.max(heldUntil, after), heldUntil };
}
