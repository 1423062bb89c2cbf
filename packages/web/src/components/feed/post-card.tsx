import type { FeedItem, UserSummary } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { timeAgo } from '../../lib/format';
import { useDeletePostMutation, usePinPostMutation, useReactPostMutation, useUpdatePostMutation } from '../../state/queries/feed';
import { Avatar } from '../avatar';
import { AttachmentList } from '../chat/attachments';
import { AuthorName } from '../gamification';
import { RichText } from '../rich-text';
import { Reactions } from '../reactions';
import { ReportButton } from '../report-button';
import { useMe } from '../../state/session';

import { Comments } from './comments';
import { ConfirmDelete } from './confirm-delete';
import { MentionField } from './mention-field';

function EditPost({
  item,
  slug,
  source,
  onDone,
}: {
  item: FeedItem;
  slug: string;
  source: (q: string) => Promise<UserSummary[]>;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(item.title ?? '');
  const [content, setContent] = useState(item.content ?? '');
  const save = useUpdatePostMutation(slug);
  const submit = () => {
    if (!content.trim()) return;
    save.mutate({ id: item.id, title, content: content.trim() }, { onSuccess: onDone });
  };
  return (
    <form
      className="cm-edit-post"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <input
        className="cm-input"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        aria-label={t('feed.title_placeholder')}
        placeholder={t('feed.title_placeholder')}
      />
      <MentionField
        value={content}
        onChange={setContent}
        source={source}
        label={t('feed.edit_label')}
        placeholder={t('feed.composer_placeholder')}
        autoFocus
        onEscape={onDone}
      />
      {save.isError && <span role="alert">{t('app.error')}</span>}
      <div className="cm-composer-foot">
        <span className="cm-spacer" />
        <button type="button" className="cm-button cm-button--ghost" onClick={onDone}>
          {t('feed.cancel')}
        </button>
        <button type="submit" className="cm-button" disabled={save.isPending || !content.trim()}>
          {t('feed.save')}
        </button>
      </div>
    </form>
  );
}

export function PostCard({ item, slug, source }: { item: FeedItem; slug: string; source: (q: string) => Promise<UserSummary[]> }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const react = useReactPostMutation(slug);
  const remove = useDeletePostMutation(slug);
  const pin = usePinPostMutation(slug);
  const can = item.viewer_can;
  return (
    <article className={`cm-post cm-post--${item.type}`} aria-labelledby={`cm-p-${item.id}`} data-post-id={item.id}>
      <header className="cm-post-head">
        <Avatar name={item.author.name} url={item.author.avatar_url} />
        <div>
          <div id={`cm-p-${item.id}`} className="cm-post-author">
            <AuthorName user={item.author} communityId={item.community_id} />
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
      {editing ? (
        <EditPost item={item} slug={slug} source={source} onDone={() => setEditing(false)} />
      ) : (
        <>
          {item.title && <h3 className="cm-post-title">{item.title}</h3>}
          <RichText source={item.content ?? ''} />
        </>
      )}
      <AttachmentList items={item.attachments} />
      {(can.edit || can.delete || can.pin) && !editing && (
        <div className="cm-post-actions">
          {can.edit && (
            <button type="button" className="cm-link" onClick={() => setEditing(true)}>
              {t('feed.edit')}
            </button>
          )}
          {can.pin && (
            <button
              type="button"
              className="cm-link"
              disabled={pin.isPending}
              onClick={() => pin.mutate({ id: item.id, pinned: !item.is_pinned })}
            >
              {item.is_pinned ? t('feed.unpin') : t('feed.pin')}
            </button>
          )}
          {can.delete && <ConfirmDelete label={t('feed.delete')} busy={remove.isPending} onConfirm={() => remove.mutate(item.id)} />}
          {(remove.isError || pin.isError) && <span role="alert">{t('app.error')}</span>}
        </div>
      )}
      <footer className="cm-post-foot">
        <Reactions reactions={item.reactions} disabled={!can.react} onToggle={(emoji) => react.mutate({ id: item.id, emoji })} />
        <button type="button" className="cm-link" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          💬 {t('feed.comments', { count: item.comment_count })}
        </button>
        {item.author.id !== me.data?.id && (
          <ReportButton type="feed_item" id={item.id} className="cm-link" label={t('moderation.report')} />
        )}
      </footer>
      {open && <Comments item={item} slug={slug} source={source} />}
    </article>
  );
}
