import { ApiError } from '@communities/client';
import { contentRejectedDetailsSchema, sanctionDetailsSchema } from '@communities/contract';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** The offending spans of a `content_rejected` 422 on the message text, or null for any other failure. */
export function rejectedSpans(error: unknown): Array<{ start: number; end: number }> | null {
  if (!(error instanceof ApiError) || error.code !== 'content_rejected') return null;
  const d = contentRejectedDetailsSchema.safeParse(error.details);
  return d.success && d.data.field === 'content' ? d.data.spans : null;
}

/** A refused message's text with what the word filter matched highlighted, and why it was refused. */
export function RejectedText({ content, error }: { content: string; error: unknown }) {
  const { t, i18n } = useTranslation();
  const spans = rejectedSpans(error);
  if (spans) {
    const parts: ReactNode[] = [];
    let at = 0;
    for (const s of [...spans].sort((a, b) => a.start - b.start)) {
      if (s.start < at) continue;
      parts.push(content.slice(at, s.start), <mark key={s.start}>{content.slice(s.start, s.end)}</mark>);
      at = s.end;
    }
    parts.push(content.slice(at));
    return (
      <div className="cm-msg-text" data-testid="rejected-text">
        <p>{parts}</p>
        <p className="cm-danger cm-small">{t('moderation.rejected')}</p>
      </div>
    );
  }
  const sanction = error instanceof ApiError && error.status === 403 ? sanctionDetailsSchema.safeParse(error.details) : null;
  if (sanction?.success && sanction.data.reason === 'muted') {
    const d = sanction.data;
    const when = d.until ? new Date(d.until).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) : null;
    return (
      <p className="cm-danger cm-small" data-testid="sanction-text">
        {when
          ? t('moderation.muted_reason_until', { when, reason: d.sanction_reason ?? '' })
          : t('moderation.muted_reason', { reason: d.sanction_reason ?? '' })}
      </p>
    );
  }
  return null;
}
