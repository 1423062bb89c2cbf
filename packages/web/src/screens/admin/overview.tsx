import type { AdminOverview as Overview } from '@communities/contract';
import { useTranslation } from 'react-i18next';

import { ErrorNote } from '../../components/error-note';
import { timeAgo } from '../../lib/format';
import { adminPath, linkProps, type AdminSection } from '../../lib/router';
import { useAdminOverview } from '../../state/queries/admin';

const COUNTS: (keyof Overview['counts'])[] = [
  'communities',
  'active',
  'hidden',
  'archived',
  'drafts',
  'members',
  'channels',
  'pending_requests',
  'open_reports',
];
const CHECKS: (keyof Overview['health'])[] = ['database', 'redis', 'queue', 'scanner'];

/** The admin area's front page: how big the site is, whether its parts are healthy, what was flagged last. */
export function AdminOverview({ sections }: { sections: AdminSection[] }) {
  const { t, i18n } = useTranslation();
  const overview = useAdminOverview();
  const n = new Intl.NumberFormat(i18n.language);
  if (overview.isError)
    return (
      <ErrorNote
        error={overview.error}
        notFound={t('admin.not_found')}
        forbidden={t('errors.forbidden')}
        onRetry={() => void overview.refetch()}
      />
    );
  const o = overview.data;
  return (
    <>
      <header className="cm-admin-head">
        <h1>{t('admin.section_overview')}</h1>
      </header>
      {!o ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <dl className="cm-stats" aria-label={t('admin.counts')}>
            {COUNTS.map((k) => (
              <div key={k} className="cm-stat" data-testid={`count-${k}`}>
                <dt>{t(`admin.count_${k}`)}</dt>
                <dd>{n.format(o.counts[k])}</dd>
              </div>
            ))}
          </dl>
          <section className="cm-card" aria-labelledby="cm-admin-health">
            <h2 id="cm-admin-health">{t('admin.health')}</h2>
            <ul className="cm-health">
              {CHECKS.map((k) => {
                const c = o.health[k];
                return (
                  <li key={k} data-testid={`health-${k}`}>
                    <span className={`cm-health-dot cm-health-dot--${c.status}`} aria-hidden="true" />
                    <span>
                      <strong>{t(`admin.check_${k}`)}</strong> · {t(`admin.status_${c.status}`)}
                      {c.detail && <span className="cm-health-detail"> — {c.detail}</span>}
                    </span>
                  </li>
                );
              })}
            </ul>
          </section>
          <section className="cm-card" aria-labelledby="cm-admin-flags">
            <div className="cm-admin-head">
              <h2 id="cm-admin-flags">{t('admin.recent_flags')}</h2>
              <span className="cm-spacer" />
              {sections.includes('moderation') && (
                <a className="cm-link" {...linkProps(adminPath('moderation'))}>
                  {t('admin.open_queue')}
                </a>
              )}
            </div>
            {o.recent_flags.length === 0 ? (
              <p className="cm-muted">{t('admin.no_flags')}</p>
            ) : (
              <ul className="cm-flags">
                {o.recent_flags.map((f) => (
                  <li key={f.id}>
                    <span className="cm-pill cm-pill--warn">{t(`moderation.reason_${f.reason}`, { defaultValue: f.reason })}</span>
                    <span className="cm-flag-text">
                      {t('admin.flag_line', {
                        what: t(`admin.target_${f.target_type}`, { defaultValue: f.target_type.replace(/_/g, ' ') }),
                        source: t(`admin.source_${f.source}`, { defaultValue: f.source }),
                      })}
                    </span>
                    <span className="cm-pill">{t(`moderation.status_${f.status}`, { defaultValue: f.status })}</span>
                    <time className="cm-small cm-muted" dateTime={f.created_at}>
                      {timeAgo(f.created_at, i18n.language)}
                    </time>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}
