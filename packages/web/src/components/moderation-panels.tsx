import { FILTER_ACTIONS, MODERATION_ACTIONS, SEVERITIES, type CommunityWords, type Severity } from '@communities/contract';
import type { AuditFilters } from '@communities/client';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { fullDate } from '../lib/format';
import { parseWordLines } from '../lib/word-lines';
import {
  downloadAuditCsv,
  useAddBadWordsMutation,
  useAuditQuery,
  useBadWordsQuery,
  useDeleteBadWordMutation,
  useSaveWordsMutation,
  useWordsQuery,
} from '../state/queries/moderation';

import { errorText } from './error-note';

export function WordsPanel({ slug, canEdit }: { slug: string; canEdit: boolean }) {
  const { t } = useTranslation();
  const words = useWordsQuery(slug);
  const save = useSaveWordsMutation(slug);
  const [list, setList] = useState('');
  const [allow, setAllow] = useState('');
  const [actions, setActions] = useState<CommunityWords['actions']>({});
  useEffect(() => {
    if (!words.data) return;
    setList(words.data.words.map((w) => `${w.word}:${w.severity}`).join('\n'));
    setAllow(words.data.allow.join('\n'));
    setActions(words.data.actions);
  }, [words.data]);
  return (
    <form
      className="cm-mod-words"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          words: parseWordLines(list),
          allow: allow
            .split('\n')
            .map((w) => w.trim())
            .filter(Boolean),
          actions,
        });
      }}
    >
      <label className="cm-field">
        <span>{t('moderation.words_list')}</span>
        <textarea className="cm-input" rows={8} value={list} disabled={!canEdit} onChange={(e) => setList(e.target.value)} />
      </label>
      <label className="cm-field">
        <span>{t('moderation.words_allow')}</span>
        <textarea className="cm-input" rows={5} value={allow} disabled={!canEdit} onChange={(e) => setAllow(e.target.value)} />
      </label>
      {SEVERITIES.map((s) => (
        <label key={s} className="cm-field">
          <span>{t('moderation.words_action', { severity: t(`moderation.severity_${s}`) })}</span>
          <select
            className="cm-input"
            value={actions[s] ?? ''}
            disabled={!canEdit}
            onChange={(e) => setActions((a) => ({ ...a, [s]: e.target.value || undefined }))}
          >
            <option value="">{t('moderation.action_default')}</option>
            {FILTER_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`moderation.action_${a}`)}
              </option>
            ))}
          </select>
        </label>
      ))}
      {canEdit && (
        <button type="submit" className="cm-button" disabled={save.isPending}>
          {t('moderation.save')}
        </button>
      )}
      {save.isSuccess && <span role="status">{t('moderation.saved')}</span>}
      {(save.isError || words.isError) && (
        <p role="alert" className="cm-danger">
          {errorText(t, save.error ?? words.error)}
        </p>
      )}
    </form>
  );
}

export function AuditPanel({ slug }: { slug: string | null }) {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<AuditFilters>({});
  const audit = useAuditQuery(slug, filters);
  const [exportError, setExportError] = useState<unknown>(null);
  const set = (k: keyof AuditFilters, v: string) =>
    setFilters((f) => {
      const next = { ...f };
      if (!v) delete next[k];
      else if (k === 'user_id' || k === 'moderator_id') next[k] = Number(v);
      else if (k === 'from' || k === 'to') next[k] = new Date(v).toISOString();
      else next[k] = v;
      return next;
    });
  return (
    <div>
      <div className="cm-mod-filters">
        <select
          className="cm-input"
          aria-label={t('moderation.audit_action')}
          value={filters.action ?? ''}
          onChange={(e) => set('action', e.target.value)}
        >
          <option value="">{t('moderation.audit_any')}</option>
          {MODERATION_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {t(`moderation.act_${a}`)}
            </option>
          ))}
        </select>
        <input
          className="cm-input"
          type="number"
          min={1}
          aria-label={t('moderation.audit_user')}
          placeholder={t('moderation.audit_user')}
          onChange={(e) => set('user_id', e.target.value)}
        />
        <input
          className="cm-input"
          type="number"
          min={1}
          aria-label={t('moderation.audit_moderator')}
          placeholder={t('moderation.audit_moderator')}
          onChange={(e) => set('moderator_id', e.target.value)}
        />
        <label className="cm-row">
          <span>{t('moderation.audit_from')}</span>
          <input className="cm-input" type="date" onChange={(e) => set('from', e.target.value)} />
        </label>
        <label className="cm-row">
          <span>{t('moderation.audit_to')}</span>
          <input className="cm-input" type="date" onChange={(e) => set('to', e.target.value)} />
        </label>
        <button type="button" className="cm-button cm-button--ghost" onClick={() => downloadAuditCsv(slug, filters).catch(setExportError)}>
          ⬇ {t('moderation.export_csv')}
        </button>
      </div>
      {exportError !== null && <p role="alert">{errorText(t, exportError)}</p>}
      {audit.isSuccess && audit.data.items.length === 0 && <p className="cm-muted">{t('moderation.audit_empty')}</p>}
      <table className="cm-table">
        <tbody>
          {audit.data?.items.map((a) => (
            <tr key={a.id}>
              <td className="cm-small cm-muted">{fullDate(a.created_at, i18n.language)}</td>
              <td>{a.moderator?.name ?? t('moderation.automatic')}</td>
              <td>
                <span className="cm-pill">{t(`moderation.act_${a.action}`)}</span>
              </td>
              <td>{a.user?.name ?? ''}</td>
              <td className="cm-small">
                {a.reason ?? ''}
                {a.expires_at ? ` · ${t('moderation.until', { when: fullDate(a.expires_at, i18n.language) })}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BadWordsPanel() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const list = useBadWordsQuery(q);
  const add = useAddBadWordsMutation();
  const remove = useDeleteBadWordMutation();
  const [word, setWord] = useState('');
  const [severity, setSeverity] = useState<Severity>('medium');
  const [replacement, setReplacement] = useState('');
  const [bulk, setBulk] = useState('');
  return (
    <div>
      <form
        className="cm-mod-filters"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate([{ word: word.trim(), severity, replacement: replacement.trim() || null }], { onSuccess: () => setWord('') });
        }}
      >
        <input
          className="cm-input"
          required
          aria-label={t('moderation.bad_word_word')}
          placeholder={t('moderation.bad_word_word')}
          value={word}
          onChange={(e) => setWord(e.target.value)}
        />
        <select
          className="cm-input"
          aria-label={t('moderation.bad_word_severity')}
          value={severity}
          onChange={(e) => setSeverity(e.target.value as Severity)}
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {t(`moderation.severity_${s}`)}
            </option>
          ))}
        </select>
        <input
          className="cm-input"
          aria-label={t('moderation.bad_word_replacement')}
          placeholder={t('moderation.bad_word_replacement')}
          value={replacement}
          onChange={(e) => setReplacement(e.target.value)}
        />
        <button type="submit" className="cm-button" disabled={add.isPending}>
          {t('moderation.bad_word_add')}
        </button>
      </form>
      <form
        className="cm-field"
        onSubmit={(e) => {
          e.preventDefault();
          const words = parseWordLines(bulk);
          if (words.length) add.mutate(words, { onSuccess: () => setBulk('') });
        }}
      >
        <span>{t('moderation.bad_word_import')}</span>
        <textarea
          className="cm-input"
          rows={4}
          value={bulk}
          onChange={(e) => setBulk(e.target.value)}
          aria-label={t('moderation.bad_word_import')}
        />
        <button type="submit" className="cm-button cm-button--ghost">
          {t('moderation.bad_word_import_button')}
        </button>
      </form>
      {add.data && <p role="status">{t('moderation.bad_words_result', add.data)}</p>}
      {add.isError && <p role="alert">{errorText(t, add.error)}</p>}
      <input
        className="cm-input"
        type="search"
        aria-label={t('moderation.bad_word_search')}
        placeholder={t('moderation.bad_word_search')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <table className="cm-table">
        <tbody>
          {list.data?.items.map((w) => (
            <tr key={w.id}>
              <td>{w.word}</td>
              <td>
                <span className="cm-pill">{t(`moderation.severity_${w.severity}`)}</span>
              </td>
              <td className="cm-muted">{w.replacement ?? ''}</td>
              <td>
                <button
                  type="button"
                  className="cm-icon-btn cm-icon-btn--danger"
                  aria-label={t('moderation.bad_word_remove', { word: w.word })}
                  onClick={() => remove.mutate(w.id)}
                >
                  🗑
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
