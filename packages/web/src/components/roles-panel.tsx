import { COMMUNITY_PERMISSIONS } from '@communities/contract';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  useCreateRoleMutation,
  useDeleteRoleMutation,
  useReorderRolesMutation,
  useRolesQuery,
  useUpdateRoleMutation,
} from '../state/queries/community-admin';

import { errorText } from './error-note';
import { SavedCheckbox } from './saved-checkbox';

/** Owner and guest stay at the ends; the roles between them may be ordered. */
const FIXED = new Set(['owner', 'guest']);

/**
 * Roles: add, rename, order (up/down buttons, so the keyboard can do it), delete the community's
 * own roles, and the permission matrix. The owner's column keeps everything.
 */
export function RolesPanel({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const roles = useRolesQuery(slug);
  const update = useUpdateRoleMutation(slug);
  const create = useCreateRoleMutation(slug);
  const reorder = useReorderRolesMutation(slug);
  const remove = useDeleteRoleMutation(slug);
  const [newName, setNewName] = useState('');
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [announce, setAnnounce] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const refocus = useRef<string | null>(null);
  const items = (roles.data?.items ?? []).slice().sort((a, b) => b.rank - a.rank);
  const middle = items.filter((r) => !FIXED.has(r.slug));

  const move = (id: number, by: -1 | 1) => {
    const i = middle.findIndex((r) => r.id === id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= middle.length || reorder.isPending) return;
    const order = middle.map((r) => r.id);
    [order[i], order[j]] = [order[j]!, order[i]!];
    refocus.current = `${id}:${by}`;
    const moved = middle[i]!;
    setAnnounce(t('roles.moved', { name: moved.name, n: j + 1, total: middle.length }));
    reorder.mutate(order);
  };
  // The moved row re-renders elsewhere: give the focus back to the button that was pressed, or to
  // the other one once the role reached an end (a disabled button cannot hold the focus).
  useEffect(() => {
    if (!refocus.current) return;
    const [id, by] = refocus.current.split(':');
    refocus.current = null;
    const at = (d: string) => listRef.current?.querySelector<HTMLButtonElement>(`[data-move="${id}:${d}"]`);
    const target = at(by!);
    (target && !target.disabled ? target : at(by === '1' ? '-1' : '1'))?.focus();
  }, [roles.data]);

  const error = update.error ?? create.error ?? reorder.error ?? remove.error;
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-roles-title">
      <h2 id="cm-roles-title">{t('roles.title')}</h2>
      <p className="cm-muted cm-small">{t('roles.order_hint')}</p>
      <ol ref={listRef} className="cm-admin-list cm-role-list" aria-label={t('roles.order')} data-testid="role-list">
        {items.map((r) => {
          const i = middle.findIndex((m) => m.id === r.id);
          const name = r.is_system ? t(`membership.role_${r.slug}`, { defaultValue: r.name }) : r.name;
          return (
            <li key={r.id} aria-label={r.name}>
              {renaming?.id === r.id ? (
                <form
                  className="cm-row cm-grow"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const next = renaming.name.trim();
                    if (next && next !== r.name) update.mutate({ roleId: r.id, name: next }, { onSuccess: () => setRenaming(null) });
                    else setRenaming(null);
                  }}
                >
                  <input
                    className="cm-input"
                    aria-label={t('roles.rename_prompt', { name: r.name })}
                    value={renaming.name}
                    maxLength={64}
                    autoFocus
                    onChange={(e) => setRenaming({ id: r.id, name: e.target.value })}
                    onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
                  />
                  <button type="submit" className="cm-button cm-button--sm" disabled={update.isPending}>
                    {t('roles.rename_save')}
                  </button>
                  <button type="button" className="cm-link-button" onClick={() => setRenaming(null)}>
                    {t('roles.cancel')}
                  </button>
                </form>
              ) : (
                <span className="cm-grow">
                  <strong>{r.name}</strong>
                  {r.is_system && name !== r.name && <span className="cm-muted cm-small"> · {name}</span>}
                  {FIXED.has(r.slug) && <span className="cm-muted cm-small"> · {t('roles.fixed')}</span>}
                </span>
              )}
              {i >= 0 && (
                <span className="cm-channel-admin__actions">
                  <button
                    type="button"
                    className="cm-icon-button"
                    data-move={`${r.id}:-1`}
                    aria-label={t('roles.move_up', { name: r.name })}
                    disabled={i === 0}
                    onClick={() => move(r.id, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="cm-icon-button"
                    data-move={`${r.id}:1`}
                    aria-label={t('roles.move_down', { name: r.name })}
                    disabled={i === middle.length - 1}
                    onClick={() => move(r.id, 1)}
                  >
                    ↓
                  </button>
                </span>
              )}
              {r.slug !== 'owner' && renaming?.id !== r.id && (
                <button
                  type="button"
                  className="cm-link-button"
                  aria-label={t('roles.rename_named', { name: r.name })}
                  onClick={() => setRenaming({ id: r.id, name: r.name })}
                >
                  {t('roles.rename')}
                </button>
              )}
              {!r.is_system && (
                <button
                  type="button"
                  className="cm-link-button cm-danger"
                  aria-label={t('roles.delete_named', { name: r.name })}
                  disabled={remove.isPending}
                  onClick={() => {
                    if (window.confirm(t('roles.delete_confirm', { name: r.name }))) remove.mutate(r.id);
                  }}
                >
                  {t('roles.delete')}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <p className="cm-sr" role="status">
        {announce}
      </p>
      <form
        className="cm-row cm-wizard-add"
        onSubmit={(e) => {
          e.preventDefault();
          if (newName.trim()) create.mutate(newName.trim(), { onSuccess: () => setNewName('') });
        }}
      >
        <input
          className="cm-input"
          aria-label={t('roles.new_name')}
          placeholder={t('roles.new_name')}
          value={newName}
          maxLength={64}
          onChange={(e) => setNewName(e.target.value)}
        />
        <button type="submit" className="cm-button" disabled={create.isPending}>
          {t('roles.create')}
        </button>
      </form>
      <div className="cm-matrix-wrap">
        <table className="cm-matrix">
          <thead>
            <tr>
              <th scope="col">{t('roles.permission')}</th>
              {items.map((r) => (
                <th key={r.id} scope="col">
                  {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {COMMUNITY_PERMISSIONS.map((p) => (
              <tr key={p}>
                <th scope="row">{t(`roles.perm_${p}`)}</th>
                {items.map((r) => {
                  const on = r.permissions.includes(p);
                  return (
                    <td key={r.id}>
                      <SavedCheckbox
                        aria-label={t('roles.toggle', { role: r.name, perm: t(`roles.perm_${p}`) })}
                        checked={on}
                        revision={update.status}
                        disabled={r.slug === 'owner' || update.isPending}
                        onChecked={() =>
                          update.mutate({ roleId: r.id, permissions: on ? r.permissions.filter((x) => x !== p) : [...r.permissions, p] })
                        }
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {update.isSuccess && <p role="status">{t('roles.saved')}</p>}
      {error && (
        <p role="alert" className="cm-error-text">
          {errorText(t, error)}
        </p>
      )}
    </section>
  );
}
