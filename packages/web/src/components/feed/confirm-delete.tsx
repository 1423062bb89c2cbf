import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Two-step delete: the first click asks, the second does it. */
export function ConfirmDelete({ label, onConfirm, busy }: { label: string; onConfirm: () => void; busy: boolean }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="cm-link cm-danger" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="cm-confirm" role="group" aria-label={t('feed.confirm_delete')}>
      <span className="cm-small">{t('feed.confirm_delete')}</span>
      <button type="button" className="cm-button cm-button--sm cm-button--danger" disabled={busy} onClick={onConfirm}>
        {t('feed.delete_confirm')}
      </button>
      <button type="button" className="cm-button cm-button--ghost cm-button--sm" onClick={() => setAsking(false)}>
        {t('feed.cancel')}
      </button>
    </span>
  );
}
