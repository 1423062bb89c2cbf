import type { AdminCommunityFilters } from '@communities/client';
import type { AdminCommunity } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../../api';
import { Avatar } from '../../components/avatar';
import { ErrorNote, errorText } from '../../components/error-note';
import { timeAgo } from '../../lib/format';
import { linkProps, navigate, WEB_BASE } from '../../lib/router';
import { useActAsOwner, useAdminCommunities, useUpdateAdminCommunity } from '../../state/queries/admin';

const SORTS = ['newest', 'oldest', 'name', 'members', 'activity'] as const;

/** Every community, hidden ones and drafts too: search, filter, sort; feature, archive, hand over, open as owner. */
export function AdminCommunities() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [filters, setFilters] = useState<Omit<AdminCommunityFilters, 'q'>>({ sort: 'newest' });
  useEffect(() => {
    const id = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(id);
  }, [q]);
  const list = useAdminCommunities({ ...filters, ...(debounced ? { q: debounced } : {}) });
  const update = useUpdateAdminCommunity();
  const [dialog, setDialog] = useState<{ kind: 'transfer' | 'owner'; c: AdminCommunity } | null>(null);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total ?? null;
  const set = <K extends keyof typeof filters>(k: K, v: (typeof filters)[K] | '') =>
    setFilters((f) => {
      const next = { ...f };
      if (v === '' || v === undefined) delete next[k];
      else next[k] = v;
      return next;
    });

  return (
    <>
      <header className="cm-admin-head">
        <h1>{t('admin.section_communities')}</h1>
        {total !== null && <p className="cm-muted">{t('admin.communities_total', { count: total })}</p>}
      </header>
      <div className="cm-card">
        <div className="cm-admin-filters" role="search">
          <label className="cm-admin-search">
            {t('admin.search')}
            <input
              className="cm-input"
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              placeholder={t('admin.search_placeholder')}
            />
          </label>
          <label>
            {t('admin.filter_status')}
            <select
              className="cm-input"
              value={filters.status ?? ''}
              onChange={(e) => set('status', e.target.value as AdminCommunityFilters['status'] | '')}
            >
              <option value="">{t('admin.any')}</option>
              {(['active', 'draft', 'archived'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`admin.status_c_${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.filter_visibility')}
            <select
              className="cm-input"
              value={filters.visibility ?? ''}
              onChange={(e) => set('visibility', e.target.value as AdminCommunityFilters['visibility'] | '')}
            >
              <option value="">{t('admin.any')}</option>
              {(['public', 'private', 'hidden'] as const).map((v) => (
                <option key={v} value={v}>
                  {t(`visibility.${v}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.filter_featured')}
            <select
              className="cm-input"
              value={filters.featured === undefined ? '' : String(filters.featured)}
              onChange={(e) => set('featured', e.target.value === '' ? '' : e.target.value === 'true')}
            >
              <option value="">{t('admin.any')}</option>
              <option value="true">{t('admin.featured_only')}</option>
              <option value="false">{t('admin.not_featured')}</option>
            </select>
          </label>
          <label>
            {t('admin.sort')}
            <select
              className="cm-input"
              value={filters.sort ?? 'newest'}
              onChange={(e) => set('sort', e.target.value as (typeof SORTS)[number])}
            >
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`admin.sort_${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {update.isError && (
          <p role="alert" className="cm-danger">
            {errorText(t, update.error)}
          </p>
        )}
        {list.isError ? (
          <ErrorNote
            error={list.error}
            notFound={t('admin.not_found')}
            forbidden={t('errors.forbidden')}
            onRetry={() => void list.refetch()}
          />
        ) : !list.data ? (
          <p>{t('app.loading')}</p>
        ) : items.length === 0 ? (
          <p className="cm-empty">{t('admin.communities_empty')}</p>
        ) : (
          <table className="cm-admin-table" aria-label={t('admin.section_communities')}>
            <thead>
              <tr>
                <th scope="col">{t('admin.col_community')}</th>
                <th scope="col">{t('admin.col_owner')}</th>
                <th scope="col">{t('admin.col_members')}</th>
                <th scope="col">{t('admin.col_created')}</th>
                <th scope="col">
                  <span className="cm-visually-hidden">{t('admin.col_actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-community={c.slug}>
                  <td>
                    <span className="cm-admin-cname">
                      <a {...linkProps(`${WEB_BASE}/${c.slug}`)}>{c.name}</a>
                      <span className="cm-admin-tags">
                        <span className="cm-small cm-muted">/{c.slug}</span>
                        {c.visibility !== 'public' && <span className="cm-pill">{t(`visibility.${c.visibility}`)}</span>}
                        {c.status !== 'active' && <span className="cm-pill cm-pill--warn">{t(`admin.status_c_${c.status}`)}</span>}
                        {c.is_featured && <span className="cm-pill cm-pill--accent">★ {t('admin.featured')}</span>}
                        {c.pending_requests > 0 && (
                          <span className="cm-pill">{t('admin.pending_requests', { count: c.pending_requests })}</span>
                        )}
                      </span>
                    </span>
                  </td>
                  <td data-label={t('admin.col_owner')}>
                    <span className="cm-admin-owner">
                      <Avatar name={c.owner.name} url={c.owner.avatar_url} size={22} /> {c.owner.name}
                    </span>
                  </td>
                  <td className="cm-num" data-label={t('admin.col_members')}>
                    {new Intl.NumberFormat(i18n.language).format(c.member_count)}
                  </td>
                  <td data-label={t('admin.col_created')}>
                    <time className="cm-small cm-nowrap" dateTime={c.created_at}>
                      {timeAgo(c.created_at, i18n.language)}
                    </time>
                  </td>
                  <td>
                    <div className="cm-admin-actions" role="group" aria-label={t('admin.actions_for', { name: c.name })}>
                      {c.status !== 'draft' && (
                        <button
                          type="button"
                          className="cm-button cm-button--ghost cm-button--sm"
                          aria-pressed={c.is_featured}
                          disabled={update.isPending}
                          onClick={() => update.mutate({ id: c.id, body: { is_featured: !c.is_featured } })}
                        >
                          {c.is_featured ? t('admin.unfeature') : t('admin.feature')}
                        </button>
                      )}
                      {c.status !== 'draft' && (
                        <button
                          type="button"
                          className="cm-button cm-button--ghost cm-button--sm"
                          disabled={update.isPending}
                          onClick={() => update.mutate({ id: c.id, body: { status: c.status === 'archived' ? 'active' : 'archived' } })}
                        >
                          {c.status === 'archived' ? t('admin.restore') : t('admin.archive')}
                        </button>
                      )}
                      <button
                        type="button"
                        className="cm-button cm-button--ghost cm-button--sm"
                        onClick={() => setDialog({ kind: 'transfer', c })}
                      >
                        {t('admin.transfer')}
                      </button>
                      <button type="button" className="cm-button cm-button--sm" onClick={() => setDialog({ kind: 'owner', c })}>
                        {t('admin.open_as_owner')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {list.hasNextPage && (
          <button
            type="button"
            className="cm-button cm-button--ghost"
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {t('admin.more')}
          </button>
        )}
      </div>
      {dialog?.kind === 'transfer' && <TransferDialog c={dialog.c} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'owner' && <OpenAsOwnerDialog c={dialog.c} onClose={() => setDialog(null)} />}
    </>
  );
}

/** A modal <dialog>: Escape and the close button both call onClose. */
function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="cm-dialog"
      aria-labelledby="cm-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="cm-dialog-body">
        <h2 id="cm-dialog-title">{title}</h2>
        {children}
      </div>
    </dialog>
  );
}

/** Hand a community to one of its members; typing its name confirms. */
function TransferDialog({ c, onClose }: { c: AdminCommunity; onClose: () => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [to, setTo] = useState<number | null>(null);
  const [confirm, setConfirm] = useState('');
  const members = useQuery({
    queryKey: ['communities', 'admin', 'transfer-members', c.id, q.trim()],
    queryFn: ({ signal }) =>
      api.communities.members(
        { params: { id: String(c.id) }, query: { ...(q.trim() ? { q: q.trim() } : {}), status: 'active', limit: 20 } },
        { signal },
      ),
  });
  const update = useUpdateAdminCommunity();
  const candidates = (members.data?.items ?? []).filter((m) => m.user.id !== c.owner.id);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (to === null) return;
    update.mutate({ id: c.id, body: { owner_user_id: to, confirm_name: confirm } }, { onSuccess: onClose });
  };
  return (
    <Dialog title={t('admin.transfer_title', { name: c.name })} onClose={onClose}>
      <form onSubmit={submit}>
        <p className="cm-small cm-muted">{t('admin.transfer_intro', { owner: c.owner.name })}</p>
        <label className="cm-field">
          <span>{t('admin.transfer_search')}</span>
          <input className="cm-input" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <fieldset className="cm-field">
          <legend>{t('admin.transfer_to')}</legend>
          {members.isSuccess && candidates.length === 0 && <p className="cm-muted cm-small">{t('admin.transfer_none')}</p>}
          <ul className="cm-plain-list cm-transfer-list">
            {candidates.map((m) => (
              <li key={m.user.id}>
                <label className="cm-row">
                  <input type="radio" name="transfer-to" checked={to === m.user.id} onChange={() => setTo(m.user.id)} />
                  <Avatar name={m.user.name} url={m.user.avatar_url} size={24} /> {m.user.name}
                  <span className="cm-muted cm-small">{m.role.name}</span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <label className="cm-field">
          <span>{t('admin.type_name', { name: c.name })}</span>
          <input className="cm-input" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
        </label>
        {update.isError && (
          <p role="alert" className="cm-danger">
            {errorText(t, update.error)}
          </p>
        )}
        <div className="cm-dialog-actions">
          <button type="button" className="cm-button cm-button--ghost" onClick={onClose}>
            {t('moderation.cancel')}
          </button>
          <button type="submit" className="cm-button" disabled={to === null || confirm !== c.name || update.isPending}>
            {t('admin.transfer_confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Open as owner" for support: a reason and a time limit, then the community's settings with owner powers. */
function OpenAsOwnerDialog({ c, onClose }: { c: AdminCommunity; onClose: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(60);
  const act = useActAsOwner();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    act.mutate(
      { id: c.id, reason: reason.trim(), minutes },
      {
        onSuccess: (grant) => {
          onClose();
          navigate(`${WEB_BASE}/${grant.community_slug}/settings`);
        },
      },
    );
  };
  return (
    <Dialog title={t('admin.owner_title', { name: c.name })} onClose={onClose}>
      <form onSubmit={submit}>
        <p className="cm-small cm-muted">{t('admin.owner_intro', { owner: c.owner.name })}</p>
        <label className="cm-field">
          <span>{t('admin.owner_reason')}</span>
          <input className="cm-input" value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500} required />
        </label>
        <label className="cm-field">
          <span>{t('admin.owner_minutes')}</span>
          <select className="cm-input" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {[15, 30, 60, 120, 240].map((m) => (
              <option key={m} value={m}>
                {t('admin.minutes', { count: m })}
              </option>
            ))}
          </select>
        </label>
        {act.isError && (
          <p role="alert" className="cm-danger">
            {errorText(t, act.error)}
          </p>
        )}
        <div className="cm-dialog-actions">
          <button type="button" className="cm-button cm-button--ghost" onClick={onClose}>
            {t('moderation.cancel')}
          </button>
          <button type="submit" className="cm-button" disabled={reason.trim().length < 3 || act.isPending}>
            {t('admin.owner_confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
