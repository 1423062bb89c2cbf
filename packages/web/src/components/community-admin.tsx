import { isServable, type Channel, type CommunityDetail } from '@communities/contract';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { timeAgo } from '../lib/format';
import { navigate, WEB_BASE } from '../lib/router';
import { useUpdateCommunityMutation } from '../state/queries/communities';
import {
  useAdminMembersQuery,
  useCreateInviteMutation,
  useDecideRequestMutation,
  useDeleteCommunityMutation,
  useInvitesQuery,
  useLinkCourseMutation,
  useRequestsQuery,
  useRevokeInviteMutation,
  useRolesQuery,
  useTransferMutation,
  useUnlinkCourseMutation,
  useUpdateChannelMutation,
} from '../state/queries/community-admin';
import { useCoursesQuery } from '../state/queries/communities';
import { uploadCommunityImage } from '../state/queries/wizard';

import { Avatar } from './avatar';
import { ChannelOverrides } from './channel-overrides';
import { errorText } from './error-note';
import { MemberModeration } from './member-moderation';

/** The number on the Requests tab: pending join requests, polled and refreshed on focus. */
export function RequestsBadge({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const q = useRequestsQuery(slug);
  const n = q.data?.items.length ?? 0;
  if (n === 0) return null;
  return (
    <span className="cm-badge cm-badge--mention" aria-label={t('requests.badge', { count: n })} data-testid="requests-badge">
      {q.data?.next_cursor ? `${n}+` : n}
    </span>
  );
}

/** Pending join requests: approve or reject each. */
export function RequestsPanel({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  const q = useRequestsQuery(slug);
  const decide = useDecideRequestMutation(slug);
  const [done, setDone] = useState<string | null>(null);
  const [messages, setMessages] = useState<Record<number, string>>({});
  const items = q.data?.items ?? [];
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-requests-title">
      <h2 id="cm-requests-title">{t('requests.title')}</h2>
      {q.isSuccess && items.length === 0 && <p className="cm-empty">{t('requests.empty')}</p>}
      <ul className="cm-admin-list">
        {items.map((m) => (
          <li key={m.user.id} aria-label={m.user.name}>
            <Avatar name={m.user.name} url={m.user.avatar_url} />
            <span className="cm-grow">
              <strong>{m.user.name}</strong>
              <span className="cm-muted cm-small"> · {t('requests.asked', { when: timeAgo(m.joined_at, i18n.language) })}</span>
              {m.request_intro && (
                <span className="cm-request-intro" aria-label={t('requests.intro')}>
                  “{m.request_intro}”
                </span>
              )}
            </span>
            <input
              className="cm-input"
              aria-label={t('requests.message', { name: m.user.name })}
              placeholder={t('requests.message', { name: m.user.name })}
              maxLength={1000}
              value={messages[m.user.id] ?? ''}
              onChange={(e) => setMessages({ ...messages, [m.user.id]: e.target.value })}
            />
            <button
              type="button"
              className="cm-button cm-button--sm"
              disabled={decide.isPending}
              onClick={() =>
                decide.mutate(
                  { userId: m.user.id, decision: 'approve', message: messages[m.user.id]?.trim() ?? '' },
                  { onSuccess: () => setDone(t('requests.approved', { name: m.user.name })) },
                )
              }
            >
              {t('requests.approve')}
            </button>
            <button
              type="button"
              className="cm-button cm-button--ghost cm-button--sm"
              disabled={decide.isPending}
              onClick={() =>
                decide.mutate(
                  { userId: m.user.id, decision: 'reject', message: messages[m.user.id]?.trim() ?? '' },
                  { onSuccess: () => setDone(t('requests.rejected', { name: m.user.name })) },
                )
              }
            >
              {t('requests.reject')}
            </button>
          </li>
        ))}
      </ul>
      {done && <p role="status">{done}</p>}
      {decide.isError && (
        <p role="alert" className="cm-error-text">
          {errorText(t, decide.error)}
        </p>
      )}
    </section>
  );
}

/** Members with search and role and status filters; moderation and role changes per row; transfer ownership. */
export function MembersAdmin({ c }: { c: CommunityDetail }) {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ q: '', role: '', status: '' });
  const roles = useRolesQuery(c.slug);
  const list = useAdminMembersQuery(c.slug, filters);
  const transfer = useTransferMutation(c.slug);
  const isOwner = c.viewer_membership?.role === 'owner' || c.viewer_permissions.includes('community.transfer');
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-members-admin">
      <h2 id="cm-members-admin">{t('community.tab_members')}</h2>
      <div className="cm-row cm-wizard-add">
        <input
          className="cm-input"
          type="search"
          aria-label={t('members.search')}
          placeholder={t('members.search')}
          value={filters.q}
          onChange={(e) => setFilters({ ...filters, q: e.target.value })}
        />
        <select
          className="cm-input"
          aria-label={t('admin.members_filter_role')}
          value={filters.role}
          onChange={(e) => setFilters({ ...filters, role: e.target.value })}
        >
          <option value="">{t('admin.any')}</option>
          {roles.data?.items.map((r) => (
            <option key={r.id} value={r.slug}>
              {t(`membership.role_${r.slug}`, { defaultValue: r.name })}
            </option>
          ))}
        </select>
        <select
          className="cm-input"
          aria-label={t('admin.members_filter_status')}
          value={filters.status}
          onChange={(e) => setFilters({ ...filters, status: e.target.value })}
        >
          <option value="">{t('admin.any')}</option>
          {(['active', 'muted', 'banned'] as const).map((s) => (
            <option key={s} value={s}>
              {t(`admin.status_${s}`)}
            </option>
          ))}
        </select>
      </div>
      <ul className="cm-admin-list" data-testid="members-admin">
        {list.data?.items.map((m) => (
          <li key={m.user.id} aria-label={m.user.name}>
            <Avatar name={m.user.name} url={m.user.avatar_url} />
            <span className="cm-grow">
              <strong>{m.user.name}</strong>{' '}
              <span className="cm-pill">{t(`membership.role_${m.role.slug}`, { defaultValue: m.role.name })}</span>
              {m.status !== 'active' && <span className="cm-pill cm-danger"> {t(`admin.status_${m.status}`)}</span>}
            </span>
            {m.role.slug !== 'owner' && c.viewer_permissions.includes('members.manage') && (
              <MemberModeration
                slug={c.slug}
                user={m.user}
                status={m.status}
                role={m.role.slug}
                canChangeRole={c.viewer_permissions.includes('members.change_role')}
              />
            )}
            {isOwner && m.role.slug !== 'owner' && m.status === 'active' && (
              <button
                type="button"
                className="cm-button cm-button--ghost cm-button--sm"
                disabled={transfer.isPending}
                onClick={() => {
                  if (window.confirm(t('admin.owner_transfer_confirm', { name: m.user.name, community: c.name })))
                    transfer.mutate(m.user.id);
                }}
              >
                {t('admin.owner_transfer')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {transfer.isError && (
        <p role="alert" className="cm-error-text">
          {errorText(t, transfer.error)}
        </p>
      )}
    </section>
  );
}

const SLOW_MODES = [0, 5, 10, 30, 60, 300, 900, 3600, 21_600] as const;

function slowLabel(t: (k: string, o?: Record<string, unknown>) => string, s: number) {
  if (s === 0) return t('admin.slow_off');
  if (s < 60) return t('admin.slow_seconds', { count: s });
  if (s < 3600) return t('admin.slow_minutes', { count: s / 60 });
  return t('admin.slow_hours', { count: s / 3600 });
}

/** A channel's fields: topic, private with the roles that may see it, slow mode and minimum level. */
export function ChannelFieldsForm({ slug, ch, onClose }: { slug: string; ch: Channel; onClose: () => void }) {
  const { t } = useTranslation();
  const roles = useRolesQuery(slug);
  const save = useUpdateChannelMutation(slug);
  const [topic, setTopic] = useState(ch.topic ?? '');
  const [isPrivate, setPrivate] = useState(ch.is_private);
  const [allowed, setAllowed] = useState<string[]>(ch.allowed_role_slugs);
  const [slow, setSlow] = useState(ch.slow_mode_seconds);
  const [minLevel, setMinLevel] = useState(ch.min_level);
  const [announcement, setAnnouncement] = useState(ch.type === 'announcement');
  const typed = ch.type === 'text' || ch.type === 'announcement';
  const slowOptions = SLOW_MODES.includes(slow as (typeof SLOW_MODES)[number]) ? SLOW_MODES : [...SLOW_MODES, slow].sort((a, b) => a - b);
  return (
    <div className="cm-channel-form">
      <form
        aria-label={t('admin.channel_settings', { name: ch.name })}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({
            id: ch.id,
            body: {
              topic: topic.trim() || null,
              is_private: isPrivate,
              allowed_role_slugs: isPrivate ? allowed : [],
              slow_mode_seconds: slow,
              min_level: minLevel,
              ...(typed ? { type: announcement ? 'announcement' : 'text' } : {}),
            },
          });
        }}
      >
        <label className="cm-field">
          <span>{t('admin.topic')}</span>
          <input value={topic} maxLength={500} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <label className="cm-check">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} />
          <span>{t('admin.private')}</span>
        </label>
        {isPrivate && (
          <fieldset className="cm-field">
            <legend>{t('admin.allowed_roles')}</legend>
            <span className="cm-check-grid">
              {roles.data?.items
                .filter((r) => r.slug !== 'owner')
                .map((r) => (
                  <label key={r.id} className="cm-check">
                    <input
                      type="checkbox"
                      checked={allowed.includes(r.slug)}
                      onChange={(e) => setAllowed(e.target.checked ? [...allowed, r.slug] : allowed.filter((x) => x !== r.slug))}
                    />
                    <span>{t(`membership.role_${r.slug}`, { defaultValue: r.name })}</span>
                  </label>
                ))}
            </span>
          </fieldset>
        )}
        <div className="cm-row cm-wizard-add">
          <label className="cm-field">
            <span>{t('admin.slow_mode')}</span>
            <select value={slow} onChange={(e) => setSlow(Number(e.target.value))}>
              {slowOptions.map((s) => (
                <option key={s} value={s}>
                  {slowLabel(t, s)}
                </option>
              ))}
            </select>
          </label>
          <label className="cm-field">
            <span>{t('admin.min_level')}</span>
            <input
              type="number"
              min={1}
              max={100}
              value={minLevel}
              onChange={(e) => setMinLevel(Math.max(1, Number(e.target.value) || 1))}
            />
          </label>
        </div>
        {typed && (
          <label className="cm-check">
            <input type="checkbox" checked={announcement} onChange={(e) => setAnnouncement(e.target.checked)} />
            <span>📣 {t('admin.announcement_only')}</span>
          </label>
        )}
        <div className="cm-settings-actions">
          <button type="submit" className="cm-button cm-button--sm" disabled={save.isPending}>
            {t('admin.owner_save')}
          </button>
          <button type="button" className="cm-link-button" onClick={onClose}>
            {t('admin.close')}
          </button>
          {save.isSuccess && <span role="status">{t('admin.saved')}</span>}
          {save.isError && (
            <span role="alert" className="cm-error-text">
              {errorText(t, save.error)}
            </span>
          )}
        </div>
      </form>
      <ChannelOverrides slug={slug} ch={ch} />
    </div>
  );
}

const EXPIRIES = [0, 1, 24, 168, 720] as const;

/** Invite links: create with an expiry and a use limit, copy, revoke. */
export function InvitesPanel({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  const invites = useInvitesQuery(slug);
  const create = useCreateInviteMutation(slug);
  const revoke = useRevokeInviteMutation(slug);
  const [hours, setHours] = useState<number>(168);
  const [maxUses, setMaxUses] = useState('');
  const [copied, setCopied] = useState<number | null>(null);
  const items = invites.data?.items ?? [];
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-invites-title">
      <h2 id="cm-invites-title">{t('admin.invites')}</h2>
      {invites.isSuccess && items.length === 0 && <p className="cm-empty">{t('admin.invite_none')}</p>}
      <ul className="cm-admin-list">
        {items.map((inv) => (
          <li key={inv.id} data-testid={`invite-${inv.id}`}>
            <code className="cm-grow" style={{ overflowWrap: 'anywhere' }}>
              {inv.url}
            </code>
            <span className="cm-muted cm-small">
              {inv.max_uses
                ? t('admin.invite_uses', { uses: inv.uses, max: inv.max_uses })
                : t('admin.invite_uses_unlimited', { uses: inv.uses })}
              {inv.expires_at && ` · ${t('admin.invite_expires', { when: timeAgo(inv.expires_at, i18n.language) })}`}
            </span>
            {inv.revoked ? (
              <span className="cm-pill">{t('admin.invite_revoked')}</span>
            ) : (
              <>
                <button
                  type="button"
                  className="cm-button cm-button--ghost cm-button--sm"
                  onClick={() => {
                    // Without a clipboard (an insecure page), show the link to copy by hand.
                    if (navigator.clipboard) void navigator.clipboard.writeText(inv.url).then(() => setCopied(inv.id));
                    else window.prompt(t('admin.invite_copy'), inv.url);
                  }}
                >
                  {copied === inv.id ? t('admin.invite_copied') : t('admin.invite_copy')}
                </button>
                <button
                  type="button"
                  className="cm-link-button cm-danger"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate(inv.id)}
                >
                  {t('admin.invite_revoke')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form
        className="cm-row cm-wizard-add"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(maxUses);
          create.mutate({ ...(hours ? { expires_in_hours: hours } : {}), ...(maxUses && n > 0 ? { max_uses: n } : {}) });
        }}
      >
        <label className="cm-field">
          <span>{t('admin.invite_expiry')}</span>
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {EXPIRIES.map((h) => (
              <option key={h} value={h}>
                {h === 0
                  ? t('admin.invite_never')
                  : h < 48
                    ? t('admin.invite_hours', { count: h })
                    : t('admin.invite_days', { count: h / 24 })}
              </option>
            ))}
          </select>
        </label>
        <label className="cm-field">
          <span>{t('admin.invite_max')}</span>
          <input
            inputMode="numeric"
            placeholder={t('admin.invite_unlimited')}
            value={maxUses}
            onChange={(e) => setMaxUses(e.target.value.replace(/\D/g, ''))}
          />
        </label>
        <button type="submit" className="cm-button" disabled={create.isPending}>
          {t('admin.invite_create')}
        </button>
      </form>
      {(create.error ?? revoke.error) && (
        <p role="alert" className="cm-error-text">
          {errorText(t, create.error ?? revoke.error)}
        </p>
      )}
    </section>
  );
}

/** Linked courses: link one (with auto-join), or remove a link. */
export function CourseLinksPanel({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const courses = useCoursesQuery(slug);
  const link = useLinkCourseMutation(slug);
  const unlink = useUnlinkCourseMutation(slug);
  const [courseId, setCourseId] = useState('');
  const [type, setType] = useState<'course' | 'bundle' | 'live_class'>('course');
  const [autoJoin, setAutoJoin] = useState(true);
  const items = courses.data?.items ?? [];
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-links-title">
      <h2 id="cm-links-title">{t('admin.courses')}</h2>
      {courses.isSuccess && items.length === 0 && <p className="cm-empty">{t('admin.course_none')}</p>}
      <ul className="cm-admin-list">
        {items.map((l) => (
          <li key={l.id}>
            <span className="cm-grow">
              <strong>{l.title}</strong>{' '}
              <span className="cm-muted cm-small">
                {t(`wizard.link_${l.link_type}`)}
                {l.auto_join ? ` · ${t('admin.course_auto')}` : ''}
              </span>
            </span>
            <button type="button" className="cm-link-button cm-danger" disabled={unlink.isPending} onClick={() => unlink.mutate(l.id)}>
              {t('admin.course_remove')}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="cm-row cm-wizard-add"
        onSubmit={(e) => {
          e.preventDefault();
          const id = Number(courseId);
          if (id > 0)
            link.mutate(
              { course_id: id, course_type: type, link_type: 'primary', auto_join: autoJoin },
              { onSuccess: () => setCourseId('') },
            );
        }}
      >
        <select
          className="cm-input"
          aria-label={t('wizard.course_type')}
          value={type}
          onChange={(e) => setType(e.target.value as typeof type)}
        >
          {(['course', 'bundle', 'live_class'] as const).map((v) => (
            <option key={v} value={v}>
              {t(`wizard.course_type_${v}`)}
            </option>
          ))}
        </select>
        <input
          className="cm-input cm-input--num"
          inputMode="numeric"
          aria-label={t('wizard.course_id')}
          placeholder={t('wizard.course_id')}
          value={courseId}
          onChange={(e) => setCourseId(e.target.value.replace(/\D/g, ''))}
        />
        <label className="cm-check">
          <input type="checkbox" checked={autoJoin} onChange={(e) => setAutoJoin(e.target.checked)} />
          <span>{t('wizard.auto_join')}</span>
        </label>
        <button type="submit" className="cm-button" disabled={link.isPending}>
          {t('admin.course_add')}
        </button>
      </form>
      {(link.error ?? unlink.error) && (
        <p role="alert" className="cm-error-text">
          {errorText(t, link.error ?? unlink.error)}
        </p>
      )}
    </section>
  );
}

/** Icon and cover: upload a new one (scanned) and save it on the community. */
export function ImagesPanel({ c }: { c: CommunityDetail }) {
  const { t } = useTranslation();
  const update = useUpdateCommunityMutation(c.slug);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<'icon' | 'cover' | null>(null);
  const pick = (which: 'icon' | 'cover', file: File | undefined) => {
    if (!file) return;
    setError(null);
    setPending(which);
    uploadCommunityImage(file, which === 'icon' ? 'community_icon' : 'community_cover')
      .then((a) => {
        if (!isServable(a.scan_status) && a.scan_status !== 'pending') throw new Error(t('feed.attachment_removed'));
        return update.mutateAsync(which === 'icon' ? { icon_upload_id: a.id } : { cover_upload_id: a.id });
      })
      .catch((e: unknown) => setError(e instanceof Error && !('status' in e) ? e.message : errorText(t, e)))
      .finally(() => setPending(null));
  };
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-images-title">
      <h2 id="cm-images-title">{t('admin.images')}</h2>
      <div className="cm-wizard-images">
        {(['icon', 'cover'] as const).map((which) => {
          const url = which === 'icon' ? c.icon_url : c.cover_url;
          const label = which === 'icon' ? t('wizard.icon') : t('wizard.cover');
          return (
            <div key={which} className="cm-field cm-image-picker">
              <span>{label}</span>
              <div className={`cm-image-preview cm-image-preview--${which}`}>
                {url ? (
                  <img src={url} alt={t('wizard.preview_of', { what: label })} />
                ) : (
                  <span className="cm-muted">{t('wizard.no_image')}</span>
                )}
              </div>
              <label className="cm-button cm-button--ghost cm-file-button">
                {url ? t('wizard.replace_image') : t('wizard.choose_image')}
                <input
                  type="file"
                  className="cm-sr"
                  aria-label={label}
                  accept="image/png,image/jpeg,image/webp,image/gif"
                  disabled={pending !== null}
                  onChange={(e) => pick(which, e.target.files?.[0])}
                />
              </label>
              {pending === which && <span className="cm-muted cm-small">{t('feed.uploading')}</span>}
            </div>
          );
        })}
      </div>
      {update.isSuccess && <p role="status">{t('admin.image_saved')}</p>}
      {error && (
        <p role="alert" className="cm-error-text">
          {error}
        </p>
      )}
    </section>
  );
}

/** Archive (or restore) the community, or delete it after typing its name. */
export function DangerZone({ c }: { c: CommunityDetail }) {
  const { t } = useTranslation();
  const update = useUpdateCommunityMutation(c.slug);
  const remove = useDeleteCommunityMutation(c.slug);
  const [typed, setTyped] = useState('');
  const canDelete = c.viewer_permissions.includes('community.delete');
  useEffect(() => setTyped(''), [c.slug]);
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-danger-title">
      <h2 id="cm-danger-title">{t('admin.danger')}</h2>
      {c.status === 'archived' && <p className="cm-muted">{t('admin.archived_note')}</p>}
      <div className="cm-settings-actions">
        <button
          type="button"
          className="cm-button cm-button--ghost"
          disabled={update.isPending}
          onClick={() => update.mutate({ status: c.status === 'archived' ? 'active' : 'archived' })}
        >
          {c.status === 'archived' ? t('admin.owner_restore') : t('admin.owner_archive')}
        </button>
      </div>
      {canDelete && (
        <form
          className="cm-row cm-wizard-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (typed === c.name) remove.mutate(typed, { onSuccess: () => navigate(WEB_BASE) });
          }}
        >
          <label className="cm-field">
            <span>{t('admin.delete_type', { name: c.name })}</span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
          <button type="submit" className="cm-button cm-button--danger" disabled={typed !== c.name || remove.isPending}>
            {t('admin.delete_confirm')}
          </button>
        </form>
      )}
      {(update.error ?? remove.error) && (
        <p role="alert" className="cm-error-text">
          {errorText(t, update.error ?? remove.error)}
        </p>
      )}
    </section>
  );
}
