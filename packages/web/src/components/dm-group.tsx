import type { DmThread, Me } from '@communities/contract';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { dmPath, navigate } from '../lib/router';
import { useAddPeopleMutation, useRenameThreadMutation, useStartDmMutation, type Person } from '../state/queries/dm';
import { useFeatures } from '../state/session';

import { Avatar } from './avatar';
import { errorText } from './error-note';
import { PeoplePicker } from './people-picker';

/** The largest group the server accepts (dm.max_group_participants), the caller included. */
function useGroupMax(): number {
  return useFeatures().data?.limits.max_group_participants ?? 10;
}

/** "New message": pick one person for a 1:1 conversation, or several (and a name) for a group. */
export function NewMessageDialog({ me, onClose }: { me: Me; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [picked, setPicked] = useState<Person[]>([]);
  const [title, setTitle] = useState('');
  const start = useStartDmMutation();
  const max = useGroupMax();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (picked.length === 0) return;
    const group = picked.length > 1;
    start.mutate(
      { user_ids: picked.map((p) => p.id), ...(group ? { group: true } : {}), ...(group && title.trim() ? { title: title.trim() } : {}) },
      {
        onSuccess: (thread) => {
          onClose();
          navigate(dmPath(thread.id));
        },
      },
    );
  };
  return (
    <dialog ref={ref} className="cm-dialog" aria-labelledby="cm-new-dm-title" onClose={onClose}>
      <form onSubmit={submit} className="cm-dialog-body">
        <header className="cm-panel-head">
          <h2 id="cm-new-dm-title">{t('dm.new_message')}</h2>
          <button type="button" className="cm-icon-btn" aria-label={t('dm.close')} onClick={onClose}>
            ✕
          </button>
        </header>
        <PeoplePicker meId={me.id} picked={picked} onChange={setPicked} max={max - 1} />
        {picked.length > 1 && (
          <label className="cm-field">
            <span>{t('dm.group_title')}</span>
            <input className="cm-input" value={title} maxLength={100} onChange={(e) => setTitle(e.target.value)} />
          </label>
        )}
        {start.isError && (
          <p role="alert" className="cm-danger">
            {errorText(t, start.error)}
          </p>
        )}
        <div className="cm-dialog-actions">
          <button type="button" className="cm-button cm-button--ghost" onClick={onClose}>
            {t('dm.cancel')}
          </button>
          <button type="submit" className="cm-button" disabled={picked.length === 0 || start.isPending}>
            {picked.length > 1 ? t('dm.start_group') : t('dm.start')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** A group's name and people: any member renames it and adds people, up to the configured size. */
export function GroupSettings({ thread, me, onClose }: { thread: DmThread; me: Me; onClose: () => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(thread.title ?? '');
  const [adding, setAdding] = useState<Person[]>([]);
  const rename = useRenameThreadMutation(thread.id);
  const add = useAddPeopleMutation(thread.id);
  const max = useGroupMax();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  const room = max - thread.participants.length;
  return (
    <section
      className="cm-panel cm-panel--group"
      role="dialog"
      aria-labelledby="cm-group-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="cm-panel-head">
        <h2 id="cm-group-title">{t('dm.settings')}</h2>
        <button ref={close} type="button" className="cm-icon-btn" aria-label={t('dm.close')} onClick={onClose}>
          ✕
        </button>
      </header>
      <form
        className="cm-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate(title.trim() || null);
        }}
      >
        <label className="cm-field">
          <span>{t('dm.rename_label')}</span>
          <input className="cm-input" value={title} maxLength={100} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <button type="submit" className="cm-button" disabled={rename.isPending || title.trim() === (thread.title ?? '')}>
          {t('dm.rename')}
        </button>
      </form>
      {rename.isError && (
        <p role="alert" className="cm-danger">
          {errorText(t, rename.error)}
        </p>
      )}
      <h3 className="cm-panel-sub">{t('dm.people_count', { count: thread.participants.length })}</h3>
      <ul className="cm-pp-list" aria-label={t('dm.members_label')}>
        {thread.participants.map((p) => (
          <li key={p.id} className="cm-pp-person">
            <Avatar name={p.name} url={p.avatar_url} size={26} />
            <span className="cm-pp-text">
              <span>
                {p.name}
                {p.id === me.id && ` ${t('dm.you')}`}
              </span>
            </span>
            {p.id === thread.owner_id && <span className="cm-pill">{t('dm.owner')}</span>}
          </li>
        ))}
      </ul>
      <h3 className="cm-panel-sub">{t('dm.add_people')}</h3>
      {room > 0 ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (adding.length)
              add.mutate(
                adding.map((p) => p.id),
                { onSuccess: () => setAdding([]) },
              );
          }}
        >
          <PeoplePicker
            // a fresh search once the people were added
            key={thread.participants.length}
            meId={me.id}
            picked={adding}
            onChange={setAdding}
            exclude={thread.participants.map((p) => p.id)}
            max={room}
          />
          {add.isError && (
            <p role="alert" className="cm-danger">
              {errorText(t, add.error)}
            </p>
          )}
          <button type="submit" className="cm-button" disabled={adding.length === 0 || add.isPending}>
            {adding.length ? t('dm.add', { count: adding.length }) : t('dm.add_people')}
          </button>
        </form>
      ) : (
        <p className="cm-muted">{t('dm.group_full', { count: max })}</p>
      )}
    </section>
  );
}
