import type { UserSummary } from '@communities/contract';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { insertMention, mentionQuery } from '../../lib/chat';
import { Avatar } from '../avatar';

export interface MentionFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** Members matching what follows the `@` (the community's member search). */
  source: (q: string) => Promise<UserSummary[]>;
  label: string;
  placeholder: string;
  rows?: number;
  className?: string;
  autoFocus?: boolean;
  /** Where the picker opens: above the field (the post composer, so its files stay in view) or below. */
  picker?: 'above' | 'below';
  /** Enter without Shift (when no picker is open); none: Enter makes a new line. */
  onSubmit?: () => void;
  onEscape?: () => void;
}

/**
 * A textarea with an @-mention picker: typing `@` and a few letters lists members; Enter, Tab
 * or a click inserts `@[Name](user:ID)`, the syntax the server parses into mentions.
 */
export function MentionField(p: MentionFieldProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [options, setOptions] = useState<UserSummary[]>([]);
  const [active, setActive] = useState(0);
  const { source } = p;

  useEffect(() => {
    if (!mention) return;
    let live = true;
    const timer = setTimeout(() => {
      source(mention.query)
        .then((users) => {
          if (!live) return;
          setOptions(users.slice(0, 8));
          setActive(0);
        })
        .catch(() => live && setOptions([]));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [mention, source]);

  const close = () => {
    setMention(null);
    setOptions([]);
  };

  const pick = (u: UserSummary) => {
    const el = ref.current;
    if (!el || !mention) return;
    const next = insertMention(p.value, mention.start, el.selectionStart, { kind: 'user', id: u.id, name: u.name });
    p.onChange(next.text);
    close();
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (mention && options.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(options[active]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && p.onSubmit) {
      e.preventDefault();
      p.onSubmit();
    } else if (e.key === 'Escape' && p.onEscape) {
      e.preventDefault();
      p.onEscape();
    }
  };

  const open = mention !== null && options.length > 0;
  return (
    <div className="cm-mention-field">
      {open && (
        <ul
          className={p.picker === 'above' ? 'cm-mentions' : 'cm-mentions cm-mentions--below'}
          id={listId}
          role="listbox"
          aria-label={t('chat.mention_list')}
        >
          {options.map((u, i) => (
            <li
              key={u.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'cm-mention-opt cm-mention-opt--on' : 'cm-mention-opt'}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(u);
              }}
            >
              <Avatar name={u.name} url={u.avatar_url} size={22} /> {u.name}
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={ref}
        className={p.className ?? 'cm-input'}
        rows={p.rows ?? 3}
        value={p.value}
        placeholder={p.placeholder}
        aria-label={p.label}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        autoFocus={p.autoFocus}
        onChange={(e) => {
          const el = e.currentTarget;
          p.onChange(el.value);
          const q = mentionQuery(el.value, el.selectionStart);
          setMention((prev) => (q && (prev?.start !== q.start || prev.query !== q.query) ? q : q ? prev : null));
          if (!q) setOptions([]);
        }}
        onKeyDown={onKey}
        onBlur={close}
      />
    </div>
  );
}
