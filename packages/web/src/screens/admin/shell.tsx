import { useTranslation } from 'react-i18next';
import './admin.css';

import { adminPath, linkProps, type AdminSection } from '../../lib/router';
import { GamificationAdminScreen } from '../gamification';
import { ModerationCentre } from '../moderation';
import { AdminAnalytics } from './analytics';
import { AdminCommunities } from './communities';
import { AdminOverview } from './overview';
import { AdminSettings } from './settings';
import { useAdminAccess } from './access';

const ICONS: Record<AdminSection, string> = {
  overview: '◎',
  settings: '⚙',
  communities: '▦',
  moderation: '⚑',
  gamification: '★',
  analytics: '↗',
};

/**
 * The addon's admin area under /communities/admin: one navigation over the sections the viewer's
 * admin permissions open. Anyone else (or a section they may not open) gets the plain 404 page,
 * so the area does not reveal itself.
 */
export function AdminArea({ section }: { section: AdminSection }) {
  const { t } = useTranslation();
  const access = useAdminAccess();
  if (access.loading) return <p>{t('app.loading')}</p>;
  if (!access.sections.includes(section)) return <AdminNotFound />;
  return (
    <div className="cm-admin">
      <nav className="cm-admin-nav" aria-label={t('admin.nav')}>
        <p className="cm-admin-title">{t('admin.title')}</p>
        <ul>
          {access.sections.map((s) => (
            <li key={s}>
              <a
                className={`cm-admin-link${s === section ? ' cm-admin-link--on' : ''}`}
                aria-current={s === section ? 'page' : undefined}
                {...linkProps(adminPath(s))}
              >
                <span aria-hidden="true" className="cm-admin-icon">
                  {ICONS[s]}
                </span>
                {t(`admin.section_${s}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="cm-admin-main" aria-label={t(`admin.section_${section}`)}>
        {section === 'overview' && <AdminOverview sections={access.sections} />}
        {section === 'settings' && <AdminSettings />}
        {section === 'communities' && <AdminCommunities />}
        {section === 'moderation' && <ModerationCentre slug={null} canEditWords />}
        {section === 'gamification' && <GamificationAdminScreen />}
        {section === 'analytics' && <AdminAnalytics />}
      </main>
    </div>
  );
}

export function AdminNotFound() {
  const { t } = useTranslation();
  return (
    <p className="cm-card" data-testid="not-found">
      {t('admin.not_found')}
    </p>
  );
}
