import { isServable, type FeedItem } from '@communities/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { timeAgo } from '../lib/format';
import { useMe } from '../state/session';

import { Avatar } from './avatar';
import { download, Thumbnail } from './chat/attachments';
import { Markdown } from './markdown';
import { Reactions } from './reactions';
import { ReportButton } from './report-button';

function Comments({ item }: { item: FeedItem }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const me = useMe();
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<number | null>(null);
  const comments = useQuery({
    queryKey: ['comments', item.id],
    queryFn: () => api.feed.comments({ params: { itemId: item.id }, query: { limit: 50 } }),
  });
  const send = useMutation({
    mutationFn: () =>
      api.feed.comment({
        params: { itemId: item.id },
        body: { content: text, ...(replyTo ? { parent_id: replyTo } : {}), nonce: crypto.randomUUID().replace(/-/g, '') },
      }),
    onSuccess: () => {
      setText('');
      setReplyTo(null);
      void qc.invalidateQueries({ queryKey: ['comments', item.id] });
      void qc.invalidateQueries({ queryKey: ['feed'] });
    },
  });
  const react = useMutation({
    mutationFn: (v: { id: number; emoji: string }) => api.feed.reactComment({ params: { commentId: v.id }, body: { emoji: v.emoji } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['comments', item.id] }),
  });
  const one = (
    c: NonNullable<typeof comments.data>['items'][number] | NonNullable<typeof comments.data>['items'][number]['replies'][number],
    top: boolean,
  ) => (
    <div key={c.id} className={top ? 'cm-comment' : 'cm-comment cm-comment--reply'}>
      <Avatar name={c.author.name} url={c.author.avatar_url} size={28} />
      <div className="cm-comment-body">
        <div className="cm-comment-head">
          <strong>{c.author.name}</strong> <span className="cm-muted">{timeAgo(c.created_at, i18n.language)}</span>
        </div>
        {c.deleted ? <p className="cm-muted">{t('feed.deleted')}</p> : <Markdown source={c.content ?? ''} />}
        <div className="cm-comment-actions">
          <Reactions reactions={c.reactions} disabled={!item.viewer_can.react} onToggle={(emoji) => react.mutate({ id: c.id, emoji })} />
          {item.viewer_can.comment && (
            <button type="button" className="cm-link" onClick={() => setReplyTo(top ? c.id : c.parent_id)}>
              {t('feed.reply')}
            </button>
          )}
          {!c.deleted && c.author.id !== me.data?.id && (
            <ReportButton type="feed_comment" id={c.id} className="cm-link" label={t('moderation.report')} />
          )}
        </div>
      </div>
    </div>
  );
  return (
    <div className="cm-comments">
      {comments.data?.items.map((c) => (
        <div key={c.id}>
          {one(c, true)}
          {c.replies.map((r) => one(r, false))}
        </div>
      ))}
      {item.viewer_can.comment && (
        <form
          className="cm-comment-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) send.mutate();
          }}
        >
          <input
            className="cm-input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={replyTo ? t('feed.reply_placeholder') : t('feed.comment_placeholder')}
            aria-label={replyTo ? t('feed.reply_placeholder') : t('feed.comment_placeholder')}
          />
          <button type="submit" className="cm-button" disabled={send.isPending || !text.trim()}>
            {t('feed.send')}
          </button>
        </form>
      )}
    </div>
  );
}

export function PostCard({ item }: { item: FeedItem }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const react = useMutation({
    mutationFn: (emoji: string) => api.feed.react({ params: { itemId: item.id }, body: { emoji } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['feed'] }),
  });
  return (
    <article className={`cm-post cm-post--${item.type}`} aria-labelledby={`cm-p-${item.id}`}>
      <header className="cm-post-head">
        <Avatar name={item.author.name} url={item.author.avatar_url} />
        <div>
          <div id={`cm-p-${item.id}`} className="cm-post-author">
            {item.author.name}
          </div>
          <div className="cm-muted cm-small">
            {timeAgo(item.created_at, i18n.language)}
            {item.edited_at && ` · ${t('feed.edited')}`}
          </div>
        </div>
        <span className="cm-spacer" />
        {item.is_pinned && <span className="cm-pill">📌 {t('feed.pinned')}</span>}
        {item.type === 'announcement' && <span className="cm-pill cm-pill--paid">📣 {t('feed.announcement')}</span>}
      </header>
      {item.title && <h3 className="cm-post-title">{item.title}</h3>}
      <Markdown source={item.content ?? ''} />
      {item.attachments.length > 0 && (
        <ul className="cm-attachments">
          {item.attachments.map((a) => (
            <li key={a.id}>
              {isServable(a.scan_status) ? (
                a.is_image && a.thumbnail_url ? (
                  <a className="cm-file-image" href={a.download_url!} onClick={(e) => void download(e, a)}>
                    <Thumbnail a={a} />
                  </a>
                ) : (
                  <a href={a.download_url!} onClick={(e) => void download(e, a)}>
                    📎 {a.original_name}
                  </a>
                )
              ) : (
                <span className="cm-muted">
                  {a.scan_status === 'pending' ? t('feed.attachment_pending') : t('feed.attachment_removed')}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <footer className="cm-post-foot">
        <Reactions reactions={item.reactions} disabled={!item.viewer_can.react} onToggle={(e) => react.mutate(e)} />
        <button type="button" className="cm-link" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          💬 {t('feed.comments', { count: item.comment_count })}
        </button>
        {item.author.id !== me.data?.id && (
          <ReportButton type="feed_item" id={item.id} className="cm-link" label={t('moderation.report')} />
        )}
      </footer>
      {open && <Comments item={item} />}
    </article>
  );
}
