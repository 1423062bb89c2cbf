import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { usePeopleQuery, type Person } from '../state/queries/dm';

import { Avatar } from './avatar';

/**
 * Search people the caller may message and tick several. `exclude` leaves out those already in a
 * conversation; `max` stops ticking once a group would be full.
 */
export function PeoplePicker({
  meId,
  picked,
  onChange,
  exclude = [],
  max,
}: {
  meId: number;
  picked: Person[];
  onChange: (people: Person[]) => void;
  exclude?: number[];
  max: number;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const people = usePeopleQuery(q.trim(), meId);
  const shown = (people.data ?? []).filter((p) => !exclude.includes(p.id));
  const isPicked = (id: number) => picked.some((p) => p.id === id);
  const full = picked.length >= max;
  return (
    <div className="cm-pp">
      <input
        className="cm-input"
        type="search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder={t('dm.search_people')}
        aria-label={t('dm.search_people')}
        autoFocus
      />
      {picked.length > 0 && (
        <ul className="cm-pp-chips" aria-label={t('dm.picked')}>
          {picked.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="cm-pp-chip"
                aria-label={t('dm.unpick', { name: p.name })}
                onClick={() => onChange(picked.filter((x) => x.id !== p.id))}
              >
                {p.name} <span aria-hidden="true">✕</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {full && <p className="cm-muted cm-small">{t('dm.group_full', { count: max })}</p>}
      {people.isSuccess && shown.length === 0 && <p className="cm-muted">{t('dm.no_people')}</p>}
      {people.isError && (
        <p role="alert" className="cm-danger">
          {t('app.error')}
        </p>
      )}
      <ul className="cm-pp-list" aria-label={t('dm.people_label')}>
        {shown.map((p) => (
          <li key={p.id}>
            <label className="cm-pp-person">
              <input
                type="checkbox"
                checked={isPicked(p.id)}
                disabled={!isPicked(p.id) && full}
                onChange={(e) => onChange(e.target.checked ? [...picked, p] : picked.filter((x) => x.id !== p.id))}
              />
              <Avatar name={p.name} url={p.avatar_url} size={30} />
              <span className="cm-pp-text">
                <span>{p.name}</span>
                <span className="cm-muted cm-small">{p.community}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}
