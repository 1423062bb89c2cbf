import { isServable, type Attachment } from '@communities/contract';
import { useEffect, useState, type CSSProperties, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { api, TOKEN_KEY } from '../../api';
import { fileSize } from '../../lib/format';

/**
 * Files are served to the signed-in viewer only. On RocketLMS pages the session cookie goes
 * with a plain <img>/<a>; with a Bearer token (demo, app WebView) the bytes are fetched through
 * the client and shown from an object URL.
 */
const usesToken = () => !!localStorage.getItem(TOKEN_KEY);

export function Thumbnail({ a }: { a: Attachment }) {
  const [src, setSrc] = useState<string | null>(() => (usesToken() ? null : a.thumbnail_url));
  useEffect(() => {
    if (!usesToken()) return;
    let url: string | null = null;
    let live = true;
    api.uploads
      .thumbnail({ params: { kind: a.kind, id: a.id } })
      .then((blob) => {
        url = URL.createObjectURL(blob as Blob);
        if (live) setSrc(url);
      })
      .catch(() => {});
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [a.kind, a.id]);
  // The box is known before the image arrives (from the attachment's size), so loading it
  // changes no heights and the log stays where the reader is.
  const box = imageBox(a);
  return src ? (
    <img src={src} alt={a.original_name} loading="lazy" {...(box ? { width: box.width, height: box.height } : {})} style={box?.style} />
  ) : (
    <span className="cm-file-image-wait" style={box?.style ?? { aspectRatio: '4 / 3' }} aria-label={a.original_name} role="img" />
  );
}

/** Thumbnails fit in 320 × 240 px (the stylesheet's bounds); null when the size is unknown. */
function imageBox(a: Attachment): { width: number; height: number; style: CSSProperties } | null {
  if (!a.width || !a.height) return null;
  const scale = Math.min(1, 320 / a.width, 240 / a.height);
  const width = Math.max(1, Math.round(a.width * scale));
  const height = Math.max(1, Math.round(a.height * scale));
  return { width, height, style: { width, aspectRatio: `${a.width} / ${a.height}` } };
}

export async function download(e: MouseEvent<HTMLAnchorElement>, a: Attachment) {
  if (!usesToken()) return;
  e.preventDefault();
  const blob = (await api.uploads.download({ params: { kind: a.kind, id: a.id } })) as Blob;
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: a.original_name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Files of a message: images as thumbnails, others as downloads; infected or failed ones as removed. */
export function AttachmentList({ items }: { items: Attachment[] }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return null;
  return (
    <ul className="cm-msg-files">
      {items.map((a) => (
        <li key={`${a.kind}-${a.id}`}>
          {isServable(a.scan_status) && a.download_url ? (
            a.is_image && a.thumbnail_url ? (
              <a
                className="cm-file-image"
                href={a.download_url}
                target="_blank"
                rel="noopener noreferrer"
                title={t('chat.download', { name: a.original_name })}
                onClick={(e) => void download(e, a)}
              >
                <Thumbnail a={a} />
              </a>
            ) : (
              <a
                className="cm-file"
                href={a.download_url}
                aria-label={t('chat.download', { name: a.original_name })}
                onClick={(e) => void download(e, a)}
              >
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
