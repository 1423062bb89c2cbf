import { ApiError } from '@communities/client';
import { REPORT_REASONS, type ReportTargetType } from '@communities/contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useReportMutation } from '../state/queries/moderation';

/** "Report" on a message, post, comment or member: a reason from the list, free text, then a confirmation. */
export function ReportButton({
  type,
  id,
  communityId,
  className = 'cm-icon-btn',
  label,
}: {
  type: ReportTargetType;
  id: number;
  communityId?: number;
  className?: string;
  label?: string;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<(typeof REPORT_REASONS)[number]>('spam');
  const [note, setNote] = useState('');
  const report = useReportMutation();
  const titleId = useId();
  const what = t(`moderation.what_${type}`);
  const duplicate = report.error instanceof ApiError && report.error.status === 409;
  return (
    <>
      <button
        type="button"
        className={className}
        aria-label={label ?? t('moderation.report_title', { what })}
        title={t('moderation.report_title', { what })}
        onClick={() => setOpen(true)}
      >
        {label ? label : <span aria-hidden="true">⚑</span>}
      </button>
      {open && (
        <div className="cm-modal-backdrop" onClick={() => setOpen(false)}>
          <div
            className="cm-card cm-modal"
            role="dialog"
            aria-modal="true"
            aria-labelledby={titleId}
            onClick={(e) => e.stopPropagation()}
            onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
          >
            <h2 id={titleId}>{t('moderation.report_title', { what })}</h2>
            {report.isSuccess || duplicate ? (
              <>
                <p role="status">{duplicate ? t('moderation.report_duplicate') : t('moderation.report_sent')}</p>
                <button type="button" className="cm-button" onClick={() => setOpen(false)} autoFocus>
                  {t('moderation.done')}
                </button>
              </>
            ) : (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  report.mutate({
                    target_type: type,
                    target_id: id,
                    reason,
                    note: note.trim() || undefined,
                    ...(communityId ? { community_id: communityId } : {}),
                  });
                }}
              >
                <fieldset className="cm-report-reasons">
                  <legend>{t('moderation.report_reason')}</legend>
                  {REPORT_REASONS.map((r) => (
                    <label key={r} className="cm-radio">
                      <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} />
                      {t(`moderation.reason_${r}`)}
                    </label>
                  ))}
                </fieldset>
                <label className="cm-field">
                  <span>{t('moderation.report_note')}</span>
                  <textarea className="cm-input" maxLength={1000} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
                </label>
                {report.isError && !duplicate && (
                  <p role="alert" className="cm-danger">
                    {t('app.error')}
                  </p>
                )}
                <div className="cm-row">
                  <button type="submit" className="cm-button cm-button--danger" disabled={report.isPending}>
                    {t('moderation.report_send')}
                  </button>
                  <button type="button" className="cm-button cm-button--ghost" onClick={() => setOpen(false)}>
                    {t('moderation.cancel')}
                  </button>
                </div>
              </form>
            )}
          </div>
        </div>
      )}
    </>
  );
}
