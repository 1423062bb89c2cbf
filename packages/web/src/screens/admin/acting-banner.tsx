import { useTranslation } from 'react-i18next';

import { clockTime } from '../../lib/format';
import { adminPath, linkProps } from '../../lib/router';
import { useEndActAsOwner } from '../../state/queries/admin';
import { useCommunityQuery } from '../../state/queries/communities';

/**
 * Above a community's pages while the viewer holds an "open as owner" support grant there: whose
 * powers they use, why, until when, and a way to end it. The server audit-logs every change made
 * meanwhile as the admin on the owner's behalf; the banner says so.
 */
export function ActingAsOwnerBanner({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  const community = useCommunityQuery(slug);
  const end = useEndActAsOwner();
  const c = community.data;
  const grant = c?.acting_as_owner;
  if (!c || !grant) return null;
  return (
    <div className="cm-acting" role="status" data-testid="acting-as-owner">
      <span>
        {t('admin.acting_banner', { owner: grant.owner.name, name: c.name, until: clockTime(grant.expires_at, i18n.language) })}{' '}
        <span className="cm-small">{t('admin.acting_reason', { reason: grant.reason })}</span>
      </span>
      <span className="cm-spacer" />
      <a className="cm-link" {...linkProps(adminPath('communities'))}>
        {t('admin.back_to_admin')}
      </a>
      <button type="button" className="cm-button cm-button--ghost cm-button--sm" disabled={end.isPending} onClick={() => end.mutate(c.id)}>
        {t('admin.acting_end')}
      </button>
    </div>
  );
}
