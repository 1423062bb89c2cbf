import type { CommunitiesConfig } from '@communities/contract';

import type { Actor } from '../access';
import type { Tx } from '../platform/db/transaction';
import { invalid } from '../platform/errors';

import type { ContentCheck, ContentCheckInput } from './content-check';

/** Length and attachment limits from config, checked before anything is written. */
export function checkLimits(config: CommunitiesConfig, body: { content: string; attachment_ids: number[] }): void {
  if (body.content.length > config.chat.max_message_length)
    throw invalid('body.content', `Messages may be at most ${config.chat.max_message_length} characters`, 'too_long');
  if (new Set(body.attachment_ids).size > config.chat.max_attachments_per_message)
    throw invalid('body.attachment_ids', `At most ${config.chat.max_attachments_per_message} attachments`, 'too_many');
}

/** Runs the content check: the text to store and its moderation state, or a 422. */
export async function checkContent(
  check: ContentCheck,
  input: ContentCheckInput,
): Promise<{ content: string; state: 'visible' | 'flagged' }> {
  if (input.content === '') return { content: '', state: 'visible' };
  const verdict = await check.check(input);
  switch (verdict.action) {
    case 'pass':
      return { content: input.content, state: 'visible' };
    case 'censor':
      return { content: verdict.content, state: 'visible' };
    case 'flag':
      return { content: input.content, state: 'flagged' };
    case 'reject':
      throw invalid('body.content', verdict.reason, 'content_rejected');
  }
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
