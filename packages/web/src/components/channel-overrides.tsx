import { CHANNEL_OVERRIDE_PERMISSIONS, type Channel, type ChannelOverride } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useAdminMembersQuery, useOverridesQuery, useRolesQuery, useSetOverrideMutation } from '../state/queries/community-admin';

import { errorText } from './error-note';

type Perm = (typeof CHANNEL_OVERRIDE_PERMISSIONS)[number];
type Choice = 'allow' | 'inherit' | 'deny';
type Target = { kind: 'role'; slug: string; name: string } | { kind: 'member'; id: number; name: string };

const sameTarget = (o: ChannelOverride, t: Target) =>
  t.kind === 'role' ? o.target === 'role' && o.role?.slug === t.slug : o.target === 'member' && o.user?.id === t.id;

/**
 * A channel's permission overrides, as in Discord: for a role or one member, each permission is
 * allowed, denied, or inherited from the role. Role overrides apply first, then the member's.
 */
export function ChannelOverrides({ slug, ch }: { slug: string; ch: Channel }) {
  const { t } = useTranslation();
  const list = useOverridesQuery(ch.id);
  const roles = useRolesQuery(slug);
  const save = useSetOverrideMutation(ch.id);
  const [target, setTarget] = useState<Target | null>(null);
  const [choices, setChoices] = useState<Record<Perm, Choice>>(() => blank());
  const [q, setQ] = useState('');
  const members = useAdminMembersQuery(slug, { q: q.trim(), role: '', status: '' });
  const items = list.data?.items ?? [];

  const open = (next: Target) => {
    const o = items.find((x) => sameTarget(x, next));
    const c = blank();
    for (const p of o?.allow ?? []) c[p] = 'allow';
    for (const p of o?.deny ?? []) c[p] = 'deny';
    setChoices(c);
    setTarget(next);
    save.reset();
  };
  const body = () => {
    const allow = CHANNEL_OVERRIDE_PERMISSIONS.filter((p) => choices[p] === 'allow');
    const deny = CHANNEL_OVERRIDE_PERMISSIONS.filter((p) => choices[p] === 'deny');
    return target!.kind === 'role' ? { role_slug: target!.slug, allow, deny } : { user_id: target!.id, allow, deny };
  };
  const label = (o: ChannelOverride) => (o.target === 'role' ? (o.role?.name ?? '') : (o.user?.name ?? ''));
  const summary = (o: ChannelOverride) =>
    [...o.allow.map((p) => `+${t(`roles.perm_${p}`)}`), ...o.deny.map((p) => `−${t(`roles.perm_${p}`)}`)].join(', ');

  return (
    <fieldset className="cm-field cm-overrides">
      <legend>{t('overrides.title')}</legend>
      <p className="cm-muted cm-small">{t('overrides.hint')}</p>
      {items.length > 0 && (
        <ul className="cm-admin-list" aria-label={t('overrides.list')}>
          {items.map((o) => (
            <li key={`${o.target}-${o.role?.id ?? o.user?.id}`}>
              <span className="cm-grow">
                <strong>{label(o)}</strong>{' '}
                <span className="cm-muted cm-small">
                  {t(o.target === 'role' ? 'overrides.role' : 'overrides.member')} · {summary(o)}
                </span>
              </span>
              <button
                type="button"
                className="cm-link-button"
                aria-label={t('overrides.edit', { name: label(o) })}
                onClick={() =>
                  open(
                    o.target === 'role'
                      ? { kind: 'role', slug: o.role!.slug, name: o.role!.name }
                      : { kind: 'member', id: o.user!.id, name: o.user!.name },
                  )
                }
              >
                {t('overrides.edit_short')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="cm-row cm-wizard-add">
        <select
          className="cm-input"
          aria-label={t('overrides.for_role')}
          value={target?.kind === 'role' ? target.slug : ''}
          onChange={(e) => {
            const r = roles.data?.items.find((x) => x.slug === e.target.value);
            if (r) open({ kind: 'role', slug: r.slug, name: r.name });
          }}
        >
          <option value="">{t('overrides.pick_role')}</option>
          {roles.data?.items
            .filter((r) => r.slug !== 'owner')
            .map((r) => (
              <option key={r.id} value={r.slug}>
                {r.name}
              </option>
            ))}
        </select>
        <input
          className="cm-input"
          type="search"
          aria-label={t('overrides.find_member')}
          placeholder={t('overrides.find_member')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <select
          className="cm-input"
          aria-label={t('overrides.for_member')}
          value={target?.kind === 'member' ? String(target.id) : ''}
          onChange={(e) => {
            const m = members.data?.items.find((x) => String(x.user.id) === e.target.value);
            if (m) open({ kind: 'member', id: m.user.id, name: m.user.name });
          }}
        >
          <option value="">{t('overrides.pick_member')}</option>
          {members.data?.items
            .filter((m) => m.role.slug !== 'owner')
            .map((m) => (
              <option key={m.user.id} value={m.user.id}>
                {m.user.name}
              </option>
            ))}
        </select>
      </div>
      {target && (
        <div className="cm-override-editor" role="group" aria-label={t('overrides.editing', { name: target.name })}>
          <p className="cm-small">
            <strong>{t('overrides.editing', { name: target.name })}</strong>
          </p>
          <div className="cm-matrix-wrap">
            <table className="cm-matrix">
              <thead>
                <tr>
                  <th scope="col">{t('roles.permission')}</th>
                  {(['allow', 'inherit', 'deny'] as const).map((c) => (
                    <th key={c} scope="col">
                      {t(`overrides.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {CHANNEL_OVERRIDE_PERMISSIONS.map((p) => (
                  <tr key={p} role="radiogroup" aria-label={t(`roles.perm_${p}`)}>
                    <th scope="row">{t(`roles.perm_${p}`)}</th>
                    {(['allow', 'inherit', 'deny'] as const).map((c) => (
                      <td key={c}>
                        <input
                          type="radio"
                          name={`ov-${ch.id}-${p}`}
                          aria-label={`${t(`roles.perm_${p}`)}: ${t(`overrides.${c}`)}`}
                          checked={choices[p] === c}
                          onChange={() => setChoices({ ...choices, [p]: c })}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="cm-settings-actions">
            <button type="button" className="cm-button cm-button--sm" disabled={save.isPending} onClick={() => save.mutate(body())}>
              {t('overrides.save')}
            </button>
            <button type="button" className="cm-link-button" onClick={() => setChoices(blank())}>
              {t('overrides.reset')}
            </button>
            <button type="button" className="cm-link-button" onClick={() => setTarget(null)}>
              {t('admin.close')}
            </button>
            {save.isSuccess && <span role="status">{t('overrides.saved', { name: target.name })}</span>}
          </div>
        </div>
      )}
      {save.isError && (
        <p role="alert" className="cm-error-text">
          {errorText(t, save.error)}
        </p>
      )}
    </fieldset>
  );
}

function blank(): Record<Perm, Choice> {
  return Object.fromEntries(CHANNEL_OVERRIDE_PERMISSIONS.map((p) => [p, 'inherit'])) as Record<Perm, Choice>;
}
