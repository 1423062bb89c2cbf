import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '🙌', '🔥', '😮', '🙏'];

export function Reactions({
  reactions,
  onToggle,
  disabled,
}: {
  reactions: Array<{ emoji: string; count: number; me: boolean }>;
  onToggle: (emoji: string) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="cm-reactions">
      {reactions.map((r) => (
        <button
          key={r.emoji}
          type="button"
          className={r.me ? 'cm-chip cm-chip--me' : 'cm-chip'}
          aria-label={`${r.emoji} ${r.count}`}
          aria-pressed={r.me}
          disabled={disabled}
          onClick={() => onToggle(r.emoji)}
        >
          <span aria-hidden="true">{r.emoji}</span> {r.count}
        </button>
      ))}
      {!disabled && (
        <span className="cm-picker-wrap">
          <button
            type="button"
            className="cm-chip cm-chip--add"
            aria-label={t('feed.react')}
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
          >
            ☺︎+
          </button>
          {open && (
            <span className="cm-picker" role="menu">
              {QUICK_EMOJI.map((e) => (
                <button
                  key={e}
                  type="button"
                  role="menuitem"
                  className="cm-picker-item"
                  onClick={() => {
                    setOpen(false);
                    onToggle(e);
                  }}
                >
                  {e}
                </button>
              ))}
            </span>
          )}
        </span>
      )}
    </div>
  );
}
