import type { FeedComment, FeedItem, UserSummary } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { timeAgo } from '../../lib/format';
import {
  useCreateCommentMutation,
  useDeleteCommentMutation,
  useFeedCommentsQuery,
  useHelpfulCommentMutation,
  useReactCommentMutation,
  useUpdateCommentMutation,
} from '../../state/queries/feed';
import { Avatar } from '../avatar';
import { RichText } from '../rich-text';
import { ReportButton } from '../report-button';
import { useMe } from '../../state/session';
import { Reactions } from '../reactions';

import { ConfirmDelete } from './confirm-delete';
import { MentionField } from './mention-field';

type Source = (q: string) => Promise<UserSummary[]>;

function CommentRow({
  c,
  item,
  top,
  source,
  onReply,
}: {
  c: FeedComment;
  item: FeedItem;
  top: boolean;
  source: Source;
  onReply: (parentId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(c.content ?? '');
  const update = useUpdateCommentMutation(item.id);
  const remove = useDeleteCommentMutation(item.id);
  const react = useReactCommentMutation(item.id);
  const helpful = useHelpfulCommentMutation(item.id);
  const save = () => {
    if (text.trim()) update.mutate({ id: c.id, content: text.trim() }, { onSuccess: () => setEditing(false) });
  };
  return (
    <div className={top ? 'cm-comment' : 'cm-comment cm-comment--reply'} data-comment-id={c.id}>
      <Avatar name={c.author.name} url={c.author.avatar_url} size={28} />
      <div className="cm-comment-body">
        <div className="cm-comment-head">
          <strong>{c.author.name}</strong> <span className="cm-muted">{timeAgo(c.created_at, i18n.language)}</span>
          {c.edited_at && !c.deleted && <span className="cm-muted"> · {t('feed.edited')}</span>}
        </div>
        {c.deleted ? (
          <p className="cm-muted">{t('feed.deleted')}</p>
        ) : editing ? (
          <div className="cm-comment-edit">
            <MentionField
              value={text}
              onChange={setText}
              source={source}
              rows={2}
              label={t('feed.edit_comment_label')}
              placeholder={t('feed.comment_placeholder')}
              autoFocus
              onSubmit={save}
              onEscape={() => setEditing(false)}
            />
            <button type="button" className="cm-button cm-button--ghost cm-button--sm" onClick={() => setEditing(false)}>
              {t('feed.cancel')}
            </button>
            <button type="button" className="cm-button cm-button--sm" disabled={update.isPending || !text.trim()} onClick={save}>
              {t('feed.save')}
            </button>
          </div>
        ) : (
          <RichText source={c.content ?? ''} />
        )}
        {c.helpful && !c.deleted && (
          <span className="cm-helpful" title={t('gamification.helpful_title')}>
            <span aria-hidden="true">✓</span> {t('gamification.helpful')}
          </span>
        )}
        {!c.deleted && !editing && (
          <div className="cm-comment-actions">
            <Reactions reactions={c.reactions} disabled={!item.viewer_can.react} onToggle={(emoji) => react.mutate({ id: c.id, emoji })} />
            {item.viewer_can.comment && (
              <button type="button" className="cm-link" onClick={() => onReply(top ? c.id : (c.parent_id ?? c.id))}>
                {t('feed.reply')}
              </button>
            )}
            {c.viewer_can.edit && (
              <button
                type="button"
                className="cm-link"
                onClick={() => {
                  setText(c.content ?? '');
                  setEditing(true);
                }}
              >
                {t('feed.edit')}
              </button>
            )}
            {c.viewer_can.delete && (
              <ConfirmDelete label={t('feed.delete')} busy={remove.isPending} onConfirm={() => remove.mutate(c.id)} />
            )}
            {c.viewer_can.mark_helpful && (
              <button
                type="button"
                className="cm-link"
                aria-pressed={c.helpful}
                disabled={helpful.isPending}
                onClick={() => helpful.mutate({ id: c.id, helpful: !c.helpful })}
              >
                {c.helpful ? t('gamification.unmark_helpful') : t('gamification.mark_helpful')}
              </button>
            )}
            {c.author.id !== me.data?.id && (
              <ReportButton type="feed_comment" id={c.id} className="cm-link" label={t('moderation.report')} />
            )}
            {(remove.isError || update.isError || helpful.isError) && <span role="alert">{t('app.error')}</span>}
          </div>
        )}
      </div>
    </div>
  );
}

export function Comments({ item, slug, source }: { item: FeedItem; slug: string; source: Source }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<number | null>(null);
  const comments = useFeedCommentsQuery(item.id);
  const send = useCreateCommentMutation(slug, item.id);
  const submit = () => {
    if (!text.trim() || send.isPending) return;
    send.mutate(
      { content: text.trim(), parentId: replyTo },
      {
        onSuccess: () => {
          setText('');
          setReplyTo(null);
        },
      },
    );
  };
  const label = replyTo ? t('feed.reply_placeholder') : t('feed.comment_placeholder');
  return (
    <div className="cm-comments" aria-label={t('feed.comments_label')}>
      {comments.data?.items.map((c) => (
        <div key={c.id}>
          <CommentRow c={c} item={item} top source={source} onReply={setReplyTo} />
          {c.replies.map((r) => (
            <CommentRow key={r.id} c={r} item={item} top={false} source={source} onReply={setReplyTo} />
          ))}
        </div>
      ))}
      {item.viewer_can.comment && (
        <form
          className="cm-comment-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <MentionField
            value={text}
            onChange={setText}
            source={source}
            rows={1}
            label={label}
            placeholder={label}
            onSubmit={submit}
            onEscape={() => setReplyTo(null)}
          />
          <button type="submit" className="cm-button" disabled={send.isPending || !text.trim()}>
            {t('feed.send')}
          </button>
        </form>
      )}
      {send.isError && <span role="alert">{t('app.error')}</span>}
    </div>
  );
}
