import { ApiError } from '@communities/client';
import type { AdminSetting } from '@communities/contract';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { ErrorNote, errorText } from '../../components/error-note';
import { LockIcon } from '../../components/icons';
import { fromText, groupOf, issueKey, SETTING_GROUPS, settingKind, toText } from '../../lib/admin-settings';
import { adminPath, linkProps } from '../../lib/router';
import { useAdminSettings, useUpdateAdminSettings } from '../../state/queries/admin';
import { useFeatures } from '../../state/session';

const fieldId = (key: string) => `cm-set-${key.replace(/\./g, '-')}`;

/**
 * Runtime settings: feature toggles, scanning, moderation defaults, pricing and the rest
 * the server lists; locked keys are shown, not editable; secrets are never among them. Only the
 * changed keys are sent; the server's field errors appear beside their fields.
 */
export function AdminSettings() {
  const { t } = useTranslation();
  const settings = useAdminSettings();
  const save = useUpdateAdminSettings();
  const features = useFeatures();
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [local, setLocal] = useState<string | null>(null);
  // Bumped on discard, so list and map fields drop what was typed in them.
  const [generation, setGeneration] = useState(0);
  const items = useMemo(() => settings.data?.items ?? [], [settings.data]);
  const keys = useMemo(() => items.map((i) => i.key as string), [items]);
  const errors = useMemo(() => {
    const out: Record<string, string> = {};
    const rest: string[] = [];
    if (save.error instanceof ApiError)
      for (const issue of save.error.issues) {
        const k = issueKey(issue, keys);
        if (k) out[k] ??= issue.message;
        else rest.push(issue.message);
      }
    return { byKey: out, rest };
  }, [save.error, keys]);

  if (settings.isError)
    return (
      <ErrorNote
        error={settings.error}
        notFound={t('admin.not_found')}
        forbidden={t('errors.forbidden')}
        onRetry={() => void settings.refetch()}
      />
    );
  const s = settings.data;
  if (!s) return <p>{t('app.loading')}</p>;

  const changed = Object.keys(draft);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLocal(null);
    if (changed.length === 0) {
      setLocal(t('admin.settings_nothing'));
      return;
    }
    save.mutate(draft, { onSuccess: () => setDraft({}) });
  };
  const groups = SETTING_GROUPS.map((g) => ({ g, rows: items.filter((i) => groupOf(i.key) === g) })).filter((x) => x.rows.length);
  const gamificationServed = features.data?.features.gamification !== false;

  return (
    <form className="cm-admin-form" onSubmit={submit} aria-labelledby="cm-admin-settings" noValidate>
      <header className="cm-admin-head">
        <h1 id="cm-admin-settings">{t('admin.section_settings')}</h1>
        <p className="cm-muted cm-small">{t('admin.settings_intro')}</p>
      </header>
      <section className="cm-card" aria-labelledby="cm-admin-running">
        <h2 id="cm-admin-running">{t('admin.running')}</h2>
        <dl className="cm-stats cm-running">
          {(['chat_driver', 'queue_driver', 'scanner_driver', 'storage_driver', 'database_dialect', 'host_adapter'] as const).map((k) => (
            <div key={k} className="cm-stat" data-testid={`running-${k}`}>
              <dt>{t(`admin.running_${k}`)}</dt>
              <dd>{s.running[k]}</dd>
            </div>
          ))}
          <div className="cm-stat">
            <dt>{t('admin.running_redis')}</dt>
            <dd>{s.running.redis ? t('admin.yes') : t('admin.no')}</dd>
          </div>
        </dl>
        {s.running.features_off_at_boot.length > 0 && (
          <p className="cm-small cm-muted">{t('admin.off_at_boot', { list: s.running.features_off_at_boot.join(', ') })}</p>
        )}
      </section>
      {groups.map(({ g, rows }) => (
        <fieldset key={g} className="cm-card">
          <legend>{t(`admin.group_${g}`, { defaultValue: g })}</legend>
          {rows.map((item) => (
            <SettingRow
              key={`${item.key}:${generation}`}
              item={item}
              value={item.key in draft ? (draft[item.key] ?? item.default_value) : item.value}
              error={errors.byKey[item.key] ?? null}
              dirty={item.key in draft}
              onReset={() => {
                setDraft((d) => ({ ...d, [item.key]: null }));
                setGeneration((g) => g + 1);
              }}
              onChange={(v) =>
                setDraft((d) => {
                  const next = { ...d };
                  if (JSON.stringify(v) === JSON.stringify(item.value)) delete next[item.key];
                  else next[item.key] = v;
                  return next;
                })
              }
            />
          ))}
          {g === 'moderation' && (
            <p className="cm-small cm-muted">
              {t('admin.moderation_words_hint')}{' '}
              <a className="cm-link" {...linkProps(adminPath('moderation'))}>
                {t('admin.section_moderation')}
              </a>
            </p>
          )}
        </fieldset>
      ))}
      <section className="cm-card" aria-labelledby="cm-admin-gam">
        <h2 id="cm-admin-gam">{t('admin.group_gamification')}</h2>
        {gamificationServed ? (
          <p>
            {t('admin.gamification_hint')}{' '}
            <a className="cm-link" {...linkProps(adminPath('gamification'))}>
              {t('admin.gamification_open')}
            </a>
          </p>
        ) : (
          <p className="cm-muted">{t('admin.gamification_off')}</p>
        )}
      </section>
      <div className="cm-admin-foot">
        {save.isError && (
          <span role="alert" className="cm-danger">
            {errors.rest[0] ?? (Object.keys(errors.byKey).length ? t('admin.settings_fix') : errorText(t, save.error))}
          </span>
        )}
        {local && <span role="status">{local}</span>}
        {save.isSuccess && changed.length === 0 && !local && <span role="status">{t('admin.settings_saved')}</span>}
        <span className="cm-spacer" />
        {changed.length > 0 && (
          <button
            type="button"
            className="cm-button cm-button--ghost"
            onClick={() => {
              setDraft({});
              setGeneration((g) => g + 1);
            }}
          >
            {t('admin.discard', { count: changed.length })}
          </button>
        )}
        <button type="submit" className="cm-button" disabled={save.isPending}>
          {t('admin.save')}
        </button>
      </div>
    </form>
  );
}

function SettingRow({
  item,
  value,
  error,
  dirty,
  onChange,
  onReset,
}: {
  item: AdminSetting;
  value: unknown;
  error: string | null;
  dirty: boolean;
  onChange: (v: unknown) => void;
  onReset: () => void;
}) {
  const { t } = useTranslation();
  const kind = settingKind(item.value ?? item.default_value, item.description);
  const id = fieldId(item.key);
  const name = t(`admin.key.${item.key.replace(/\./g, '__')}`, { defaultValue: item.key.split('.').pop()!.replace(/_/g, ' ') });
  // Lists and maps are typed as text; keep what the admin typed until it is sent.
  const [text, setText] = useState(() => toText(value));
  const describedBy = [`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const common = { id, disabled: item.locked, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy };
  return (
    <div className={`cm-setting${dirty ? ' cm-setting--dirty' : ''}`} data-setting={item.key}>
      <span className="cm-setting-label">
        <label htmlFor={id}>{name}</label>
        <span className="cm-setting-key" id={`${id}-hint`}>
          {item.key} · {item.description}
          {item.source === 'database' && ` · ${t('admin.changed_at_runtime')}`}
        </span>
        {item.source === 'database' && !item.locked && !dirty && (
          <button type="button" className="cm-link cm-link--inline cm-small cm-setting-reset" onClick={onReset}>
            {t('admin.reset_default')}
          </button>
        )}
      </span>
      {item.locked ? (
        <span className="cm-setting-locked">
          <span className="cm-lock" data-testid="locked">
            <LockIcon /> {t('admin.locked')}
          </span>{' '}
          <code>{kind.kind === 'boolean' ? (value ? t('admin.on') : t('admin.off')) : toText(value) || '—'}</code>
        </span>
      ) : kind.kind === 'boolean' ? (
        <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
      ) : kind.kind === 'choice' ? (
        <select className="cm-input" {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {kind.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : kind.kind === 'list' || kind.kind === 'map' ? (
        <textarea
          className="cm-input cm-mono"
          rows={Math.min(6, Math.max(2, text.split('\n').length))}
          {...common}
          value={text}
          placeholder={kind.kind === 'map' ? t('admin.map_placeholder') : t('admin.list_placeholder')}
          onChange={(e) => {
            setText(e.target.value);
            onChange(fromText(kind, e.target.value));
          }}
        />
      ) : (
        <input
          className="cm-input"
          inputMode={kind.kind === 'number' ? 'numeric' : undefined}
          {...common}
          value={toText(value)}
          onChange={(e) => onChange(fromText(kind, e.target.value))}
        />
      )}
      {error && (
        <p className="cm-setting-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
