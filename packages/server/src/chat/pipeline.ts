import type { CommunitiesConfig } from '@communities/contract';

import type { Actor } from '../access';
import type { AfterCommit, Tx } from '../platform/db/transaction';
import { AppError, invalid } from '../platform/errors';

import type { ContentCheck, ContentCheckInput, ContentVerdict } from './content-check';

/** Length and attachment limits from config, checked before anything is written. */
export function checkLimits(config: CommunitiesConfig, body: { content: string; attachment_ids: number[] }): void {
  if (body.content.length > config.chat.max_message_length)
    throw invalid('body.content', `Messages may be at most ${config.chat.max_message_length} characters`, 'too_long');
  if (new Set(body.attachment_ids).size > config.chat.max_attachments_per_message)
    throw invalid('body.attachment_ids', `At most ${config.chat.max_attachments_per_message} attachments`, 'too_many');
}

export interface CheckedContent {
  content: string;
  state: 'visible' | 'flagged' | 'held';
  verdict: ContentVerdict;
}

/** Runs the content check: the text to store and its moderation state, or a 422 `content_rejected`. */
export async function checkContent(check: ContentCheck, input: ContentCheckInput): Promise<CheckedContent> {
  if (input.content === '') return { content: '', state: 'visible', verdict: { action: 'pass' } };
  const verdict = await check.check(input);
  switch (verdict.action) {
    case 'pass':
      return { content: input.content, state: 'visible', verdict };
    case 'censor':
      return { content: verdict.content, state: 'visible', verdict };
    case 'flag':
      return { content: input.content, state: 'flagged', verdict };
    case 'hold':
      return { content: input.content, state: 'held', verdict };
    case 'reject':
      await check.rejected?.(input, verdict);
      throw new AppError('content_rejected', verdict.reason, {
        details: verdict.details,
        issues: [{ path: `body.${input.field ?? 'content'}`, code: 'content_rejected', message: verdict.reason }],
      });
  }
}

/**
 * In the post's transaction, once it has an id: lets moderation count and queue what it found,
 * and after the commit tells it the post was stored (`post`: its id and when it was first posted).
 */
export async function recordCheck(
  check: ContentCheck,
  trx: Tx,
  afterCommit: AfterCommit,
  input: ContentCheckInput,
  checked: CheckedContent,
  post: { id: number; created_at: string },
) {
  if (checked.verdict.action !== 'pass') await check.record?.(trx, input, checked.verdict, post.id);
  if (check.posted) afterCommit(() => check.posted!(input, { ...post, content: checked.content }));
}

/**
 * A name, topic, title or file name: censored or refused, never held (there is no queue for a
 * channel's name); the text to store.
 */
export async function checkText(check: ContentCheck, input: ContentCheckInput): Promise<string> {
  return (await checkContent(check, input)).content;
}

/**
 * Binds the author's own, not yet used uploads to a new message, inside its transaction.
 * DM uploads must have been made for the same thread.
 */
export async function bindAttachments(
  trx: Tx,
  kind: 'channel' | 'dm',
  actor: Actor,
  messageId: number,
  ids: number[],
  threadId?: number,
): Promise<void> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const res =
    kind === 'dm'
      ? await trx
          .updateTable('dm_message_attachments')
          .set({ message_id: messageId })
          .where('id', 'in', unique)
          .where('uploader_id', '=', actor.userId)
          .where('thread_id', '=', threadId!)
          .where('message_id', 'is', null)
          .executeTakeFirst()
      : await trx
          .updateTable('channel_message_attachments')
          .set({ message_id: messageId })
          .where('id', 'in', unique)
          .where('uploader_id', '=', actor.userId)
          .where('purpose', '=', 'channel')
          .where('message_id', 'is', null)
          .where('feed_item_id', 'is', null)
          .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== unique.length)
    throw invalid('body.attachment_ids', 'Attach your own new uploads only', 'unknown_attachment');
}
