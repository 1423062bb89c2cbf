import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '🙌', '🔥', '😮', '🙏'];
/** Unicode only: no image assets, nothing to download. */
export const MORE_EMOJI = [
  '😀',
  '😄',
  '😁',
  '😅',
  '🤣',
  '😊',
  '😇',
  '🙂',
  '😉',
  '😍',
  '🤩',
  '😘',
  '😋',
  '😎',
  '🤓',
  '🧐',
  '🤔',
  '🤨',
  '😐',
  '🙄',
  '😏',
  '😴',
  '😌',
  '😬',
  '😢',
  '😭',
  '😤',
  '😡',
  '🤯',
  '😱',
  '🥳',
  '🥺',
  '👋',
  '👏',
  '🤝',
  '✌️',
  '🤞',
  '💪',
  '👀',
  '🧠',
  '✅',
  '❌',
  '⭐',
  '✨',
  '💡',
  '📌',
  '📚',
  '🎯',
  '🚀',
  '💯',
  '💜',
  '💙',
  '💚',
  '💛',
  '🧡',
  '☕',
  '🍕',
  '🎨',
  '📷',
  '💻',
  '🐛',
  '🌱',
];

/**
 * A small emoji menu: arrow keys move, Enter picks, Escape closes (focus returns to the trigger).
 * `label` names the trigger button; `more` adds the longer grid below the quick row.
 */
export function EmojiPicker({
  onPick,
  label,
  trigger,
  more = false,
  triggerClass = 'cm-chip cm-chip--add',
  align = 'left',
}: {
  onPick: (emoji: string) => void;
  label: string;
  trigger: string;
  more?: boolean;
  triggerClass?: string;
  align?: 'left' | 'right';
}) {
  const [open, setOpen] = useState(false);
  // Opens towards the roomier side of the window, so it is never cut off at the bottom.
  const [up, setUp] = useState(true);
  const menu = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const all = more ? [...QUICK_EMOJI, ...MORE_EMOJI] : QUICK_EMOJI;
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const close = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const onKey = (e: KeyboardEvent<HTMLSpanElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    const cols = 8;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      items[Math.min(items.length - 1, Math.max(0, i + step))]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    }
  };
  return (
    <span className="cm-picker-wrap">
      <button
        ref={button}
        type="button"
        className={triggerClass}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => {
          const r = button.current?.getBoundingClientRect();
          if (r) setUp(r.top > window.innerHeight / 2);
          setOpen((o) => !o);
        }}
      >
        {trigger}
      </button>
      {open && (
        <span
          ref={menu}
          className={`cm-picker${more ? ' cm-picker--grid' : ''} cm-picker--${align} cm-picker--${up ? 'up' : 'down'}`}
          role="menu"
          aria-label={label}
          onKeyDown={onKey}
        >
          {all.map((e) => (
            <button
              key={e}
              type="button"
              role="menuitem"
              className="cm-picker-item"
              onClick={() => {
                setOpen(false);
                onPick(e);
              }}
            >
              {e}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}

export function Reactions({
  reactions,
  onToggle,
  disabled,
  more = false,
}: {
  reactions: Array<{ emoji: string; count: number; me: boolean }>;
  onToggle: (emoji: string) => void;
  disabled?: boolean;
  more?: boolean;
}) {
  const { t } = useTranslation();
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
      {!disabled && <EmojiPicker label={t('feed.react')} trigger="☺︎+" onPick={onToggle} more={more} />}
    </div>
  );
}
