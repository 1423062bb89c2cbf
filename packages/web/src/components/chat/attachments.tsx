import type { Attachment } from '@communities/contract';
import { useTranslation } from 'react-i18next';

import { fileSize } from '../../lib/format';

/** Files of a message: images as thumbnails, others as downloads; infected or failed ones as removed. */
export function AttachmentList({ items }: { items: Attachment[] }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return null;
  return (
    <ul className="cm-msg-files">
      {items.map((a) => (
        <li key={`${a.kind}-${a.id}`}>
          {a.scan_status === 'clean' && a.download_url ? (
            a.is_image && a.thumbnail_url ? (
              <a
                className="cm-file-image"
                href={a.download_url}
                target="_blank"
                rel="noopener noreferrer"
                aria-label={t('chat.download', { name: a.original_name })}
              >
                <img
                  src={a.thumbnail_url}
                  alt={a.original_name}
                  loading="lazy"
                  width={a.width ?? undefined}
                  height={a.height ?? undefined}
                />
              </a>
            ) : (
              <a className="cm-file" href={a.download_url} aria-label={t('chat.download', { name: a.original_name })}>
                <span aria-hidden="true">📎</span>
                <span className="cm-file-name">{a.original_name}</span>
                <span className="cm-muted cm-small">{fileSize(a.size, i18n.language)}</span>
              </a>
            )
          ) : a.scan_status === 'pending' ? (
            <span className="cm-file cm-file--pending" data-testid="attachment-pending">
              <span className="cm-spinner" aria-hidden="true" />
              <span className="cm-file-name">{a.original_name}</span>
              <span className="cm-muted cm-small">{t('chat.attachment_pending')}</span>
            </span>
          ) : (
            <span className="cm-file cm-file--removed" data-testid="attachment-removed">
              <span aria-hidden="true">🚫</span>
              <span className="cm-muted">{t('chat.attachment_removed')}</span>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
