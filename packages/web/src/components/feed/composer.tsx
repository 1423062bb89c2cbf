import { isServable, type Attachment } from '@communities/contract';
import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { fileSize } from '../../lib/format';
import { feedMentions, uploadFeedFile, useCreatePostMutation } from '../../state/queries/feed';
import { useUploadScanned } from '../../state/realtime';
import { useFeatures } from '../../state/session';
import { PlusIcon } from '../icons';

import { MentionField } from './mention-field';

type Upload = { key: string; name: string; status: 'uploading' | 'done' | 'error'; attachment: Attachment | null; message?: string };

/** Scan state of a file in the composer: uploading, being scanned, ready, or refused. */
export function UploadState({ u }: { u: Upload }) {
  const { t } = useTranslation();
  if (u.status === 'uploading') return <span className="cm-muted cm-small">{t('feed.uploading')}</span>;
  if (u.status === 'error') return <span className="cm-small cm-danger">{u.message}</span>;
  const s = u.attachment?.scan_status;
  if (s === 'pending') return <span className="cm-muted cm-small">{t('feed.attachment_pending')}</span>;
  if (s && isServable(s)) return <span className="cm-small cm-ok">{t('feed.attachment_ready')}</span>;
  return <span className="cm-small cm-danger">{t('feed.attachment_removed')}</span>;
}

export function PostComposer({ slug, me }: { slug: string; me: number }) {
  const { t, i18n } = useTranslation();
  const limits = useFeatures().data?.limits;
  const maxFiles = limits?.max_attachments_per_message ?? 10;
  const maxFileSize = limits?.max_file_size ?? 25 * 1024 * 1024;
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const file = useRef<HTMLInputElement>(null);
  const post = useCreatePostMutation(slug);
  const source = useCallback((q: string) => feedMentions(slug, q, me), [slug, me]);
  const busy = uploads.some((u) => u.status === 'uploading');
  const ready = uploads.filter((u) => u.status === 'done' && u.attachment).map((u) => u.attachment!);
  const canPost = !busy && !post.isPending && content.trim().length > 0;

  useUploadScanned((a) =>
    setUploads((list) => list.map((u) => (u.attachment?.id === a.id && u.attachment.kind === a.kind ? { ...u, attachment: a } : u))),
  );

  const addFiles = (files: FileList | null) => {
    for (const f of [...(files ?? [])].slice(0, Math.max(0, maxFiles - uploads.length))) {
      const key = `${f.name}-${Date.now()}-${Math.random()}`;
      if (f.size > maxFileSize) {
        const message = t('chat.too_large', { name: f.name, limit: fileSize(maxFileSize, i18n.language) });
        setUploads((l) => [...l, { key, name: f.name, status: 'error', attachment: null, message }]);
        continue;
      }
      setUploads((l) => [...l, { key, name: f.name, status: 'uploading', attachment: null }]);
      uploadFeedFile(f).then(
        (a) => setUploads((l) => l.map((u) => (u.key === key ? { ...u, status: 'done', attachment: a } : u))),
        () =>
          setUploads((l) =>
            l.map((u) => (u.key === key ? { ...u, status: 'error', message: t('chat.upload_failed', { name: f.name }) } : u)),
          ),
      );
    }
    if (file.current) file.current.value = '';
  };

  const submit = () => {
    if (!canPost) return;
    post.mutate(
      { title, content: content.trim(), attachments: ready },
      {
        onSuccess: () => {
          setTitle('');
          setContent('');
          setUploads([]);
        },
      },
    );
  };

  return (
    <form
      className="cm-composer"
      aria-label={t('feed.composer_label')}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <input
        className="cm-input"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        placeholder={t('feed.title_placeholder')}
        aria-label={t('feed.title_placeholder')}
      />
      <MentionField
        value={content}
        onChange={setContent}
        source={source}
        picker="above"
        label={t('feed.composer_placeholder')}
        placeholder={t('feed.composer_placeholder')}
      />
      {uploads.length > 0 && (
        <ul className="cm-compose-files cm-feed-files" aria-label={t('feed.attachments')}>
          {uploads.map((u) => (
            <li key={u.key} className={`cm-compose-file cm-compose-file--${u.status}`}>
              <span aria-hidden="true">{u.status === 'error' ? '⚠️' : u.attachment?.is_image ? '🖼️' : '📎'}</span>
              <span className="cm-file-name">{u.name}</span>
              <UploadState u={u} />
              <button
                type="button"
                className="cm-icon-btn"
                aria-label={t('chat.remove_attachment', { name: u.name })}
                onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="cm-composer-foot">
        <button
          type="button"
          className="cm-button cm-button--ghost cm-button--sm"
          aria-label={t('feed.attach')}
          disabled={uploads.length >= maxFiles}
          onClick={() => file.current?.click()}
        >
          <PlusIcon /> {t('feed.attach')}
        </button>
        <input ref={file} type="file" hidden multiple onChange={(e) => addFiles(e.target.files)} data-testid="feed-file" />
        {post.isError && <span role="alert">{t('app.error')}</span>}
        <span className="cm-spacer" />
        <button type="submit" className="cm-button" disabled={!canPost}>
          {post.isPending ? t('feed.posting') : t('feed.post')}
        </button>
      </div>
    </form>
  );
}
