/**
 * The posting pipeline's content check: the moderation issue fills it with the word filter and
 * auto-flagging. `censor` replaces the text, `reject` refuses the post with a 422, `flag` posts
 * it and marks it for review.
 */
export type ContentVerdict =
  | { action: 'pass' }
  | { action: 'censor'; content: string; reason: string }
  | { action: 'reject'; reason: string }
  | { action: 'flag'; reason: string };

export interface ContentCheckInput {
  content: string;
  userId: number;
  communityId: number | null;
  target: 'channel_message' | 'dm_message' | 'feed_item' | 'feed_comment';
}

export interface ContentCheck {
  check(input: ContentCheckInput): ContentVerdict | Promise<ContentVerdict>;
}

/** Until moderation lands: everything passes. */
export const passAllContent: ContentCheck = { check: () => ({ action: 'pass' }) };
