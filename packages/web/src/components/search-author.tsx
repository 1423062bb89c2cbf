import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { useMembersQuery } from '../state/queries/communities';

import { Avatar } from './avatar';

export interface Author {
  id: number;
  name: string;
}

/**
 * Search's "From" filter: a people picker over the community's members, so messages from someone
 * who is not in the current results can be searched. Where the member list cannot be read by the
 * viewer, it offers the authors seen in the results instead. A combobox: type, arrows, Enter.
 */
export function AuthorFilter({
  community,
  value,
  onChange,
  seen,
}: {
  community: string;
  value: Author | null;
  onChange: (author: Author | null) => void;
  /** Authors of the results so far: the choices when the member list cannot be read. */
  seen: Author[];
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(value?.name ?? '');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  useEffect(() => {
    const id = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(id);
  }, [text]);
  useEffect(() => {
    if (value) setText(value.name);
  }, [value]);
  const typed = value ? '' : q;
  const members = useMembersQuery(community, typed, 8);
  // While the typing settles, the last answer is narrowed here so no one who cannot match stays listed.
  const settling = !value && text.trim() !== q ? text.trim().toLowerCase() : '';
  const options: Array<Author & { avatar_url: string | null }> = (
    members.isError
      ? seen.filter((a) => a.name.toLowerCase().includes(typed.toLowerCase())).map((a) => ({ ...a, avatar_url: null }))
      : (members.data?.pages[0]?.items ?? []).map((m) => m.user)
  ).filter((a) => a.name.toLowerCase().includes(settling));
  const shown = open && !value;
  const pick = (a: Author | null) => {
    onChange(a);
    if (!a) setText('');
    setOpen(false);
    setActive(0);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (options.length) setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
    } else if (e.key === 'Enter' && shown && options[active]) {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === 'Escape' && shown) {
      // Closes the list only, not the whole results panel.
      e.stopPropagation();
      setOpen(false);
    }
  };
  return (
    <div className="cm-search-from">
      <label>
        {t('search.filter_from')}
        <input
          type="search"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={shown}
          aria-controls={listId}
          aria-activedescendant={shown && options[active] ? `${listId}-${options[active].id}` : undefined}
          placeholder={t('search.anyone')}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (value) onChange(null);
            setOpen(true);
            setActive(0);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKey}
          data-testid="search-from"
        />
      </label>
      {value && (
        <button
          type="button"
          className="cm-search-from-clear"
          aria-label={t('search.from_clear', { name: value.name })}
          onClick={() => pick(null)}
        >
          <span aria-hidden="true">✕</span>
        </button>
      )}
      {shown && (
        <ul id={listId} role="listbox" className="cm-search-from-list" aria-label={t('search.filter_from')}>
          {options.map((a, i) => (
            <li
              key={a.id}
              id={`${listId}-${a.id}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'cm-search-from-option cm-search-from-option--active' : 'cm-search-from-option'}
              // Picked before the input's blur closes the list.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(a)}
            >
              <Avatar name={a.name} url={a.avatar_url} size={22} />
              <bdi>{a.name}</bdi>
            </li>
          ))}
          {members.isSuccess && options.length === 0 && <li className="cm-muted">{t('search.no_members')}</li>}
        </ul>
      )}
    </div>
  );
}
