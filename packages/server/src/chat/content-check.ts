import type { ContentRejectedDetails, Severity } from '@communities/contract';

import type { Tx } from '../platform/db/transaction';

/**
 * The posting pipeline's content check, filled by moderation/ (word filter and spam rules).
 * `censor` replaces the text, `reject` refuses it with a 422 `content_rejected`, `flag` posts
 * it and queues it for review, `hold` posts it visible only to its author and moderators.
 */
export interface Violation {
  rule: ContentRejectedDetails['rule'];
  severity: Severity;
}

export type ContentVerdict =
  | { action: 'pass' }
  | { action: 'censor'; content: string; reason: string; violation: Violation }
  | { action: 'reject'; reason: string; details: ContentRejectedDetails; violation: Violation }
  | { action: 'flag' | 'hold'; reason: string; violation: Violation };

/** Posts (checked, recorded, queued) and the names and titles that are only checked. */
export type ContentTarget =
  'channel_message' | 'dm_message' | 'feed_item' | 'feed_comment' | 'community' | 'channel' | 'dm_thread' | 'file_name';

export interface ContentCheckInput {
  content: string;
  userId: number;
  communityId: number | null;
  target: ContentTarget;
  /** The body field the text came from, for the rejection's details (default `content`). */
  field?: string;
}

export interface ContentCheck {
  check(input: ContentCheckInput): ContentVerdict | Promise<ContentVerdict>;
  /** In the post's transaction: counts the violation and queues flagged or held content. */
  record?(trx: Tx, input: ContentCheckInput, verdict: ContentVerdict, targetId: number): Promise<void>;
  /**
   * After a post's commit, new or edited: its id, the text stored and when it was first posted
   * (the spam repeat rule keeps an author's latest posts from these).
   */
  posted?(input: ContentCheckInput, post: { id: number; content: string; created_at: string }): void;
  /** A refused post still counts as a violation (its own transaction). */
  rejected?(input: ContentCheckInput, verdict: ContentVerdict): Promise<void>;
}

/** Without moderation (and in tests of other domains): everything passes. */
export const passAllContent: ContentCheck = { check: () => ({ action: 'pass' }) };
