import {
  MODERATION_REALTIME_EVENTS,
  realtimeChannel,
  REPORT_STATUSES,
  type ModerationReport,
  type ReportStatus,
} from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { Avatar } from '../components/avatar';
import { errorText } from '../components/error-note';
import { DURATIONS } from '../components/member-moderation';
import { AuditPanel, BadWordsPanel, WordsPanel } from '../components/moderation-panels';
import { fullDate } from '../lib/format';
import {
  useContentActionMutation,
  useGlobalQueueQuery,
  useHeldQuery,
  useLiftSiteSanctionMutation,
  useMemberActionMutation,
  useQueueQuery,
  useSanctionsQuery,
  useSiteSanctionsQuery,
  useUpdateReportMutation,
} from '../state/queries/moderation';
import { useRealtimeEvent } from '../state/realtime';
import { useFeatures, useMe } from '../state/session';
import { moderationKeys } from '@communities/client';

type Section = 'queue' | 'held' | 'sanctions' | 'words' | 'audit' | 'bad_words';

/** The moderation centre: a community's (slug) for its owners and moderators, or the site's (slug null) for site admins. */
export function ModerationCentre({ slug, canEditWords }: { slug: string | null; canEditWords: boolean }) {
  const { t } = useTranslation();
  const [section, setSection] = useState<Section>('queue');
  const sections: Section[] = slug ? ['queue', 'held', 'sanctions', 'words', 'audit'] : ['queue', 'sanctions', 'bad_words', 'audit'];
  return (
    <section className="cm-mod" aria-label={slug ? t('moderation.centre_title') : t('moderation.admin_title')}>
      {!slug && <h1>{t('moderation.admin_title')}</h1>}
      <nav className="cm-mod-nav" role="tablist">
        {sections.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={s === section}
            className={s === section ? 'cm-tab cm-tab--on' : 'cm-tab'}
            onClick={() => setSection(s)}
          >
            {t(`moderation.section_${s}`)}
          </button>
        ))}
      </nav>
      <div role="tabpanel">
        {section === 'queue' && <Queue slug={slug} />}
        {section === 'held' && slug && <Held slug={slug} />}
        {section === 'sanctions' && <Sanctions slug={slug} />}
        {section === 'words' && slug && <WordsPanel slug={slug} canEdit={canEditWords} />}
        {section === 'bad_words' && <BadWordsPanel />}
        {section === 'audit' && <AuditPanel slug={slug} />}
      </div>
    </section>
  );
}

/** New reports arrive on the moderator's own channel; the queue refetches and says so. */
function useLiveReports(onReport: (reason: string) => void) {
  const features = useFeatures();
  const me = useMe();
  const prefix = features.data?.realtime?.channel_prefix;
  const channel = prefix && me.data ? realtimeChannel.user(prefix, me.data.id) : null;
  useRealtimeEvent(channel, MODERATION_REALTIME_EVENTS.reportCreated, (d) => onReport((d as { reason: string }).reason));
}

function Queue({ slug }: { slug: string | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState<ReportStatus | 'active'>('active');
  const [live, setLive] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const community = useQueueQuery(slug ?? '', status);
  const global = useGlobalQueueQuery(status);
  const queue = slug ? community : global;
  useLiveReports((reason) => {
    setLive(t('moderation.queue_live', { reason: t(`moderation.reason_${reason}`, { defaultValue: reason }) }));
    void qc.invalidateQueries({ queryKey: slug ? moderationKeys.community(slug) : moderationKeys.admin });
  });
  const items = queue.data?.items ?? [];
  const listRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    listRef.current?.querySelectorAll<HTMLElement>('[data-report]')[selected]?.focus();
  }, [selected]);
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).matches('input, textarea, select')) return;
    if (e.key === 'j') setSelected((i) => Math.min(i + 1, items.length - 1));
    else if (e.key === 'k') setSelected((i) => Math.max(i - 1, 0));
    else {
      const cards = listRef.current?.querySelectorAll<HTMLElement>('[data-report]');
      const btn = cards?.[selected]?.querySelector<HTMLButtonElement>(`[data-key="${e.key}"]`);
      if (!btn) return;
      e.preventDefault();
      btn.click();
    }
  };
  return (
    <div>
      <div className="cm-row">
        <label className="cm-row">
          <span>{t('moderation.status')}</span>
          <select className="cm-input" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            {(['active', ...REPORT_STATUSES] as const)
              .filter((s) => s !== 'open')
              .map((s) => (
                <option key={s} value={s}>
                  {t(`moderation.status_${s}`)}
                </option>
              ))}
          </select>
        </label>
        <span className="cm-muted cm-small">{t('moderation.shortcuts')}</span>
      </div>
      {live && (
        <p className="cm-banner-note" role="status" data-testid="live-report">
          {live}
        </p>
      )}
      {queue.isError && <p role="alert">{errorText(t, queue.error)}</p>}
      {queue.isSuccess && items.length === 0 && <p className="cm-muted">{t('moderation.queue_empty')}</p>}
      <div ref={listRef} className="cm-mod-list" onKeyDown={onKey}>
        {items.map((r, i) => (
          <ReportCard key={r.id} report={r} selected={i === selected} onFocus={() => setSelected(i)} />
        ))}
      </div>
    </div>
  );
}

function ReportCard({ report: r, selected, onFocus }: { report: ModerationReport; selected: boolean; onFocus: () => void }) {
  const { t, i18n } = useTranslation();
  const [note, setNote] = useState('');
  const [minutes, setMinutes] = useState(10);
  const update = useUpdateReportMutation();
  const content = useContentActionMutation();
  const slug = r.community_id === null ? null : String(r.community_id);
  const member = useMemberActionMutation(slug ?? '');
  const qc = useQueryClient();
  const author = r.target.type === 'user' ? { id: r.target.id, name: r.target.content ?? '' } : r.target.author;
  const closed = r.status === 'resolved' || r.status === 'dismissed';
  const sanctionReason = note.trim() || t(`moderation.reason_${r.reason}`, { defaultValue: r.reason });
  const resolve = (notes: string) => update.mutate({ id: r.id, status: 'resolved', resolution_notes: notes });
  const sanction = async (kind: 'warn' | 'mute' | 'ban') => {
    if (!author) return;
    if (slug) {
      const action = kind === 'warn' ? { kind, reason: sanctionReason } : { kind, reason: sanctionReason, minutes: minutes || null };
      await member.mutateAsync({ userId: author.id, action });
    } else {
      await api.moderation.sanctionSite({
        body: {
          user_id: author.id,
          action: kind === 'warn' ? 'warning' : kind,
          reason: sanctionReason,
          ...(kind !== 'warn' && minutes ? { duration_minutes: minutes } : {}),
        },
      });
      void qc.invalidateQueries({ queryKey: moderationKeys.all });
    }
    resolve(`${t(`moderation.${kind}`)}: ${sanctionReason}`);
  };
  const error = update.error ?? content.error ?? member.error;
  const reporter =
    r.source === 'user' ? t('moderation.reported_by', { name: r.reporter?.name ?? '' }) : t(`moderation.reported_by_${r.source}`);
  return (
    <article
      className={`cm-card cm-report${selected ? ' cm-report--on' : ''}`}
      data-report={r.id}
      tabIndex={0}
      onFocus={onFocus}
      aria-label={`${t(`moderation.reason_${r.reason}`, { defaultValue: r.reason })}: ${r.target.content ?? ''}`}
    >
      <header className="cm-report-head">
        <span className="cm-pill">{t(`moderation.reason_${r.reason}`, { defaultValue: r.reason })}</span>
        <span className="cm-pill">{t(`moderation.status_${r.status}`)}</span>
        <span className="cm-muted cm-small">
          {reporter} · {fullDate(r.created_at, i18n.language)}
        </span>
        {r.open_reports_on_target > 1 && <span className="cm-small">{t('moderation.others', { count: r.open_reports_on_target })}</span>}
      </header>
      <blockquote className="cm-report-content">
        {author && (
          <span className="cm-report-author">
            <Avatar name={author.name} url={'avatar_url' in author ? author.avatar_url : null} size={24} /> <strong>{author.name}</strong>{' '}
            <span className="cm-muted cm-small">{t(`moderation.what_${r.target.type}`)}</span>
          </span>
        )}
        {r.target.type !== 'user' && <p>{r.target.content ?? t('moderation.content_deleted')}</p>}
      </blockquote>
      {r.note && <p className="cm-small">{t('moderation.note', { note: r.note })}</p>}
      {r.resolution_notes && <p className="cm-small cm-muted">{r.resolution_notes}</p>}
      {!closed && (
        <div className="cm-report-actions">
          <input
            className="cm-input"
            aria-label={t('moderation.resolution_notes')}
            placeholder={t('moderation.resolution_notes')}
            value={note}
            maxLength={500}
            onChange={(e) => setNote(e.target.value)}
          />
          <button
            type="button"
            data-key="d"
            className="cm-button cm-button--ghost cm-button--sm"
            onClick={() => update.mutate({ id: r.id, status: 'dismissed', ...(note.trim() ? { resolution_notes: note.trim() } : {}) })}
          >
            {t('moderation.dismiss')} <kbd>d</kbd>
          </button>
          <button
            type="button"
            data-key="r"
            className="cm-button cm-button--sm"
            onClick={() => resolve(note.trim() || t('moderation.resolve'))}
          >
            {t('moderation.resolve')} <kbd>r</kbd>
          </button>
          {r.target.type !== 'user' && r.target.content !== null && (
            <button
              type="button"
              data-key="x"
              className="cm-button cm-button--danger cm-button--sm"
              onClick={() =>
                content.mutate(
                  { target_type: r.target.type as 'channel_message', target_id: r.target.id, action: 'delete', reason: sanctionReason },
                  { onSuccess: () => resolve(`${t('moderation.delete_content')}: ${sanctionReason}`) },
                )
              }
            >
              {t('moderation.delete_content')} <kbd>x</kbd>
            </button>
          )}
          {author && (
            <>
              <button
                type="button"
                data-key="w"
                className="cm-button cm-button--ghost cm-button--sm"
                onClick={() => void sanction('warn').catch(() => {})}
              >
                {t('moderation.warn')} <kbd>w</kbd>
              </button>
              <select
                className="cm-input cm-input--sm"
                aria-label={t('moderation.duration')}
                value={minutes}
                onChange={(e) => setMinutes(Number(e.target.value))}
              >
                {DURATIONS.map((d) => (
                  <option key={d} value={d}>
                    {t(`moderation.dur_${d}`)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                data-key="m"
                className="cm-button cm-button--ghost cm-button--sm"
                onClick={() => void sanction('mute').catch(() => {})}
              >
                {t('moderation.mute')} <kbd>m</kbd>
              </button>
              <button
                type="button"
                data-key="b"
                className="cm-button cm-button--danger cm-button--sm"
                onClick={() => void sanction('ban').catch(() => {})}
              >
                {t('moderation.ban')} <kbd>b</kbd>
              </button>
            </>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="cm-danger">
          {errorText(t, error)}
        </p>
      )}
    </article>
  );
}

function Held({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  const held = useHeldQuery(slug);
  const act = useContentActionMutation();
  return (
    <div className="cm-mod-list">
      {held.isSuccess && held.data.items.length === 0 && <p className="cm-muted">{t('moderation.held_empty')}</p>}
      {held.data?.items.map((h) => (
        <article key={`${h.type}-${h.id}`} className="cm-card cm-report" aria-label={h.content ?? ''}>
          <header className="cm-report-head">
            <span className="cm-pill">{t(`moderation.held_state_${h.moderation_state === 'flagged' ? 'flagged' : 'held'}`)}</span>
            {h.author && <strong>{h.author.name}</strong>}
            <span className="cm-muted cm-small">{h.created_at ? fullDate(h.created_at, i18n.language) : ''}</span>
            {h.reason && <span className="cm-small">{h.reason}</span>}
          </header>
          <blockquote className="cm-report-content">
            <p>{h.content}</p>
          </blockquote>
          {h.type !== 'user' && (
            <div className="cm-report-actions">
              <button
                type="button"
                className="cm-button cm-button--sm"
                onClick={() => act.mutate({ target_type: h.type as 'channel_message', target_id: h.id, action: 'approve' })}
              >
                {t('moderation.approve')}
              </button>
              <button
                type="button"
                className="cm-button cm-button--danger cm-button--sm"
                onClick={() => act.mutate({ target_type: h.type as 'channel_message', target_id: h.id, action: 'reject' })}
              >
                {t('moderation.reject')}
              </button>
            </div>
          )}
        </article>
      ))}
      {act.isError && <p role="alert">{errorText(t, act.error)}</p>}
    </div>
  );
}

function Sanctions({ slug }: { slug: string | null }) {
  const { t, i18n } = useTranslation();
  const community = useSanctionsQuery(slug ?? '');
  const site = useSiteSanctionsQuery();
  const list = slug ? community : site;
  const lift = useMemberActionMutation(slug ?? '');
  const liftSite = useLiftSiteSanctionMutation();
  return (
    <ul className="cm-mod-list cm-plain-list">
      {list.isSuccess && list.data.items.length === 0 && <li className="cm-muted">{t('moderation.sanctions_empty')}</li>}
      {list.data?.items.map((s) => (
        <li key={s.id} className="cm-card cm-sanction" aria-label={s.user.name}>
          <Avatar name={s.user.name} url={s.user.avatar_url} size={28} />
          <span className="cm-member-text">
            <strong>{s.user.name}</strong> · {t(`moderation.sanction_${s.action}`)}{' '}
            {s.expires_at ? t('moderation.until', { when: fullDate(s.expires_at, i18n.language) }) : t('moderation.permanent')}
            {s.community_id === null && <span className="cm-pill">{t('moderation.site_scope')}</span>}
            {s.reason && <span className="cm-muted cm-small"> — {s.reason}</span>}
          </span>
          <span className="cm-spacer" />
          <button
            type="button"
            className="cm-button cm-button--ghost cm-button--sm"
            onClick={() =>
              s.community_id === null
                ? liftSite.mutate(s.id)
                : lift.mutate({ userId: s.user.id, action: { kind: 'lift' }, in: String(s.community_id) })
            }
          >
            {t('moderation.lift')}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A sanction on the viewer (mute, ban, kick, lift, also by the expiry job) changes what they may do: refetch it all. */
export function SanctionWatcher() {
  const qc = useQueryClient();
  const features = useFeatures();
  const me = useMe();
  const prefix = features.data?.realtime?.channel_prefix;
  const channel = prefix && me.data ? realtimeChannel.user(prefix, me.data.id) : null;
  useRealtimeEvent(channel, MODERATION_REALTIME_EVENTS.sanctionApplied, () => void qc.invalidateQueries());
  return null;
}
